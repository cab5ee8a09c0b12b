"""Findings for part 二 of the report (存在的问题和不足): rules over the tidy indicator table.

Every rule is a small pure function ``rule_xxx(tidy, catalog, cfg, baseline=None, log=None)``
returning a list of finding dicts; :data:`RULES` lists them, so a new rule is one function.
:func:`find_problems` runs them all and returns one table with the columns of :data:`COLUMNS`
(all ``str``; ``codes`` and ``cells`` ``;``-separated, a cell cited as ``source_file!sheet!cell``).

Thresholds, tolerances, severities, categories and suggestion templates are data:
``diagnostics.csv`` of the catalog folder (``key,value,description``), the ``target`` / ``low_threshold``
columns of the catalog and its ``category`` column; ``config`` overrides any key, and
``target.<code>`` / ``low_threshold.<code>`` override the catalog's values.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pandas as pd

from ..core import compute
from ..core.catalog import FRAMEWORK_AREAS, SECTIONS, Catalog, load_catalog
from ..core.cite import SEP, cite_text, join_cites, split_cites
from ..core.numbers import format_value, round_half_up
from ..core.settings import Settings
from ..store.outputs import atomic_write_bytes, csv_bytes
from ..store.data import YearData
from .narrative import TextFigures, kept_texts, narrative_cite

__all__ = ["COLUMNS", "NARRATIVE_RULES", "RULES", "SEVERITIES", "by_category", "find_problems", "findings_table",
           "load_config", "missing_orgs", "summary", "write_findings", "year_findings"]

COLUMNS = ["rule", "severity", "section", "category", "org", "area", "codes", "evidence", "cells",
           "suggestion", "framework_area"]
SEVERITIES = ("高", "中", "低")
_LOG_COLS = ("file", "sheet", "cell", "org", "area", "code", "event", "reason")
_DQ_TEXT = {  # event → evidence (n = number of cells, example = first reason)
    "unreadable_workbook": "{file}无法读取（{example}），其中数据未能纳入统计。",
    "workbook_too_large": "{file}超出大小限制未能读取（{example}），其中数据未能纳入统计。",
    "outside_raw": "{file}指向原始数据目录之外，未予读取（{example}）。",
    "unknown_org": "{file}未能识别填报单位（{example}）。",
    "rejected": "{file}中有{n}个数值单元格无法识别或不合常理而被剔除（如{example}）。",
    "duplicate_submission": "{who}重复报送了工作簿（{file}），同一指标存在多份数据（{example}）。",
    "unmapped": "{file}中有{n}项指标名称未能对应到指标目录，相关数据暂未纳入统计（如{example}）。",
    "missing": "{file}中有{n}个单元格未填报数值（如{example}）。",
    "narrative_unreadable": "工作总结{file}无法读取（{example}），其中的工作情况未能引用到报告。",
}


def load_config(config: dict | None = None, catalog: Catalog | None = None) -> Settings:
    """``diagnostics.csv`` of the catalog's folder (:attr:`fzanalysis.core.catalog.Catalog.settings`) overridden by
    ``config``; severities are checked."""
    cfg = Settings((catalog or load_catalog()).settings)
    cfg.update({str(k): str(v) for k, v in (config or {}).items()})
    bad = [k for k, v in cfg.items() if k.startswith("severity.") and v not in SEVERITIES]
    if bad:
        raise ValueError(f"严重程度须为高/中/低：{', '.join(bad)}")
    return cfg


# -- helpers ------------------------------------------------------------------------------------
def _prepare(df: pd.DataFrame | None, catalog: Catalog) -> pd.DataFrame | None:
    """The rules read figures: :func:`compute.prepare`, rows with a value."""
    if df is None:
        return None
    out = compute.prepare(df, catalog)
    return out[out["value"].notna()].copy()


def _info(catalog: Catalog, code: str) -> dict:
    try:
        return dict(catalog.indicator_record(code))
    except KeyError:
        return {"code": code, "name": code, "unit": "", "kind": "", "direction": "higher",
                "target": float("nan"), "section": "", "framework_area": "", "category": ""}


def _fmt(value: float, unit: str = "", qualifier: str = "", nd: int | None = None) -> str:
    """Report style; with ``nd``, rounded half up as the report does (117/144 → 81.3%)."""
    value = float(value)
    if nd is not None:
        value = round_half_up(value, nd)
    return format_value(value, unit, qualifier)


def _row_text(row) -> str:
    return _fmt(row.value, row.unit, row.qualifier)


def _join(items) -> str:
    """Codes as findings.csv lists them: each once, in order, ``;`` between (the separator of cited cells too)."""
    return SEP.join(dict.fromkeys(i for i in items if i))


def _target(cfg: Settings, code: str, catalog_value) -> float | None:
    return cfg.opt_num(f"target.{code}", None if pd.isna(catalog_value) else float(catalog_value))


def _suggest(cfg: Settings, rule: str, **fields) -> str:
    class _Keep(dict):
        def __missing__(self, key):
            return ""
    return cfg.text(f"suggestion.{rule}").format_map(_Keep(fields))


def _finding(catalog: Catalog, cfg: Settings, rule: str, severity: str, codes: list[str], org: str,
             area: str, evidence: str, cells: list[str], suggestion: str, *, derived: dict | None = None,
             category: str = "", section: str = "", framework_area: str = "") -> dict:
    infos = [_info(catalog, c) for c in codes]
    first = derived or (infos[0] if infos else {})
    if not section:
        section = str(first.get("section", "")) or cfg.text("section.default", "s1")
    if not framework_area:
        framework_area = str(first.get("framework_area", "")) or cfg.text("framework_area.default")
    category = (cfg.text(f"category.rule.{rule}") or category or str(first.get("category", "") or "")
                or cfg.text(f"category.section.{section}") or cfg.text("category.default", "其他"))
    if section not in SECTIONS or framework_area not in FRAMEWORK_AREAS:
        raise ValueError(f"{rule}: 篇章或体系不在允许范围：{section}、{framework_area}")
    return {"rule": rule, "severity": severity, "section": section, "category": category, "org": org,
            "area": area, "codes": _join(codes), "evidence": evidence, "cells": join_cites(cells),
            "suggestion": suggestion, "framework_area": framework_area}


def _org_home(catalog: Catalog, org: str) -> tuple[str, str]:
    """The most common section and framework area of the codes a unit usually reports ("" if none)."""
    ind = catalog.indicators[catalog.indicators["org"] == org]
    top = [sorted(Counter(ind[c]).items(), key=lambda kv: (-kv[1], kv[0])) for c in ("section", "framework_area")]
    return tuple(t[0][0] if t else "" for t in top)


def _settled(tidy: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One row per key whose rows agree (:func:`compute.settle`); disagreeing duplicates are the
    conflicting_values rule's job, not a figure to judge."""
    keep = []
    for _, g in tidy.groupby(keys, sort=True):
        if len(g) == 1 or not compute.settle(g)[1]:
            keep.append(g.iloc[0])
    return pd.DataFrame(keep, columns=tidy.columns)


