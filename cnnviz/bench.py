"""Speed ratios measured side by side in one run (``python -m cnnviz bench``).

Rows:

1. conv2d forward on the bundled 512x512 camera photo, vectorised (:mod:`cnnviz.nn.functional`) vs
the
   textbook loops (:mod:`cnnviz.nn.reference`); target >= 100x. When the loops would take long they
   run on a crop and their time is scaled by the number of output pixels ("estimated").
2. Training samples/s of the classic small net (Conv 4@3x3, ReLU, MaxPool 2, Flatten, Dense) on
   8x8 images at batch 1, cnnviz vs PyTorch CPU; target >= 2x (per-call overhead decides).
3. A 28x28 net (Conv 8@3x3 p1, ReLU, Pool, Conv 16@3x3 p1, ReLU, Pool, Flatten, Dense 784->10) at
   batch 32, cnnviz vs PyTorch CPU; target >= 0.5x.

PyTorch rows appear only when torch imports; it is limited to 2 threads like the test machine.
Each repeat times every contestant once, alternating their order, and the medians are compared,
so a burst of load from another process hurts one repeat, not the verdict.
"""

from __future__ import annotations

import os
import statistics
import struct
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cnnviz.data.bundled import asset_path
from cnnviz.data.images import to_grey
from cnnviz.nn import functional as F
from cnnviz.nn import reference

SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.float32)


@dataclass(frozen=True)
class BenchRow:
    """One line of the table: ``ratio`` = how many times faster cnnviz is (higher is better)."""

    what: str
    ours: str
    reference: str
    ratio: float
    target: float
    note: str = ""

    @property
    def passed(self) -> bool:
        return self.ratio >= self.target


