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
agrees with the other (:func:`same_figure`).  The tolerance is the precision the figure was written
to — data, not a setting; beyond it only float noise (10⁻⁹ relative) is allowed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Mapping

import pandas as pd

from .catalog import Catalog
from .cite import DENOMINATOR, NUMERATOR, cite_text, join_cites, sources_text
from .errors import ValueParseError
from .numbers import parse_value, round_half_up, written_step

__all__ = ["Figure", "Span", "agrees", "all_agree", "change", "derived_rates", "figure_of", "is_rate", "prepare",
           "rate_decimals", "same_figure", "shown_rates", "settle", "summable", "total_check_rows", "total_checks"]

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
    """Does ``stated`` (a figure as written) agree with ``actual`` (a datum, or a computed value)? A value
    past the float range (a number of 400 digits in a text) agrees with nothing: its tolerance is infinite."""
    if not (math.isfinite(stated.value) and math.isfinite(actual.value)):
        return False
    return stated.stated().meets(actual.datum(), _eps(stated, actual, rel_eps))


def same_figure(a: Figure, b: Figure, rel_eps: float = DEFAULT_REL_EPS) -> bool:
    """Do two data agree (a duplicate submission, a 合计 and its parts …)?  Either read as written
    agrees with the other: ``566.2万元`` and 5,662,340 agree; 579 and 580 do not."""
    return agrees(a, b, rel_eps) or agrees(b, a, rel_eps)


# ------------------------------------------------------------------------------ input preparation
TEXT_COLUMNS = ("org", "area", "indicator", "code", "section", "unit", "qualifier", "source_file", "sheet", "cell",
                "raw_text")