def _derived_rates(tidy: pd.DataFrame, catalog: Catalog, cfg: Settings) -> list[dict]:
    """The computed derived rates (:func:`compute.derived_rates`) with their figures in report style."""
    nd = int(cfg.num("rate_decimals"))
    out = []
    table = compute.derived_rates(tidy, catalog)
    for x in table[table["rate"].notna()].to_dict("records"):
        units = {c: _info(catalog, c)["unit"] for c, _, _ in x["inputs"]}
        cites = {c: cs for c, _, cs in x["inputs"]}
        parts = "、".join(f"{_info(catalog, c)['name']}{_fmt(v, units[c])}" for c, v, _ in x["inputs"])
        d = {k: x[k] for k in ("code", "name", "section", "target", "low_threshold", "direction", "reported_code",
                               "framework_area", "category")}
        out.append({"d": d, "org": x["org"], "rate": x["rate"], "rate_text": _fmt(x["rate"], "%", nd=nd),
                    "codes": x["num_codes"] + x["den_codes"], "cells": [c for code in x["num_codes"] + x["den_codes"] for c in cites[code]],
                    "parts": parts, "reported": x["reported"], "reported_cite": x["reported_cite"],
                    "reported_agrees": x["reported_agrees"]})
    return out


# -- rules --------------------------------------------------------------------------------------
def rule_target_shortfall(tidy, catalog, cfg, baseline=None, log=None) -> list[dict]:
    out = []
    for ind in catalog.indicators.to_dict("records"):
        target = _target(cfg, ind["code"], ind["target"])
        if target is None:
            continue
        lower = ind["direction"] == "lower"
        for r in tidy[tidy["code"] == ind["code"]].itertuples():
            gap = (r.value - target) if lower else (target - r.value)
            if gap <= 1e-9:
                continue
            sev = cfg.text("severity.target_shortfall." + ("high" if gap >= cfg.num("target_shortfall.high_gap")
                                                            else "normal"))
            who, tgt = r.area or r.org, _fmt(target, r.unit)
            word = "高于" if lower else "未达到"
            out.append(_finding(catalog, cfg, "target_shortfall", sev, [r.code], r.org, r.area,
                                f"{who}{ind['name']}为{_row_text(r)}，{word}{tgt}的目标。", [r.cite],
                                _suggest(cfg, "target_shortfall", who=who, name=ind["name"], target=tgt,
                                         next_year=cfg["next_year"])))
    return out


