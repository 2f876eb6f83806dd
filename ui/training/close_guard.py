"""Closing the window while a run is training: ask, as desktop apps do, instead of discarding it.

"Training is running. Stop and quit? / Save model first / Cancel". :func:`confirm_close` is what
``MainWindow.closeEvent`` calls; it asks through the module-level :func:`ask_close_while_training`
and :func:`ask_save_path`, which tests replace (monkeypatch) so they never wait on a modal dialog.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

__all__ = ["STOP_AND_QUIT", "SAVE_FIRST", "CANCEL", "ask_close_while_training", "ask_save_path",
           "confirm_close"]

STOP_AND_QUIT, SAVE_FIRST, CANCEL = "stop", "save", "cancel"
QUESTION = "Training is running. Stop and quit?"
DETAIL = ("Quitting stops the run and discards what it has learned unless you save the model "
          "first.")


def ask_close_while_training(parent: QWidget | None) -> str:
    """Ask the question in a modal box; returns STOP_AND_QUIT, SAVE_FIRST or CANCEL."""
    box = QMessageBox(QMessageBox.Icon.Question, "Training is running", QUESTION,
                      QMessageBox.StandardButton.NoButton, parent)
    box.setInformativeText(DETAIL)
    stop = box.addButton("Stop and quit", QMessageBox.ButtonRole.DestructiveRole)
    save = box.addButton("Save model first…", QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(save)
    box.setEscapeButton(cancel)
    box.exec()
    return {id(stop): STOP_AND_QUIT, id(save): SAVE_FIRST}.get(id(box.clickedButton()), CANCEL)


def ask_save_path(parent: QWidget | None) -> str:
    """The file to save the model to, or "" if the user cancelled."""
    from ui.training.model_actions import EXPORT_FILTERS

    path, chosen = QFileDialog.getSaveFileName(parent, "Save the model before quitting", "",
                                               ";;".join(EXPORT_FILTERS))
    if path and Path(path).suffix.lower() not in EXPORT_FILTERS.values():
        path += EXPORT_FILTERS.get(chosen, ".npz")
    return path


def confirm_close(studio, parent: QWidget | None = None) -> bool:
    """Whether the window may close now; asks first while ``studio`` is training.

    Parameters
    ----------
    studio : ui.training.widget.TrainingWidget
    parent : QWidget, optional
        The dialogs' parent (the main window).

    Returns
    -------
    bool
        True to close (nothing running, "Stop and quit", or the model was saved), False to keep
        the window and the run ("Cancel", or the save was cancelled or failed).
    """
    if not studio.is_running():
        return True
    choice = ask_close_while_training(parent)
    if choice == STOP_AND_QUIT:
        return True
    if choice != SAVE_FIRST:
        return False
    # Hold the run while the file is chosen, so the saved weights are the ones at the question.
    session = studio.session
    was_running = session.state().name == "RUNNING"
    session.pause()
    path = ask_save_path(parent)
    saved = bool(path) and studio.model_actions.export_to(path)
    if not saved and was_running:
        session.resume()
    return saved
