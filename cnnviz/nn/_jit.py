"""Whether the compiled (numba) kernels are used, and loading them on first use.

The kernels in :mod:`cnnviz.nn._kernels` are plain Python loops compiled by numba (``nogil``, so
threads run them side by side; ``cache=True``, so they compile once per install, not at every
start). Everything they compute has a pure-NumPy path too, which is the reference and the fallback:
numba is not installed, it fails to load, or ``CNNVIZ_NO_JIT=1``.

Importing this module imports nothing heavy: numba (about 0.3 s) and the kernels load at the first
call of :func:`kernels`, or in the background through :func:`warm_up`, so start-up stays fast and
the first training step does not silently wait for a compiler.

Where the compiled kernels are cached: next to their source (numba's default) when that folder is
writable, else ``$NUMBA_CACHE_DIR`` when set, else the user's cache folder
(``$XDG_CACHE_HOME/cnnviz/numba`` or ``~/.cache/cnnviz/numba``), else the temporary folder; with
none of them writable the kernels still compile, once per process.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

__all__ = ["kernels", "kernels_for", "enabled", "set_enabled", "warm_up", "ready", "backend",
           "cache_dir", "fastmath", "defer"]

_KERNELS_DIR = Path(__file__).with_name("_kernels")
# Reassociation lets LLVM vectorise sums (dot products, window sums): float32-rounding changes
# only. No nnan/ninf: max pooling relies on -inf padding and NaN must stay NaN.
fastmath = frozenset({"reassoc", "contract"})

_state = {"module": None, "failed": None, "enabled": None, "seconds": None, "deferred": False}
_load_lock = threading.RLock()
_loaded = threading.Event()


def _wanted() -> bool:
    return os.environ.get("CNNVIZ_NO_JIT", "").strip() not in ("1", "true", "yes")


def enabled() -> bool:
    """True unless switched off (``CNNVIZ_NO_JIT=1`` or :func:`set_enabled`)."""
    if _state["enabled"] is None:
        _state["enabled"] = _wanted()
    return _state["enabled"]


def set_enabled(on: bool) -> None:
    """Use the compiled kernels (True, when numba is there) or only NumPy (False); for tests."""
    _state["enabled"] = bool(on)


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def cache_dir(source_dir: Path = _KERNELS_DIR, environ=None, writable=_writable) -> Path | None:
    """Where the compiled kernels go: None means numba's default (next to the source).

    Order: the source folder's ``__pycache__`` if writable; ``NUMBA_CACHE_DIR``; the user's cache
    folder; the temporary folder. Returns False-y None also when nothing is writable and the
    caller should compile without a cache (see :func:`_cache_setting`).
    """
    environ = os.environ if environ is None else environ
    if writable(source_dir / "__pycache__"):
        return None
    if environ.get("NUMBA_CACHE_DIR"):
        return Path(environ["NUMBA_CACHE_DIR"])
    base = Path(environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    for candidate in (base / "cnnviz" / "numba",
                      Path(tempfile.gettempdir()) / f"cnnviz-numba-{os.getuid()}"):
        if writable(candidate):
            return candidate
    return Path()  # nothing writable: compile every run


def _load():
    import numba

    where = cache_dir()
    if where is not None and where != Path():
        numba.config.CACHE_DIR = str(where)
    _state["cache"] = where != Path()
    from cnnviz.nn import _blas

    if not _blas.register():
        raise ImportError("NumPy's BLAS has no 64-bit-integer cblas_sgemm to call from kernels")
    from cnnviz.nn import _kernels

    return _kernels


def defer() -> None:
    """Until :func:`warm_up` has finished, compute with NumPy instead of loading the kernels.

    For an app's start-up: its first picture must not wait a second for numba; the warm-up
    (started after the first paint) then switches to the kernels.
    """
    _state["deferred"] = True


def kernels():
    """The compiled kernel module, or None when they are off or numba is unavailable.

    The first call loads numba and the kernels (and waits for :func:`warm_up` if it is running),
    unless :func:`defer` was called: then None until the warm-up is done.
    """
    if not enabled():
        return None
    if _state["deferred"] and not _loaded.is_set():
        return None
    return _load_once()


def _load_once():
    module = _state["module"]
    if module is not None or _state["failed"] is not None:
        return module
    with _load_lock:
        if _state["module"] is None and _state["failed"] is None:
            t0 = time.perf_counter()
            try:
                _state["module"] = _load()
            except Exception as exc:  # noqa: BLE001 - no numba, or it cannot load: NumPy path
                _state["failed"] = f"{type(exc).__name__}: {exc}"
            _state["seconds"] = time.perf_counter() - t0
        return _state["module"]


_FLOAT32 = np.dtype(np.float32)


# Below this many input elements the NumPy path is as fast (a batch-of-one step of the classic
# 8x8 net is per-call overhead either way) and gives the old results bit for bit.
MIN_ELEMENTS = 1024


def kernels_for(*arrays):
    """:func:`kernels`, if every array is float32 (what they are compiled for; float64, used for
    gradient checks, takes the NumPy path) and the first has at least :data:`MIN_ELEMENTS`."""
    if arrays[0].size < MIN_ELEMENTS:
        return None
    for a in arrays:
        if a.dtype is not _FLOAT32 and a.dtype != _FLOAT32:
            return None
    return kernels()


def _compile_all() -> None:
    try:
        with _load_lock:
            module = _load_once() if enabled() else None
            if module is not None:
                module.warm_up()
    finally:
        _loaded.set()


def warm_up(background: bool = True) -> threading.Thread | None:
    """Load numba and compile (or load from the cache) every kernel for float32.

    With ``background`` it runs in a daemon thread (returned); any kernel call meanwhile waits
    for it instead of compiling a second time. Does nothing when the kernels are off.
    """
    if not enabled() or _loaded.is_set():
        _loaded.set()
        return None
    if not background:
        _compile_all()
        return None
    thread = threading.Thread(target=_compile_all, name="cnnviz-compile-kernels", daemon=True)
    thread.start()
    return thread


def ready() -> bool:
    """True once :func:`warm_up` has finished (or the kernels are off)."""
    return _loaded.is_set() or not enabled()


def backend() -> str:
    """``"numba"`` when the compiled kernels are in use, else ``"numpy"`` (with the reason)."""
    if not enabled():
        return "numpy (CNNVIZ_NO_JIT)"
    if kernels() is None:
        return f"numpy ({_state['failed']})"
    import numba

    return f"numba {numba.__version__}"
