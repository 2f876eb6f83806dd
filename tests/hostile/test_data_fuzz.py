"""Seeded fuzzing of the data-set loaders: byte flips and truncations of a Keras-style npz (of the
archive, and of one member's .npy header) and of an IDX file (plain and gzipped) raise nothing
but ValueError or OSError.

A few hundred cases in one limited subprocess; the seed is fixed, so a failure reproduces.
"""

from conftest import run_limited

FUZZ = """
import gzip, json, random
import numpy as np
from cnnviz import data
from makers import idx_bytes, keras_npz, npy_bytes, write

rng = random.Random(9)
escaped = {}

def mutate(base, header_only):
    raw = bytearray(base)
    if rng.random() < 0.3:
        return bytes(raw[:rng.randrange(len(raw))])
    span = min(len(raw), 160) if header_only else len(raw)
    for _ in range(rng.randint(1, 4)):
        raw[rng.randrange(span)] = rng.randrange(256)
    return bytes(raw)

def attempt(load):
    try:
        load()
    except (ValueError, OSError):
        pass
    except BaseException as exc:
        escaped[type(exc).__name__] = escaped.get(type(exc).__name__, 0) + 1

npz = keras_npz()
member = npy_bytes(np.random.default_rng(0).integers(0, 255, (40, 8, 8), dtype=np.uint8))
for i in range(CASES):
    if i % 2:  # damage the archive anywhere
        damaged = mutate(npz, header_only=False)
    else:  # damage one member's .npy header, in an archive that is itself intact
        head = bytearray(member)
        for _ in range(rng.randint(1, 2)):
            head[rng.randrange(8, 128)] = rng.randrange(256)
        damaged = keras_npz(x_train=bytes(head))
    path = write("fuzz.npz", damaged)
    attempt(lambda: data.load_dataset(path))

images = idx_bytes(np.random.default_rng(0).integers(0, 255, (20, 6, 6), dtype=np.uint8))
labels = write("idx/train-labels-idx1-ubyte", idx_bytes((np.arange(20) % 2).astype(np.uint8)))
for i in range(CASES):
    damaged = mutate(images, header_only=True)
    path = write("idx/train-images-idx3-ubyte", gzip.compress(damaged) if i % 2 else damaged)
    attempt(lambda: data.load_dataset(path))
print(json.dumps(escaped))
"""


CASES_PER_FORMAT = 200


def test_damaged_npz_and_idx_files_raise_only_value_or_os_errors():
    run = run_limited(FUZZ.replace("CASES", str(CASES_PER_FORMAT)), timeout=60)
    assert not run.timed_out and run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip().splitlines()[-1] == "{}"
