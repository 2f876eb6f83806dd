"""The budgets every loader checks *before* it allocates: one place, documented in the README.

A file can declare sizes it does not hold (a 3 KB ``.npy`` header claiming 7 TiB, a safetensors
header with a 2 GB tensor, a zip that deflates 4000 to 1). Every reader in :mod:`cnnviz.io` (and
the data-set loaders) compares what a file *declares* against these numbers first and refuses with
a ``ValueError`` naming the limit, so no input can exhaust memory or hang the app.

cnnviz is for small CNNs: the largest bundled network has about 100,000 parameters, MNIST-sized
models a few million at most. Every limit leaves two orders of magnitude of room for real models.
"""

from __future__ import annotations

__all__ = ["MAX_FILE_BYTES", "MAX_ARRAY_BYTES", "MAX_MODEL_PARAMETERS",
           "MAX_ACTIVATION_BYTES_PER_SAMPLE", "MAX_ARCHIVE_MEMBERS", "MAX_HEADER_BYTES",
           "MAX_JSON_DEPTH", "MAX_LAYERS", "MAX_INPUT_CHANNELS", "MAX_INPUT_SIDE", "MAX_CLASSES",
           "MAX_ABS_WEIGHT", "MAX_GRAPH_NODES", "describe_bytes"]

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
"""Most members a ``.npz`` model archive may list (read from its end record, before parsing)."""

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

MAX_CLASSES = 10_000
"""Most classes (outputs of the last layer, class names in metadata)."""

MAX_ABS_WEIGHT = 1e6
"""Largest magnitude a stored weight may have. Trained small CNNs stay below a few hundred;
1e300 or inf is damage or an attack, and would only be blamed on the learning rate later."""


def describe_bytes(n: int) -> str:
    """``n`` bytes in words for messages: "512 MiB", "7.3 TiB", "930 bytes"."""
    n = int(n)
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            value = n / size
            return f"{value:.0f} {unit}" if value >= 10 or value == int(value) else \
                f"{value:.1f} {unit}"
    return f"{n} bytes"