def rule_low_derived_rate(tidy, catalog, cfg, baseline=None, log=None) -> list[dict]:
    out = []
    for x in _derived_rates(tidy, catalog, cfg):
        d = x["d"]
        low = cfg.opt_num(f"low_threshold.{d['code']}", None if pd.isna(d["low_threshold"]) else d["low_threshold"])
        target = _target(cfg, d["code"], d["target"])
        lower = d["direction"] == "lower"
        if low is not None and ((x["rate"] > low) if lower else (x["rate"] < low)):
            sev, bar, text = "below_threshold", low, f"{'高于' if lower else '低于'}{_fmt(low, '%')}的预警线"
        elif target is not None and ((x["rate"] > target) if lower else (x["rate"] < target)):
            sev, bar, text = "below_target", target, f"未达到{_fmt(target, '%')}的目标"
        else:
            continue
        out.append(_finding(catalog, cfg, "low_derived_rate", cfg.text(f"severity.low_derived_rate.{sev}"),
                            x["codes"], x["org"], "", f"{x['parts']}，{d['name']}为{x['rate_text']}，{text}。",
                            x["cells"], _suggest(cfg, "low_derived_rate", name=d["name"].split("（")[0], threshold=_fmt(bar, "%"),
                                                 next_year=cfg["next_year"]), derived=d))
    return out


def rule_rate_inconsistent(tidy, catalog, cfg, baseline=None, log=None) -> list[dict]:
    out = []
    for x in _derived_rates(tidy, catalog, cfg):
        rep = x["d"]["reported_code"]
        if not rep or x["reported_agrees"] is not False:
            continue
        diff = abs(x["reported"] - x["rate"])
        name = _info(catalog, rep)["name"]
        ev = (f"{name}填报为{_fmt(x['reported'], '%')}，但按{x['parts']}计算为{x['rate_text']}，"
              f"相差{_fmt(diff, nd=int(cfg.num('rate_decimals')))}个百分点。")
        out.append(_finding(catalog, cfg, "rate_inconsistent", cfg.text("severity.rate_inconsistent"),
                            [rep] + x["codes"], x["org"], "", ev, split_cites(x["reported_cite"]) + x["cells"],
                            _suggest(cfg, "rate_inconsistent", org=x["org"], name=name, formula=x["d"]["name"]),
                            derived=x["d"]))
    return out


def rule_total_mismatch(tidy, catalog, cfg, baseline=None, log=None) -> list[dict]:
    out = []
    checked = compute.total_checks(tidy, catalog)
    for t in checked[~checked["agrees"].astype(bool)].drop_duplicates(["org", "code", "source_file"]).itertuples():
        ind = _info(catalog, t.code)
        s = t.parts_sum
        ev = (f"{t.org}报送的{ind['name']}合计为{_fmt(t.total, t.unit, t.qualifier)}，而{t.parts}个分项之和为"
              f"{_fmt(s, t.unit, nd=2)}，相差{_fmt(abs(t.total - s), t.unit, nd=2)}。")
        out.append(_finding(catalog, cfg, "total_mismatch", cfg.text("severity.total_mismatch"), [t.code], t.org, "",
                            ev, [t.total_cite] + t.part_cites,
                            _suggest(cfg, "total_mismatch", org=t.org, name=ind["name"])))
    return out


