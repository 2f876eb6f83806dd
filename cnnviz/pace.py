"""How fast a run goes: full speed, or a pace slow enough to watch filters form step by step.

Why: on the small built-in data sets a whole run takes under a second at full speed, which is too
fast to see anything. At 5 steps a second a learner can follow each batch's effect on the filters
and the loss. The maths here is Qt-free; the studio's worker does the waiting (on its stop event,
so Stop stays instant).
"""

from __future__ import annotations

import math
from enum import Enum

__all__ = ["Pace", "Pacer", "paced_seconds_left"]


class Pace(Enum):
    """A training pace; ``value`` is the steps per second, None for full speed."""

    FULL = None
    FAST = 100.0
    MEDIUM = 20.0
    SLOW = 5.0

    @property
    def steps_per_second(self) -> float | None:
        return self.value

    @property
    def label(self) -> str:
        """What the pace control shows: "Full speed" or "20 steps/s"."""
        return "Full speed" if self.value is None else f"{self.value:g} steps/s"

    @property
    def key(self) -> str:
        """A stable name to remember the choice by ("full", "100", "20", "5")."""
        return "full" if self.value is None else f"{self.value:g}"

    @classmethod
    def from_key(cls, key: str) -> Pace:
        """The pace named by :attr:`key`; ValueError for any other text."""
        for pace in cls:
            if pace.key == key:
                return pace
        raise ValueError(f"unknown pace {key!r}; choose one of "
                         f"{', '.join(p.key for p in cls)}")


class Pacer:
    """Says how long to wait after each step so that steps start at most ``rate`` per second.

    Parameters
    ----------
    steps_per_second : float or None
        None (or inf) means full speed: never wait.

    Notes
    -----
    A step that took ``t`` seconds is followed by a wait of ``max(0, 1 / rate - t)``, so slow
    steps are not slowed further and the period between step starts is ``max(t, 1 / rate)``.
    """

    def __init__(self, steps_per_second: float | None = None) -> None:
        self.steps_per_second = steps_per_second

    @property
    def steps_per_second(self) -> float | None:
        return self._rate

    @steps_per_second.setter
    def steps_per_second(self, rate: float | None) -> None:
        if rate is not None and not (isinstance(rate, (int, float)) and rate > 0):
            raise ValueError(f"a pace must be a positive number of steps per second, got {rate!r}")
        self._rate = None if rate is None or math.isinf(rate) else float(rate)

    @property
    def period(self) -> float:
        """Seconds from one step's start to the next's at this pace (0 at full speed)."""
        return 0.0 if self._rate is None else 1.0 / self._rate

    def wait_after(self, step_seconds: float) -> float:
        """Seconds to wait after a step that took ``step_seconds`` (never negative)."""
        return max(0.0, self.period - max(float(step_seconds), 0.0))


def paced_seconds_left(compute_seconds_left: float, steps_left: int,
                       steps_per_second: float | None) -> float:
    """The time left of a run: the computing time, or the paced time if that is longer.

    Parameters
    ----------
    compute_seconds_left : float
        What the trainer extrapolates from its own speed (pauses and waits excluded).
    steps_left : int
    steps_per_second : float or None
        The pace; None is full speed.
    """
    if steps_per_second is None:
        return compute_seconds_left
    return max(compute_seconds_left, max(steps_left, 0) / steps_per_second)
