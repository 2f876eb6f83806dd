"""Issue 9, item 2 (data sets): declared sizes are checked against the budget before anything is
allocated, and compressed streams are read with a running byte limit.

Every case runs under a 1.5 GB address-space limit: a loader that allocated what the file asks
for would die of a MemoryError instead of refusing with a sentence that names the limit.
"""

import pytest
from conftest import run_cases

SETUP = """
import numpy as np
from cnnviz import data, limits
from makers import (gzip_of_zeros, idx_bytes, idx_header, keras_npz, many_member_zip, npy_bytes,
                    npy_header, npz_bytes, write)
MANY = write("many.npz", many_member_zip(60_000))
"""

CASES = {
    # 3 MB of zeros after a header asking for 200,000 x 256 x 256 bytes (12.2 GiB).
    "npz member declares 12 GiB": """
        bomb = npy_header("|u1", (200000, 256, 256)) + bytes(3 << 20)
        return data.load_dataset(write("m.npz", keras_npz(x_train=bomb))).n_classes
    """,
    # A 2.9 KB member whose header declares 2**40 float64 values (8 TiB).
    "npy header declares terabytes": """
        bomb = npy_header("<f8", (1 << 40,)) + bytes(2800)
        return data.load_dataset(write("t.npz", keras_npz(x_train=bomb))).n_classes
    """,
    # A gzipped IDX whose header asks for 150,000 x 256 x 256 (9.8 GB).
    "gzipped IDX declares 9 GB": """
        write("g/train-labels-idx1-ubyte.gz", idx_bytes(np.zeros(150000, np.uint8)))
        path = write("g/train-images-idx3-ubyte.gz",
                     gzip_of_zeros(idx_header(8, (150000, 256, 256)), 4 << 20))
        return data.load_dataset(path).n_classes
    """,
    # The running limit: a gzip stream that inflates past the budget is cut off there (the
    # budget is lowered to 1 MiB so the bomb can be 8 MiB).
    "gzip stream past the running limit": """
        from cnnviz.data.guarded import read_bytes
        path = write("z.gz", gzip_of_zeros(b"", 8 << 20))
        budget, limits.MAX_DECODED_BYTES = limits.MAX_DECODED_BYTES, 1 << 20
        try:
            return len(read_bytes(path))
        finally:
            limits.MAX_DECODED_BYTES = budget
    """,
    # A stored (uncompressed) member whose header promises 131 MB but which holds 100 bytes.
    "zip member shorter than its header promises": """
        lie = npy_header("|u1", (500, 512, 512)) + bytes(100)
        members = {"x_train.npy": lie, "y_train.npy": npy_bytes(np.zeros(500, np.int64)),
                   "x_test.npy": npy_bytes(np.zeros((1, 512, 512), np.uint8)),
                   "y_test.npy": npy_bytes(np.zeros(1, np.int64))}
        return data.load_dataset(write("s.npz", npz_bytes(members, compress=False))).n_classes
    """,
    # Dimensions whose product overflows 64 bits: the sizes are Python integers.
    "IDX dimensions overflow int64": """
        write("o/train-labels-idx1-ubyte", idx_bytes(np.zeros(5, np.uint8)))
        path = write("o/train-images-idx3-ubyte", idx_header(8, (2**32 - 1,) * 3) + bytes(100))
        return data.load_dataset(path).n_classes
    """,
    # A bzip2 member: zipfile inflates bzip2 in one call with no output limit, so a 17 KB
    # file could hold 500 MiB past every running count. Only stored and deflated are read.
    "bzip2-compressed member": """
        import zipfile
        members = {"x_train.npy": npy_bytes(np.zeros((40, 8, 8), np.uint8)),
                   "y_train.npy": npy_bytes(np.arange(40) % 2),
                   "x_test.npy": npy_bytes(np.zeros((10, 8, 8), np.uint8)),
                   "y_test.npy": npy_bytes(np.arange(10) % 2)}
        path = write("b.npz", b"")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2) as archive:
            for member, raw in members.items():
                archive.writestr(member, raw)
        return data.load_dataset(path).n_classes
    """,
    # 60,000 members: refused from the archive's end record, before zipfile reads them all.
    "archive of 60k members": """
        return data.load_dataset(MANY).n_classes
    """,
}


@pytest.fixture(scope="module")
def outcomes():
    return run_cases(SETUP, CASES, timeout=60)


@pytest.mark.parametrize("case", ["npz member declares 12 GiB", "npy header declares terabytes",
                                  "gzipped IDX declares 9 GB"])
def test_a_declared_size_over_the_budget_is_refused_before_allocating(outcomes, case):
    got = outcomes[case]
    assert got.refused(), (got.raised, got.message)
    assert "cnnviz.limits.MAX_DECODED_BYTES" in got.message and "1 GiB" in got.message
    assert got.seconds < 2


def test_a_gzip_stream_is_cut_off_at_the_running_limit(outcomes):
    got = outcomes["gzip stream past the running limit"]
    assert got.refused() and "at least" in got.message and "1 MiB limit" in got.message


def test_a_member_shorter_than_its_header_is_refused_before_allocating(outcomes):
    got = outcomes["zip member shorter than its header promises"]
    assert got.refused() and "truncated" in got.message and got.seconds < 1


def test_idx_dimensions_are_multiplied_without_overflow(outcomes):
    got = outcomes["IDX dimensions overflow int64"]
    assert got.refused() and "limit" in got.message
    assert "unexpected bytes" not in got.message


def test_an_archive_with_tens_of_thousands_of_members_is_refused_early_and_briefly(outcomes):
    got = outcomes["archive of 60k members"]
    assert got.refused() and "60,000 members" in got.message
    assert got.seconds < 0.5 and got.length < 200


def test_a_bzip2_member_is_refused_before_it_is_inflated(outcomes):
    got = outcomes["bzip2-compressed member"]
    assert got.refused() and "stored and deflated" in got.message and got.seconds < 1
