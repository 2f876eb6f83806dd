"""Pieces shared by every tab: image views, the "why?" note, plots, drawing, export, image files,
the background-task runner.

Nothing here imports :mod:`ui.playground` or :mod:`ui.training` (an import-linter contract checks
it), so each tab can use these without tying itself to the other.
"""
