"""The set-up pictures of every page, computed once off the GUI thread from the MNIST digits.

:func:`make_previews` is a plain task function (NumPy only) run by the tab's
:class:`~ui.widgets.tasks.TaskRunner` the first time the tab is shown.
"""

from __future__ import annotations

from cnnviz.data import load_dataset
from cnnviz.lab.experiments import DEFAULT_DATASET, permute, position, receptive_field, shift
from cnnviz.lab.experiments.common import build

__all__ = ["make_previews"]


def _fields(input_shape) -> list[tuple[int, tuple[float, float]]]:
    """(theoretical field, centre) of each conv layer of the receptive-field experiment's CNN."""
    from cnnviz.nn.layers import Conv2D
    from cnnviz.nn.summary import summarize

    model = build(receptive_field.MODEL, input_shape, 10, seed=0)
    rows = summarize(model, input_shape)
    return [(rows[i].receptive_field, receptive_field.centre_of(model, i, input_shape))
            for i, layer in enumerate(model.layers) if isinstance(layer, Conv2D)]


def make_previews(task, seed: int = 0) -> dict:
    """Sample images for each page's set-up picture.

    Returns
    -------
    dict
        ``digit`` (H, W); ``position``: (seen, unseen) canvases (k, H, Wc); ``shift``: list of
        (H, W) at 0, 2, ... 8 px; ``permute``: (plain, permuted) (k, H, W);
        ``receptive-field``: (digit, [(field, centre), ...]).
    """
    data = load_dataset(DEFAULT_DATASET, seed=seed)
    if task is not None:
        task.check()
    digit = data.x_test[len(data.x_test) // 3, 0]
    return {"digit": digit,
            "position": position.preview(data, seed, count=6),
            "shift": shift.preview(data, seed),
            "permute": permute.preview(data, seed, count=6),
            "receptive-field": (digit, _fields(data.input_shape))}
