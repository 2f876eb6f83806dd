"""Where the feature map and the pooled map sit, in *input* pixel coordinates.

Each output pixel is drawn over the centre of the window that produced it and is ``stride``
input pixels wide, so the views can share zoom and pan and a shift of the input visibly shifts
the maps by the same amount. Used by the main views and the translation lab.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF

from cnnviz.nn.summary import Field

__all__ = ["output_rect", "pooled_rect"]


def output_rect(result) -> QRectF:
    """Where ``result.output`` (shape (Ho, Wo)) is drawn, in input pixel coordinates.

    ``result`` is a :class:`~cnnviz.lab.conv.PlaygroundResult` or anything with the same
    ``settings``, ``kernel`` and ``output`` (the translation lab's report).
    """
    field = _output_field(result)
    ho, wo = result.output.shape
    return _rect(field, ho, wo)


def pooled_rect(result) -> QRectF:
    """Where ``result.pooled`` (shape (Hp, Wp)) is drawn, in input pixel coordinates."""
    s = result.settings
    field = _output_field(result).after(s.pool_size, s.pool_stride, 0)
    hp, wp = result.pooled.shape
    return _rect(field, hp, wp)


def _output_field(result) -> Field:
    s = result.settings
    return Field().after(result.kernel.shape[-1], s.stride, s.padding, s.dilation)


def _rect(field: Field, rows: int, cols: int) -> QRectF:
    # Pixel i covers the jump-wide cell centred on its window's centre (pixel centres at +0.5).
    left = field.centre + 0.5 - field.jump / 2
    return QRectF(left, left, cols * field.jump, rows * field.jump)

