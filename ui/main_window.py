"""The main window: the Playground, Training and Why CNNs tabs, a status bar, and the bridges
between them (a learned filter into the playground, an experiment's model into the studio)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction, QCloseEvent, QFontDatabase, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QTabWidget

from ui.edit_menu import EditMenu
from ui.playground.widget import PlaygroundWidget
from ui.shortcuts import help_text
from ui.training.close_guard import confirm_close
from ui.training.widget import TrainingWidget
from ui.why.widget import WhyWidget
from ui.widgets.first_paint import FirstPaint
from ui.widgets.settings import (
    note,
    notifier,
    read_setting,
    remove_setting,
    take_notes,
    write_setting,
)
from ui.widgets.wheel_guard import install_wheel_guard, wheel_guard_paused

STATUS_TIMEOUT_MS = 8000
DEFAULT_SIZE = (1400, 900)

# A first hint per tab, shown in the status bar when the tab comes up.
TAB_TIPS = (
    "Playground: click kernel cells (left +, right −, wheel nudges) and hover the output to see "
    "the multiply-and-sum. Ctrl+1 / 2 / 3 switch tabs.",
    "Training studio: pick a data set and a network, press Start, and watch the first layer's "
    "filters form. Ctrl+1 / 2 / 3 switch tabs.",
    "Why CNNs: each page asks a question about MLPs and CNNs; guess, then press Run to see the "
    "experiment answer it. Ctrl+1 / 2 / 3 switch tabs.",
)
TAB_NAMES = ("playground", "training", "why")
TAB_LABELS = ("Playground", "Training studio", "Why CNNs")
TAB_TOOLTIPS = (
    "Edit a kernel and watch it convolve and pool a real image, live.",
    "Train a small CNN written in NumPy and watch its filters form.",
    "Experiments: why convolutions beat dense networks on images.",
)


FIRST_PAINT_WAIT_MS = 3000  # a window that is never painted builds its other tabs after this


class MainWindow(QMainWindow):
    """Three tabs: the kernel playground, the training studio and the Why CNNs experiments.

    Attributes
    ----------
    playground : PlaygroundWidget
        The playground tab (objectName ``playgroundTab``).
    training : TrainingWidget
        The training tab (objectName ``trainingTab``).
    why : WhyWidget
        The experiments tab (objectName ``whyTab``).
    """

    def __init__(self, parent=None, *, defer_hidden_tabs: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("cnnviz — see why convolutional networks work")
        self.setMinimumSize(1000, 660)
        # False for throw-away windows (--screenshot) so they do not change the user's next launch.
        self.remember_layout = True
        self.tour = None  # the guided tour's controller, made by start_tour()
        self._training: TrainingWidget | None = None
        self._why: WhyWidget | None = None
        self._first_paint_watch: FirstPaint | None = None

        self.playground = PlaygroundWidget()
        self.playground.setObjectName("playgroundTab")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.playground, "Playground")
        for name in TAB_LABELS[1:]:  # stand-ins until the tabs are built
            self.tabs.addTab(QLabel("Opening...", alignment=Qt.AlignmentFlag.AlignCenter), name)
        for index, tip in enumerate(TAB_TOOLTIPS):
            self.tabs.setTabToolTip(index, tip)
        self.setCentralWidget(self.tabs)
        self.playground.sigStatus.connect(self.show_status)
        self._build_menus()

        tab = self._restore_settings()
        if defer_hidden_tabs and tab == 0:
            # The launch paints the playground first and builds the other two tabs (half of the
            # window's build time) right after that paint; asking for either builds it at once.
            self._first_paint_watch = FirstPaint(self.playground, self._build_after_first_paint,
                                                  FIRST_PAINT_WAIT_MS)
        else:
            self._build_hidden_tabs()
        self.tabs.setCurrentIndex(tab)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self._show_tab_tip(self.tabs.currentIndex())
        self._show_settings_notes()
        notifier().sigNote.connect(self.show_status)
        # The wheel scrolls panels, never the box under the pointer. Installed last: an
        # application-wide filter sees every event, and building the window sends tens of
        # thousands (through the filter they took 0.3-0.5 s of start-up, measured).
        install_wheel_guard()

    @property
    def training(self) -> TrainingWidget:
        """The training tab (built now if the launch deferred it)."""
        self._build_hidden_tabs()
        return self._training

    @property
    def why(self) -> WhyWidget:
        """The experiments tab (built now if the launch deferred it)."""
        self._build_hidden_tabs()
        return self._why

    def _build_hidden_tabs(self) -> None:
        """The Training studio and Why CNNs tabs, their menu entries and the bridges between the
        tabs (once)."""
        if self._training is not None:
            return
        self._first_paint_watch = None
        with wheel_guard_paused():
            self._training = TrainingWidget()
            self._why = WhyWidget()
        self._training.setObjectName("trainingTab")
        self._why.setObjectName("whyTab")
        current = self.tabs.currentIndex()
        blocked = self.tabs.blockSignals(True)  # swapping stand-ins is not a change of tab
        for index, widget in ((1, self._training), (2, self._why)):
            stand_in = self.tabs.widget(index)
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, widget, TAB_LABELS[index])
            self.tabs.setTabToolTip(index, TAB_TOOLTIPS[index])
            stand_in.deleteLater()
        self.tabs.setCurrentIndex(current)
        self.tabs.blockSignals(blocked)

        self._training.sigStatus.connect(self.show_status)
        self._training.sigOpenInPlayground.connect(self.open_kernel_in_playground)
        self._why.sigStatus.connect(self.show_status)
        self._why.sigOpenInTraining.connect(self.open_model_in_training)
        self._why.sigModelsTrained.connect(self._training.offer_comparison_models)
        for action in self._training.file_actions():  # model files belong to the studio
            action.triggered.connect(self._show_training)
            self.file_menu.insertAction(self._quit_separator, action)
        self.edit_menu.set_training(self._training)

    def _build_after_first_paint(self) -> None:
        self._build_hidden_tabs()
        self._show_settings_notes()  # bad settings the new tabs read

    @Slot(int)
    def _on_tab_changed(self, index: int) -> None:
        if index > 0:
            self._build_hidden_tabs()
        self._show_tab_tip(index)

    # -- menus -----------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        """The menus; the studio's File actions and Edit reset join when its tab is built."""
        self.file_menu = self.menuBar().addMenu("&File")
        self._quit_separator = self.file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.file_menu.addAction(quit_action)

        self.edit_menu = EditMenu(self.tabs, self.playground, None, self)
        self.menuBar().addMenu(self.edit_menu)

        view_menu = self.menuBar().addMenu("&View")
        for index, name in enumerate(TAB_LABELS):
            action = QAction(name, self)
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.setData(index)
            action.triggered.connect(self._switch_tab_from_action)
            view_menu.addAction(action)

        help_menu = self.menuBar().addMenu("&Help")
        tour = QAction("&Tour", self)
        tour.setObjectName("tourAction")
        tour.setToolTip("Twelve stops that set the app up and say what to look at")
        tour.triggered.connect(self._take_tour)
        help_menu.addAction(tour)
        shortcuts = QAction("&Keyboard shortcuts", self)
        shortcuts.setObjectName("shortcutsAction")
        shortcuts.triggered.connect(self._show_shortcuts)
        help_menu.addAction(shortcuts)
        about = QAction("&About cnnviz", self)
        about.triggered.connect(self._show_about)
        help_menu.addAction(about)

    @Slot(int)
    def _show_tab_tip(self, index: int) -> None:
        if 0 <= index < len(TAB_TIPS):
            self.statusBar().showMessage(TAB_TIPS[index], STATUS_TIMEOUT_MS * 2)

    @Slot()
    def _show_training(self) -> None:
        self.tabs.setCurrentWidget(self.training)

    @Slot()
    def _switch_tab_from_action(self) -> None:
        self.tabs.setCurrentIndex(int(self.sender().data()))

    @Slot()
    def _show_shortcuts(self) -> None:
        # Not modal-blocking (open, not exec): the list can stay up while the keys are tried.
        box = QMessageBox(QMessageBox.Icon.NoIcon, "Keyboard shortcuts", help_text(),
                          QMessageBox.StandardButton.Close, self)
        box.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        box.setModal(False)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.shortcuts_box = box
        box.show()

    @Slot()
    def _show_about(self) -> None:
        QMessageBox.about(
            self,
            "About cnnviz",
            "<b>cnnviz</b> makes convolutional networks visible.<br><br>"
            "The <b>Playground</b> shows one convolution at a time: edit a kernel, slide it over "
            "a photo, hover an output pixel to see the multiply-and-sum behind it.<br>"
            "The <b>Training studio</b> trains a small CNN, written from scratch in NumPy, while "
            "its filters, curves and activations update live.<br>"
            "<b>Why CNNs</b> runs the experiments that show why convolutions beat dense networks "
            "on images: position, shift, permuted pixels, receptive fields.<br><br>"
            "Sample photos from scikit-image (CC0 / public domain); handwritten digits from UCI "
            "(CC BY 4.0); MNIST digits by LeCun, Cortes and Burges (CC BY-SA 3.0). See "
            "assets/ATTRIBUTION.md.",
        )

    # -- public API ------------------------------------------------------------------------------
    def show_tab(self, name: str) -> None:
        """Show the ``"playground"``, ``"training"`` or ``"why"`` tab."""
        self.tabs.setCurrentIndex({"training": 1, "why": 2}.get(name, 0))  # builds it if need be

    @Slot()
    def _take_tour(self) -> None:
        self.start_tour(0)

    def start_tour(self, index: int = 0) -> None:
        """Show the guided tour's panel at stop ``index`` (from 0); the app stays usable."""
        if self.tour is None:
            from ui.tour.controller import TourController  # built the first time it is asked for

            self.tour = TourController(self)
        self.tour.start(index)

    @Slot(str)
    def show_status(self, message: str) -> None:
        self.statusBar().showMessage(message, STATUS_TIMEOUT_MS)

    @Slot(object)
    def open_kernel_in_playground(self, kernel: np.ndarray) -> None:
        """Load a learned filter ((k, k), or (3, k, k) in colour) into the playground's kernel
        grid and show it."""
        kernel = np.asarray(kernel, dtype=float)
        self.playground.set_kernel(kernel)
        self.tabs.setCurrentWidget(self.playground)
        colour = " colour" if kernel.ndim == 3 else ""
        self.show_status(
            f"Loaded a learned {kernel.shape[-2]}x{kernel.shape[-1]}{colour} filter into the "
            "playground: see what the network's detector does to a real photo."
        )

    @Slot(object, object)
    def open_model_in_training(self, model, dataset) -> None:
        """Load an experiment's trained model and its data into the training studio and show it
        (the studio says what happened, or why not, in the status bar)."""
        self.tabs.setCurrentWidget(self.training)
        self.training.open_model_and_data(model, dataset)

    # -- settings and shutdown -------------------------------------------------------------------
    def _restore_settings(self) -> int:
        """Restore the geometry; return the remembered tab's index."""
        geometry = read_setting("mainWindow/geometry", None, bytes)
        if geometry is None or not self.restoreGeometry(geometry):
            if geometry is not None:
                remove_setting("mainWindow/geometry")
                note("The saved window geometry could not be used; the window has its default "
                     "size.")
            self._fit_default_size()
        return read_setting("mainWindow/tab", 0, int, minimum=0, maximum=self.tabs.count() - 1)

    def _show_settings_notes(self) -> None:
        """Say which saved settings were bad and replaced by defaults (read while building)."""
        notes = take_notes()
        if notes:
            self.statusBar().showMessage(" ".join(notes), STATUS_TIMEOUT_MS * 2)

    def _fit_default_size(self) -> None:
        """1400x900, or as much of a smaller screen as is available."""
        width, height = DEFAULT_SIZE
        screen = self.screen()
        if screen is not None:
            available = screen.availableGeometry()
            width = min(width, available.width())
            height = min(height, available.height())
        self.resize(width, height)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        built = self._training is not None  # closing never builds a tab the user did not open
        if not built and self._first_paint_watch is not None:
            self._first_paint_watch.cancel()
        if built and not confirm_close(self._training, self):  # a run in progress is kept
            event.ignore()
            return
        # Stop training first: the worker thread must be finished before its QThread is destroyed.
        if built:
            self._training.shutdown()
        self.playground.shutdown()
        if built:
            self._why.shutdown()
        if self.remember_layout:
            self.playground.save_state()
            write_setting("mainWindow/geometry", self.saveGeometry())
            write_setting("mainWindow/tab", self.tabs.currentIndex())
        super().closeEvent(event)
