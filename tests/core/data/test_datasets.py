"""Data sets: synthetic lines and shapes, the bundled digits, MNIST IDX/npz, splits, batches."""

import contextlib
import gzip
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnnviz import data


def write_idx(path, array, compress=False, type_code=0x08):
    header = bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + array.astype(array.dtype.newbyteorder(">")).tobytes()
    opener = gzip.open if compress else open
    with opener(path, "wb") as fh:
        fh.write(payload)
    return path


@pytest.fixture
def mnist_like():
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (30, 6, 5), dtype=np.uint8)
    labels = (np.arange(30) % 3).astype(np.uint8)
    return images, labels


# --- synthetic lines -------------------------------------------------------------------------

def test_lines_are_unit_range_float32_nchw_with_two_balanced_classes():
    ds = data.make_lines(n=200, size=8)
    assert ds.x_train.dtype == np.float32 and ds.x_train.shape[1:] == (1, 8, 8)
    assert 0.0 <= ds.x_train.min() and ds.x_train.max() <= 1.0
    assert ds.class_names == ["vertical", "horizontal"]
    counts = ds.class_counts("train") + ds.class_counts("test")
    assert counts.tolist() == [100, 100]


def test_lines_size_is_configurable():
    assert data.make_lines(n=20, size=12).input_shape == (1, 12, 12)


def test_noise_free_vertical_lines_are_bright_in_one_column_and_horizontal_in_one_row():
    ds = data.make_lines(n=40, noise=0.0)
    for img, label in zip(ds.x_train[:, 0], ds.y_train, strict=True):
        cols, rows = np.flatnonzero(img.sum(0)), np.flatnonzero(img.sum(1))
        if label == 0:
            assert cols.size == 1 and rows.size >= 3
        else:
            assert rows.size == 1 and cols.size >= 3


def test_lines_are_reproducible_from_the_seed_and_differ_between_seeds():
    a, b, c = data.make_lines(n=50, seed=3), data.make_lines(n=50, seed=3), data.make_lines(n=50)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    assert not np.array_equal(a.x_train, c.x_train)


# --- synthetic shapes ------------------------------------------------------------------------

def test_shapes_have_five_named_classes_on_28x28():
    ds = data.make_shapes(n=100)
    assert ds.input_shape == (1, 28, 28)
    assert ds.n_classes == 5 and "circle" in ds.class_names and "cross" in ds.class_names


def test_shapes_appear_at_different_positions_so_translation_matters():
    ds = data.make_shapes(n=100, noise=0.0)
    imgs = ds.x_train[ds.y_train == 0][:, 0]
    yy, xx = np.mgrid[0:28, 0:28]
    centres = np.array([[(yy * im).sum() / im.sum(), (xx * im).sum() / im.sum()] for im in imgs])
    assert centres.std(axis=0).min() > 2.0


# --- bundled digits --------------------------------------------------------------------------

def test_digits_have_1797_images_of_8x8_scaled_to_unit_range_and_ten_classes():
    ds = data.load_digits()
    assert len(ds.x_train) + len(ds.x_test) == 1797
    assert ds.input_shape == (1, 8, 8) and ds.n_classes == 10
    assert ds.x_train.max() == pytest.approx(1.0) and ds.x_train.min() == 0.0


def test_digits_split_is_stratified():
    ds = data.load_digits()
    test_share = ds.class_counts("test") / (ds.class_counts("train") + ds.class_counts("test"))
    assert np.all(np.abs(test_share - 0.2) < 0.02)


def test_mnist_has_5000_real_28x28_digits_split_4000_1000_stratified_and_seeded():
    ds = data.load_dataset("mnist", seed=3)
    assert ds.name == "mnist" and ds.input_shape == (1, 28, 28) and ds.n_classes == 10
    assert (len(ds.x_train), len(ds.x_test)) == (4000, 1000)
    assert list(ds.class_counts("test")) == [100] * 10
    assert ds.x_train.dtype == np.float32 and ds.x_train.min() == 0.0 and ds.x_train.max() == 1.0
    again, other = data.load_mnist(seed=3), data.load_mnist(seed=4)
    np.testing.assert_array_equal(again.x_test, ds.x_test)
    assert not np.array_equal(other.x_test, ds.x_test)


