"""The scroll area around the playground's controls, which tells them how tall it is.

In a short window (1024x700) the full column is taller than the screen, and stride and padding,
the controls a learner changes most after the kernel, would sit below the fold. The area passes
its height to :meth:`ControlsPanel.fit_height`, which compacts the kernel group to make room.
"""

from __future__ import annotations

from PySide6.QtWidgets import QScrollArea

__all__ = ["ControlsScroll"]


class ControlsScroll(QScrollArea):
    """A QScrollArea whose widget (a ``ControlsPanel``) is fitted to its height on resizes."""

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        panel = self.widget()
        if panel is not None and hasattr(panel, "fit_height"):
            panel.fit_height(self.viewport().height())
