"""One experiment page: the question, the set-up, Run/Stop, live curves, the result and why.

:class:`ExperimentPage` lays out what every page has; a subclass says what its experiment is
(class attributes), draws its set-up picture and adds its own result picture. The page never
runs anything itself: Run emits :attr:`ExperimentPage.sigRun` and the tab's runner answers with
:meth:`show_progress`, :meth:`show_result`, :meth:`show_error` or :meth:`show_stopped`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cnnviz.lab.experiments import MODEL_LABELS, Settings
from cnnviz.lab.experiments.common import format_cell
from ui.theme import CONCLUSION_STYLE, ERROR_STYLE, MODEL_COLOURS, QUESTION_STYLE
from ui.why import export
from ui.why.plots import LiveCurves, accuracy_plot
from ui.widgets.buttons import named_button
from ui.widgets.why import WhyLabel

__all__ = ["ExperimentPage"]

_KEY_OF_LABEL = {label: key for key, label in MODEL_LABELS.items()}
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class ExperimentPage(QWidget):
    """Base of the five pages.

    Class attributes a subclass sets: ``name`` (the experiment), ``title``, ``question`` and
    ``predict`` (rich text), ``why`` (plain text for the WhyLabel), ``series`` (the live curves'
    test sets, in line-style order), ``default_epochs``, ``trains`` (False: no curves, no
    settings).

    Signals
    -------
    sigRun(str, object, dict)
        Experiment name, :class:`~cnnviz.lab.experiments.Settings` and extra options.
    sigStop(str)
    sigOpenInTraining(object, object)
        A trained model and the data set it learned from.
    sigStatus(str)
    """

    sigRun = Signal(str, object, dict)
    sigStop = Signal(str)
    sigOpenInTraining = Signal(object, object)
    sigStatus = Signal(str)

    name = ""
    title = ""
    question = ""
    predict = ""
    why = ""
    series: tuple[str, ...] = ()
    default_epochs = 4
    trains = True

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(f"{self.name.replace('-', '_')}Page")
        self._result = None
        self.run_button = named_button("Run", "runExperimentButton",
                                       "Train the models and measure them (takes a minute "
                                       "or two; tick Quick for seconds)")
        self.stop_button = named_button("Stop", "stopExperimentButton", "Stop the experiment")
        self.stop_button.setEnabled(False)
        self.quick_check = QCheckBox("Quick")
        self.quick_check.setObjectName("quickCheck")
        self.quick_check.setToolTip("Fewer images and epochs: a result in seconds, less sharp")
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setObjectName("experimentEpochsSpin")
        self.epochs_spin.setRange(0, 50)
        self.epochs_spin.setSpecialValueText("auto")
        self.epochs_spin.setPrefix("epochs ")
        self.epochs_spin.setToolTip("Passes over the training images; auto: "
                                    f"{self.default_epochs} (Quick: fewer)")
        self.seed_spin = QSpinBox()
        self.seed_spin.setObjectName("experimentSeedSpin")
        self.seed_spin.setRange(0, 9999)
        self.seed_spin.setPrefix("seed ")
        self.seed_spin.setToolTip("Seeds the weights, the data and the batch order")
        self.progress = QProgressBar()
        self.progress.setObjectName("experimentProgress")
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(10)
        self.status = QLabel("Not run yet.")
        self.status.setObjectName("experimentStatus")
        self.status.setWordWrap(True)
        title = "Test accuracy while the models learn"
        if len(self.series) == 2:
            title += f" (solid: {self.series[0]}; dashed: {self.series[1]})"
        self.curves_plot = accuracy_plot(title)
        self.curves_plot.setObjectName("experimentCurves")
        self.live = LiveCurves(self.curves_plot, self.series)
        self.table = self._build_table()
        self.conclusion = QLabel("")
        self.conclusion.setObjectName("experimentConclusion")
        self.conclusion.setWordWrap(True)
        self.conclusion.setStyleSheet(CONCLUSION_STYLE)
        self.conclusion.setVisible(False)
        self.placeholder = QLabel("Make your prediction, then press Run: the result table and "
                                  "its picture appear here.")
        self.placeholder.setObjectName("resultPlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setStyleSheet(QUESTION_STYLE)
        self.csv_button = named_button("Export CSV…", "exportCsvButton",
                                       "Save the result table as CSV")
        self.png_button = named_button("Export PNG…", "exportPngButton",
                                       "Save a picture of this page")
        self.studio_combo = QComboBox()
        self.studio_combo.setObjectName("studioModelCombo")
        self.studio_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.studio_button = named_button(
            "Open in training studio", "openInStudioButton",
            "Load the chosen trained model and its data into the Training studio tab")
        self.setup = self.build_setup()
        self.result_view = self.build_result_view()
        self._build_layout()
        self._wire()
        self._set_result_actions(False)
        self._show_result_parts(False)

    # ----- for subclasses -----------------------------------------------------------------------
    def build_setup(self) -> QWidget:
        """The picture of the set-up (filled by :meth:`show_preview`)."""
        return QWidget()

    def show_preview(self, preview) -> None:
        """Draw the set-up picture from the tab's preview data (images from the data set)."""

    def build_result_view(self) -> QWidget | None:
        """An extra picture of the result, or None."""
        return None

    def show_result_view(self, result) -> None:
        """Draw the extra picture for ``result``."""

    def options(self) -> dict:
        """Extra keyword arguments for the experiment (``params`` passes its layer sizes)."""
        return {}

    def on_result(self, result) -> None:
        """Hook after a result is shown (subclasses update their own parts)."""

    # ----- layout -------------------------------------------------------------------------------
    def _build_table(self) -> QTableWidget:
        table = QTableWidget(0, 0)
        table.setObjectName("resultTable")
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setFixedHeight(60)
        return table

    def _build_layout(self) -> None:
        heading = QLabel(f"<b style='font-size:13pt'>{self.title}</b>")
        question = QLabel(f"{self.question}<br><br><b>Predict before you run:</b> {self.predict}")
        question.setObjectName("experimentQuestion")
        question.setWordWrap(True)
        question.setTextFormat(Qt.TextFormat.RichText)
        question.setStyleSheet(QUESTION_STYLE)
        controls = QHBoxLayout()
        for w in (self.run_button, self.stop_button):
            controls.addWidget(w)
        if self.trains:
            for w in (self.quick_check, self.epochs_spin, self.seed_spin):
                controls.addWidget(w)
        controls.addStretch(1)
        why = WhyLabel(self.why, expanded=True)
        why.setObjectName("experimentWhy")
        left = QVBoxLayout()
        left.addWidget(heading)
        left.addWidget(question)
        left.addWidget(self.setup, 3)
        left.addLayout(controls)
        left.addWidget(self.progress)
        left.addWidget(self.status)
        left.addWidget(_rule())
        left.addWidget(QLabel("<b>Why</b>"))
        left.addWidget(why)
        right = QVBoxLayout()
        right.addWidget(self.conclusion)
        right.addWidget(self.placeholder, 0 if self.trains else 1)
        if self.trains:
            right.addWidget(self.curves_plot, 3)
        right.addWidget(self.table, 1)
        if self.result_view is not None:
            right.addWidget(self.result_view, 3)
        actions = QHBoxLayout()
        for w in (self.csv_button, self.png_button):
            actions.addWidget(w)
        actions.addStretch(1)
        if self.trains:
            actions.addWidget(self.studio_combo)
            actions.addWidget(self.studio_button)
        right.addLayout(actions)
        top = QHBoxLayout(self)
        left_box = QWidget()
        left_box.setLayout(left)
        left_box.setMaximumWidth(560)
        top.addWidget(left_box, 2)
        top.addLayout(right, 3)

    def _wire(self) -> None:
        self.run_button.clicked.connect(self.request_run)
        self.stop_button.clicked.connect(self._on_stop)
        self.csv_button.clicked.connect(self._on_export_csv)
        self.png_button.clicked.connect(self._on_export_png)
        self.studio_button.clicked.connect(self._on_open_in_studio)

    # ----- state --------------------------------------------------------------------------------
    def settings(self) -> Settings:
        """The settings the controls describe."""
        return Settings(epochs=self.epochs_spin.value() or None, seed=self.seed_spin.value(),
                        quick=self.quick_check.isChecked())

    @Slot()
    def request_run(self) -> None:
        """Ask the tab to run this page's experiment with the page's settings."""
        try:
            settings, options = self.settings(), self.options()
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self.sigRun.emit(self.name, settings, options)

    def set_running(self, running: bool) -> None:
        """Lock the controls while the experiment runs and clear the old result at its start."""
        self.run_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        for w in (self.quick_check, self.epochs_spin, self.seed_spin):
            w.setEnabled(not running)
        if running:
            self._result = None
            self.live.clear()
            self.table.setRowCount(0)
            self._show_result_parts(False)
            self.progress.setValue(0)
            self.status.setStyleSheet("")
            self.status.setText("Starting…")
            self._set_result_actions(False)

    def show_progress(self, progress) -> None:
        self.progress.setValue(int(1000 * progress.fraction))
        self.status.setText(progress.message)
        if progress.curves:
            self.live.show(progress.curves)

    def show_result(self, result) -> None:
        self._result = result
        self.set_running(False)
        self.progress.setValue(1000)
        self.status.setText(f"Done in {result.seconds:.0f} s." if result.seconds >= 1 else
                            "Done.")
        if result.curves:
            self.live.show(result.curves)
        self._fill_table(*result.table())
        self.conclusion.setText(f"<b>Result:</b> {result.conclusion()}")
        self._show_result_parts(True)
        self.conclusion.setVisible(bool(result.conclusion()))
        self.show_result_view(result)
        trained = getattr(result, "trained", {}) or {}
        self.studio_combo.clear()
        for key in trained:
            self.studio_combo.addItem(MODEL_LABELS.get(key, key), key)
        self._set_result_actions(True, bool(trained))
        self.on_result(result)

    def show_error(self, message: str) -> None:
        self.set_running(False)
        self.status.setStyleSheet(ERROR_STYLE)
        self.status.setText(message)
        self.sigStatus.emit(message)

    def show_stopped(self) -> None:
        self.set_running(False)
        self.status.setText("Stopped. The curves show how far it got; Run starts again.")

    def result(self):
        """The last finished result shown on this page, or None."""
        return self._result

    def _show_result_parts(self, shown: bool) -> None:
        """The table and result picture appear with a result (before it, they would only show
        empty frames; the live curves show progress)."""
        self.table.setVisible(shown)
        self.conclusion.setVisible(shown)
        self.placeholder.setVisible(not shown)
        if self.result_view is not None:
            self.result_view.setVisible(shown or self.trains)

    def _set_result_actions(self, ready: bool, trained: bool = False) -> None:
        self.csv_button.setEnabled(ready)
        self.png_button.setEnabled(ready)
        self.studio_combo.setEnabled(trained)
        self.studio_button.setEnabled(trained)

    def _fill_table(self, head, rows) -> None:
        self.table.setColumnCount(len(head))
        self.table.setHorizontalHeaderLabels(list(head))
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem(format_cell(value))
                if c > 0:
                    item.setTextAlignment(RIGHT)
                key = _KEY_OF_LABEL.get(str(row[0]))
                if c == 0 and key in MODEL_COLOURS:
                    item.setForeground(QColor(*MODEL_COLOURS[key]))
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The spare width goes to the model names, so each number stays under its own heading
        # (a stretched last column pushed its numbers far from the others).
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()
        rows_height = sum(self.table.rowHeight(r) for r in range(len(rows)))
        self.table.setFixedHeight(header.sizeHint().height() + rows_height
                                  + 2 * self.table.frameWidth() + 2)

    # ----- actions ------------------------------------------------------------------------------
    @Slot()
    def _on_stop(self) -> None:
        self.sigStop.emit(self.name)

    @Slot()
    def _on_export_csv(self) -> None:
        if self._result is not None:
            export.ask_and_save_csv(self, self._result, self.sigStatus)

    @Slot()
    def _on_export_png(self) -> None:
        export.ask_and_save_png(self, self.name, self.sigStatus)

    @Slot()
    def _on_open_in_studio(self) -> None:
        trained = getattr(self._result, "trained", {}) or {}
        key = self.studio_combo.currentData()
        if key in trained:
            self.sigOpenInTraining.emit(trained[key], self._result.data)


def _rule() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line

