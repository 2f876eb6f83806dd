"""The bench's table: one :class:`BenchRow` per figure, printed as text or as one JSON object."""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field

__all__ = ["BenchRow", "format_rows", "to_json"]


@dataclass(frozen=True)
class BenchRow:
    """One line of the table.

    ``ratio`` says how many times better cnnviz is than the reference (higher is better; the
    median over interleaved repeats), ``ratio_min`` the worst repeat. ``target`` is what the issue
    asks for; None for an informative row. ``unit`` is "x" for ratios, "%" for fractions.
    """

    what: str
    ours: str
    reference: str
    ratio: float | None
    target: float | None
    note: str = ""
    ratio_min: float | None = None
    unit: str = "x"
    data: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool | None:
        """True/False against the target; None when there is no target or no figure."""
        if self.target is None or self.ratio is None:
            return None
        return self.ratio >= self.target

    @property
    def result(self) -> str:
        return {True: "PASS", False: "FAIL", None: "info"}[self.passed]

    def with_note(self, text: str) -> BenchRow:
        return dataclasses.replace(self, note="; ".join(filter(None, (self.note, text))))

    def _figure(self, value: float | None) -> str:
        if value is None:
            return "-"
        return f"{value:.0%}" if self.unit == "%" else f"{value:.2f}x"

    def cells(self) -> tuple[str, ...]:
        target = "" if self.target is None else f">= {self._figure(self.target)}"
        return (self.what, self.ours, self.reference, self._figure(self.ratio),
                self._figure(self.ratio_min), target, self.result)


HEAD = ("what", "cnnviz", "reference", "median", "min", "target", "result")


def format_rows(rows: list[BenchRow]) -> str:
    """The table as aligned text columns, with the notes below it."""
    body = [r.cells() for r in rows]
    widths = [max(len(line[c]) for line in [HEAD, *body]) for c in range(len(HEAD))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
             for line in [HEAD, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"note ({r.what.split(':')[0]}): {r.note}" for r in rows if r.note]
    return "\n".join(lines + notes)


def _plain(value):
    """JSON-able copy: floats that are not finite become None."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "item"):  # NumPy scalars
        return _plain(value.item())
    return value


def to_json(rows: list[BenchRow], meta: dict) -> str:
    """One JSON object: ``meta`` (machine, load, versions) and every row with its raw figures."""
    return json.dumps(_plain({
        "meta": meta,
        "rows": [{"what": r.what, "cnnviz": r.ours, "reference": r.reference,
                  "ratio_median": r.ratio, "ratio_min": r.ratio_min, "target": r.target,
                  "unit": r.unit, "result": r.result, "note": r.note, "data": r.data}
                 for r in rows],
    }))