def test_a_damaged_bundled_table_is_explained(tmp_path, monkeypatch):
    from cnnviz.data import bundled

    (tmp_path / bundled.MNIST_CSV).write_bytes(b"not gzip at all")
    monkeypatch.setattr(bundled, "ASSETS_DIR", tmp_path)
    with pytest.raises(ValueError, match="not a readable digits CSV"):
        data.load_mnist()


def test_a_missing_bundled_table_says_where_it_was_expected(tmp_path, monkeypatch):
    from cnnviz.data import bundled

    monkeypatch.setattr(bundled, "ASSETS_DIR", tmp_path)
    with pytest.raises(ValueError, match="expected it at"):
        data.load_mnist()


# --- splits and batches ----------------------------------------------------------------------

def test_split_is_seeded_disjoint_and_complete():
    labels = np.arange(100) % 4
    tr, te = data.split_indices(labels, 0.25, seed=5)
    tr2, te2 = data.split_indices(labels, 0.25, seed=5)
    np.testing.assert_array_equal(te, te2)
    assert np.intersect1d(tr, te).size == 0 and np.union1d(tr, te).size == 100
    assert np.bincount(labels[te]).tolist() == [6, 6, 6, 6]
    assert not np.array_equal(te, data.split_indices(labels, 0.25, seed=6)[1])


def test_batches_cover_every_training_sample_once_with_a_short_last_batch():
    ds = data.make_lines(n=50)
    sizes, seen = [], []
    for xb, _ in ds.batches(16, np.random.default_rng(0)):
        sizes.append(len(xb))
        seen.extend(xb.reshape(len(xb), -1).sum(1).tolist())
    assert sizes == [16, 16, 8]
    assert sorted(seen) == sorted(ds.x_train.reshape(40, -1).sum(1).tolist())


def test_batches_shuffle_reproducibly_from_the_generator():
    ds = data.make_lines(n=50)
    first = [y.tolist() for _, y in ds.batches(8, np.random.default_rng(7))]
    again = [y.tolist() for _, y in ds.batches(8, np.random.default_rng(7))]
    plain = [y.tolist() for _, y in ds.batches(8, shuffle=False)]
    assert first == again and first != plain


def test_batch_size_below_one_is_refused():
    with pytest.raises(ValueError, match="batch size"):
        next(data.make_lines(n=10).batches(0))


# --- arrays ----------------------------------------------------------------------------------

def test_from_arrays_accepts_string_labels_and_uint8_images():
    images = np.full((10, 4, 4), 255, np.uint8)
    labels = np.array(["cat", "dog"] * 5)
    ds = data.from_arrays(images, labels)
    assert ds.class_names == ["cat", "dog"] and ds.x_train.max() == 1.0
    assert ds.input_shape == (1, 4, 4)


def test_from_arrays_refuses_mismatched_counts():
    with pytest.raises(ValueError, match="10 images but 9 labels"):
        data.from_arrays(np.zeros((10, 4, 4)), np.zeros(9, int))