def _compatible(a, b) -> bool:
    return compute.same_figure(compute.figure_of(a), compute.figure_of(b))


def rule_conflicting_values(tidy, catalog, cfg, baseline=None, log=None) -> list[dict]:
    out = []
    for (code, eff), g in tidy.groupby(["code", "eff_area"], sort=True):
        rows = list(g.itertuples())
        if len(rows) < 2 or all(_compatible(a, b) for a in rows for b in rows):
            continue
        ind, orgs = _info(catalog, code), sorted(set(g["org"]))
        org = ind["org"] if ind.get("org") in orgs else orgs[0]
        kind = "between_units" if len(orgs) > 1 else "same_unit"
        where = f"{eff}的" if eff else ""
        listed = "、".join(f"{r.org}（{r.source_file}）填报{_row_text(r)}" for r in rows)
        out.append(_finding(catalog, cfg, "conflicting_values", cfg.text("severity.conflicting_values"), [code],
                            org, eff, f"{where}{ind['name']}有{len(rows)}处填报且数值不一致：{listed}。",
                            [r.cite for r in rows],
                            _suggest(cfg, "conflicting_values", org=org, name=ind["name"],
                                     others="、".join(o for o in orgs if o != org) or "各报送渠道"),
                            category=cfg.text(f"category.conflicting_values.{kind}")))
    return out


def rule_town_zero_or_lagging(tidy, catalog, cfg, baseline=None, log=None) -> list[dict]:
    towns = set(catalog.towns())
    rows = tidy[tidy["eff_area"].isin(towns)]
    groups = [g for _, g in rows[rows["area"] != ""].groupby(["org", "code", "source_file"], sort=True)]
    groups += [g for _, g in rows[rows["area"] == ""].groupby("code", sort=True)]  # the towns' own workbooks
    out, ratio = [], cfg.num("town.lagging_ratio")
    for g in groups:
        g = g.drop_duplicates("eff_area")
        ind = _info(catalog, g["code"].iloc[0])
        if ind["kind"] == "change" or ind["direction"] == "lower":
            continue
        for r in g.itertuples():
            others = g[g["eff_area"] != r.eff_area]
            med = float(others["value"].median()) if len(others) else 0.0
            if (others["value"] > 0).sum() < cfg.num("town.min_others") or med <= 0 or r.value >= ratio * med:
                continue
            kind = "zero" if r.value == 0 else "lagging"
            med_text = _fmt(med, r.unit, nd=1)
            tail = (f"其余{len(others)}个镇街中位数为{med_text}" if kind == "zero"
                    else f"不足其余{len(others)}个镇街中位数{med_text}的{_fmt(ratio * 100, '%')}")
            out.append(_finding(catalog, cfg, "town_zero_or_lagging",
                                cfg.text(f"severity.town_zero_or_lagging.{kind}"), [r.code], r.org, r.eff_area,
                                f"{r.eff_area}{ind['name']}为{_row_text(r)}，{tail}。",
                                [r.cite] + others["cite"].tolist(),
                                _suggest(cfg, "town_zero_or_lagging", who=r.eff_area, name=ind["name"])))
    return out


def missing_orgs(tidy, catalog, log=None) -> list[str]:
    """Expected units (orgs.csv) with no value and no log line this year: the one list of who is missing,
    used by this rule, ``fzanalysis status`` and the feedback forms."""
    present = set(tidy["org"]) | (set(log["org"]) if log is not None else set())
    return [org for org in catalog.expected_orgs() if org not in present]


def rule_missing_submission(tidy, catalog, cfg, baseline=None, log=None) -> list[dict]:
    out = []
    for org in missing_orgs(tidy, catalog, log):
        codes = catalog.indicators.loc[catalog.indicators["org"] == org, "code"].tolist()
        section, framework_area = _org_home(catalog, org)
        expect = f"，应报{len(codes)}项指标" if codes else ""
        out.append(_finding(catalog, cfg, "missing_submission", cfg.text("severity.missing_submission"), codes, org,
                            "", f"{org}未报送{cfg['year']}年度统计数据{expect}。", [],
                            _suggest(cfg, "missing_submission", org=org, year=cfg["year"]),
                            category=cfg.text(f"category.missing_submission.{catalog.org_kind(org)}"),
                            section=section, framework_area=framework_area))
    return out


