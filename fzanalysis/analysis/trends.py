"""Trends over every available year (多年趋势): one row per figure, one column per year, CAGR where it means something.

:func:`trend_table` reads the stacked tables of :func:`fzanalysis.store.data.load_years` (a unit's own
figures, area ""); a year's duplicate submissions are settled by :func:`fzanalysis.core.compute.settle`
(conflicting ones give no value that year and say so). ``年均增长率（%）`` is the compound annual
growth rate ``(last / first) ** (1 / years between) − 1`` — only for counts and amounts with at least
``trend.min_years`` years (``diagnostics.csv``) and a positive first and last value; a rate moves in
百分点, never in %, so its row gives the change in points instead. :func:`fzanalysis.analysis.charts.trend_lines`
draws one small line chart per figure.
"""
from __future__ import annotations

import pandas as pd

from ..core import compute
from ..core.catalog import Catalog, load_catalog
from ..core.numbers import round_half_up

__all__ = ["TREND_COLUMNS_HEAD", "TREND_COLUMNS_TAIL", "cagr", "min_years", "trend_table"]

TREND_COLUMNS_HEAD = ["指标", "填报单位", "计量单位"]
TREND_COLUMNS_TAIL = ["年均增长率（%）", "变化（百分点）", "说明", "代码"]


def cagr(first: float, last: float, span: int) -> float:
    """Compound annual growth rate in % over ``span`` years; NaN when it has no meaning."""
    if span <= 0 or not first > 0 or not last > 0:
        return float("nan")
    return ((last / first) ** (1 / span) - 1) * 100


def min_years(catalog: Catalog) -> int:
    return int(float(catalog.settings.get("trend.min_years", "3")))


def trend_table(tidy_all: pd.DataFrame, section: str | None = None, catalog: Catalog | None = None,
                codes: list[str] | None = None) -> pd.DataFrame:
    """多年趋势：每个单位的本级数（area 为空）一行，每年一列；计数和金额给出年均增长率，比率给出首末年变化（百分点）。"""
    cat = catalog or load_catalog()
    df = compute.prepare(tidy_all, cat)
    df = df[(df["area"] == "") & df["value"].notna()]
    if section is not None:
        df = df[df["section"] == section]
    if codes is not None:
        df = df[df["code"].isin(codes)]
    years = sorted(int(y) for y in pd.to_numeric(df["year"]).unique())
    nd = compute.rate_decimals(cat)
    rank = {c: i for i, c in enumerate(cat.indicators["code"])}
    org_rank = {o: i for i, o in enumerate(cat.orgs["org"])}
    rows = []
    for (org, code), g in sorted(df.groupby(["org", "code"]), key=lambda kv: (rank.get(kv[0][1], 1e9),
                                                                               org_rank.get(kv[0][0], 1e9))):
        ind = cat.indicator_record(code) if code in rank else {"name": code, "kind": "", "unit": g["unit"].iloc[0]}
        values, notes = {}, []
        for y in years:
            part = g[pd.to_numeric(g["year"]) == y]
            if part.empty:
                continue
            value, problem = compute.settle(part)
            if problem:
                notes.append(f"{y}年{problem}")
            else:
                values[y] = value
        have = sorted(values)
        growth, points = float("nan"), float("nan")
        rate = compute.is_rate(cat, code, str(g["unit"].iloc[0]))
        if len(have) >= 2 and rate:
            points = round_half_up(compute.change(values[have[-1]], values[have[0]], points=True), nd)
        if not rate and ind["kind"] in ("count", "amount"):
            if len(have) < min_years(cat):
                notes.append(f"不足{min_years(cat)}年，不计算年均增长率")
            elif not (values[have[0]] > 0 and values[have[-1]] > 0):
                notes.append("首年或末年为0，不计算年均增长率")
            else:
                growth = round_half_up(cagr(values[have[0]], values[have[-1]], have[-1] - have[0]), nd)
        elif rate:
            notes.append("比率按百分点比较，不计算年均增长率")
        rows.append({"指标": ind["name"], "填报单位": org, "计量单位": ind["unit"],
                     **{f"{y}年": values.get(y, float("nan")) for y in years},
                     "年均增长率（%）": growth, "变化（百分点）": points, "说明": "；".join(notes), "代码": code})
    columns = TREND_COLUMNS_HEAD + [f"{y}年" for y in years] + TREND_COLUMNS_TAIL
    out = pd.DataFrame(rows, columns=columns)
    out.attrs["years"] = years
    return out
