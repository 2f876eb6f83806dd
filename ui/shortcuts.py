"""Every keyboard shortcut of the app, in one table the Help menu lists.

A tab that binds a key adds a row here, so the list a user reads is the list the code binds: each
row is (keys, what it does, where it works). Use :func:`keys_for` to get the key sequence when
binding, so the binding and the help text cannot drift apart.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["Shortcut", "SHORTCUTS", "keys_for", "help_text"]


class Shortcut(NamedTuple):
    keys: str       # as QKeySequence reads it, e.g. "Ctrl+1"
    action: str     # what it does, for the Help menu
    where: str      # "anywhere", or the tab it works in


SHORTCUTS: list[Shortcut] = [
    Shortcut("Ctrl+1", "show the Playground", "anywhere"),
    Shortcut("Ctrl+2", "show the Training studio", "anywhere"),
    Shortcut("Ctrl+3", "show Why CNNs", "anywhere"),
    Shortcut("Ctrl+Q", "quit", "anywhere"),
    Shortcut("Ctrl+Z", "undo the last kernel edit", "Playground"),
    Shortcut("Ctrl+Shift+Z", "redo the kernel edit undone", "Playground"),
    # The drawing canvas binds Ctrl+Z to its own widget: inside it, it undoes a stroke instead.
    Shortcut("Ctrl+Z", "undo the last stroke", "the drawing canvas"),
    Shortcut("Space", "start, pause or resume training", "Training studio"),
    Shortcut("S", "run a single training step", "Training studio"),
    Shortcut("Esc", "stop training", "Training studio"),
    Shortcut("Esc", "leave the tour", "the tour panel"),
]


def keys_for(action: str) -> str:
    """The keys bound to ``action`` (a row of :data:`SHORTCUTS`)."""
    for row in SHORTCUTS:
        if row.action == action:
            return row.keys
    raise KeyError(f"no shortcut is listed for {action!r}")


def help_text() -> str:
    """The table as plain text lines: ``"Ctrl+1    show the Playground (anywhere)"``."""
    width = max(len(row.keys) for row in SHORTCUTS)
    return "\n".join(f"{row.keys:<{width}}    {row.action} ({row.where})" for row in SHORTCUTS)