def _yoy_pairs(tidy, baseline):
    keys = ["org", "code", "eff_area"]
    prev = _settled(baseline, keys).set_index(keys)
    for r in _settled(tidy, keys).itertuples():
        if (r.org, r.code, r.eff_area) in prev.index:
            yield r, prev.loc[(r.org, r.code, r.eff_area)]


def _past_changes(history, baseline, key, is_rate: bool, lower: bool) -> tuple[list[float], list[str], list[str]]:
    """The year-on-year changes of one figure before the baseline year, oldest first (favourable > 0: relative for
    counts and amounts, in points for rates), with the series as written and its cells."""
    if history is None or history.empty:
        return [], [], []
    org, code, eff = key
    both = pd.concat([history, baseline])
    rows = both[(both["org"] == org) & (both["code"] == code) & (both["eff_area"] == eff)]
    series = {}
    for y, g in rows.groupby(pd.to_numeric(rows["year"]), sort=True):
        value, problem = compute.settle(g)
        if not problem:
            series[int(y)] = (value, g.iloc[0])
    years = sorted(series)
    changes = []
    for a, b in zip(years, years[1:]):
        moved = compute.change(series[b][0], series[a][0], points=is_rate)
        if moved is not None and (is_rate or series[a][0] > 0):
            changes.append((-moved if lower else moved) / (1 if is_rate else 100))
    texts = [f"{y}年{_row_text(series[y][1])}" for y in years]
    return changes, texts, [series[y][1].cite for y in years if y < max(years)]


def _trend_context(cfg, changes: list[float], adverse: float) -> str:
    """'after_growth' when the figure grew for ``yoy.growth_years`` years running before this drop, 'noise' when
    it moved as much before (the mean size of its past changes times ``yoy.noise_factor`` reaches this one), else ''."""
    if not changes:
        return ""
    run = 0
    for c in reversed(changes):
        if c <= 0:
            break
        run += 1
    if run >= cfg.num("yoy.growth_years"):
        return "after_growth"
    if sum(abs(c) for c in changes) / len(changes) * cfg.num("yoy.noise_factor") >= adverse:
        return "noise"
    return ""


def rule_yoy_adverse(tidy, catalog, cfg, baseline=None, log=None, history=None) -> list[dict]:
    """同比不利变化。With the longer ``history`` (years before the baseline), a drop after ``yoy.growth_years`` years
    of growth is judged against a lower bar and rated higher; a drop no larger than the figure's usual swings is
    rated low and says so."""
    if baseline is None:
        return []
    out, nd, by = [], int(cfg.num("rate_decimals")), cfg["baseline_year"]
    items = []  # (codes, org, area, name, direction, is_rate, cur, prev, cur_text, prev_text, cells, derived)
    for r, p in _yoy_pairs(tidy, baseline):
        ind = _info(catalog, r.code)
        if ind["kind"] != "change" and not _implausible(r.value, p.value, ind, cfg):
            items.append(([r.code], r.org, r.eff_area, ind["name"], ind["direction"], ind["kind"] == "rate" or r.unit == "%",
                          r.value, p.value, _row_text(r), _row_text(p), [r.cite, p.cite], None))
    prev = {(x["d"]["code"], x["org"]): x for x in _derived_rates(baseline, catalog, cfg)}
    for x in _derived_rates(tidy, catalog, cfg):
        if (x["d"]["code"], x["org"]) in prev:
            p = prev[(x["d"]["code"], x["org"])]
            items.append((x["codes"], x["org"], "", x["d"]["name"], x["d"]["direction"], True, x["rate"], p["rate"],
                          x["rate_text"], p["rate_text"], x["cells"] + p["cells"], x["d"]))
    for codes, org, area, name, direction, is_rate, cur, old, cur_t, old_t, cells, d in items:
        moved = compute.change(cur, old, points=is_rate)  # the one 同比 rule: 百分点 for rates, % otherwise
        if moved is None or (not is_rate and old < cfg.num("yoy.min_base")):
            continue
        size = (moved if direction == "lower" else -moved) / (1 if is_rate else 100)  # > 0: the wrong way
        past, series, past_cells = ([], [], []) if d is not None or history is None else _past_changes(
            history, baseline, (org, codes[0], area), is_rate, direction == "lower")
        context = _trend_context(cfg, past, size) if size > 0 else ""
        if context == "after_growth":
            bar = cfg.num("yoy.after_growth_drop_points" if is_rate else "yoy.after_growth_drop_ratio")
        else:
            bar = cfg.num("yoy.rate_drop_points" if is_rate else "yoy.count_drop_ratio")
        if size < bar:
            continue
        how = f"{_fmt(abs(moved), nd=nd)}个百分点" if is_rate else _fmt(abs(moved), "%", nd=nd)
        move = "下降" if cur < old else "上升"
        who = area or org
        ev = f"{who}{name}为{cur_t}，较{by}年的{old_t}{move}{how}"
        ev += ("；" + cfg.text(f"yoy.text.{context}").format(n=len(past), series="、".join(series))) if context else "。"
        severity = cfg.text(f"severity.yoy_adverse.{context}") if context else cfg.text("severity.yoy_adverse")
        out.append(_finding(catalog, cfg, "yoy_adverse", severity, codes, org, area, ev, past_cells + cells,
                            _suggest(cfg, "yoy_adverse", who=who, name=name, move=move, next_year=cfg["next_year"]),
                            derived=d))
    return out


