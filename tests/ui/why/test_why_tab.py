"""The Why CNNs tab: five pages that run their experiment in a worker thread, show it live and
hand the same JSON as the command line to ``results()``."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QPushButton, QWidget

from cnnviz.lab import experiments
from cnnviz.lab.experiments import Settings
from ui.theme import MODEL_COLOURS
from ui.why.export import write_result_csv
from ui.why.widget import WhyWidget
from ui.widgets.export import save_widget_png
from ui.widgets.why import WhyLabel

TINY = Settings(epochs=1, train_images=40, test_images=20)
SLOW = Settings(epochs=50, train_images=2000, test_images=200)


@pytest.fixture
def why(qtbot):
    widget = WhyWidget()
    qtbot.addWidget(widget)
    widget.resize(1400, 850)
    widget.show()
    yield widget
    widget.shutdown()


def run(qtbot, why, name, settings=TINY):
    why.run_experiment(name, settings)
    qtbot.waitUntil(lambda: name in why.results(), timeout=60000)
    return why.results()[name]


def test_every_page_has_a_run_button_a_stop_button_and_an_expanded_why_note(why):
    for name in experiments.NAMES:
        page = why.page(name)
        assert page.findChild(QPushButton, "runExperimentButton") is page.run_button
        assert page.findChild(QPushButton, "stopExperimentButton") is page.stop_button
        note = page.findChild(WhyLabel, "experimentWhy")
        assert note.expanded and len(note.text()) > 200
    assert len(why.findChildren(QPushButton, "runExperimentButton")) == len(experiments.NAMES)


@pytest.mark.parametrize("name", ["position", "shift"])
def test_the_why_note_admits_cnns_are_only_approximately_shift_invariant(why, name):
    text = why.page(name).findChild(WhyLabel, "experimentWhy").text()
    assert "only approximate" in text and "global pool" in text


def test_params_result_is_the_command_lines_json(qtbot, why):
    out = run(qtbot, why, "params", Settings())
    expected = next(r for r in experiments.run("params") if r.finished).to_json()
    assert {k: v for k, v in out.items() if k != "seconds"} == \
        {k: v for k, v in expected.items() if k != "seconds"}
    assert (out["dense_params"], out["conv_params"]) == (100_480, 160)


def test_changing_a_layer_size_recounts_the_parameters_at_once(qtbot, why):
    run(qtbot, why, "params", Settings())
    why.page("params").spins["units"].setValue(256)
    assert why.results()["params"]["dense_params"] == 256 * 785


def test_position_runs_in_the_background_and_fills_curves_table_and_conclusion(qtbot, why):
    out = run(qtbot, why, "position")
    page = why.page("position")
    assert set(out["models"]) == {"mlp", "cnn", "cnn_global"}
    assert page.table.rowCount() == 3 and page.table.item(2, 0).text() == "CNN + global pool"
    assert len(page.live.keys()) == 6          # three models, seen and unseen positions
    assert page.conclusion.text().startswith("<b>Result:</b>")
    assert page.studio_button.isEnabled() and page.csv_button.isEnabled()
    assert not why.is_running() and page.run_button.isEnabled()


def test_each_number_column_of_the_result_table_is_only_as_wide_as_its_contents(qtbot, why):
    run(qtbot, why, "position")
    table = why.page("position").table
    header = table.horizontalHeader()
    for column in range(1, table.columnCount()):
        # sectionSizeHint is the width the heading needs; the items are narrower than it here.
        needed = max(header.sectionSizeHint(column), table.sizeHintForColumn(column))
        assert table.columnWidth(column) <= needed + 2
    assert table.columnWidth(0) > table.sizeHintForColumn(0)  # the spare width went to the names


def test_each_model_has_its_own_colour_on_the_curves(qtbot, why):
    run(qtbot, why, "permute")
    live = why.page("permute").live
    for key, item in live._items.items():
        assert item.opts["pen"].color().getRgb()[:3] == MODEL_COLOURS[key.split(":")[0]]


def test_stop_ends_the_run_and_says_so(qtbot, why):
    why.run_experiment("position", SLOW)
    page = why.page("position")
    qtbot.waitUntil(lambda: page.progress.value() > 0, timeout=30000)
    qtbot.mouseClick(page.stop_button, Qt.MouseButton.LeftButton)
    assert not why.is_running() and page.run_button.isEnabled()
    assert page.status.text().startswith("Stopped")
    assert "position" not in why.results()


def test_starting_another_experiment_stops_the_first(qtbot, why):
    why.run_experiment("shift", SLOW)
    run(qtbot, why, "permute")
    assert why.page("shift").status.text().startswith("Stopped")
    assert "shift" not in why.results()


def test_a_failing_experiment_is_a_sentence_on_its_page(qtbot, why, monkeypatch):
    def broken(*_args, **_kwargs):
        raise ValueError("the digits file is damaged")

    monkeypatch.setattr(experiments, "run", broken)
    page = why.page("shift")
    with qtbot.waitSignal(why.runner.sigError, timeout=10000):
        why.run_experiment("shift", TINY)
    assert "the digits file is damaged" in page.status.text()
    assert page.run_button.isEnabled() and "shift" not in why.results()


def test_the_setup_pictures_come_from_the_digits(qtbot, why):
    strip = why.page("permute").permuted_strip
    qtbot.waitUntil(lambda: strip.item.image is not None, timeout=20000)
    assert strip.item.image.shape[0] == 28


def test_the_result_table_exports_as_csv(qtbot, why, tmp_path):
    run(qtbot, why, "shift")
    path = write_result_csv(why.page("shift").result(), tmp_path / "shift.csv")
    rows = list(csv.reader(path.open()))
    assert rows[0][:3] == ["model", "parameters", "0 px"] and len(rows) == 4
    assert 0.0 <= float(rows[1][2]) <= 1.0


def test_export_buttons_ask_for_a_path_and_write_it(qtbot, why, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    run(qtbot, why, "receptive-field")
    page = why.page("receptive-field")
    target = tmp_path / "page"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "")))
    with qtbot.waitSignal(page.sigStatus) as blocker:
        qtbot.mouseClick(page.png_button, Qt.MouseButton.LeftButton)
    assert "Saved the picture" in blocker.args[0]
    assert not QImage(str(target) + ".png").isNull()
    qtbot.mouseClick(page.csv_button, Qt.MouseButton.LeftButton)
    assert (tmp_path / "page.csv").read_text().startswith("layer,")


def test_an_unwritable_export_is_explained(qtbot, why, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    run(qtbot, why, "params", Settings())
    page = why.page("params")
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(tmp_path / "no" / "x.csv"), "")))
    with qtbot.waitSignal(page.sigStatus) as blocker:
        qtbot.mouseClick(page.csv_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0].startswith("Could not save the result table")


def test_save_widget_png_writes_a_picture_of_the_widget(qtbot, tmp_path):
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.resize(120, 80)
    image = QImage(str(save_widget_png(widget, tmp_path / "w.png")))
    assert (image.width(), image.height()) == (120, 80)


def test_receptive_field_page_draws_the_gradient_maps_of_the_chosen_layer(qtbot, why):
    out = run(qtbot, why, "receptive-field")
    page = why.page("receptive-field")
    assert page.layer_combo.count() == len(out["layers"])
    page.layer_combo.setCurrentIndex(0)
    untrained = page.maps[0][1].image
    assert untrained.shape == (28, 28) and np.count_nonzero(untrained) <= 9
