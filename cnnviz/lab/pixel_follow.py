"""Which feature-map pixel of a new geometry looks where an old one looked.

A pinned pixel is a place on the input, not an index: after a change of kernel size, stride,
padding or dilation the playground explains the output pixel whose window is centred nearest the
same input pixel, or nothing when no window of the new map is centred there.
"""

from __future__ import annotations

from cnnviz.nn.summary import Field

__all__ = ["output_field", "follow_output_pixel", "window_centre"]


def output_field(kernel_size: int, settings) -> Field:
    """The receptive field of one output pixel along one axis (square kernels, equal axes).

    ``settings`` is a :class:`~cnnviz.lab.conv.ConvSettings` (its stride, padding, dilation).
    """
    return Field().after(kernel_size, settings.stride, settings.padding, settings.dilation)


def window_centre(row: int, col: int, kernel_size: int, settings) -> tuple[float, float]:
    """Input coordinates (row, col) of the centre of output pixel (row, col)'s window."""
    field = output_field(kernel_size, settings)
    return field.centre + row * field.jump, field.centre + col * field.jump


def follow_output_pixel(
    row: int, col: int, old_kernel: int, old_settings, new_kernel: int, new_settings,
    new_shape: tuple[int, int],
) -> tuple[int, int] | None:
    """The pixel of the new output map (shape (Ho, Wo)) looking where (row, col) looked.

    Returns
    -------
    (row, col) of the new map whose window centre is nearest (ties: the lower index) the old
    pixel's window centre, or None when that centre is more than half a stride outside the map.
    """
    centre = window_centre(row, col, old_kernel, old_settings)
    field = output_field(new_kernel, new_settings)
    found = []
    for c, n in zip(centre, new_shape, strict=True):
        # -0.5 before ceil: a centre half way between two windows goes to the first of them.
        index = int(-(-((c - field.centre) / field.jump - 0.5) // 1))
        if not 0 <= index < n or abs(field.centre + index * field.jump - c) > field.jump / 2:
            return None
        found.append(index)
    return found[0], found[1]
