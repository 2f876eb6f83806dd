"""Exporting maps: PNGs coloured as on screen, exact .npy arrays, atomic writes, friendly errors."""

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QFileDialog, QMessageBox

from ui.widgets import export
from ui.widgets.export import NPY_FILTER, PNG_FILTER, colourise, save_array_npy, save_array_png


def _pixel(path, x, y):
    return QImage(str(path)).pixelColor(x, y)


def test_npy_round_trip_keeps_values_dtype_and_shape(tmp_path):
    a = np.random.default_rng(0).normal(size=(5, 7)).astype(np.float32)
    path = save_array_npy(a, tmp_path / "map.npy")
    back = np.load(path, allow_pickle=False)
    assert back.dtype == np.float32 and np.array_equal(back, a)


def test_grey_png_round_trip_maps_min_to_black_and_max_to_white(tmp_path):
    a = np.array([[0.0, 0.5], [1.0, 2.0]])
    path = save_array_png(a, tmp_path / "grey.png")
    img = QImage(str(path))
    assert (img.width(), img.height()) == (2, 2)
    assert _pixel(path, 0, 0) == QColor(0, 0, 0)
    assert _pixel(path, 1, 1) == QColor(255, 255, 255)
    assert _pixel(path, 0, 1).red() == round(1.0 / 2.0 * 255)  # value 1.0 of range 0..2


def test_fixed_levels_clip_values_outside(tmp_path):
    path = save_array_png(np.array([[-5.0, 5.0]]), tmp_path / "c.png", levels=(0.0, 1.0))
    assert _pixel(path, 0, 0) == QColor(0, 0, 0) and _pixel(path, 1, 0) == QColor(255, 255, 255)


def test_diverging_png_is_white_at_zero_blue_below_red_above(tmp_path):
    path = save_array_png(np.array([[-3.0, 0.0, 1.0]]), tmp_path / "d.png", colormap="diverging")
    neg, zero, pos = (_pixel(path, x, 0) for x in range(3))
    assert neg.blue() > neg.red()
    assert min(zero.red(), zero.green(), zero.blue()) > 200  # near white
    assert pos.red() > pos.blue()
    # symmetric levels: +1 of max |3| is a pale red, not the full red end of the map
    assert pos.green() > 100


def test_named_pyqtgraph_colour_map_is_used(tmp_path):
    a = np.array([[0.0, 1.0]])
    viridis = colourise(a, "viridis")
    grey = colourise(a)
    assert not np.array_equal(viridis, grey)
    assert np.array_equal(viridis[0, 0], colourise(a, "viridis")[0, 0])


def test_scale_enlarges_each_value_to_a_block(tmp_path):
    path = save_array_png(np.eye(2), tmp_path / "s.png", scale=4)
    img = QImage(str(path))
    assert (img.width(), img.height()) == (8, 8)
    assert _pixel(path, 3, 3) == QColor(255, 255, 255) and _pixel(path, 4, 3) == QColor(0, 0, 0)


def test_flat_map_does_not_divide_by_zero(tmp_path):
    path = save_array_png(np.full((3, 3), 7.0), tmp_path / "flat.png")
    assert QImage(str(path)).width() == 3


@pytest.mark.parametrize("bad", [np.zeros(4), np.zeros((0, 3)), np.array([[np.nan]])])
def test_unusable_arrays_are_refused_with_a_sentence(tmp_path, bad):
    with pytest.raises(ValueError, match="map"):
        save_array_png(bad, tmp_path / "x.png")


def test_unknown_colour_map_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown colour map"):
        save_array_png(np.eye(2), tmp_path / "x.png", colormap="no-such-map")


def test_missing_folder_raises_oserror_naming_it(tmp_path):
    with pytest.raises(OSError, match="does not exist"):
        save_array_npy(np.eye(2), tmp_path / "nope" / "x.npy")


def test_failed_png_write_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "keep.png"
    target.write_bytes(b"old contents")
    monkeypatch.setattr(QImage, "save", lambda self, *a, **k: False)
    with pytest.raises(OSError):
        save_array_png(np.eye(3), target)
    assert target.read_bytes() == b"old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.png"]


def test_overwriting_replaces_the_file_completely(tmp_path):
    target = tmp_path / "a.npy"
    save_array_npy(np.zeros((50, 50)), target)
    save_array_npy(np.ones((2, 2)), target)
    assert np.load(target).shape == (2, 2)


def _answer_dialog(monkeypatch, path, chosen_filter=PNG_FILTER):
    calls = []

    def fake(parent, title, directory, filters):
        calls.append((title, directory, filters))
        return str(path) if path else "", chosen_filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))
    return calls


def test_dialog_saves_png_and_remembers_the_folder(qtbot, tmp_path, monkeypatch):
    calls = _answer_dialog(monkeypatch, tmp_path / "out.png")
    saved = export.export_dialog(None, np.eye(3), "output map", colormap="diverging")
    assert saved == str(tmp_path / "out.png") and QImage(saved).width() == 3
    assert calls[0][0] == "Export output map" and calls[0][1].endswith("output_map.png")
    later = _answer_dialog(monkeypatch, None)
    export.export_dialog(None, np.eye(3), "pooled map")
    assert later[0][1] == str(tmp_path / "pooled_map.png")  # opens where the last export went


def test_dialog_adds_the_suffix_of_the_chosen_filter(qtbot, tmp_path, monkeypatch):
    _answer_dialog(monkeypatch, tmp_path / "raw", NPY_FILTER)
    a = np.arange(6.0).reshape(2, 3)
    saved = export.export_dialog(None, a, "output")
    assert saved.endswith("raw.npy") and np.array_equal(np.load(saved), a)


def test_dialog_cancel_returns_none(qtbot, monkeypatch):
    _answer_dialog(monkeypatch, None)
    assert export.export_dialog(None, np.eye(2), "output") is None


def test_dialog_shows_a_message_instead_of_raising(qtbot, tmp_path, monkeypatch):
    _answer_dialog(monkeypatch, tmp_path / "missing" / "x.png")
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a: shown.append(a[2])))
    assert export.export_dialog(None, np.eye(2), "output") is None
    assert shown and "does not exist" in shown[0]


def test_a_254_character_name_exports_a_png_and_an_npy(tmp_path):
    stem = "p" * 250
    assert QImage(str(save_array_png(np.eye(3), tmp_path / f"{stem}.png"))).width() == 3
    assert np.load(save_array_npy(np.eye(3), tmp_path / f"{stem}.npy")).shape == (3, 3)


def test_a_failed_export_shows_the_file_name_literally_even_if_it_looks_like_html(
        tmp_path, monkeypatch):
    from PySide6.QtGui import QTextDocument

    _answer_dialog(monkeypatch, tmp_path / "missing" / "<b>map<!--.png")
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a: shown.append(a[2])))
    assert export.export_dialog(None, np.eye(2), "output") is None
    document = QTextDocument()
    document.setHtml(shown[0])
    assert "<b>map<!--.png" in document.toPlainText()