def test_from_arrays_refuses_nan_images():
    x = np.zeros((4, 3, 3))
    x[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        data.from_arrays(x, [0, 1, 0, 1])


# --- IDX -------------------------------------------------------------------------------------

@pytest.mark.parametrize("compress", [False, True])
def test_load_idx_reads_plain_and_gzipped_files(tmp_path, mnist_like, compress):
    images, _ = mnist_like
    path = write_idx(tmp_path / "x.idx", images, compress)
    np.testing.assert_array_equal(data.load_idx(path), images)


def test_load_idx_reads_big_endian_integers(tmp_path):
    arr = np.array([1, -2, 70000], dtype=np.int32)
    np.testing.assert_array_equal(data.load_idx(write_idx(tmp_path / "i", arr, type_code=0x0C)),
                                  arr)


def test_load_idx_rejects_a_bad_magic_number(tmp_path):
    path = tmp_path / "bad"
    path.write_bytes(b"PK\x03\x04" + bytes(100))
    with pytest.raises(ValueError, match="magic number"):
        data.load_idx(path)


def test_load_idx_rejects_a_truncated_file(tmp_path, mnist_like):
    path = write_idx(tmp_path / "x", mnist_like[0])
    path.write_bytes(path.read_bytes()[:-7])
    with pytest.raises(ValueError, match="truncated"):
        data.load_idx(path)


def test_load_idx_rejects_a_truncated_gzip_stream(tmp_path, mnist_like):
    path = write_idx(tmp_path / "x.gz", mnist_like[0], compress=True)
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(ValueError):
        data.load_idx(path)


def test_load_idx_rejects_trailing_bytes_that_do_not_fit_the_dimensions(tmp_path, mnist_like):
    path = write_idx(tmp_path / "x", mnist_like[0])
    path.write_bytes(path.read_bytes() + b"\0\0\0")
    with pytest.raises(ValueError, match="unexpected bytes"):
        data.load_idx(path)


def test_load_mnist_idx_pairs_images_and_labels(tmp_path, mnist_like):
    images, labels = mnist_like
    ds = data.load_mnist_idx(write_idx(tmp_path / "i", images), write_idx(tmp_path / "l", labels))
    assert len(ds.x_train) + len(ds.x_test) == 30 and ds.input_shape == (1, 6, 5)
    assert ds.n_classes == 3 and ds.x_train.max() <= 1.0


def test_load_mnist_idx_refuses_different_image_and_label_counts(tmp_path, mnist_like):
    images, labels = mnist_like
    with pytest.raises(ValueError, match="30 images but 29 labels"):
        data.load_mnist_idx(write_idx(tmp_path / "i", images),
                            write_idx(tmp_path / "l", labels[:29]))


def test_load_mnist_idx_refuses_labels_file_given_as_images(tmp_path, mnist_like):
    _, labels = mnist_like
    lab = write_idx(tmp_path / "l", labels)
    with pytest.raises(ValueError, match="3-D"):
        data.load_mnist_idx(lab, lab)


def test_load_dataset_reads_an_mnist_folder_keeping_the_official_split(tmp_path, mnist_like):
    images, labels = mnist_like
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", images, True)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", labels, True)
    write_idx(tmp_path / "t10k-images-idx3-ubyte", images[:9])
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", labels[:9])
    ds = data.load_dataset(tmp_path)
    assert (len(ds.x_train), len(ds.x_test)) == (30, 9)


def test_load_dataset_finds_the_labels_beside_an_images_file(tmp_path, mnist_like):
    images, labels = mnist_like
    img = write_idx(tmp_path / "train-images-idx3-ubyte", images)
    write_idx(tmp_path / "train-labels-idx1-ubyte", labels)
    assert data.load_dataset(img).n_classes == 3


# --- npz -------------------------------------------------------------------------------------

def test_load_mnist_npz_reads_keras_layout(tmp_path, mnist_like):
    images, labels = mnist_like
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=images, y_train=labels, x_test=images[:5], y_test=labels[:5])
    ds = data.load_mnist_npz(path)
    assert (len(ds.x_train), len(ds.x_test)) == (30, 5) and ds.input_shape == (1, 6, 5)


def test_load_mnist_npz_names_missing_arrays(tmp_path, mnist_like):
    path = tmp_path / "m.npz"
    np.savez(path, x_train=mnist_like[0])
    with pytest.raises(ValueError, match="y_test"):
        data.load_mnist_npz(path)


def test_load_mnist_npz_never_unpickles(tmp_path, mnist_like):
    path = tmp_path / "evil.npz"
    objs = np.empty(30, dtype=object)
    objs[:] = [{"a": i} for i in range(30)]
    np.savez(path, x_train=mnist_like[0], y_train=objs, x_test=mnist_like[0], y_test=objs)
    with pytest.raises(ValueError, match="pickle"):
        data.load_mnist_npz(path)


