"""A run's per-step record that stays within a fixed size however long the run.

A training run reports one row per step; kept naively, 45,000 steps cost 50 MB and a run of any
length any amount. :class:`History` keeps at most ``cap`` items: when full it drops every other
one (evenly, by arrival order), and from then on keeps one item in 2, then 4, 8, ... So a long
run is recorded as an even sample of its steps (the kept rows are real rows, never averages, and
say which step they are), the newest item is always there, and items marked as key (the rows
that carry a test evaluation) are kept as long as they are at most half the cap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from cnnviz import limits

__all__ = ["History", "Series"]


class History:
    """At most ``cap`` items in arrival order, thinned evenly once full.

    Parameters
    ----------
    cap : int, optional
        Most items kept (at least 4); :data:`cnnviz.limits.MAX_HISTORY_ROWS` by default.
    is_key : callable, optional
        ``is_key(item) -> bool``: items to keep through thinning (while they are at most
        ``cap // 2`` of them).

    Attributes
    ----------
    stride : int
        1 until the first thinning; then only every ``stride``-th item (by arrival) is kept,
        besides key items and the newest one.
    """

    def __init__(self, cap: int | None = None, is_key: Callable[[Any], bool] | None = None):
        self.cap = max(4, int(limits.MAX_HISTORY_ROWS if cap is None else cap))
        self._is_key = is_key or (lambda _item: False)
        self._items: list[tuple[int, Any]] = []   # (arrival number, item)
        self._arrived = 0
        self._tail_is_extra = False  # the newest item is kept only because it is the newest
        self._protect_keys = True
        self.stride = 1

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Any]:
        return (item for _n, item in self._items)

    def items(self) -> list[Any]:
        """The kept items, oldest first (the same objects that were appended)."""
        return [item for _n, item in self._items]

    def arrived(self) -> int:
        """How many items were ever appended."""
        return self._arrived

    def clear(self) -> None:
        self._items.clear()
        self._arrived = 0
        self._tail_is_extra = False
        self._protect_keys = True
        self.stride = 1

    def append(self, item: Any) -> None:
        """Add the newest item; the previous newest goes if it was kept only for being newest."""
        if self._tail_is_extra:
            self._items.pop()
        number = self._arrived
        self._arrived += 1
        self._items.append((number, item))
        self._tail_is_extra = not self._kept(number, item)
        if len(self._items) > self.cap:
            self._thin()

    def extend(self, items) -> None:
        for item in items:
            self.append(item)

    def _kept(self, number: int, item: Any) -> bool:
        return number % self.stride == 0 or (self._protect_keys and self._is_key(item))

    def _thin(self) -> None:
        """Double the stride and drop the items off the new grid (the newest always stays)."""
        self.stride *= 2
        keys = sum(1 for _n, item in self._items if self._is_key(item))
        self._protect_keys = keys <= self.cap // 2
        *older, newest = self._items
        self._items = [(n, item) for n, item in older if self._kept(n, item)] + [newest]
        self._tail_is_extra = not self._kept(*newest)


class Series:
    """Rows of ``width`` numbers thinned like :class:`History`, kept in one float64 array.

    For curves: a batch of rows is added with one array operation, and :meth:`columns` returns
    the array itself, so a plot can be redrawn from it several times a second.

    Parameters
    ----------
    width : int
        Numbers per row.
    cap : int, optional
        Most rows kept; :data:`cnnviz.limits.MAX_HISTORY_ROWS` by default.
    """

    def __init__(self, width: int, cap: int | None = None):
        self.cap = max(4, int(limits.MAX_HISTORY_ROWS if cap is None else cap))
        self.width = int(width)
        self.clear()

    def __len__(self) -> int:
        return len(self._numbers)

    def clear(self) -> None:
        self._data = np.empty((0, self.width), np.float64)
        self._numbers = np.empty(0, np.int64)
        self._arrived = 0
        self.stride = 1

    def extend(self, rows) -> None:
        """Add rows, array_like shape (n, width), newest last (the newest is always kept)."""
        rows = np.asarray(rows, np.float64).reshape(-1, self.width)
        if not len(rows):
            return
        numbers = np.arange(self._arrived, self._arrived + len(rows))
        self._arrived += len(rows)
        data, kept = self._data, self._numbers
        if len(kept) and kept[-1] % self.stride:  # the old newest was kept only for that
            data, kept = data[:-1], kept[:-1]
        on_grid = numbers % self.stride == 0
        on_grid[-1] = True
        data = np.concatenate([data, rows[on_grid]])
        kept = np.concatenate([kept, numbers[on_grid]])
        while len(kept) > self.cap:
            self.stride *= 2
            on_grid = kept % self.stride == 0
            on_grid[-1] = True
            data, kept = data[on_grid], kept[on_grid]
        self._data, self._numbers = data, kept

    def append(self, row: Sequence[float]) -> None:
        self.extend([row])

    def columns(self) -> np.ndarray:
        """The kept rows, oldest first, shape (len(self), width). Read-only: a later
        :meth:`extend` makes a new array, so a plot may keep this one."""
        view = self._data.view()
        view.flags.writeable = False
        return view
