"""Process-wide settings that make NumPy fast for this engine's workload (applied only when asked).

Two defaults of the libraries under NumPy suit big batch jobs but hurt an interactive app that runs
many small and medium array operations from two threads (the GUI and the trainer):

Allocator
    glibc serves every allocation above ~128 KiB with its own ``mmap`` and returns it on free, so
    each convolution's column matrix (megabytes) arrives as untouched pages that fault in one by
    one. On virtual machines that dominated a 512x512 convolution (about 25 ms instead of about
    1 ms, measured here). Raising the mmap and trim thresholds lets freed buffers be reused.
BLAS threads
    OpenBLAS splits a large product between threads; when the machine is busy one of them gets
    descheduled and the call stalls for a whole scheduler tick (8 ms stalls measured on a 2-core
    machine, half the playground's 16 ms frame budget). This engine's products are small, so one
    BLAS thread loses little and never stalls; the compiled kernels use both cores by splitting
    the batch between threads that sleep when idle (:mod:`cnnviz.nn._parallel`) and call sgemm
    on one thread each.

Nothing here runs on import: importing :mod:`cnnviz` (say, in a notebook) changes nothing
process-wide. The app, the command line and the benches call :func:`tune` explicitly at start-up.

Both change only speed, never results. They are skipped where they do not apply (not glibc, no
OpenBLAS) and can be switched off with ``CNNVIZ_NO_RUNTIME_TUNING=1``; an explicit
``OPENBLAS_NUM_THREADS`` (or ``CNNVIZ_BLAS_THREADS=N``) is respected.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

__all__ = ["tune"]

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's largest accepted value on 64-bit
_TRIM_THRESHOLD = 256 * 1024 * 1024
_SET_THREADS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
                "openblas_set_num_threads64_", "openblas_set_num_threads")

_tuned: dict[str, bool] | None = None


def _tune_allocator() -> bool:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (e.g. musl): nothing to tune
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return (mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD) == 1
            and mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD) == 1)


def _loaded_openblas() -> list[str]:
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return []
    # NumPy's own copy first: another library's OpenBLAS (if any) is not ours to change
    return sorted((p for p in paths if p.startswith("/")),
                  key=lambda p: ("numpy" not in p and "scipy_openblas" not in p, p))


def _limit_blas_threads() -> bool:
    if os.environ.get("OPENBLAS_NUM_THREADS"):
        return False
    try:
        threads = max(1, int(os.environ.get("CNNVIZ_BLAS_THREADS", "1")))
    except ValueError:
        threads = 1
    for path in _loaded_openblas():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _SET_THREADS:
            setter = getattr(lib, name, None)
            if setter is not None:
                setter.argtypes = (ctypes.c_int,)
                setter(threads)
                return True
    return False


def tune() -> dict[str, bool]:
    """Apply both settings once per process; returns which ones took effect."""
    global _tuned
    if _tuned is None:
        _tuned = {"allocator": False, "blas_threads": False}
        if sys.platform.startswith("linux") and not os.environ.get("CNNVIZ_NO_RUNTIME_TUNING"):
            import numpy  # noqa: F401  (OpenBLAS must be loaded before it can be found)

            _tuned = {"allocator": _tune_allocator(), "blas_threads": _limit_blas_threads()}
    return _tuned
