"""Who computes a training run: cnnviz's own NumPy engine, or PyTorch when it is installed.

Both backends train the same architecture spec on the same data, from the same initial weights
(built by cnnviz from the seed), in the same batch order, and yield the same
:class:`cnnviz.train.Snapshot` objects, so nothing downstream (the studio, the CLI) knows which
one ran. PyTorch is optional (``pip install 'cnnviz[torch]'``); it is imported only when the
torch backend is asked for.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache

__all__ = ["BACKENDS", "DEVICES", "INSTALL_HINT", "torch_available", "cuda_available",
           "gpu_present", "make_trainer", "unavailable_reason"]

BACKENDS = ("numpy", "torch")
DEVICES = ("cpu", "cuda")
INSTALL_HINT = "pip install 'cnnviz[torch]'"


@lru_cache(maxsize=1)
def torch_available() -> bool:
    """True when ``import torch`` would succeed (checked without importing it)."""
    return importlib.util.find_spec("torch") is not None


def gpu_present() -> bool:
    """A CUDA GPU is usable: checked cheaply first (the NVIDIA device node), so a machine without
    one never pays for importing torch just to be told so."""
    import os

    return os.path.exists("/dev/nvidiactl") and cuda_available()


@lru_cache(maxsize=1)
def cuda_available() -> bool:
    """True when torch is installed and sees a CUDA GPU (imports torch; cached)."""
    if not torch_available():
        return False
    import torch

    return bool(torch.cuda.is_available())


def unavailable_reason(backend: str, device: str = "cpu") -> str | None:
    """None when ``backend`` on ``device`` can run here, otherwise a sentence saying why not."""
    if backend not in BACKENDS:
        return f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}"
    if device not in DEVICES:
        return f"unknown device {device!r}; choose one of {', '.join(DEVICES)}"
    if backend == "numpy":
        return None if device == "cpu" else "the NumPy backend runs on the CPU only"
    if not torch_available():
        return f"the PyTorch backend needs PyTorch, which is not installed: {INSTALL_HINT}"
    if device == "cuda" and not cuda_available():
        return "PyTorch sees no CUDA GPU on this machine; use --device cpu"
    return None


def make_trainer(model, dataset, backend: str = "numpy", device: str = "cpu", **kwargs):
    """A :class:`cnnviz.train.Trainer` (NumPy) or its PyTorch twin, with the same arguments.

    Raises
    ------
    ValueError
        If the backend or device cannot run here (the sentence says how to fix it).
    """
    reason = unavailable_reason(backend, device)
    if reason is not None:
        raise ValueError(reason)
    if backend == "numpy":
        from cnnviz.train import Trainer

        return Trainer(model, dataset, **kwargs)
    from cnnviz.backends.torch_backend import TorchTrainer

    return TorchTrainer(model, dataset, device=device, **kwargs)
