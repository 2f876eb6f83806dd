"""Set the main window up as a :class:`cnnviz.tour.TourStop` says, as a user would.

Controls are found by their objectNames (DESIGN.md) and changed through their public setters,
so the tabs react exactly as to a click: nothing here reaches into a tab's private state. What
cannot be done (a control missing, a run in the way) becomes a sentence for the status bar,
never an exception: the tour must leave the app usable whatever state it found it in.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QWidget,
)

from cnnviz.lab import experiments
from cnnviz.tour import TourStop

__all__ = ["apply_stop", "find_named", "Outcome"]


class Outcome:
    """What applying a stop did: ``notes`` for the status bar, and ``waiting`` when a training
    run on other data is being stopped first (apply the stop again once it has ended)."""

    def __init__(self) -> None:
        self.notes: list[str] = []
        self.waiting = False

    def note(self, text: str) -> None:
        self.notes.append(text)


def find_named(root: QWidget, path: str, cls=QWidget) -> QWidget | None:
    """The widget called ``path`` under ``root``; ``"a/b"`` is the ``b`` inside ``a``."""
    widget = root
    parts = path.split("/")
    for i, name in enumerate(parts):
        widget = widget.findChild(cls if i == len(parts) - 1 else QWidget, name)
        if widget is None:
            return None
    return widget


def apply_stop(window, stop: TourStop) -> Outcome:
    """Show ``stop.tab`` of ``window`` (a :class:`ui.main_window.MainWindow`) and apply
    ``stop.settings``."""
    outcome = Outcome()
    window.show_tab(stop.tab)
    apply = {"playground": _playground, "training": _training, "why": _why}[stop.tab]
    apply(window, stop.settings, outcome)
    return outcome


# -- small setters that tolerate a missing control ------------------------------------------------
def _set_spin(root, name: str, value, outcome: Outcome) -> None:
    spin = root.findChild(QSpinBox, name)
    if spin is None:
        outcome.note(f"The tour could not find the {name} control.")
    else:
        spin.setValue(int(value))


def _set_check(root, name: str, value: bool, outcome: Outcome) -> None:
    box = root.findChild(QCheckBox, name)
    if box is None:
        outcome.note(f"The tour could not find the {name} control.")
    else:
        box.setChecked(bool(value))


def _set_combo_text(root, name: str, text: str, outcome: Outcome) -> QComboBox | None:
    combo = root.findChild(QComboBox, name)
    index = -1 if combo is None else combo.findText(str(text))
    if index < 0:
        outcome.note(f"The tour could not choose {text!r} in {name}.")
        return None
    combo.setCurrentIndex(index)
    return combo


def _show_page(tabs: QTabWidget | None, contains: str = "", title: str = "") -> bool:
    """Show the page of ``tabs`` that is (or holds) the widget named ``contains``, or the page
    titled ``title``."""
    if tabs is None:
        return False
    for i in range(tabs.count()):
        page = tabs.widget(i)
        if (contains and (page.objectName() == contains or page.findChild(QWidget, contains))) \
                or (title and tabs.tabText(i).replace("&&", "&") == title):
            tabs.setCurrentIndex(i)
            return True
    return False


# -- the playground -------------------------------------------------------------------------------
_PANELS = {"inspector": "pixelInspector", "translation": "translationLab"}


def _playground(window, s: Mapping, outcome: Outcome) -> None:
    pg = window.playground
    _unpin(pg)
    if "image" in s:
        _choose_image(pg, s["image"], outcome)
    mode = pg.findChild(QComboBox, "channelModeCombo")
    if "channels" in s and mode is not None and mode.currentData() != s["channels"]:
        pg.set_channel_mode(s["channels"])
    for name, key in (("filterCountSpin", "filters"), ("kernelSizeSpin", "kernel_size")):
        if key in s:
            _set_spin(pg, name, s[key], outcome)
    if "layer2" in s:
        _set_check(pg, "layer2Check", s["layer2"], outcome)
    if "preset" in s:
        _choose_preset(pg, s["preset"], outcome)
    for name, key in (("strideSpin", "stride"), ("paddingSpin", "padding"),
                      ("dilationSpin", "dilation"), ("poolSizeSpin", "pool_size"),
                      ("poolStrideSpin", "pool_stride")):
        if key in s:
            _set_spin(pg, name, s[key], outcome)
    if "bias" in s:
        spin = pg.findChild(QWidget, "biasSpin")
        if spin is not None:
            spin.setValue(float(s["bias"]))
    if "padding_mode" in s:
        _set_combo_text(pg, "paddingModeCombo", s["padding_mode"], outcome)
    if "relu" in s:
        _set_check(pg, "reluCheck", s["relu"], outcome)
    if "pool" in s:
        _set_combo_text(pg, "poolTypeCombo", s["pool"], outcome)
    if "panel" in s:
        panels = pg.findChild(QTabWidget, "playgroundPanels")
        if not _show_page(panels, contains=_PANELS.get(s["panel"], s["panel"])):
            outcome.note(f"The tour could not show the {s['panel']} panel.")
    if "shift" in s:
        dy, dx = s["shift"]
        _set_spin(pg, "shiftYSpin", dy, outcome)
        _set_spin(pg, "shiftXSpin", dx, outcome)
    if s.get("pin"):
        _pin_strong_pixel(pg, outcome)


def _choose_image(pg, name: str, outcome: Outcome) -> None:
    combo = pg.findChild(QComboBox, "imageSourceCombo")
    index = -1 if combo is None else combo.findText(name)
    if index < 0:
        outcome.note(f"The tour could not find the image {name!r}.")
    elif combo.currentText() != name:
        combo.setCurrentIndex(index)
        combo.activated.emit(index)  # what a choice in the menu sends: the source loads it


def _choose_preset(pg, name: str, outcome: Outcome) -> None:
    combo = pg.findChild(QComboBox, "kernelPresetCombo")
    if combo is None or combo.findText(name) < 0:
        outcome.note(f"The tour could not find the kernel preset {name!r}.")
        return
    if combo.currentText() == name:
        # Choosing the shown entry sends nothing; go through another so the kernel is reset.
        combo.setCurrentIndex(0 if combo.currentIndex() else 1)
    combo.setCurrentText(name)


def _unpin(pg) -> None:
    pinned = pg.hover.pinned()
    if pinned is not None:
        pg.hover.click_output(*pinned)  # clicking the pinned pixel unpins it


def _pin_strong_pixel(pg, outcome: Outcome) -> None:
    """Pin the feature-map pixel with the strongest response in the map's middle half, so the
    inspector shows a multiply-and-sum worth reading."""
    result = pg.current_result()
    output = None if result.error else result.output
    if output is None or output.ndim != 2:
        outcome.note("The tour could not pin a pixel: the playground shows no feature map.")
        return
    h, w = output.shape
    middle = np.abs(output[h // 4: h - h // 4, w // 4: w - w // 4])
    row, col = np.unravel_index(int(np.argmax(middle)), middle.shape)
    pg.hover.click_output(int(row + h // 4), int(col + w // 4))


# -- Why CNNs -------------------------------------------------------------------------------------
def _why(window, s: Mapping, outcome: Outcome) -> None:
    why = window.why
    name = s.get("why_page")
    if name is None:
        return
    page = why.page(name)
    tabs = why.findChild(QTabWidget, "whyPages")
    if tabs is not None:
        tabs.setCurrentWidget(page)
    if "quick" in s:
        _set_check(page, "quickCheck", s["quick"], outcome)
    if s.get("run") and not experiments.needs_data(name) and not why.is_running():
        why.run_experiment(name)  # no training: done at once on this thread


# -- the training studio --------------------------------------------------------------------------
def _training(window, s: Mapping, outcome: Outcome) -> None:
    studio = window.training
    key = s.get("dataset")
    combo = studio.findChild(QComboBox, "datasetCombo")
    if key is not None and combo is not None and combo.currentData() != key:
        if studio.is_running():
            stop = studio.findChild(QAbstractButton, "stopButton")
            if stop is not None:
                stop.click()
            outcome.note(f"The tour stopped the run on other data, to train on {key}.")
            outcome.waiting = True
            return
        index = combo.findData(key)
        if index < 0:
            outcome.note(f"The tour could not find the data set {key!r}.")
            return
        combo.setCurrentIndex(index)
    if "studio_page" in s:
        tabs = studio.findChild(QTabWidget, "trainingTabs")
        if not _show_page(tabs, title=s["studio_page"]):
            outcome.note(f"The tour could not show the {s['studio_page']} page.")
    if "studio_split" in s:
        _split(studio.findChild(QSplitter, "trainingSplitter"), float(s["studio_split"]))
    if "method" in s:
        methods = studio.findChild(QComboBox, "inspectMethodCombo")
        index = -1 if methods is None else methods.findData(s["method"])
        if index >= 0:
            methods.setCurrentIndex(index)
        else:
            outcome.note(f"The tour could not show the {s['method']} method.")
    if s.get("train") and not studio.is_running() and not studio.session.has_weights():
        if studio.start():
            outcome.note("The tour pressed Start: the network is training.")
        else:
            outcome.note("The tour could not start training; the studio says why.")


def _split(splitter: QSplitter | None, lower: float) -> None:
    """Give the second part of a two-part splitter ``lower`` of its length."""
    if splitter is None or splitter.count() != 2:
        return
    total = sum(splitter.sizes())
    if total > 0:
        bottom = int(total * min(max(lower, 0.0), 1.0))
        splitter.setSizes([total - bottom, bottom])