def _implausible(cur: float, old: float, ind: dict, cfg: Settings) -> bool:
    if ind["kind"] in ("rate", "change") or cur <= 0 or old <= 0 or max(cur, old) < cfg.num("yoy.implausible_min"):
        return False
    return max(cur / old, old / cur) >= cfg.num("yoy.implausible_factor")


def rule_yoy_implausible(tidy, catalog, cfg, baseline=None, log=None) -> list[dict]:
    if baseline is None:
        return []
    out = []
    for r, p in _yoy_pairs(tidy, baseline):
        ind = _info(catalog, r.code)
        if not _implausible(r.value, p.value, ind, cfg):
            continue
        f = r.value / p.value
        rel = f"是{cfg['baseline_year']}年{_row_text(p)}的{_fmt(f, nd=1)}倍" if f > 1 else \
            f"仅为{cfg['baseline_year']}年{_row_text(p)}的{_fmt(f * 100, '%', nd=1)}"
        out.append(_finding(catalog, cfg, "yoy_implausible", cfg.text("severity.yoy_implausible"), [r.code], r.org,
                            r.eff_area, f"{r.eff_area or r.org}{ind['name']}为{_row_text(r)}，{rel}，变化异常。",
                            [r.cite, p.cite], _suggest(cfg, "yoy_implausible", org=r.org, name=ind["name"])))
    return out


def rule_data_quality(tidy, catalog, cfg, baseline=None, log=None) -> list[dict]:
    if log is None or log.empty:
        return []
    gone = set(log.loc[(log["event"] == "superseded") & (log["cell"] == ""), "file"])  # a correction replaced them
    out = []
    for (file, event), g in log[~log["file"].isin(gone)].groupby(["file", "event"], sort=True):
        sev = cfg.text(f"severity.data_quality.{event}")
        if not sev or event not in _DQ_TEXT:
            continue
        orgs = sorted(set(g["org"]) - {""})
        org = orgs[0] if len(orgs) == 1 else ""
        cells = [cite_text(f, s, c) for f, s, c in zip(g["file"], g["sheet"], g["cell"]) if s and c]
        first = g.iloc[0]
        loc = "!".join(x for x in (first["sheet"], first["cell"]) if x)  # prose: where in the file named before
        example = f"{loc}：{first['reason']}" if loc and first["reason"] else (loc or first["reason"] or event)
        codes = [c for c in dict.fromkeys(g["code"]) if c in set(catalog.indicators["code"])]
        section, framework_area = ((_info(catalog, codes[0])["section"], _info(catalog, codes[0])["framework_area"])
                                   if codes else _org_home(catalog, org))
        ev = _DQ_TEXT[event].format(file=file, n=len(cells) or len(g), example=example, who=org or "同一单位")
        out.append(_finding(catalog, cfg, "data_quality", sev, [], org, "", ev, cells,
                            _suggest(cfg, "data_quality", org=org or "相关单位", file=file),
                            section=section, framework_area=framework_area))
    return out


