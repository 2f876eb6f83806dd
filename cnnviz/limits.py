"""The budgets every loader of untrusted files checks *before* it allocates: one place.

A file is a promise about its contents: a header declares a shape, a zip member declares its size,
a gzip stream inflates to whatever it likes. A small file can promise terabytes (a 3 MB
``mnist.npz`` asked for 12 GiB, a 2.9 KB ``.npy`` header for 7.28 TiB), so each loader (data sets,
images, model files) compares the declared size with these limits first and refuses with a
``ValueError`` that names the limit, and reads compressed streams with a running byte count so a
stream that lies about its size is cut off at the limit.

The one memory budget for data is :data:`MAX_DECODED_BYTES`; model files have their own, tighter,
per-array and per-model bounds (cnnviz is for small CNNs: the largest bundled network has about
100,000 parameters, MNIST-sized models a few million; every limit leaves two orders of magnitude of
room). The rest bound counts (classes, archive members, files in a folder) and time. The README
documents them. Raise them here, nowhere else.
"""

from __future__ import annotations

import threading

__all__ = [
    # data sets and images
    "MAX_DECODED_BYTES", "MAX_CLASSES", "MAX_ARCHIVE_MEMBERS", "MAX_NPY_HEADER_BYTES",
    "MAX_IMAGE_SIDE", "MAX_IMAGE_PIXELS", "MAX_IMAGE_FILE_BYTES", "IMAGE_DECODE_SECONDS",
    "MAX_FOLDER_FILES", "MAX_HISTORY_ROWS", "READ_CHUNK_BYTES",
    # model files
    "MAX_FILE_BYTES", "MAX_ARRAY_BYTES", "MAX_MODEL_PARAMETERS", "MAX_ACTIVATION_BYTES_PER_SAMPLE",
    "MAX_HEADER_BYTES", "MAX_JSON_DEPTH", "MAX_LAYERS", "MAX_INPUT_CHANNELS", "MAX_INPUT_SIDE",
    "MAX_ABS_WEIGHT", "MAX_GRAPH_NODES",
    # helpers
    "Cancelled", "check_cancel", "check_budget", "describe_bytes",
]

# The memory one loaded file may need once decoded: the bytes unpacked from it (a gzip stream, a
# zip member, an IDX or .npy payload) and the float32 images made from them, whichever is larger.
# 1 GiB holds MNIST (70,000 28x28 images: 220 MB as float32) more than four times over.
MAX_DECODED_BYTES = 1 << 30

# Classes a data set or a model may have. Labels become 0..K-1 and one class name each; a label of
# 2,000,000,000 must not build two billion names (sparse labels are mapped to dense ones).
MAX_CLASSES = 1000

# Bytes an .npy header may take (NumPy's own default limit is 10,000).
MAX_NPY_HEADER_BYTES = 10_000

# Images: a side and a pixel count beyond these is a mistake or a decompression bomb, refused from
# the header before decoding. The decoded pixels must also fit MAX_DECODED_BYTES.
MAX_IMAGE_SIDE = 20_000
MAX_IMAGE_PIXELS = 100_000_000

# Bytes one image file may take on disk, checked from its size before reading: an uncompressed
# 100-megapixel BMP (the pixel limit above) takes 300 MB; anything larger is not an image we open.
MAX_IMAGE_FILE_BYTES = 512 << 20

# Seconds the app waits for one image file to decode (off the GUI thread) before giving up on it.
IMAGE_DECODE_SECONDS = 10.0

# Image files one class-folder data set may list (each is decoded; see MAX_DECODED_BYTES too).
MAX_FOLDER_FILES = 200_000

# Rows a training run's history (and each curve) keeps; past it they are thinned evenly, so the
# memory of a run of any length is bounded (a few MB) while the curves and the CSV stay a faithful
# sample of every step (see cnnviz.history).
MAX_HISTORY_ROWS = 10_000

