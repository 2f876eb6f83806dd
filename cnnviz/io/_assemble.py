"""From checked parts to a model: the one place every reader builds its ``Sequential``.

Order matters: the architecture is validated layer by layer, the stored arrays are compared
name by name and shape by shape with what it needs, the parameter and activation budgets are
checked, the weights are checked for NaN/inf, and only then is anything built. A file either
loads whole or not at all.
"""

from __future__ import annotations

import numpy as np

from cnnviz.io._checks import (
    check_budget,
    check_weights,
    checked_architecture,
    checked_metadata,
    parameter_shapes,
)
from cnnviz.io._source import short_list
from cnnviz.nn.architecture import spec_from_model
from cnnviz.nn.model import Sequential

__all__ = ["assemble", "shape_text", "mismatch_message"]


def shape_text(shape) -> str:
    """``(8, 1, 3, 3)``; a one-axis shape reads ``(8,)`` as in Python."""
    return str(tuple(int(s) for s in shape))


def mismatch_message(pairs: list[tuple[str, tuple, tuple | None]], limit: int = 6) -> str:
    """"0.weight: expected (8, 1, 3, 3), found (8, 3, 3, 3)" lines, at most ``limit`` of them."""
    lines = [f"{name}: expected {shape_text(want)}, found "
             f"{'nothing' if got is None else shape_text(got)}" for name, want, got in pairs]
    more = f"; and {len(lines) - limit} more" if len(lines) > limit else ""
    return "; ".join(lines[:limit]) + more


def _check_state(expected: dict[str, tuple], state: dict[str, np.ndarray], name: str) -> None:
    unexpected = [k for k in state if k not in expected]
    if unexpected:
        raise ValueError(f"{name} holds arrays its architecture does not use "
                         f"({short_list(unexpected)}); it was not loaded")
    wrong = [(k, shape, None if k not in state else tuple(state[k].shape))
             for k, shape in expected.items()
             if k not in state or tuple(state[k].shape) != tuple(shape)]
    if wrong:
        raise ValueError(f"the weights in {name} do not fit its architecture: "
                         f"{mismatch_message(wrong)}")
    for k, value in state.items():
        if value.dtype.kind not in "fiu":
            raise ValueError(f"{name}: {k} must hold numbers, but its dtype is {value.dtype}")


def assemble(architecture, state: dict[str, np.ndarray], metadata, name: str) -> Sequential:
    """Check everything a file declared, then build the model and load its weights.

    Parameters
    ----------
    architecture : list of dict
        ``Layer.config()`` dicts as read from the file (untrusted).
    state : dict of str to ndarray
        ``"0.weight"``-style names to arrays.
    metadata : dict
        Untrusted; ``input_shape`` and ``class_names`` are checked, ``spec`` is derived anew.
    name : str
        The file's name, for messages.

    Raises
    ------
    ValueError
        Naming the file and the first problem; nothing is built then.
    """
    configs = checked_architecture(architecture, name)
    meta = checked_metadata(metadata, name)
    _check_state(parameter_shapes(configs), state, name)
    check_budget(configs, meta.get("input_shape"), name)
    check_weights(state, name)
    try:
        model = Sequential.from_config(configs, seed=None)
        model.load_state_dict(state)
    except ValueError as exc:
        raise ValueError(f"{name} describes a network cnnviz cannot build: {exc}") from None
    if isinstance(metadata, dict) and "spec" in metadata:
        try:
            meta["spec"] = spec_from_model(model)
        except ValueError:  # e.g. non-square kernels: the editor cannot show them as a spec
            meta.pop("spec", None)
    model.metadata = meta
    return model