def rule_narrative_figure(tidy, catalog, cfg, baseline=None, log=None, narrative=None) -> list[dict]:
    """A figure a unit's work text states (``narrative.csv``) that disagrees with the unit's own figure: the
    engine of check-report, every figure taken as the unit's (:mod:`fzanalysis.analysis.narrative`)."""
    texts = kept_texts(narrative)
    if texts.empty:
        return []
    figures = TextFigures(tidy, catalog)
    out = []
    for r in texts.to_dict("records"):
        for f in figures.figures(r["text"], r["org"], r["section"]):
            if f.agrees is not False:
                continue
            name = _info(catalog, f.codes[0])["name"] if f.codes[0] in set(catalog.indicators["code"]) else \
                str(catalog.derived.set_index("code").loc[f.codes[0], "name"])
            cite = narrative_cite(r["source_file"], r["where"])
            evidence = (f"{r['org']}工作情况（{Path(r['source_file']).name}，{r['where']}）写“{f.text}”，"
                        f"统计表中{name}为{f.table}。")
            out.append(_finding(catalog, cfg, "narrative_figure", cfg.text("severity.narrative_figure", "中"),
                                [f.codes[0]], r["org"], "", evidence, [cite, *f.cells],
                                _suggest(cfg, "narrative_figure", org=r["org"], name=name)))
    return out


RULES = [rule_target_shortfall, rule_low_derived_rate, rule_rate_inconsistent, rule_total_mismatch,
         rule_conflicting_values, rule_town_zero_or_lagging, rule_missing_submission, rule_yoy_adverse,
         rule_yoy_implausible, rule_data_quality, rule_narrative_figure]


def _year(df: pd.DataFrame | None) -> int | None:
    if df is None or "year" not in df or df.empty:
        return None
    years = pd.to_numeric(df["year"], errors="coerce").dropna()
    return int(years.mode().iloc[0]) if len(years) else None


def _merge_same_fact(df: pd.DataFrame, towns: set[str]) -> pd.DataFrame:
    """One finding per fact: a 镇街's own figure and the same figure in a department's 镇街 table
    (same rule, codes, evidence and 镇街) become one finding citing both cells."""
    if df.empty:
        return df
    eff_area = df["area"].where(df["area"] != "", df["org"].where(df["org"].isin(towns), ""))
    key = df["rule"] + "|" + df["codes"] + "|" + df["evidence"] + "|" + eff_area
    keep = []
    for _, group in df.groupby(key, sort=False):
        first = group.sort_values("area", ascending=False, kind="stable").iloc[0].copy()  # the row with its 镇街 in area
        first["cells"] = join_cites(c for cs in group["cells"] for c in split_cites(cs))
        first["area"] = eff_area[group.index[0]]
        keep.append(first)
    return pd.DataFrame(keep, columns=COLUMNS).reset_index(drop=True)


HISTORY_RULES = (rule_yoy_adverse,)  # rules that read the years before the baseline too
NARRATIVE_RULES = (rule_narrative_figure,)  # rules that read the work texts (narrative.csv)


