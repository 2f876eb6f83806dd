"""Speed, memory and start-up figures, each measured side by side with its reference in one run.

``python -m cnnviz bench`` prints the table (``--json``: one JSON object; ``--quick``: shorter, for
CI, which never fails on a ratio). Rows:

* conv2d on the 512x512 photo, vectorised against the textbook loops (:mod:`.playground`);
* training samples/s of every workload of :data:`.workloads.WORKLOADS` against PyTorch CPU at 1
  and at 2 threads, the ratio taken to the better of the two (:mod:`.training`);
* the batch-128 row again with a busy process on one core (no collapse wanted);
* the arithmetic rate of the batch-128 row as a fraction of the measured sgemm peak;
* a training step's peak memory on 224x224 images against PyTorch's (:mod:`.probes`);
* start-up to the first paint of the main window;
* the playground's convolution against OpenCV's ``filter2D`` and the load-time downscale against
  ``cv2.resize`` (only when OpenCV happens to be installed; never a dependency).

PyTorch and OpenCV columns are skipped cleanly when they are not installed.
"""

from __future__ import annotations

import platform
from collections.abc import Callable

import numpy as np

from cnnviz.bench import playground, probes, training
from cnnviz.bench.png import read_png_grey
from cnnviz.bench.report import BenchRow, format_rows, to_json
from cnnviz.bench.timing import busy_warning, cpu_count, load_average, race, sgemm_peak

__all__ = ["BenchRow", "run", "format_rows", "to_json", "read_png_grey", "race"]


def _torch():
    try:
        import torch
    except Exception:                                       # noqa: BLE001 - any failure = absent
        return None
    return torch


def _meta(torch, peak: dict) -> dict:
    try:
        from cnnviz.nn.kernels import backend
    except ImportError:  # an engine without compiled kernels
        def backend() -> str:
            return "numpy"
    return {"cpus": cpu_count(), "machine": platform.processor() or platform.machine(),
            "python": platform.python_version(), "numpy": np.__version__,
            "torch": None if torch is None else torch.__version__,
            "kernels": backend(), "sgemm": peak, "load_average_start": load_average()}


def _training(torch, quick, repeats, tiny, log, peak) -> list[BenchRow]:
    rows = training.training_rows(torch, quick, repeats, tiny, log)
    if tiny:  # the smoke run has only the first two workloads
        return rows + [training.efficiency_row(rows[-1], peak)]
    b128 = next(r for r in rows if r.data["workload"] == "net28-b128")
    rows.append(training.efficiency_row(b128, peak))
    rows.append(training.contended_row(torch, quick, repeats, tiny, log, b128))
    return rows


def _playground(quick, repeats, tiny, log) -> list[BenchRow]:
    image, label = playground.camera()
    rows = [playground.loops_row(image, label, quick, repeats, tiny)]
    rows += playground.opencv_rows(image, label, repeats, log)
    rows.append(playground.compute_row(image, repeats))
    rows.append(playground.downscale_row(repeats, tiny))
    return rows


def run(quick: bool = False, repeats: int | None = None,
        log: Callable[[str], None] = lambda m: None, tiny: bool = False,
        meta: dict | None = None) -> list[BenchRow]:
    """Measure every row; ``log`` receives progress lines; ``meta`` (if given) receives the
    machine facts (CPUs, versions, sgemm peak, load).

    ``tiny`` shrinks every measurement to a smoke test (for the test suite: meaningless figures).
    """
    repeats = repeats or (3 if quick else 5)
    load = load_average()
    log(f"load average {load if load is None else round(load, 2)} on {cpu_count()} CPUs")
    if warning := busy_warning(load):
        log(warning)
    torch = _torch()
    if torch is None:
        log("PyTorch is not installed: the PyTorch columns are skipped")
    log("measuring the sgemm peak...")
    peak = sgemm_peak(quick or tiny)
    if meta is not None:
        meta.update(_meta(torch, peak))
    rows = _training(torch, quick, repeats, tiny, log, peak)
    if not tiny:  # subprocesses: seconds each
        rows += filter(None, [probes.memory_row(torch, log), probes.startup_row(repeats, log)])
    rows += _playground(quick, repeats, tiny, log)
    if meta is not None:
        meta["load_average_end"] = load_average()
    if warning := busy_warning(load_average(), own=1.0):
        log(warning)
    return rows
