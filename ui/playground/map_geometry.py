"""Where the feature map and the pooled map sit, in *input* pixel coordinates.

Each output pixel is drawn over the centre of the window that produced it and is ``stride``
input pixels wide, so the views can share zoom and pan and a shift of the input visibly shifts
the maps by the same amount. Used by the main views and the translation lab.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF

from cnnviz.nn.functional import window_span

__all__ = ["output_rect", "pooled_rect"]


def output_rect(result) -> QRectF:
    """Where ``result.output`` (shape (Ho, Wo)) is drawn, in input pixel coordinates.

    ``result`` is a :class:`~cnnviz.lab.conv.PlaygroundResult` or anything with the same
    ``settings``, ``kernel`` and ``output`` (the translation lab's report).
    """
    s = result.settings
    k = result.kernel.shape[0]
    ho, wo = result.output.shape
    offset = -s.padding + (window_span(k, s.dilation) - 1) / 2 + 0.5 - s.stride / 2
    return QRectF(offset, offset, wo * s.stride, ho * s.stride)


def pooled_rect(result) -> QRectF:
    """Where ``result.pooled`` (shape (Hp, Wp)) is drawn, in input pixel coordinates."""
    s = result.settings
    base = output_rect(result)
    hp, wp = result.pooled.shape
    offset = s.stride * ((s.pool_size - 1) / 2 + 0.5 - s.pool_stride / 2)
    step = s.stride * s.pool_stride
    return QRectF(base.x() + offset, base.y() + offset, wp * step, hp * step)

