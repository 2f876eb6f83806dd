"""The training workloads of the bench, and the same network built in cnnviz and in PyTorch.

Each workload is a spec (:mod:`cnnviz.nn.architecture`), an input shape and a batch size; the
PyTorch network is translated from the built cnnviz model layer by layer (same sizes, same
starting weights), so both sides train exactly the same architecture with SGD + momentum.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from cnnviz.nn import architecture
from cnnviz.nn.layers import AvgPool2D, Conv2D, Dense, Flatten, MaxPool2D, ReLU

__all__ = ["Workload", "WORKLOADS", "CLASSIC", "NET28", "cnnviz_trainer", "torch_trainer",
           "train_flops", "torch_net"]

CLASSIC = [{"type": "conv", "out_channels": 4, "kernel_size": 3, "padding": 0},
           {"type": "relu"}, {"type": "maxpool", "kernel_size": 2}, {"type": "flatten"},
           {"type": "dense", "out_features": 2}]
NET28 = [{"type": "conv", "out_channels": 8, "kernel_size": 3, "padding": 1},
         {"type": "relu"}, {"type": "maxpool", "kernel_size": 2},
         {"type": "conv", "out_channels": 16, "kernel_size": 3, "padding": 1},
         {"type": "relu"}, {"type": "maxpool", "kernel_size": 2}, {"type": "flatten"},
         {"type": "dense", "out_features": 10}]


@dataclass(frozen=True)
class Workload:
    """One row of the training table: a network, its input and the batch size.

    ``target`` is the ratio to the best PyTorch configuration the issue asks for; ``stretch`` the
    optional higher one.
    """

    key: str
    title: str
    spec: tuple
    input_shape: tuple[int, int, int]
    classes: int
    batch: int
    target: float = 1.0
    stretch: float | None = None

    def build(self, seed: int = 0):
        return architecture.build_model(list(self.spec), self.input_shape, self.classes,
                                        seed=seed)

    def data(self, samples: int | None = None):
        """Random inputs (N, C, H, W) float32 and labels (N,), N a few batches."""
        rng = np.random.default_rng(0)
        n = samples or max(4 * self.batch, 64)
        return (rng.random((n, *self.input_shape), dtype=np.float32),
                rng.integers(0, self.classes, n))


WORKLOADS = (
    Workload("classic-b1", "classic 8x8 net, batch 1", tuple(CLASSIC), (1, 8, 8), 2, 1, 3.0),
    Workload("net28-b32", "28x28 two-conv net, batch 32", tuple(NET28), (1, 28, 28), 10, 32,
             1.0, 1.5),
    Workload("net28-b128", "28x28 two-conv net, batch 128", tuple(NET28), (1, 28, 28), 10, 128,
             1.0, 1.5),
    Workload("net28-b512", "28x28 two-conv net, batch 512", tuple(NET28), (1, 28, 28), 10, 512),
    Workload("lenet-b64", "LeNet-5 28x28, batch 64", tuple(architecture.preset("lenet")),
             (1, 28, 28), 10, 64),
    Workload("tinyvgg-b32", "TinyVGG 64x64x3, batch 32", tuple(architecture.preset("tinyvgg")),
             (3, 64, 64), 10, 32),
)


def train_flops(model, batch: int = 1) -> int:
    """Floating-point operations of one training step (a multiply-add counts 2).

    Forward, weight gradient and input gradient of every convolution and dense layer; the first
    trainable layer computes no input gradient (training never needs it). Element-wise layers
    are left out: they are memory traffic, not arithmetic.
    """
    shape = model.metadata["input_shape"]
    x = np.zeros((1, *shape), np.float32)
    total, first = 0, True
    for layer in model.layers:
        y = layer.forward(x)
        if isinstance(layer, (Conv2D, Dense)):
            macs = layer.weight.data.size * (y[0, 0].size if isinstance(layer, Conv2D) else 1)
            total += 2 * macs * (2 if first else 3)
            first = False
        x = y
    return total * batch


def cnnviz_trainer(model, x, y, batch: int):
    """``run(steps) -> samples/s``: SGD with momentum on consecutive batches of (x, y)."""
    from cnnviz.nn.losses import softmax_cross_entropy
    from cnnviz.optim import SGD

    opt = SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step(i: int) -> None:
        j = (i * batch) % (len(x) - batch + 1)
        logits = model.forward(x[j:j + batch])
        _, d = softmax_cross_entropy(logits, y[j:j + batch])
        opt.zero_grad()
        model.backward(d, input_grad=False)
        opt.step()

    return _timed(step, batch)


def _timed(step, batch: int):
    def run(n_steps: int) -> float:
        step(0)  # untimed: settle caches after the other contestant ran
        t0 = time.perf_counter()
        for i in range(1, n_steps + 1):
            step(i)
        return n_steps * batch / (time.perf_counter() - t0)
    return run


def torch_net(torch, model):
    """The PyTorch twin of a built cnnviz ``model`` (same layers, same starting weights)."""
    nn = torch.nn
    parts = []
    for layer in model.layers:
        if isinstance(layer, Conv2D):
            part = nn.Conv2d(layer.in_channels, layer.out_channels, layer.kernel_size,
                             layer.stride, layer.padding, layer.dilation)
        elif isinstance(layer, Dense):
            part = nn.Linear(layer.in_features, layer.out_features)
        elif isinstance(layer, (MaxPool2D, AvgPool2D)):
            cls = nn.MaxPool2d if isinstance(layer, MaxPool2D) else nn.AvgPool2d
            part = cls(layer.kernel_size, layer.stride, layer.padding)
        elif isinstance(layer, (ReLU, Flatten)):
            part = nn.ReLU() if isinstance(layer, ReLU) else nn.Flatten()
        else:
            raise ValueError(f"the bench cannot translate {layer.name} to PyTorch")
        if isinstance(layer, (Conv2D, Dense)):
            with torch.no_grad():
                part.weight.copy_(torch.from_numpy(layer.weight.data))
                part.bias.copy_(torch.from_numpy(layer.bias.data))
        parts.append(part)
    return nn.Sequential(*parts)


def torch_trainer(torch, model, x, y, batch: int, threads: int):
    """``run(steps) -> samples/s`` for the PyTorch twin of ``model`` at ``threads`` threads."""
    net = torch_net(torch, model)
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    loss_fn = torch.nn.functional.cross_entropy
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)

    def step(i: int) -> None:
        if i == 0:
            torch.set_num_threads(threads)
        j = (i * batch) % (len(x) - batch + 1)
        opt.zero_grad()
        loss_fn(net(tx[j:j + batch]), ty[j:j + batch]).backward()
        opt.step()

    return _timed(step, batch)
