"""Save / load the studio's model, export the history as CSV and the filters as PNG.

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


def load_into(session, path) -> str:
    """Load a saved model into the session: its architecture for the editor, its weights as the
    starting point of the next run and for the inspection panels. Returns a status sentence.

    Raises
    ------
    ValueError
        For unreadable files, or a model built for another image size or class count.
    """
    from cnnviz.io import load_model

    model = load_model(path)
    meta = model.metadata or {}
    ds = session.dataset()
    if ds is None:
        raise ValueError("choose a data set first")
    saved_shape = tuple(meta.get("input_shape") or ())
    if saved_shape and saved_shape != tuple(ds.input_shape):
        shape = "x".join(str(s) for s in saved_shape[1:])
        raise ValueError(f"this model was trained on {shape} images but the current data set "
                         f"({ds.name}) has {ds.input_shape[1]}x{ds.input_shape[2]}; "
                         "choose matching data first")
    spec = meta.get("spec") or arch.spec_from_model(model)
    arch.build_model(spec, ds.input_shape, ds.n_classes)  # raises if the classes do not match
    session.load_model(spec, model.state_dict())
    return (f"Loaded {Path(path).name} ({meta.get('dataset', 'unknown data')}). Start continues "
            "training from these weights; Reset forgets them.")