def read_png_grey(path) -> np.ndarray:
    """Decode an 8-bit, non-interlaced PNG (grey, grey+alpha, RGB or RGBA) to (H, W) float32.

    Just enough PNG to load the bundled photos without Qt (the engine never imports it).
    """
    raw = open(path, "rb").read()
    if raw[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG file")
    pos, idat, header = 8, [], None
    while pos + 8 <= len(raw):
        length, kind = struct.unpack(">I4s", raw[pos:pos + 8])
        body = raw[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    if header is None:
        raise ValueError(f"{path} has no PNG header")
    width, height, depth, colour, _, _, interlace = header
    channels = {0: 1, 4: 2, 2: 3, 6: 4}.get(colour)
    if depth != 8 or channels is None or interlace:
        raise ValueError(f"{path}: only 8-bit non-interlaced grey/RGB PNGs are supported here")
    data = np.frombuffer(zlib.decompress(b"".join(idat)), np.uint8)
    stride = width * channels
    rows = data.reshape(height, stride + 1)
    out = np.zeros((height, stride), np.int32)
    prev = np.zeros(stride, np.int32)
    for r in range(height):
        f, line = rows[r, 0], rows[r, 1:].astype(np.int32)
        if f == 0:
            cur = line
        elif f == 2:
            cur = (line + prev) & 255
        else:                                   # Sub, Average, Paeth depend on the left pixel
            cur = np.zeros(stride, np.int32)
            for i in range(stride):
                a = cur[i - channels] if i >= channels else 0
                b, c = prev[i], prev[i - channels] if i >= channels else 0
                if f == 1:
                    pred = a
                elif f == 3:
                    pred = (a + b) // 2
                else:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                cur[i] = (line[i] + pred) & 255
        out[r] = prev = cur
    pixels = out.reshape(height, width, channels).astype(np.uint8)
    return to_grey(pixels[..., :1] if channels == 2 else pixels)  # grey + alpha: keep the grey


def _median_time(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _race(contestants: dict[str, Callable[[], float]], repeats: int) -> dict[str, float]:
    """Median of each contestant's figure over interleaved repeats (order alternates)."""
    names = list(contestants)
    results = {n: [] for n in names}
    for r in range(repeats):
        for n in (names if r % 2 == 0 else names[::-1]):
            results[n].append(contestants[n]())
    return {n: statistics.median(v) for n, v in results.items()}


def _fmt_time(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def bench_conv(quick: bool, repeats: int, tiny: bool = False) -> BenchRow:
    try:
        image = read_png_grey(asset_path("camera.png"))
        label = "512x512 camera photo"
    except (OSError, ValueError):
        image = np.random.default_rng(0).random((512, 512), dtype=np.float32)
        label = "512x512 random image (camera.png unreadable)"
    x = image[None, None].astype(np.float32)
    w = SOBEL_X[None, None]
    out_pixels = (x.shape[2] - 2) * (x.shape[3] - 2)
    side = 10 if tiny else 66 if quick else 130
    crop = x[:, :, :side, :side]
    crop_pixels = (crop.shape[2] - 2) * (crop.shape[3] - 2)
    probe = _median_time(lambda: reference.conv2d(crop, w)) * out_pixels / crop_pixels
    estimated = quick or tiny or probe > 5.0
    loops_input, scale = (crop, out_pixels / crop_pixels) if estimated else (x, 1.0)
    F.conv2d(x, w)                                        # warm the caches
    times = _race({
        "vectorised": lambda: min(_median_time(lambda: F.conv2d(x, w)) for _ in range(5)),
        "loops": lambda: _median_time(lambda: reference.conv2d(loops_input, w)) * scale,
    }, repeats)
    return BenchRow(f"conv2d 3x3 forward, {label}: vectorised vs loops",
                    _fmt_time(times["vectorised"]),
                    _fmt_time(times["loops"]) + (" (estimated)" if estimated else ""),
                    times["loops"] / times["vectorised"], 100.0,
                    f"loops timed on a {crop.shape[2]}x{crop.shape[3]} crop, scaled by output "
                    "pixels" if estimated else "")


def _torch():
    try:
        import torch
    except Exception:                                       # noqa: BLE001 - any failure = absent
        return None
    torch.set_num_threads(2)
    return torch


def _cnnviz_trainer(spec, input_shape, n_classes, x, y, batch):
    from cnnviz.nn.architecture import build_model
    from cnnviz.nn.losses import softmax_cross_entropy
    from cnnviz.optim import SGD

    model = build_model(spec, input_shape, n_classes, seed=0)
    opt = SGD(model.parameters(), lr=0.01, momentum=0.9)

    def run(n_steps: int) -> float:
        t0 = time.perf_counter()
        for i in range(n_steps):
            j = (i * batch) % (len(x) - batch + 1)
            logits = model.forward(x[j:j + batch])
            _, d = softmax_cross_entropy(logits, y[j:j + batch])
            opt.zero_grad()
            model.backward(d, input_grad=False)
            opt.step()
        return n_steps * batch / (time.perf_counter() - t0)

    return run


def _torch_trainer(torch, net, x, y, batch):
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    loss_fn = torch.nn.functional.cross_entropy
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)

    def run(n_steps: int) -> float:
        t0 = time.perf_counter()
        for i in range(n_steps):
            j = (i * batch) % (len(x) - batch + 1)
            opt.zero_grad()
            loss = loss_fn(net(tx[j:j + batch]), ty[j:j + batch])
            loss.backward()
            opt.step()
        return n_steps * batch / (time.perf_counter() - t0)

    return run


def bench_training(torch, quick: bool, repeats: int, tiny: bool = False) -> list[BenchRow]:
    nn = torch.nn
    rng = np.random.default_rng(0)
    rows = []
    # The classic small net on 8x8 at batch 1.
    x8 = rng.random((256, 1, 8, 8), dtype=np.float32)
    y8 = rng.integers(0, 2, 256)
    spec8 = [{"type": "conv", "out_channels": 4, "kernel_size": 3, "padding": 0},
             {"type": "relu"}, {"type": "maxpool", "kernel_size": 2}, {"type": "flatten"},
             {"type": "dense", "out_features": 2}]
    ours = _cnnviz_trainer(spec8, (1, 8, 8), 2, x8, y8, 1)
    theirs = _torch_trainer(torch, nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2),
                                                 nn.Flatten(), nn.Linear(36, 2)), x8, y8, 1)
    steps = 5 if tiny else 300 if quick else 800
    ours(1 if tiny else 20), theirs(1 if tiny else 20)
    sps = _race({"cnnviz": lambda: ours(steps), "torch": lambda: theirs(steps)}, repeats)
    rows.append(BenchRow("training, classic small net 8x8, batch 1: cnnviz vs PyTorch",
                         f"{sps['cnnviz']:,.0f} samples/s", f"{sps['torch']:,.0f} samples/s",
                         sps["cnnviz"] / sps["torch"], 2.0))
    # A 28x28 two-block net at batch 32.
    x28 = rng.random((512, 1, 28, 28), dtype=np.float32)
    y28 = rng.integers(0, 10, 512)
    spec28 = [{"type": "conv", "out_channels": 8, "kernel_size": 3, "padding": 1},
              {"type": "relu"}, {"type": "maxpool", "kernel_size": 2},
              {"type": "conv", "out_channels": 16, "kernel_size": 3, "padding": 1},
              {"type": "relu"}, {"type": "maxpool", "kernel_size": 2}, {"type": "flatten"},
              {"type": "dense", "out_features": 10}]
    ours = _cnnviz_trainer(spec28, (1, 28, 28), 10, x28, y28, 32)
    theirs = _torch_trainer(torch, nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(784, 10)), x28, y28, 32)
    steps = 1 if tiny else 10 if quick else 25
    ours(1 if tiny else 3), theirs(1 if tiny else 3)
    sps = _race({"cnnviz": lambda: ours(steps), "torch": lambda: theirs(steps)}, repeats)
    rows.append(BenchRow("training, 28x28 two-conv net, batch 32: cnnviz vs PyTorch",
                         f"{sps['cnnviz']:,.0f} samples/s", f"{sps['torch']:,.0f} samples/s",
                         sps["cnnviz"] / sps["torch"], 0.5))
    return rows


