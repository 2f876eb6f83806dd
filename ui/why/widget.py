"""The "Why CNNs" tab: five experiment pages and the one runner that trains their models.

One experiment trains at a time (the machine's cores are better spent on one than shared by
two): starting another stops the first. The parameter count needs no training and is computed
at once on the GUI thread (microseconds). The set-up pictures are made off the GUI thread the
first time the tab is shown.
"""

from __future__ import annotations

import copy

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from cnnviz.lab import experiments
from ui.theme import NOTE_STYLE
from ui.why.page import ExperimentPage
from ui.why.params_page import ParamsPage
from ui.why.permute_page import PermutePage
from ui.why.position_page import PositionPage
from ui.why.previews import make_previews
from ui.why.receptive_field_page import ReceptiveFieldPage
from ui.why.runner import ExperimentRunner
from ui.why.shift_page import ShiftPage
from ui.widgets.tasks import TaskRunner

__all__ = ["WhyWidget", "PAGE_CLASSES"]

PAGE_CLASSES = (ParamsPage, PositionPage, ShiftPage, PermutePage, ReceptiveFieldPage)
INTRO = (
    "Why do convolutional networks beat dense networks on images? Each page asks one question "
    "and answers it with an experiment on 5,000 real handwritten digits (MNIST): an MLP (dense "
    "layers only), a CNN (conv-pool-conv-pool, then a dense layer) and a CNN ending in a global "
    "pool train on exactly the same images, in the same order. Read the question, make a guess, "
    "press Run."
)


class WhyWidget(QWidget):
    """The tab (objectName ``whyTab`` is set by the main window).

    Signals
    -------
    sigStatus(str)
    sigOpenInTraining(object, object)
        A trained :class:`~cnnviz.nn.Sequential` and the :class:`~cnnviz.data.Dataset` it
        learned from, for the training studio.
    sigModelsTrained(str, object, object)
        An experiment's title, its trained models (``{label: Sequential}``) and the data set
        they learned from, each time an experiment with models ends (the studio's adversarial
        view offers them for comparison).
    """

    sigStatus = Signal(str)
    sigOpenInTraining = Signal(object, object)
    sigModelsTrained = Signal(str, object, object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = ExperimentRunner(self)
        self.preview_tasks = TaskRunner(self)
        self._previews_started = False
        self._results: dict[str, dict] = {}
        self.pages: dict[str, ExperimentPage] = {}
        self.tabs = QTabWidget()
        self.tabs.setObjectName("whyPages")
        for cls in PAGE_CLASSES:
            page = cls()
            self.pages[page.name] = page
            self.tabs.addTab(page, experiments.TITLES[page.name])
            page.sigRun.connect(self._on_run)
            page.sigStop.connect(self._on_stop)
            page.sigStatus.connect(self.sigStatus)
            page.sigOpenInTraining.connect(self.sigOpenInTraining)
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        intro.setStyleSheet(NOTE_STYLE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(intro)
        layout.addWidget(self.tabs, 1)
        self.runner.sigProgress.connect(self._on_progress)
        self.runner.sigResult.connect(self._on_result)
        self.runner.sigError.connect(self._on_error)
        self.runner.sigStopped.connect(self._on_stopped)
        self.preview_tasks.sigResult.connect(self._on_previews)
        self.preview_tasks.sigError.connect(self._on_preview_error)

    # ----- public API ----------------------------------------------------------------------------
    def run_experiment(self, name: str, settings: experiments.Settings | None = None) -> None:
        """Show experiment ``name``'s page and run it (with the page's settings unless given).

        Returns at once; :meth:`results` holds the outcome when it is done.
        """
        page = self.page(name)
        self.tabs.setCurrentWidget(page)
        if settings is None:
            page.request_run()
        else:
            self._on_run(name, settings, page.options())

    def results(self) -> dict:
        """Name -> the JSON of the experiment's last finished run (the CLI's ``--json``)."""
        return copy.deepcopy(self._results)

    def is_running(self) -> bool:
        return self.runner.running() is not None

    def page(self, name: str) -> ExperimentPage:
        if name not in self.pages:
            raise ValueError(f"unknown experiment {name!r}; choose one of "
                             f"{', '.join(self.pages)}")
        return self.pages[name]

    def shutdown(self) -> None:
        """Stop the experiment and the preview task and wait for their threads."""
        self.runner.shutdown()
        self.preview_tasks.shutdown()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if not self._previews_started:
            self._previews_started = True
            self.preview_tasks.start("previews", make_previews)

    # ----- runs ----------------------------------------------------------------------------------
    @Slot(str, object, dict)
    def _on_run(self, name: str, settings, options: dict) -> None:
        page = self.page(name)
        if not experiments.needs_data(name):
            try:
                result = next(r for r in experiments.run(name, None, settings, **options)
                              if r.finished)
            except ValueError as exc:
                page.show_error(str(exc))
                return
            self._show_result(name, result)
            return
        self.runner.start(name, settings, options)
        page.set_running(True)
        self.sigStatus.emit(f"Running the {experiments.TITLES[name].lower()} experiment…")

    @Slot(str)
    def _on_stop(self, name: str) -> None:
        if self.runner.running() == name:
            self.runner.stop()

    @Slot(str, object)
    def _on_progress(self, name: str, progress) -> None:
        self.pages[name].show_progress(progress)

    @Slot(str, object)
    def _on_result(self, name: str, result) -> None:
        self._show_result(name, result)
        self.sigStatus.emit(f"{experiments.TITLES[name]}: {result.conclusion()}")
        trained, data = getattr(result, "trained", None), getattr(result, "data", None)
        if trained and data is not None:
            labels = {experiments.MODEL_LABELS.get(key, key): model
                      for key, model in trained.items()}
            self.sigModelsTrained.emit(experiments.TITLES[name], labels, data)

    def _show_result(self, name: str, result) -> None:
        self._results[name] = result.to_json()
        self.pages[name].show_result(result)

    @Slot(str, str)
    def _on_error(self, name: str, message: str) -> None:
        self.pages[name].show_error(f"The experiment stopped: {message}")

    @Slot(str)
    def _on_stopped(self, name: str) -> None:
        self.pages[name].show_stopped()
        self.sigStatus.emit(f"Stopped the {experiments.TITLES[name].lower()} experiment.")

    @Slot(str, object)
    def _on_previews(self, _slot: str, previews: dict) -> None:
        for page in self.pages.values():
            page.show_preview(previews)

    @Slot(str, str)
    def _on_preview_error(self, _slot: str, message: str) -> None:
        self.sigStatus.emit(f"Could not draw the set-up pictures: {message}")
