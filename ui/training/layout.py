"""How the training studio is arranged: a control column, live views on top, tabs below.

At 1024x700 and 1400x900 everything stays readable: the control column scrolls rather than
squeezing, the live curves/filters and the tabbed panels share a splitter the user can move.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.image_grid import named_button
from ui.widgets.why import WhyLabel

LOOP_WHY = ("Why the loop: forward pass → loss → backward pass (gradients) → update. Every step "
            "nudges each weight against its gradient; use Single step to watch one in detail.")


def build_studio_layout(w) -> None:
    """Lay out the panels of a :class:`ui.training.widget.TrainingWidget` ``w`` (its attributes must
    exist); creates ``w.tabs`` and the file buttons ``w.save_button``, ``w.load_button``,
    ``w.csv_button``, ``w.png_button``."""
    data_box = QGroupBox("Data")
    data_layout = QVBoxLayout(data_box)
    data_layout.addWidget(w.dataset_panel.combo)
    folder_row = QHBoxLayout()
    folder_row.addWidget(QLabel("Folder images resized to"))
    folder_row.addWidget(w.dataset_panel.folder_size_spin)
    data_layout.addLayout(folder_row)
    data_layout.addWidget(w.dataset_panel.status_label)
    train_box = QGroupBox("Training")
    QVBoxLayout(train_box).addWidget(w.controls)
    files_box = QGroupBox("Model and results")
    files = QVBoxLayout(files_box)
    w.save_button = named_button("Save model…", "saveModelButton")
    w.load_button = named_button("Load model…", "loadModelButton")
    w.csv_button = named_button("Export history CSV…", "exportHistoryButton")
    w.png_button = named_button("Export filters PNG…", "exportFiltersButton")
    for button in (w.save_button, w.load_button, w.csv_button, w.png_button):
        files.addWidget(button)
    why = WhyLabel(LOOP_WHY, expanded=True)

    column = QWidget()
    col = QVBoxLayout(column)
    col.setContentsMargins(4, 4, 4, 4)
    for part in (data_box, train_box, files_box, why):
        col.addWidget(part)
    col.addStretch(1)
    scroll = QScrollArea()
    scroll.setWidget(column)
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    # Wide enough for the column's own minimum (never clip a button), plus room for the scroll bar.
    needed = column.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width() + 4
    scroll.setMinimumWidth(needed)
    scroll.setMaximumWidth(max(needed, 320))

    w.tabs = QTabWidget()
    w.tabs.setObjectName("trainingTabs")
    for panel, title, tip in (
        (w.editor, "Network", "Layers, shapes, parameters, receptive fields (ideas 13, 14)"),
        (w.dataset_panel, "Data", "Samples, class counts, train/test split"),
        (w.inspect_panel, "Inspect a sample", "Activation maps, saliency, Grad-CAM (17, 18)"),
        (w.errors_panel, "Mistakes", "Confusion matrix and misclassified images (18)"),
        (w.step_view, "Single step", "Forward, loss, backward, update of one batch (16)"),
        (w.draw_panel, "Draw a digit", "Draw and watch the model classify it live"),
    ):
        w.tabs.setTabToolTip(w.tabs.addTab(panel, title), tip)

    live = QSplitter(Qt.Orientation.Horizontal)
    live.addWidget(w.curves)
    live.addWidget(w.filters_view)
    live.setSizes([600, 400])
    right = QSplitter(Qt.Orientation.Vertical)
    right.setObjectName("trainingSplitter")
    right.addWidget(live)
    right.addWidget(w.tabs)
    right.setSizes([420, 480])
    # The progress bar spans the views so epoch, step, speed and time left read in one line.
    w.controls.progress_bar.setMinimumHeight(22)
    views = QVBoxLayout()
    views.setContentsMargins(0, 0, 0, 0)
    views.addWidget(right, 1)
    views.addWidget(w.controls.progress_bar)
    outer = QHBoxLayout(w)
    outer.setContentsMargins(2, 2, 2, 2)
    outer.addWidget(scroll)
    outer.addLayout(views, 1)
