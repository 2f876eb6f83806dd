"""The studio's network remembered across restarts: the layer list as JSON in the settings.

Stored with the name of the data set it was built for (a network for 28x28 digits does not fit
8x8 lines), under ``training/architecture``. Anything that does not read back as a list of valid
layers is dropped, and the studio uses the suggested network, with a note saying so.
"""

from __future__ import annotations

import json

from cnnviz.nn import architecture as arch
from ui.widgets.settings import MAX_TEXT_CHARS, note, read_setting, remove_setting, write_setting

KEY = "training/architecture"
BAD_NOTE = ("The remembered network could not be used ({why}); the studio shows the suggested "
            "network for the data instead.")


def remember_network(dataset_name: str, spec: list[dict]) -> None:
    """Save ``spec`` as the network of ``dataset_name`` (skipped if it is too long to keep)."""
    text = json.dumps({"dataset": dataset_name, "layers": spec}, separators=(",", ":"))
    if len(text) <= MAX_TEXT_CHARS:
        write_setting(KEY, text)
    else:
        remove_setting(KEY)


def remembered_network() -> tuple[str, list[dict]] | None:
    """``(dataset name, layers)`` as saved, or None (nothing saved, or a bad value, with a note).

    Only the format is checked here; whether the layers fit the data is the editor's check, see
    :func:`forget_network`.
    """
    text = read_setting(KEY, "", str)
    if not text:
        return None
    try:
        data = json.loads(text)
        name, layers = data["dataset"], data["layers"]
        if not isinstance(name, str) or not isinstance(layers, list) or not layers:
            raise ValueError("not a list of layers")
        layers = [arch.normalize_layer(layer, i) for i, layer in enumerate(layers, start=1)]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        forget_network(str(exc) if isinstance(exc, ValueError) and str(exc) else "unreadable")
        return None
    return name, layers


def clear_network() -> None:
    """Drop the saved network without a note (the user asked for the suggested one)."""
    remove_setting(KEY)


def forget_network(why: str) -> None:
    """Drop the saved network and say why (the default is used from now on)."""
    remove_setting(KEY)
    note(BAD_NOTE.format(why=why[:200]))
