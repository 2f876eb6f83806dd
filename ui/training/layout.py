"""How the training studio is arranged: a control column, live views on top, tabs below.

At 1024x700 and 1400x900 everything stays readable: the control column scrolls rather than
squeezing, the live curves/filters and the tabbed panels share a splitter the user can move.
"""

from __future__ import annotations

from dataclasses import dataclass

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

from ui.training.controls import TrainingControls
from ui.training.dataset_panel import DatasetPanel
from ui.training.files_panel import FilesPanel
from ui.widgets.why import WhyLabel

LOOP_WHY = ("Why the loop: forward pass → loss → backward pass (gradients) → update. Every step "
            "nudges each weight against its gradient; use Single step to watch one in detail.")


@dataclass
class StudioParts:
    """The panels the studio is made of, for :func:`build_studio_layout` to arrange."""

    controls: TrainingControls
    dataset_panel: DatasetPanel
    files_panel: FilesPanel
    curves: QWidget
    filters_view: QWidget
    tab_pages: list[tuple[QWidget, str, str]]  # (panel, tab title, tab tooltip)


def build_studio_layout(host: QWidget, parts: StudioParts) -> QTabWidget:
    """Arrange ``parts`` inside ``host`` (which must have no layout yet).

    Returns
    -------
    QTabWidget
        ``trainingTabs``, holding ``parts.tab_pages`` in order.
    """
    data_box = QGroupBox("Data")
    data_layout = QVBoxLayout(data_box)
    data_layout.addWidget(parts.dataset_panel.combo)
    folder_row = QHBoxLayout()
    folder_row.addWidget(QLabel("Folder images resized to"))
    folder_row.addWidget(parts.dataset_panel.folder_size_spin)
    data_layout.addLayout(folder_row)
    data_layout.addWidget(parts.dataset_panel.colour_check)
    data_layout.addWidget(parts.dataset_panel.status_label)
    train_box = QGroupBox("Training")
    QVBoxLayout(train_box).addWidget(parts.controls)
    files_box = QGroupBox("Model and results")
    QVBoxLayout(files_box).addWidget(parts.files_panel)
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

    tabs = QTabWidget()
    tabs.setObjectName("trainingTabs")
    for panel, title, tip in parts.tab_pages:
        tabs.setTabToolTip(tabs.addTab(panel, title), tip)

    live = QSplitter(Qt.Orientation.Horizontal)
    live.addWidget(parts.curves)
    live.addWidget(parts.filters_view)
    live.setSizes([600, 400])
    right = QSplitter(Qt.Orientation.Vertical)
    right.setObjectName("trainingSplitter")
    right.addWidget(live)
    right.addWidget(tabs)
    right.setSizes([420, 480])
    # The progress bar spans the views so epoch, step, speed and time left read in one line.
    parts.controls.progress_bar.setMinimumHeight(22)
    views = QVBoxLayout()
    views.setContentsMargins(0, 0, 0, 0)
    views.addWidget(right, 1)
    views.addWidget(parts.controls.progress_bar)
    outer = QHBoxLayout(host)
    outer.setContentsMargins(2, 2, 2, 2)
    outer.addWidget(scroll)
    outer.addLayout(views, 1)
    return tabs
