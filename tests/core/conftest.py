"""Fixtures shared by the engine tests."""

import pytest

from cnnviz.nn import _pool as pooling


@pytest.fixture(params=["windows", "taps"])
def pool_path(request, monkeypatch):
    """Run a pooling test through both strategies: copied windows (small inputs) and per-tap views
    (large inputs)."""
    monkeypatch.setattr(pooling, "_TAPS_FROM", 0 if request.param == "taps" else 10**9)
    return request.param


@pytest.fixture(params=["numpy", "compiled"])
def engine(request):
    """Run a test through the pure-NumPy path and through the compiled kernels (numba)."""
    from cnnviz.nn import _jit

    if request.param == "compiled" and (not _jit.enabled() or _jit.kernels() is None):
        pytest.skip(f"compiled kernels unavailable: {_jit.backend()}")
    _jit.set_enabled(request.param == "compiled")
    yield request.param
    _jit.set_enabled(True)