def prepare(tidy: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """The indicator table as every computation reads it (also when read back from CSV).

    Text columns are ``str`` and never NaN; ``value`` is float (an unreadable value stays NaN: callers
    say why, nothing becomes 0); ``cite`` is ``source_file!sheet!cell`` (:func:`fzanalysis.core.cite.cite_text`); ``eff_area`` is the 镇街 a row
    is about — its area, or its org when the org is itself a 镇街 (a 镇街's own workbook).
    """
    df = tidy.copy()
    for col in TEXT_COLUMNS:
        df[col] = df[col].fillna("").astype(str) if col in df else ""
    df["value"] = pd.to_numeric(df["value"], errors="coerce").astype("float64") if "value" in df else float("nan")
    towns = set(catalog.towns())
    df["eff_area"] = df["area"].where(df["area"] != "", df["org"].where(df["org"].isin(towns), ""))
    df["cite"] = [cite_text(f, s, c) for f, s, c in zip(df["source_file"], df["sheet"], df["cell"])]
    return df.sort_values(["org", "code", "area", "source_file", "sheet", "cell"], kind="stable").reset_index(drop=True)


def figure_of(row) -> Figure:
    """The :class:`Figure` of one prepared row (a namedtuple or a mapping with value, raw_text …)."""
    get = row.get if isinstance(row, Mapping) else (lambda k: getattr(row, k))
    return Figure.from_row(get("value"), get("raw_text"), get("qualifier"), get("unit"))


def settle(rows: pd.DataFrame) -> tuple[float, str]:
    """The one value of rows that should agree (a unit's duplicate submissions of one figure).

    Returns ``(value, problem)``: the first row's value (by file, sheet, cell) when every row agrees
    with every other by :func:`same_figure`; NaN and ``"重复报送且数值不一致"`` when any two disagree;
    NaN and ``"缺少数据"`` when there is no value.
    """
    rows = rows[rows["value"].notna()]
    if rows.empty:
        return float("nan"), "缺少数据"
    if all_agree(rows.to_dict("records")):
        return float(rows["value"].iloc[0]), ""
    return float("nan"), "重复报送且数值不一致"


def all_agree(rows: Iterable[Mapping]) -> bool:
    """True when every row (value, raw_text, qualifier, unit) agrees with every other (:func:`same_figure`)."""
    figures = [figure_of(r) for r in rows]
    return all(same_figure(a, b) for i, a in enumerate(figures) for b in figures[i + 1:])


# ------------------------------------------------------------------------------ year on year
def is_rate(catalog: Catalog, code: str, unit: str = "") -> bool:
    """A rate (or a derived rate): its change is in 百分点, never in %."""
    if code in set(catalog.derived["code"]):
        return True
    try:
        return catalog.indicator_record(code)["kind"] in ("rate", "change") or catalog.indicator_record(code)["unit"] == "%"
    except KeyError:
        return unit == "%"


def change(cur: float, old: float, points: bool) -> float | None:
    """同比: for a rate the change in 百分点 (cur − old); for a count or amount the change in % of the
    year before — None when that year was 0 (no growth rate from nothing)."""
    if points:
        return cur - old
    if old == 0:
        return None
    return (cur - old) / old * 100


# ------------------------------------------------------------------------------ derived rates
RATE_FIELDS = ["code", "name", "section", "org", "rate", "numerator", "denominator", "problems", "inputs",
               "num_codes", "den_codes", "target", "low_threshold", "direction", "reported_code", "reported",
               "reported_cite", "reported_agrees", "framework_area", "category"]


def rate_decimals(catalog: Catalog) -> int:
    """Decimals of a computed rate wherever it is shown (tables, findings, report): catalog data."""
    return int(float(catalog.settings.get("rate_decimals", "1")))


def _input(own: pd.DataFrame, org: str, code: str, catalog: Catalog) -> tuple[float, list[str], str]:
    rows = own[(own["org"] == org) & (own["code"] == code)]
    name = catalog.indicator_name(code)
    if rows.empty:
        return float("nan"), [], f"缺少输入：{name}（{code}）"
    value, problem = settle(rows)
    return value, rows["cite"].tolist(), f"{name}（{code}）{problem}" if problem else ""


def derived_rates(tidy: pd.DataFrame, catalog: Catalog, section: str | None = None) -> pd.DataFrame:
    """派生比率 of ``catalog.derived`` (分子指标之和 / 分母指标之和 × 100), one row per rate and reporting unit.

    A unit's own figures (area "") are used; a rate is computed for every unit that sent any of its
    inputs (or, when none did, for the catalog's usual unit, so the gap shows).  ``rate`` is NaN with
    ``problems`` saying why when an input is missing, duplicates disagree or the denominator is 0.
    ``rate`` is unrounded; show it with :func:`rate_decimals` places, rounded half up.
    ``inputs`` lists ``(code, value, cites)`` denominator first, then numerator.  ``reported`` is the
    unit's reported rate (``reported_code``) and ``reported_agrees`` whether it agrees with ``rate``.
    """
    df = prepare(tidy, catalog)
    own = df[df["area"] == ""]
    derived = catalog.derived if section is None else catalog.derived[catalog.derived["section"] == section]
    org_rank = {o: i for i, o in enumerate(catalog.orgs["org"])}
    out = []
    for d in derived.to_dict("records"):
        num_codes, den_codes = catalog.formula_codes(d["numerator"]), catalog.formula_codes(d["denominator"])
        present = own.loc[own["code"].isin(num_codes + den_codes), "org"].unique().tolist()
        orgs = sorted(present, key=lambda o: (org_rank.get(o, len(org_rank)), o)) or \
            [catalog.indicator_record(num_codes[0])["org"]]
        for org in orgs:
            inputs, problems, sums = [], [], {}
            for part, codes in (("den", den_codes), ("num", num_codes)):
                total = 0.0
                for code in codes:
                    value, cites, problem = _input(own, org, code, catalog)
                    inputs.append((code, value, cites))
                    problems += [problem] if problem else []
                    total += value
                sums[part] = total
            if not problems and sums["den"] == 0:
                problems.append("分母为0，无法计算比率")
            rate = float("nan") if problems else sums["num"] / sums["den"] * 100
            reported, rep_cite, rep_agrees = float("nan"), "", None
            if d["reported_code"]:
                rep = own[(own["code"] == d["reported_code"]) & (own["org"] == org)]
                rep = rep if not rep.empty else own[own["code"] == d["reported_code"]]
                if not rep.empty:
                    reported, rep_problem = settle(rep)
                    rep_cite = join_cites(rep["cite"])
                    if rep_problem:
                        problems.append(f"报告值：{catalog.indicator_name(d['reported_code'])}{rep_problem}")
                    elif pd.notna(rate):
                        rep_agrees = agrees(figure_of(rep.iloc[0]), Figure(rate, "%"))
            out.append({
                "code": d["code"], "name": d["name"], "section": d["section"], "org": org, "rate": rate,
                "numerator": sums["num"], "denominator": sums["den"], "problems": problems, "inputs": inputs,
                "num_codes": num_codes, "den_codes": den_codes, "target": d["target"],
                "low_threshold": d["low_threshold"], "direction": d["direction"],
                "reported_code": d["reported_code"], "reported": reported, "reported_cite": rep_cite,
                "reported_agrees": rep_agrees, "framework_area": d["framework_area"], "category": d["category"],
            })
    return pd.DataFrame(out, columns=RATE_FIELDS)


def shown_rates(tidy: pd.DataFrame, catalog: Catalog) -> list[dict]:
    """The derived rates the data give (:func:`derived_rates`, those with a value) as a report states them:
    ``code``, ``org``, ``rate`` rounded half up to :func:`rate_decimals` places, ``cells`` (its numerator's, then
    its denominator's) and ``source`` (``分子：…；分母：…``, :func:`fzanalysis.core.cite.sources_text`)."""
    nd = rate_decimals(catalog)
    out = []
    for x in derived_rates(tidy, catalog).to_dict("records"):
        if pd.isna(x["rate"]):
            continue
        cites = {code: c for code, _, c in x["inputs"]}
        num = [c for code in x["num_codes"] for c in cites[code]]
        den = [c for code in x["den_codes"] for c in cites[code]]
        out.append({"code": x["code"], "org": x["org"], "rate": round_half_up(x["rate"], nd),
                    "cells": tuple(dict.fromkeys(num + den)),
                    "source": sources_text([(NUMERATOR, num), (DENOMINATOR, den)])})
    return out


# ------------------------------------------------------------------------------ 合计 and its parts
TOTAL_FIELDS = ["org", "code", "source_file", "unit", "qualifier", "total", "total_cite", "total_text", "parts_sum", "parts",
                "part_cites", "agrees"]


def summable(catalog: Catalog, code: str, unit: str = "") -> bool:
    """Counts and amounts add up; rates and changes never do (a 合计 of rates is not their sum)."""
    try:
        kind = catalog.indicator_record(code)["kind"]
    except KeyError:
        return unit != "%"
    return kind in ("count", "amount")


def total_checks(tidy: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """Each 合计 (a unit's own figure, area "") against the sum of its parts in the same file.

    Parts are the file's rows of that unit and indicator with an area, one per area (the first when
    an area repeats); when some parts are 镇街, only the 镇街 count (a 村/社区 breakdown is not added
    to them).  ``agrees`` is :func:`agrees` of the 合计 as written with the range the parts' sum covers.
    Rates and changes are never summed.
    """
    df = prepare(tidy, catalog)
    return pd.DataFrame(total_check_rows(df[df["value"].notna()].to_dict("records"), catalog), columns=TOTAL_FIELDS)


def total_check_rows(rows: list[Mapping], catalog: Catalog) -> list[dict]:
    """:func:`total_checks` over rows of the indicator table as plain mappings (what the cleaner holds
    before it builds the table): the same rule, without a DataFrame per group."""
    groups: dict[tuple, dict[str, list]] = {}
    for r in rows:
        key = (r["org"], r["code"], r["source_file"])
        groups.setdefault(key, {"totals": [], "parts": []})["parts" if r["area"] else "totals"].append(r)
    towns = set(catalog.towns())
    out = []
    for (org, code, src), g in sorted(groups.items()):
        totals, parts = g["totals"], g["parts"]
        if not totals or not parts or not summable(catalog, code, str(totals[0]["unit"])):
            continue
        if any(p["area"] in towns for p in parts):
            parts = [p for p in parts if p["area"] in towns]
        parts = list({p["area"]: p for p in reversed(parts)}.values())[::-1]  # the first row of each area
        spans = [figure_of(p).datum() for p in parts]
        parts_span = Span(sum(s.lo for s in spans), sum(s.hi for s in spans),
                          any(s.lo_open for s in spans), any(s.hi_open for s in spans))
        cites = [_cite(p) for p in parts]
        for t in totals:
            fig = figure_of(t)
            ok = fig.stated().meets(parts_span, DEFAULT_REL_EPS * max(1.0, abs(fig.value), abs(parts_span.lo)))
            out.append({"org": org, "code": code, "source_file": src, "unit": t["unit"], "qualifier": t["qualifier"],
                        "total": t["value"], "total_cite": _cite(t), "total_text": t["raw_text"],
                        "parts_sum": float(sum(p["value"] for p in parts)), "parts": len(parts),
                        "part_cites": cites, "agrees": ok})
    return out


def _cite(row: Mapping) -> str:
    return cite_text(row["source_file"], row["sheet"], row["cell"])