def run(quick: bool = False, repeats: int | None = None,
        log: Callable[[str], None] = lambda m: None, tiny: bool = False) -> list[BenchRow]:
    """Measure every row; ``log`` receives progress lines (what is being timed).

    ``tiny`` shrinks every measurement to a smoke test (for the test suite: meaningless figures).
    """
    repeats = repeats or (3 if quick else 5)
    if hasattr(os, "getloadavg"):
        load = os.getloadavg()[0]
        log(f"machine load average {load:.1f} on {os.cpu_count()} CPUs"
            + (": other processes compete, figures are noisy" if load > 1 else ""))
    log(f"timing conv2d on the camera photo ({repeats} interleaved repeats)...")
    rows = [bench_conv(quick, repeats, tiny)]
    torch = _torch()
    if torch is None:
        log("PyTorch is not installed: skipping the cnnviz-vs-PyTorch rows")
    else:
        log(f"timing training steps, cnnviz vs PyTorch {torch.__version__} (2 threads)...")
        rows += bench_training(torch, quick, repeats, tiny)
    return rows


def format_rows(rows: list[BenchRow]) -> str:
    """The table: what, cnnviz figure, reference figure, ratio, target, PASS/FAIL (+ notes)."""
    head = ("what", "cnnviz", "reference", "ratio", "target", "result")
    body = [(r.what, r.ours, r.reference, f"{r.ratio:.1f}x", f">= {r.target:g}x",
             "PASS" if r.passed else "FAIL") for r in rows]
    widths = [max(len(line[c]) for line in [head, *body]) for c in range(len(head))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
             for line in [head, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"note: {r.note}" for r in rows if r.note]
    return "\n".join(lines + notes)
