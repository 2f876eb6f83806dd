"""How the bench times: interleaved repeats, the machine's load, a busy neighbour, sgemm peak.

Every figure is measured side by side with its reference in the same run: each repeat times every
contestant once, alternating their order (A B C, C B A, ...), so a burst of load from another
process hurts one repeat of everyone rather than one contestant's whole verdict.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager

import numpy as np

__all__ = ["race", "medians", "best_time", "load_average", "busy_warning", "busy_neighbour",
           "sgemm_peak", "cpu_count"]


def race(contestants: dict[str, Callable[[], float]], repeats: int) -> dict[str, list[float]]:
    """Every contestant's figure per repeat, measured interleaved (the order alternates)."""
    names = list(contestants)
    results: dict[str, list[float]] = {n: [] for n in names}
    for r in range(repeats):
        for n in (names if r % 2 == 0 else names[::-1]):
            results[n].append(contestants[n]())
    return results


def medians(results: dict[str, list[float]]) -> dict[str, float]:
    """The median of each contestant's figures."""
    return {n: statistics.median(v) for n, v in results.items()}


def best_time(fn: Callable[[], object], repeats: int) -> float:
    """The shortest of ``repeats`` timings of ``fn()`` in seconds (the least disturbed one)."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def cpu_count() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def load_average() -> float | None:
    """The 1-minute load average, or None where the system does not report it."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def busy_warning(load: float | None, own: float = 0.0) -> str:
    """A warning when processes other than the bench (``own`` runnable) compete for the CPUs."""
    if load is None or load - own <= 0.5:
        return ""
    return (f"warning: load average {load:.1f} on {cpu_count()} CPUs: other processes compete, "
            "figures are noisy (ratios are still measured side by side)")


@contextmanager
def busy_neighbour():
    """Another process spinning on one core for the duration (what a busy machine looks like)."""
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    try:
        time.sleep(0.2)  # let it get going
        yield spinner.pid
    finally:
        spinner.kill()
        spinner.wait()


def _gemm_rate(size: int, repeats: int) -> float:
    """GFLOP/s of the fastest of ``repeats`` products of two ``size`` square float32 matrices."""
    rng = np.random.default_rng(0)
    a, b = rng.random((size, size), dtype=np.float32), rng.random((size, size), dtype=np.float32)
    out = np.empty_like(a)
    return 2 * size ** 3 / best_time(lambda: np.matmul(a, b, out=out), repeats) / 1e9


def sgemm_peak(quick: bool = False) -> dict[str, float]:
    """The machine's measured float32 GEMM peak in GFLOP/s: one core, and all cores.

    One core: the fastest product among a few sizes, with OpenBLAS on the one thread that
    :func:`cnnviz.runtime.tune` sets (the best of many tries, so a moment of load from elsewhere
    lowers it less). The machine: that times the number of cores, the most it could do.
    """
    repeats = 5 if quick else 20
    one = max(_gemm_rate(size, repeats) for size in (256, 384, 512))
    return {"one_core_gflops": one, "machine_gflops": one * cpu_count(), "cores": cpu_count()}
