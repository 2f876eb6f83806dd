"""Save the studio's model (any format, by extension), export the history as CSV and the filters
as PNG. Opening models is :mod:`ui.training.model_files`.

Each action is a plain function taking a path (testable without dialogs); the buttons that ask
for the path live in :mod:`ui.training.files_panel`.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from cnnviz.fileio import atomic_write
from cnnviz.nn import architecture as arch
from ui.theme import DIVERGING
from ui.widgets.image_views import symmetric_levels
from ui.widgets.tiling import tile

HISTORY_COLUMNS = ("step", "epoch", "epoch_progress", "loss", "train_accuracy", "test_loss",
                   "test_accuracy", "lr")


def write_history_csv(rows: list[dict], path) -> Path:
    """Write history rows atomically as CSV (empty cells where a value was not measured).

    Parameters
    ----------
    rows : list of dict
        As returned by ``TrainingSession.history()``.
    path : str or Path
    """
    path = Path(path)
    with atomic_write(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=HISTORY_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k, "") for k in HISTORY_COLUMNS})
    return path


def filters_montage(filters: np.ndarray) -> np.ndarray:
    """All first-layer filters (channel 0) tiled in one image, gaps at 0 (the scale's centre).

    Parameters
    ----------
    filters : ndarray, shape (F, C, kh, kw)

    Returns
    -------
    ndarray, 2-D
    """
    f = np.asarray(filters, dtype=np.float64)
    return tile(f[:, 0], columns=min(8, len(f)), gap=1, fill=0.0)


def write_filters_png(filters: np.ndarray, path) -> Path:
    """Save the filters montage as a PNG on the diverging colour map (zero = the middle colour)."""
    from ui.widgets.export import save_array_png

    montage = filters_montage(filters)
    # Enlarged with hard pixel edges so a 3x3 filter is visible in an image viewer.
    scale = int(np.clip(256 // max(montage.shape), 1, 64))
    return save_array_png(montage, str(path), DIVERGING, symmetric_levels(montage), scale=scale)


def save_current_model(session, path) -> Path:
    """Save the session's newest weights with their architecture, data shape and class names.

    Parameters
    ----------
    session : ui.training.session.TrainingSession
    path : str or Path
    """
    from cnnviz.io import save_model

    ctx = session.model_context()
    state = session.weights()
    if ctx is None or state is None:
        raise ValueError("there is no trained model to save yet; train or load one first")
    model = arch.build_model(ctx.spec, ctx.dataset.input_shape, ctx.dataset.n_classes)
    model.load_state_dict(state)
    meta = {"dataset": ctx.dataset.name, "class_names": ctx.class_names,
            "input_shape": list(ctx.dataset.input_shape), "spec": ctx.spec}
    return save_model(model, path, metadata=meta)
