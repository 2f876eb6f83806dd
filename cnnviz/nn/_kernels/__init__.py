"""The compiled kernels (numba): import only through :func:`cnnviz.nn._jit.kernels`.

Importing this package imports numba and decorates every kernel; each compiles for a dtype at its
first call with that dtype (or loads from numba's cache): :func:`warm_up` does it for float32.
"""

from cnnviz.nn._kernels import conv, direct, pool

__all__ = ["conv", "direct", "pool", "warm_up"]


def warm_up() -> None:
    """Compile (or load from the cache) every kernel for float32 arrays."""
    conv.warm_up()
    direct.warm_up()
    pool.warm_up()
