"""Fixtures shared by the engine tests."""

import pytest

from cnnviz.nn import _pool as pooling


@pytest.fixture(params=["windows", "taps"])
def pool_path(request, monkeypatch):
    """Run a pooling test through both strategies: copied windows (small inputs) and per-tap views
    (large inputs)."""
    monkeypatch.setattr(pooling, "_TAPS_FROM", 0 if request.param == "taps" else 10**9)
    return request.param
