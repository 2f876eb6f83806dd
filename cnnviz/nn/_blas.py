"""NumPy's own sgemm, callable from inside compiled kernels (no GIL, no NumPy call in between).

A convolution chunk is then one compiled call (lay out windows, multiply, write back) instead of
three calls with Python in between: fewer handovers of the GIL between the threads that share a
batch, which is what stalls them when the machine is busy (a thread holding the GIL gets
descheduled and every other thread waits for it).

The function is looked up in the OpenBLAS that NumPy loaded (``scipy_cblas_sgemm64_`` in NumPy's
wheels; 64-bit integers) and registered with LLVM under a fixed name, so numba's cached machine
code links to it in every process. ``openblas_set_num_threads_local(1)`` keeps each call on the
thread that makes it, without changing NumPy's process-wide setting.
"""

from __future__ import annotations

import ctypes
import glob
import os

import numpy as np

__all__ = ["SGEMM_SYMBOL", "register", "ROW_MAJOR", "NO_TRANS", "TRANS"]

SGEMM_SYMBOL = "cnnviz_cblas_sgemm"
THREADS_SYMBOL = "cnnviz_blas_local_threads"
ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112
_SGEMM_NAMES = ("scipy_cblas_sgemm64_", "cblas_sgemm64_")
_registered: list = []


def _candidates() -> list[str]:
    """Shared libraries that may hold NumPy's OpenBLAS, NumPy's own copy first."""
    found = []
    try:
        with open("/proc/self/maps") as maps:
            found = sorted({line.split()[-1] for line in maps if "openblas" in line.lower()
                            and line.split()[-1].startswith("/")})
    except OSError:
        pass
    libs = os.path.join(os.path.dirname(os.path.dirname(np.__file__)), "numpy.libs")
    found += sorted(glob.glob(os.path.join(libs, "*openblas*")))
    return sorted(dict.fromkeys(found), key=lambda p: "numpy" not in p)


def _find():
    """(sgemm address, local-thread-setter address or None), or None when there is no sgemm."""
    for path in _candidates():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _SGEMM_NAMES:
            fn = getattr(lib, name, None)
            if fn is not None:
                local = getattr(lib, "openblas_set_num_threads_local", None)
                return (ctypes.cast(fn, ctypes.c_void_p).value,
                        None if local is None else ctypes.cast(local, ctypes.c_void_p).value)
    return None


def register() -> bool:
    """Make :data:`SGEMM_SYMBOL` (and :data:`THREADS_SYMBOL`) known to LLVM; False if absent."""
    if _registered:
        return _registered[0]
    import llvmlite.binding as llvm

    found = _find()
    if found is not None:
        llvm.add_symbol(SGEMM_SYMBOL, found[0])
        if found[1] is not None:
            llvm.add_symbol(THREADS_SYMBOL, found[1])
        else:  # an older OpenBLAS: a no-op stands in (its calls are small enough not to thread)
            noop = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)(lambda n: 1)
            _registered.append(noop)  # keep it alive
            llvm.add_symbol(THREADS_SYMBOL, ctypes.cast(noop, ctypes.c_void_p).value)
    _registered.insert(0, found is not None)
    return _registered[0]