def test_load_mnist_npz_rejects_a_file_that_is_not_npz(tmp_path):
    path = tmp_path / "fake.npz"
    path.write_text("hello")
    with pytest.raises(ValueError, match="fake.npz"):
        data.load_mnist_npz(path)


# --- by name ---------------------------------------------------------------------------------

def test_load_dataset_knows_the_builtin_names():
    assert data.load_dataset("lines").name == "lines"
    assert data.load_dataset("digits").n_classes == 10


def test_load_dataset_explains_an_unknown_name():
    with pytest.raises(ValueError, match="neither a built-in data set"):
        data.load_dataset("/no/such/place")


def test_load_mnist_npz_rejects_a_broken_zip(tmp_path):
    path = tmp_path / "broken.npz"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(ValueError, match="broken.npz"):
        data.load_mnist_npz(path)


def test_from_arrays_divides_grey_levels_by_255_and_stretches_other_ranges():
    levels = data.from_arrays(np.full((4, 2, 2), 127.5), [0, 1, 0, 1], test_fraction=0.5)
    assert levels.x_train.max() == pytest.approx(0.5)
    signed = data.from_arrays(np.array([-1.0, 1.0, -1.0, 1.0])[:, None, None] * np.ones((4, 2, 2)),
                              [0, 1, 0, 1], test_fraction=0.5)
    assert sorted({float(v) for v in signed.x_train.ravel()}) == [0.0, 1.0]


FUZZ = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}


@settings(max_examples=60, **FUZZ)
@given(cut=st.integers(0, 400), flips=st.lists(st.tuples(st.integers(0, 400), st.integers(1, 255)),
                                               max_size=4), compress=st.booleans())
def test_corrupted_idx_files_only_ever_raise_value_error(tmp_path, cut, flips, compress):
    images = np.arange(2 * 6 * 5, dtype=np.uint8).reshape(2, 6, 5)
    path = write_idx(tmp_path / "x", images, compress)
    raw = bytearray(path.read_bytes())
    for pos, mask in flips:
        if pos < len(raw):
            raw[pos] ^= mask
    path.write_bytes(bytes(raw[:cut]))
    with contextlib.suppress(ValueError):     # anything else (EOFError, zlib.error...) fails
        data.load_idx(path)


@settings(max_examples=40, **FUZZ)
@given(cut=st.integers(0, 2000), pos=st.integers(0, 2000), mask=st.integers(1, 255))
def test_corrupted_npz_files_only_ever_raise_value_error(tmp_path, cut, pos, mask):
    path = tmp_path / "m.npz"
    x = np.zeros((4, 3, 3), np.uint8)
    np.savez(path, x_train=x, y_train=np.arange(4), x_test=x, y_test=np.arange(4))
    raw = bytearray(path.read_bytes())
    if pos < len(raw):
        raw[pos] ^= mask
    path.write_bytes(bytes(raw[:cut]))
    with contextlib.suppress(ValueError):
        data.load_mnist_npz(path)


def test_an_npz_whose_zip_header_claims_unsupported_features_raises_value_error(tmp_path):
    # A flipped flag bit in a zip member header makes zipfile raise NotImplementedError
    # ("compressed patched data") or RuntimeError ("encrypted"); the user must get a sentence.
    path = tmp_path / "m.npz"
    x = np.zeros((4, 3, 3), np.uint8)
    np.savez(path, x_train=x, y_train=np.arange(4), x_test=x, y_test=np.arange(4))
    raw = bytearray(path.read_bytes())
    for flag in (0x20, 0x01):  # bit 5: patched data; bit 0: encrypted
        damaged = bytearray(raw)
        damaged[6] |= flag  # general-purpose flag of the first local header
        central = bytes(damaged).rfind(b"PK\x01\x02")
        while central >= 0:  # and of every central-directory entry, which zipfile trusts
            damaged[central + 8] |= flag
            central = bytes(damaged).rfind(b"PK\x01\x02", 0, central)
        path.write_bytes(bytes(damaged))
        with pytest.raises(ValueError, match="not a valid .npz"):
            data.load_mnist_npz(path)