# Loaders read in pieces this big, checking the byte budget and the cancel flag between them, so
# closing the app during a 235 MB load returns within milliseconds.
READ_CHUNK_BYTES = 4 << 20



# ---------------------------------------------------------------- model files

MAX_FILE_BYTES = 512 * 2**20
"""Largest model file opened at all (512 MiB); checked with ``os.stat`` before reading."""

MAX_ARRAY_BYTES = 256 * 2**20
"""Largest single array a file may declare (256 MiB), checked from its header before reading."""

MAX_MODEL_PARAMETERS = 50_000_000
"""Most trainable parameters a model may have (200 MB of float32), summed layer by layer."""

MAX_ACTIVATION_BYTES_PER_SAMPLE = 64 * 2**20
"""Most float32 bytes one input sample may need in a forward pass (64 MiB): every layer's output
plus a convolution's unfolded patches. Training and evaluation multiply it by the batch size."""

MAX_ARCHIVE_MEMBERS = 1_000
"""Most members a ``.npz`` archive (a model, or a data set: a Keras mnist.npz has 4) may list, read
from its end record before ``zipfile`` parses the member list."""

MAX_HEADER_BYTES = 4 * 2**20
"""Largest JSON header (a ``.npz`` architecture entry, a safetensors header): 4 MiB."""

MAX_JSON_DEPTH = 64
"""Deepest nesting of lists and objects accepted in a JSON header (100,000-deep JSON would
exhaust the parser's stack)."""

MAX_LAYERS = 512
"""Most layers (or ONNX nodes in the chain) in one model."""

MAX_GRAPH_NODES = 10_000
"""Most nodes an ONNX graph may hold before its ops are even looked at."""

MAX_INPUT_CHANNELS = 64
"""Most input channels (1 for grey, 3 for colour; a little room for more)."""

MAX_INPUT_SIDE = 4096
"""Largest input height or width in pixels."""

MAX_ABS_WEIGHT = 1e6
"""Largest magnitude a stored weight may have. Trained small CNNs stay below a few hundred;
1e300 or inf is damage or an attack, and would only be blamed on the learning rate later."""



# ---------------------------------------------------------------- helpers

class Cancelled(Exception):
    """A load was abandoned because its result is no longer wanted (the app is closing, or a
    newer choice superseded it). Not an error: nobody is told."""


def check_cancel(cancel: threading.Event | None) -> None:
    """Raise :class:`Cancelled` if ``cancel`` is set (loaders poll this between chunks)."""
    if cancel is not None and cancel.is_set():
        raise Cancelled


def describe_bytes(n: int) -> str:
    """``n`` bytes in the largest binary unit that keeps it >= 1: ``"12 GiB"``, ``"1.5 MiB"``;
    beyond 1024 PiB, a power of ten (``"about 10^28 bytes"``)."""
    value = float(n)
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if value < 1024:
            if unit == "bytes" or value == int(value) or value >= 10:
                return f"{value:.0f} {unit}"
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"about 10^{len(str(int(n))) - 1} bytes"  # a header's fantasy: keep it short


def check_budget(needed: int, name: str, what: str = "once decoded",
                 limit: int | None = None) -> None:
    """Refuse ``name`` if it would need more than ``limit`` bytes (a Python int, so no overflow).

    ``limit`` defaults to :data:`MAX_DECODED_BYTES`, read at call time.

    Raises
    ------
    ValueError
        ``"x.npz would need 12.0 GiB once decoded, more than the 1.0 GiB limit ..."``.
    """
    limit = MAX_DECODED_BYTES if limit is None else limit
    if needed > limit:
        more = "at least " if what == "unpacked" else ""
        raise ValueError(f"{name} would need {more}{describe_bytes(needed)} {what}, more than the "
                         f"{describe_bytes(limit)} limit for one file "
                         "(cnnviz.limits.MAX_DECODED_BYTES); it was not loaded")