def find_problems(tidy: pd.DataFrame, catalog: Catalog | None = None, baseline: pd.DataFrame | None = None,
                  log: pd.DataFrame | None = None, config: dict | None = None,
                  history: pd.DataFrame | None = None, narrative: pd.DataFrame | None = None) -> pd.DataFrame:
    """All findings of :data:`RULES` as one table with :data:`COLUMNS`, most severe first.

    ``history``: the tables of the years before the baseline year, stacked (:meth:`fzanalysis.store.years.YearsData.history`);
    the year-on-year rule then tells a drop after years of growth from the figure's usual swings. ``narrative``: the
    year's work texts (``narrative.csv``), whose figures are checked against their units' own figures."""
    catalog = catalog or load_catalog()
    cfg = load_config(config, catalog)
    towns = set(catalog.towns())
    cur, base = _prepare(tidy, catalog), _prepare(baseline, catalog)
    year = int(cfg.opt_num("year", None) or _year(tidy) or _year(log) or 0)
    if log is not None:
        log = log.copy()
        for col in _LOG_COLS:
            log[col] = log[col].fillna("").astype(str) if col in log else ""
        if year and "year" in log:
            log_years = pd.to_numeric(log["year"], errors="coerce")
            log = log[log_years.isna() | (log_years == year)]
    cfg.setdefault("year", str(year) if year else "本")
    cfg.setdefault("next_year", str(year + 1) if year else "下一")
    cfg.setdefault("baseline_year", str(_year(baseline) or (year - 1 if year else "上")))
    hist = _prepare(history, catalog) if history is not None and base is not None else None
    records = [f for rule in RULES
               for f in (rule(cur, catalog, cfg, base, log, history=hist) if rule in HISTORY_RULES
                         else rule(tidy, catalog, cfg, base, log, narrative=narrative) if rule in NARRATIVE_RULES
                         else rule(cur, catalog, cfg, base, log))]
    df = pd.DataFrame(records, columns=COLUMNS).astype(str) if records else pd.DataFrame(
        {c: pd.Series([], dtype=str) for c in COLUMNS})
    df = _merge_same_fact(df, towns)
    df["_sev"] = df["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
    df = df.sort_values(["_sev", "section", "rule", "org", "area", "codes", "evidence", "cells"], kind="stable")
    return df.drop(columns="_sev").reset_index(drop=True)


# ---------------------------------------------------------------------------- views and files
def year_findings(yr: YearData) -> pd.DataFrame:
    """A year's problem list as every reader of it gets it — the diagnostics and scorecard notebooks,
    the report's 存在的问题, the feedback forms, ``fzanalysis scorecard``: :func:`find_problems` on the year
    as opened (:class:`fzanalysis.store.data.YearData`: its catalog, its baseline, the longer history of the
    years before it and its work texts, ``narrative.csv``)."""
    return find_problems(yr.tidy, yr.catalog, yr.baseline, yr.log, history=yr.history(), narrative=yr.narrative)


DISPLAY_NAMES = {"rule": "规则", "severity": "严重程度", "section": "章节", "category": "问题类别", "org": "填报单位",
                 "area": "镇街", "codes": "指标代码", "evidence": "数据依据", "cells": "出处（文件!工作表!单元格）",
                 "suggestion": "下一年度工作建议", "framework_area": "纲要体系"}


def findings_table(findings: pd.DataFrame) -> pd.DataFrame:
    """问题清单的阅读版：中文列名，依据和建议在前，出处和代码在后（findings.csv 保持原列名；纲要体系见
    :func:`by_category`）。"""
    order = ["severity", "section", "category", "org", "area", "evidence", "suggestion", "cells", "codes", "rule"]
    return findings[order].rename(columns=DISPLAY_NAMES)


def summary(findings: pd.DataFrame) -> pd.DataFrame:
    """问题数：行为章节（s1–s6 及名称），列为严重程度 高/中/低 和 合计。"""
    index = [f"{k} {v}" for k, v in SECTIONS.items()]
    table = pd.DataFrame(0, index=pd.Index(index, name="章节"), columns=list(SEVERITIES), dtype="int64")
    for (sec, sev), n in findings.groupby(["section", "severity"]).size().items():
        table.loc[f"{sec} {SECTIONS[sec]}", sev] = int(n)
    table["合计"] = table.sum(axis=1)
    return table


def by_category(findings: pd.DataFrame) -> pd.DataFrame:
    """问题数：按问题类别和《纲要》体系。"""
    if findings.empty:
        return pd.DataFrame(columns=["问题类别", "纲要体系", "问题数", "其中高"])
    g = findings.groupby(["category", "framework_area"], sort=True)
    out = pd.DataFrame({"问题数": g.size(), "其中高": g["severity"].apply(lambda s: int((s == "高").sum()))})
    out = out.reset_index().rename(columns={"category": "问题类别", "framework_area": "纲要体系"})
    return out.sort_values(["问题数", "问题类别"], ascending=[False, True], kind="stable").reset_index(drop=True)


def write_findings(findings: pd.DataFrame, out_dir: str | Path) -> tuple[Path, Path]:
    """Write ``findings.csv`` (UTF-8 with BOM, formula-safe) and ``findings.json`` atomically."""
    out_dir = Path(out_dir)
    csv_path, json_path = out_dir / "findings.csv", out_dir / "findings.json"
    atomic_write_bytes(csv_path, csv_bytes(findings[COLUMNS]))
    records = findings[COLUMNS].to_dict(orient="records")
    atomic_write_bytes(json_path, (json.dumps(records, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    return csv_path, json_path
