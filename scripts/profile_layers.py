"""Where a training step's time goes: forward and backward of every layer of a bench workload.

Usage::

    python scripts/profile_layers.py [WORKLOAD ...] [--steps 30]

Workloads are the bench's keys (``net28-b128``, ``lenet-b64``, ``tinyvgg-b32``, ...; all by
default). Each layer's forward and backward are timed separately, the minimum over ``--steps``
steps (the least disturbed by other processes), next to the layer's arithmetic rate where it does
any (conv and dense). The rest of the step (loss, optimizer) is one row, and the shares add up to
the whole step. A profile, not a benchmark: ratios against PyTorch come from ``cnnviz bench``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _layer_flops(layer, x, y) -> tuple[int, int]:
    """(forward, backward) floating-point operations of ``layer`` (multiply-add = 2)."""
    from cnnviz.nn.layers import Conv2D, Dense

    if isinstance(layer, Conv2D):
        macs = layer.weight.data.size * y[0, 0].size * len(x)
    elif isinstance(layer, Dense):
        macs = layer.weight.data.size * len(x)
    else:
        return 0, 0
    return 2 * macs, 4 * macs  # backward: weight gradient and input gradient


def profile(workload, steps: int) -> list[tuple[str, float, float, float]]:
    """Rows ``(name, forward ms, backward ms, GFLOP/s)`` with a last row for loss + optimizer."""
    import numpy as np

    from cnnviz.nn.losses import softmax_cross_entropy
    from cnnviz.nn.model import forward_order
    from cnnviz.optim import SGD

    model = workload.build()
    x_all, y_all = workload.data()
    x, y = x_all[:workload.batch], y_all[:workload.batch]
    opt = SGD(model.parameters(), lr=0.01, momentum=0.9)
    n = len(model.layers)
    fwd = np.full(n, np.inf)
    bwd = np.full(n, np.inf)
    rest = np.inf
    flops = [(0, 0)] * n
    first = next(i for i, layer in enumerate(model.layers) if layer.parameters())
    order = forward_order(model.layers)  # a ReLU before a max pool runs after it, as in training
    for _ in range(steps + 1):  # the first step only warms caches and compiled kernels
        acts = [x]
        for i in order:
            layer = model.layers[i]
            t0 = time.perf_counter()
            acts.append(layer.forward(acts[-1]))
            fwd[i] = min(fwd[i], time.perf_counter() - t0)
            flops[i] = _layer_flops(layer, acts[-2], acts[-1])
        t0 = time.perf_counter()
        _, d = softmax_cross_entropy(acts[-1], y)
        opt.zero_grad()
        loss_time = time.perf_counter() - t0
        for i in reversed([i for i in order if i >= first]):
            t0 = time.perf_counter()
            d = model.layers[i].backward(d, need_dx=i > first)
            bwd[i] = min(bwd[i], time.perf_counter() - t0)
        t0 = time.perf_counter()
        opt.step()
        rest = min(rest, loss_time + time.perf_counter() - t0)
    rows = []
    for i, layer in enumerate(model.layers):
        total = fwd[i] + (bwd[i] if i >= first else 0.0)
        work = flops[i][0] + (flops[i][1] if i > first else flops[i][1] // 2)
        rate = work / total / 1e9 if work and total > 0 else 0.0
        rows.append((f"{i + 1}. {layer}",
                     fwd[i] * 1e3, (bwd[i] if i >= first else 0.0) * 1e3, rate))
    rows.append(("loss + optimizer", rest * 1e3, 0.0, 0.0))
    return rows


def main(argv=None) -> int:
    from cnnviz.bench.workloads import WORKLOADS
    from cnnviz.runtime import tune

    keys = [w.key for w in WORKLOADS]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workloads", nargs="*", choices=[[], *keys], metavar="WORKLOAD",
                        help=f"one of {', '.join(keys)} (default: all)")
    parser.add_argument("--steps", type=int, default=30, help="timed steps (minimum is kept)")
    args = parser.parse_args(argv)
    tune()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    for workload in WORKLOADS:
        if args.workloads and workload.key not in args.workloads:
            continue
        rows = profile(workload, args.steps)
        step = sum(f + b for _, f, b, _ in rows)
        print(f"\n{workload.title}: {step:.2f} ms a step, "
              f"{workload.batch / step * 1e3:,.0f} samples/s (minimum per layer over "
              f"{args.steps} steps)")
        print(f"  {'layer':<34} {'forward':>9} {'backward':>9} {'share':>6} {'GFLOP/s':>8}")
        for name, f, b, rate in rows:
            print(f"  {name[:34]:<34} {f:8.3f}ms {b:8.3f}ms {100 * (f + b) / step:5.1f}% "
                  f"{rate:8.1f}" if rate else
                  f"  {name[:34]:<34} {f:8.3f}ms {b:8.3f}ms {100 * (f + b) / step:5.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
