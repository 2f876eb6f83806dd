"""Save / load the studio's model, export the history as CSV and the filters as PNG.

Each action is a plain function taking a path (testable without dialogs) plus a ``*_dialog``
wrapper that asks for the path. Failures become a sentence in the studio, never a traceback.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QFileDialog

from cnnviz.fileio import atomic_write
from cnnviz.nn import architecture as arch
from ui.widgets.image_grid import DIVERGING, symmetric_levels, tile

HISTORY_COLUMNS = ("step", "epoch", "epoch_progress", "loss", "train_accuracy", "test_loss",
                   "test_accuracy", "lr")
MODEL_FILTER = "cnnviz model (*.npz)"


def write_history_csv(rows: list[dict], path) -> Path:
    """Write history rows atomically as CSV (empty cells where a value was not measured).

    Parameters
    ----------
    rows : list of dict
        As returned by ``TrainingWidget.history()``.
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


def save_current_model(widget, path) -> Path:
    """Save the studio's latest weights with its architecture, data shape and class names."""
    from cnnviz.io import save_model

    ctx = widget.model_context()
    snap = widget.latest_snapshot()
    state = snap.state if snap is not None else (ctx.state if ctx is not None else None)
    if ctx is None or state is None:
        raise ValueError("there is no trained model to save yet; train or load one first")
    model = arch.build_model(ctx.spec, ctx.dataset.input_shape, ctx.dataset.n_classes)
    model.load_state_dict(state)
    meta = {"dataset": ctx.dataset.name, "class_names": ctx.class_names,
            "input_shape": list(ctx.dataset.input_shape), "spec": ctx.spec}
    return save_model(model, path, metadata=meta)


def load_into(widget, path) -> str:
    """Load a saved model into the studio: its architecture into the editor, its weights as the
    starting point of the next run and into the inspection panels. Returns a status sentence.

    Raises
    ------
    ValueError
        For unreadable files, or a model built for another image size or class count.
    """
    from cnnviz.io import load_model

    model = load_model(path)
    meta = getattr(model, "metadata", {}) or {}
    ds = widget.dataset_panel.dataset()
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
    widget.apply_loaded_model(spec, model.state_dict())
    return (f"Loaded {Path(path).name} ({meta.get('dataset', 'unknown data')}). Start continues "
            "training from these weights; Reset forgets them.")


def _ask(widget, save: bool, title: str, filt: str, suffix: str) -> str:
    fn = QFileDialog.getSaveFileName if save else QFileDialog.getOpenFileName
    path, _ = fn(widget, title, "", filt)
    if path and save and not path.lower().endswith(suffix):
        path += suffix
    return path


def _run(widget, what: str, action, *args, ok: str | None = None) -> None:
    try:
        result = action(*args)
    except (ValueError, OSError) as exc:
        widget.report_problem(f"Could not {what}: {exc}")
        return
    widget.sigStatus.emit(ok or str(result))


def save_model_dialog(widget) -> None:
    path = _ask(widget, True, "Save model", MODEL_FILTER, ".npz")
    if path:
        _run(widget, "save the model", save_current_model, widget, path,
             ok=f"Saved the model to {path}.")


def load_model_dialog(widget) -> None:
    path = _ask(widget, False, "Load model", MODEL_FILTER + ";;All files (*)", ".npz")
    if path:
        _run(widget, "load the model", load_into, widget, path)


def export_history_dialog(widget) -> None:
    path = _ask(widget, True, "Export training history", "CSV (*.csv)", ".csv")
    if path:
        _run(widget, "export the history", write_history_csv, widget.history(), path,
             ok=f"Wrote {len(widget.history())} rows to {path}.")


def export_filters_dialog(widget) -> None:
    frame = widget.filters_view.current_frame()
    if frame is None:
        widget.report_problem("No filters to export yet: train first.")
        return
    path = _ask(widget, True, "Export filters", "PNG image (*.png)", ".png")
    if path:
        _run(widget, "export the filters", write_filters_png, frame[1], path,
             ok=f"Saved the filters to {path}.")
