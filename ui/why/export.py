"""Export an experiment's result table as CSV and a page as a PNG picture.

:func:`write_result_csv` is a plain function (tested without dialogs); the ``ask_and_save_*``
helpers ask for the path with Qt's file dialog, remember its folder, and report the outcome as a
sentence (never a traceback).
"""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from cnnviz.fileio import atomic_write
from ui.widgets.export import save_widget_png
from ui.widgets.settings import read_setting, write_setting

__all__ = ["write_result_csv", "ask_and_save_csv", "ask_and_save_png"]

_LAST_DIR_KEY = "why/exportDirectory"


def write_result_csv(result, path) -> Path:
    """Write ``result.table()`` as CSV, atomically; accuracies stay fractions in [0, 1].

    Parameters
    ----------
    result : cnnviz.lab.experiments.ExperimentResult
    path : str or Path

    Returns
    -------
    Path
    """
    head, rows = result.table()
    path = Path(path)
    with atomic_write(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(head)
        for row in rows:
            writer.writerow([round(v, 4) if isinstance(v, float) else v for v in row])
    return path


def _ask(parent: QWidget, title: str, name: str, filt: str, suffix: str) -> str:
    folder = read_setting(_LAST_DIR_KEY, "", str) or str(Path.home())
    path, _ = QFileDialog.getSaveFileName(parent, title, str(Path(folder) / (name + suffix)),
                                          filt)
    if path and not path.lower().endswith(suffix):
        path += suffix
    if path:
        write_setting(_LAST_DIR_KEY, str(Path(path).parent))
    return path


def _save(action, target, what: str, status) -> bool:
    try:
        action(target)
    except (OSError, ValueError) as exc:
        message = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        status.emit(f"Could not save the {what}: {message}")
        return False
    status.emit(f"Saved the {what} to {target}.")
    return True


def ask_and_save_csv(parent: QWidget, result, status) -> bool:
    """Ask for a path and save ``result``'s table there; ``status`` (a signal) gets the news."""
    path = _ask(parent, "Export the result table", f"{result.experiment}-result",
                "CSV (*.csv)", ".csv")
    return bool(path) and _save(lambda p: write_result_csv(result, p), path, "result table",
                                status)


def ask_and_save_png(parent: QWidget, name: str, status) -> bool:
    """Ask for a path and save a picture of ``parent`` (the page) there."""
    path = _ask(parent, "Export a picture of the page", f"{name}-experiment", "PNG (*.png)",
                ".png")
    return bool(path) and _save(lambda p: save_widget_png(parent, p), path, "picture", status)
