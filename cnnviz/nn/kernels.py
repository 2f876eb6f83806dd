"""The engine's compiled kernels: which backend runs, and preparing them ahead of time.

Convolution, pooling and ReLU run as numba-compiled kernels that split a batch between the CPU
cores (:mod:`cnnviz.nn._jit`, :mod:`cnnviz.nn._parallel`) when numba is installed; otherwise, and
with ``CNNVIZ_NO_JIT=1``, as the pure-NumPy code that is also their reference. Results agree to
float32 rounding (pooling and ReLU exactly).

The kernels compile once per install into numba's cache (tens of seconds the first time, a few
hundred milliseconds to load afterwards). An app calls :func:`defer` before building its window
(NumPy computes the first picture) and :func:`warm_up` after the first paint, so loading happens
in the background.
"""

from cnnviz.nn._jit import backend, defer, enabled, ready, set_enabled, warm_up

__all__ = ["backend", "defer", "enabled", "ready", "set_enabled", "warm_up", "prepare"]


def prepare(log, patience: float = 2.0) -> None:
    """Warm up the kernels, telling ``log`` (once) when that takes longer than ``patience`` s.

    For command-line tools: the first training step then does not wait silently for a compiler.
    """
    thread = warm_up(background=True)
    if thread is None:
        return
    thread.join(patience)
    if thread.is_alive():
        log("preparing the engine's compiled kernels (the first run compiles them, which takes "
            "up to a minute; later runs load them from the cache)...")
        thread.join()
