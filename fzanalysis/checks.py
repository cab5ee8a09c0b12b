"""One computation per idea (核对口径): when two figures agree, input preparation, derived rates,
合计 against the sum of its parts.

Everything that compares, combines or recomputes figures calls this module — the cleaner (合计
rows), the analysis tables, the diagnostics, the report and ``check-report`` — so that one question
has one answer.

**Agreement.** A figure as written stands for a range of values (:class:`Span`): ``579件`` for
[578.5, 579.5), ``566.2万元`` for [5,661,500, 5,662,500), ``2.5万余件`` for [25,000, 26,000),
``超300万条`` for anything above 3,000,000, ``近1900家次`` for [1,899, 1,900], ``约`` one step either
side; a rate written with one decimal may be rounded or truncated (``81.2%`` covers [81.15, 81.3));
``100%`` is exactly 100.  A datum of the table (a value as a department sent it) is its own value
when it carries no qualifier, else the range its qualifier gives.  A stated figure agrees with a
datum when their ranges meet (:func:`agrees`); two data agree when either, read as written,
agrees with the other (:func:`same_figure`).  The only tolerance beyond the written precision is
float noise, ``agreement.rel_eps`` in ``catalog_data/diagnostics.csv``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .numbers import ValueParseError, parse_value, written_step

__all__ = ["Figure", "Span", "agrees", "same_figure"]

DEFAULT_REL_EPS = 1e-9


@dataclass(frozen=True)
class Span:
    """A range of values; an open end excludes its bound.  A point when ``lo == hi``."""

    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False

    def meets(self, other: "Span", eps: float = 0.0) -> bool:
        """True when the two ranges share a value (bounds widened by ``eps`` for float noise)."""
        lo, lo_open = max((self.lo, self.lo_open), (other.lo, other.lo_open))  # on a tie, the open end
        hi, hi_closed = min((self.hi, not self.hi_open), (other.hi, not other.hi_open))
        if lo_open or not hi_closed:
            return lo < hi  # an open end is exact: 579.5 is not in [578.5, 579.5)
        return lo <= hi + eps


@dataclass(frozen=True)
class Figure:
    """A value in base units with how it was written: unit, qualifier and the step of its last digit."""

    value: float
    unit: str = ""
    qualifier: str = ""
    step: float = 0.0  # 0: exact (a computed value, or text that gives no precision)

    @classmethod
    def from_text(cls, text: object, unit: str = "") -> "Figure":
        """A figure as written in a cell or a sentence (``2.5万余件``); raises ValueParseError."""
        pv = parse_value(text)
        if pv.value is None:
            raise ValueParseError(f"不是数值：{text!r}")
        return cls(pv.value, pv.unit or unit, pv.qualifier, written_step(text))

    @classmethod
    def from_row(cls, value: float, raw_text: object = "", qualifier: str = "", unit: str = "") -> "Figure":
        """A datum of the indicator table: its precision read from ``raw_text`` and scaled as the cleaner
        scaled the value (``566.2`` in a 万元 column is 5,662,000 written to 1,000)."""
        step = 0.0
        try:
            written = parse_value(raw_text).value if raw_text not in (None, "") else None
        except ValueParseError:
            written = None
        if written:
            step = written_step(raw_text) * abs(float(value) / written)
        return cls(float(value), unit, qualifier or "", step)

    def stated(self) -> Span:
        """The range of values this figure covers as a statement (``579件`` → [578.5, 579.5))."""
        v, s = self.value, self.step
        if self.qualifier == "余":
            return Span(v, v + s, hi_open=True) if s else Span(v, math.inf, lo_open=False)
        if self.qualifier == "超":
            return Span(v, math.inf, lo_open=True)
        if self.qualifier == "近":
            return Span(v - s, v)
        if self.qualifier == "约":
            return Span(v - s, v + s)
        if s == 0 or (self.unit == "%" and v == 100):
            return Span(v, v)  # exact: a computed value, or 100% (only 100 is 100%)
        if self.unit == "%":
            return Span(v - s / 2, v + s, hi_open=True)  # a rate may be rounded or truncated
        return Span(v - s / 2, v + s / 2, hi_open=True)  # rounded half up: 579.5 reads as 580

    def datum(self) -> Span:
        """The range a value of the table stands for: itself, unless it carries a qualifier."""
        return self.stated() if self.qualifier else Span(self.value, self.value)


def _eps(a: Figure, b: Figure, rel_eps: float) -> float:
    return rel_eps * max(1.0, abs(a.value), abs(b.value))


def agrees(stated: Figure, actual: Figure, rel_eps: float = DEFAULT_REL_EPS) -> bool:
    """Does ``stated`` (a figure as written) agree with ``actual`` (a datum, or a computed value)?"""
    return stated.stated().meets(actual.datum(), _eps(stated, actual, rel_eps))


def same_figure(a: Figure, b: Figure, rel_eps: float = DEFAULT_REL_EPS) -> bool:
    """Do two data agree (a duplicate submission, a 合计 and its parts …)?  Either read as written
    agrees with the other: ``566.2万元`` and 5,662,340 agree; 579 and 580 do not."""
    return agrees(a, b, rel_eps) or agrees(b, a, rel_eps)
