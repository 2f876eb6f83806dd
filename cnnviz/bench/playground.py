"""Playground rows: one 512x512 image convolved by the engine, against loops and against OpenCV.

OpenCV is a reference only when it happens to be installed (``opencv-python-headless``); it is
never a dependency. It runs on one thread (``cv2.setNumThreads(1)``), like the playground, which
computes on the GUI thread.
"""

from __future__ import annotations

import numpy as np

from cnnviz.bench.png import read_png_grey
from cnnviz.bench.report import BenchRow
from cnnviz.bench.timing import best_time, medians, race
from cnnviz.data.bundled import asset_path
from cnnviz.data.images import downscale_to
from cnnviz.nn import functional as F
from cnnviz.nn import reference

__all__ = ["camera", "loops_row", "opencv_rows", "compute_row", "downscale_row", "fmt_time"]

SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.float32)


def fmt_time(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def camera() -> tuple[np.ndarray, str]:
    """The bundled 512x512 photo as float32 grey, or a random image if it cannot be read."""
    try:
        return read_png_grey(asset_path("camera.png")), "512x512 camera photo"
    except (OSError, ValueError):
        rng = np.random.default_rng(0)
        return rng.random((512, 512), dtype=np.float32), "512x512 random image"


def _cv2():
    try:
        import cv2
    except Exception:                                       # noqa: BLE001 - any failure = absent
        return None
    cv2.setNumThreads(1)
    return cv2


def loops_row(image, label, quick: bool, repeats: int, tiny: bool) -> BenchRow:
    """3x3 conv2d forward vectorised against the textbook loops (timed on a crop, scaled)."""
    x = image[None, None]
    w = SOBEL_X[None, None]
    side = 10 if tiny else 66 if quick else 130
    crop = x[:, :, :side, :side]
    scale = (x.shape[2] - 2) * (x.shape[3] - 2) / ((side - 2) * (side - 2))
    F.conv2d(x, w)
    times = medians(race({
        "vectorised": lambda: best_time(lambda: F.conv2d(x, w), 5),
        "loops": lambda: best_time(lambda: reference.conv2d(crop, w), 1) * scale,
    }, repeats))
    return BenchRow(f"conv2d 3x3 forward, {label}: vectorised vs loops",
                    fmt_time(times["vectorised"]), fmt_time(times["loops"]) + " (estimated)",
                    times["loops"] / times["vectorised"], 100.0,
                    note=f"loops timed on a {side}x{side} crop, scaled by output pixels",
                    data={"seconds": times})


def opencv_rows(image, label, repeats: int, log) -> list[BenchRow]:
    """k x k convolution (k = 3, 5, 7, 9, zero padding k // 2) against ``cv2.filter2D``."""
    cv2 = _cv2()
    if cv2 is None:
        log("OpenCV is not installed: skipping the conv-vs-filter2D rows")
        return []
    rows = []
    x = np.ascontiguousarray(image, dtype=np.float32)
    for k in (3, 5, 7, 9):
        kernel = np.random.default_rng(k).standard_normal((k, k)).astype(np.float32)
        w, p = kernel[None, None], k // 2

        def ours(w=w, p=p):
            return best_time(lambda: F.conv2d(x[None, None], w, padding=p), 7)

        def theirs(kernel=kernel):
            return best_time(lambda: cv2.filter2D(x, -1, kernel, borderType=cv2.BORDER_CONSTANT),
                             7)

        ours(), theirs()
        figures = race({"cnnviz": ours, "opencv": theirs}, repeats)
        med = medians(figures)
        ratios = [b / a for a, b in zip(figures["cnnviz"], figures["opencv"], strict=True)]
        rows.append(BenchRow(
            f"playground conv {k}x{k}, {label}: cnnviz vs OpenCV filter2D (1 thread)",
            fmt_time(med["cnnviz"]), fmt_time(med["opencv"]), float(np.median(ratios)), 0.5,
            ratio_min=min(ratios), note="target: within 2x of OpenCV" if k == 3 else "",
            data={"seconds": med}))
    return rows


def compute_row(image, repeats: int) -> BenchRow:
    """The latency bench's engine share: 7x7 conv + 2x2 max pool on the photo (no reference)."""
    from cnnviz.lab.conv import ConvSettings, compute

    kernel = np.ones((7, 7)) / 49
    settings = ConvSettings(pool="max")
    seconds = best_time(lambda: compute(image, kernel, settings), 5 * repeats)
    return BenchRow("playground compute, 7x7 conv + 2x2 max pool on the photo (engine share)",
                    fmt_time(seconds), "12 ms edit-to-screen budget", 0.012 / seconds, None,
                    note="ratio = share of the 12 ms budget left for painting, as a multiple",
                    data={"seconds": seconds})


def downscale_row(repeats: int, tiny: bool) -> BenchRow:
    """Shrinking a 2048x1536 grey photo to 512 px on load, against OpenCV's area averaging."""
    rng = np.random.default_rng(0)
    big = rng.random((384, 512) if tiny else (1536, 2048), dtype=np.float32)
    side = 128 if tiny else 512
    ours = best_time(lambda: downscale_to(big, side), repeats)
    cv2 = _cv2()
    if cv2 is None:
        return BenchRow("load: downscale a 2048x1536 photo to 512 px", fmt_time(ours),
                        "OpenCV not installed", None, None, data={"seconds": ours})
    h, w = downscale_to(big, side)[0].shape
    theirs = best_time(lambda: cv2.resize(big, (w, h), interpolation=cv2.INTER_AREA), repeats)
    return BenchRow("load: downscale a 2048x1536 photo to 512 px: cnnviz vs OpenCV INTER_AREA",
                    fmt_time(ours), fmt_time(theirs), theirs / ours, None,
                    data={"seconds": {"cnnviz": ours, "opencv": theirs}})
