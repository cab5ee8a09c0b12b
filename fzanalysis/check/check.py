"""``fzanalysis check-report``: do the figures of a finished report agree with the data? (成稿数字核对)

Each figure of the text (:mod:`fzanalysis.analysis.text_figures`) is matched to an indicator by the words
around it (:mod:`fzanalysis.analysis.text_match`, never by its value), then compared with the tidy table by
the engine's one agreement rule, :func:`fzanalysis.core.compute.agrees`:

- the unit's own total (area "") unless the sentence names a 镇街; the unit named in the sentence,
  else the catalog's usual unit; ``--org`` takes every figure as that unit's;
- duplicate submissions: the figure agrees when it agrees with one of them, else 不一致;
- a derived rate (法律援助办结率) against the rate computed from its counts (cells of both);
- a year-on-year change (同比增长41.3%) against the change the unit reported, else the change computed
  from the baseline year; its direction word must agree too.

Statuses: 一致, 不一致, 待核 (the words fit several indicators: candidates in ``note``), 无来源 (no indicator,
or no value in the data). ``report_check.csv`` has :data:`COLUMNS`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from ..analysis.text_figures import Mention, find_figures, normalise, sentence_bounds
from ..analysis.text_match import Candidate, Context, Matcher, ties
from ..core.catalog import Catalog, load_catalog
from ..core.cite import BASELINE, CURRENT, join_cites, sources_text
from ..core.compute import Figure, agrees, all_agree, change, is_rate, prepare, shown_rates
from ..core.errors import ReportError
from ..core.numbers import format_value, round_half_up
from ..core.sanitize import clean_text, mask_personal
from ..core.settings import Settings, load_prose, load_settings

__all__ = ["CHECK_FILE", "COLUMNS", "NO_SOURCE", "OK", "STATUSES", "UNSURE", "WRONG", "Tables", "check_paragraphs"]

COLUMNS = ["paragraph", "sentence", "figure_text", "value", "unit", "qualifier", "code", "org", "area",
           "table_value", "cell", "status", "note"]
STATUSES = ("一致", "不一致", "待核", "无来源")
CHECK_FILE = "report_check.csv"
OK, WRONG, UNSURE, NO_SOURCE = STATUSES
_PART = re.compile(r"^\s*[一二三四五六七八九十]+、")
_SECTION = re.compile(r"^\s*[（(]([一二三四五六])[)）]")
_CN_ORD = "一二三四五六"
MAX_SENTENCE = 500  # characters of a sentence shown beside its figure (the seed's longest has 305)
# figures in one text: a real report has a few hundred; a text dense with figures within the size bound
# (a small .docx inflating to 50 MB of "1件、") would take minutes and gigabytes — refused in one line
MAX_FIGURES = 100_000


@dataclass
class Tables:
    """The year's tidy table and its baseline as the computation core prepares them
    (:func:`fzanalysis.core.compute.prepare`: rows with a value), with their derived rates
    (:func:`fzanalysis.core.compute.derived_rates`)."""

    cur: pd.DataFrame
    base: pd.DataFrame | None = None
    year: int | None = None
    baseline_year: int | None = None
    catalog: Catalog | None = None

    def __post_init__(self) -> None:
        cat = self.catalog or load_catalog()
        self.cur = _prep(self.cur, cat)
        self.base = None if self.base is None else _prep(self.base, cat)
        self.cur_rates = _rates(self.cur, cat)
        self.base_rates = None if self.base is None else _rates(self.base, cat)


def _prep(df: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    out = prepare(df, catalog)
    return out[out["value"].notna()]


def _rates(df: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """The derived rates as a report states them (:func:`fzanalysis.core.compute.shown_rates`), ``cells`` as one list."""
    rates = pd.DataFrame(shown_rates(df, catalog), columns=["code", "org", "rate", "cells", "source"])
    rates["cells"] = [join_cites(c) for c in rates["cells"]]
    return rates


@dataclass
class _Where:
    code: str
    org: str
    area: str
    cand: Candidate


class _Checker:
    def __init__(self, tables: Tables, catalog: Catalog, settings: Settings, org: str = ""):
        self.t, self.cat, self.settings, self.fixed_org = tables, catalog, settings, org
        self.prose = load_prose(catalog.folder)
        self.matcher = Matcher(catalog, self.prose)
        self._looked_up: dict[tuple, object] = {}  # a table look-up is asked again figure after figure

    def _once(self, key: tuple, look_up):
        if key not in self._looked_up:
            self._looked_up[key] = look_up()
        return self._looked_up[key]

    # -- table look-ups ----------------------------------------------------------------------
    def _org_rows(self, df: pd.DataFrame, cand: Candidate, named_org: str, org_col: str) -> pd.DataFrame:
        if self.fixed_org:
            return df[df[org_col] == self.fixed_org]
        for org in (named_org, cand.org):
            if org and (df[org_col] == org).any():
                return df[df[org_col] == org]
        return df

    def rows(self, cand: Candidate, named_org: str, area: str, base: bool = False) -> pd.DataFrame:
        return self._once(("rows", cand.code, named_org, area, base), lambda: self._rows(cand, named_org, area, base))

    def _rows(self, cand: Candidate, named_org: str, area: str, base: bool) -> pd.DataFrame:
        table = self.t.base if base else self.t.cur
        if table is None:
            return table
        df = table[table["code"] == cand.code]
        if area:
            return df[(df["area"] == area) | ((df["org"] == area) & (df["area"] == ""))]
        return self._org_rows(df[df["area"] == ""], cand, named_org, "org")

    def rate(self, cand: Candidate, named_org: str, base: bool = False) -> pd.DataFrame:
        return self._once(("rate", cand.code, named_org, base), lambda: self._rate(cand, named_org, base))

    def _rate(self, cand: Candidate, named_org: str, base: bool) -> pd.DataFrame:
        rates = self.t.base_rates if base else self.t.cur_rates
        if rates is None:
            return rates
        return self._org_rows(rates[rates["code"] == cand.code], cand, named_org, "org")

    # -- one figure ----------------------------------------------------------------------------
    def candidates(self, text: str, mentions: list[Mention], i: int, item: int | None, ctx: Context,
                   named_org: str, kinds: set[str] | None) -> list[Candidate]:
        m = mentions[i]
        pieces = self.matcher.windows(text, mentions, i, item)
        units = None if m.change and kinds != {"change"} else {m.unit}
        return ties(self.matcher.rank(pieces, units, kinds, ctx, named_org))

    def compare(self, m: Mention, stated: Figure, cand: Candidate, named_org: str, area: str) -> dict:
        """Status of a stated figure against its indicator's value(s) in the table."""
        if cand.kind == "derived":
            hit = self.rate(cand, named_org)
            if hit is None or hit.empty:
                return self._none(cand, named_org, area, "无法由数据计算该比率")
            org, vals = self._once(("rate values", cand.code, named_org), lambda: _rate_values(hit))
            return self._verdict(m, stated, cand, org, "", vals, ("派生比率（按分子、分母计算）",) * 2)
        hit = self.rows(cand, named_org, area)
        if hit.empty:
            return self._none(cand, named_org, area, "数据中没有该指标的数值")
        orgs, vals, quals = self._once(("values", cand.code, named_org, area), lambda: _row_values(hit))
        if not area and len(orgs) > 1:
            return {"code": cand.code, "status": UNSURE, "note": f"多个单位报送了{cand.name}，请在句中写明单位",
                    **self._listing(hit)}
        notes = ("重复报送，与其中一份一致", "重复报送，与每一份都不一致") if len(vals) > 1 else ("", "")
        return self._verdict(m, stated, cand, orgs[0], area, vals, notes, quals)

    def _verdict(self, m: Mention, stated: Figure, cand: Candidate, org: str, area: str, vals: list,
                 notes: tuple[str, str], row_quals: list[str] | None = None) -> dict:
        """一致 when the stated figure agrees with one of ``vals`` (value, raw text, unit, cell); ``notes`` for
        agreeing and not."""
        quals = row_quals or [""] * len(vals)
        actual = [(Figure.from_row(v, raw, q, u), v, u, q, ref) for (v, raw, u, ref), q in zip(vals, quals)]
        sign = -1 if stated.value < 0 else 1
        magnitude = Figure(abs(stated.value), stated.unit, stated.qualifier, stated.step)

        def ok(fig: Figure) -> bool:  # 持平 (m.flat) has no direction: only the size counts
            same_dir = not m.change or m.flat or fig.value == 0 or (fig.value < 0) == (sign < 0)
            return same_dir and agrees(magnitude, Figure(abs(fig.value), fig.unit, fig.qualifier, fig.step))

        good = [a for a in actual if ok(a[0])]
        shown = good or actual
        return {"code": cand.code, "org": org, "area": area,
                "table_value": "；".join(_fmt(v, u, q) for _, v, u, q, _ in shown),
                "cell": join_cites(ref for *_, ref in shown),
                "status": OK if good else WRONG, "note": notes[0] if good else notes[1]}

    def _listing(self, hit: pd.DataFrame) -> dict:
        return {"org": "；".join(dict.fromkeys(hit["org"])), "table_value": "；".join(
            _fmt(v, u, q) for v, u, q in zip(hit["value"], hit["unit"], hit["qualifier"])), "cell": join_cites(hit["cite"])}

    def _none(self, cand: Candidate, named_org: str, area: str, why: str) -> dict:
        who = area or self.fixed_org or named_org or cand.org
        return {"code": cand.code, "org": who, "area": area, "status": NO_SOURCE,
                "note": f"{why}：{cand.name}（{who}，{self.t.year}年）"}

    def change(self, m: Mention, stated: Figure, subject: _Where | None, text: str, mentions, i, ctx,
               named_org: str) -> dict:
        direct = [] if m.flat else self.candidates(text, mentions, i, None, ctx, named_org, {"change"})
        if len(direct) == 1 and direct[0].unit == m.unit:
            return self.compare(m, stated, direct[0], named_org, "")
        own = self.candidates(text, mentions, i, None, ctx, named_org, {"count", "amount", "rate", "derived"})
        if len(own) > 1:
            return _unsure(self, m, stated, own, named_org, "")
        if own:  # 受理法律援助案件数同比增长6%: the change of the indicator named before it
            subject = _Where(own[0].code, named_org or own[0].org, "", own[0])
        if subject is None:
            return {"status": NO_SOURCE, "note": "未能确定是哪项指标的同比变化"}
        unit = m.unit
        if m.flat and is_rate(self.cat, subject.code):  # 持平 of a rate: no change in 百分点
            unit = self.prose.point_units[0]
            stated = Figure(0.0, unit, "", stated.step)
        reported = self.settings.change_code(subject.code)
        if reported and unit == "%" and not self.rows(self.matcher.by_code[reported], named_org, subject.area).empty:
            return self.compare(m, stated, self.matcher.by_code[reported], named_org, subject.area)
        computed = self._computed(subject, unit, named_org)
        if isinstance(computed, str):
            return {"code": subject.code, "org": subject.org, "area": subject.area, "status": NO_SOURCE,
                    "note": computed}
        value, cells = computed
        unit = unit if unit in self.prose.point_units else "%"
        note = f"同比变化：按{self.t.baseline_year}年数据计算"
        return self._verdict(m, stated, subject.cand, subject.org, subject.area,
                             [(value, "", stated.unit, cells)], (note, note)) | {
            "table_value": f"{'+' if value >= 0 else ''}{round_half_up(value, 2):g}{unit}"}

    def _computed(self, where: _Where, unit: str, named_org: str) -> tuple[float, str] | str:
        if self.t.base is None:
            return "没有对比年度数据，无法核对同比变化"
        cand = where.cand
        pair = []
        for base in (False, True):
            if cand.kind == "derived":
                hit = self.rate(cand, named_org, base)
                vals = list(hit["rate"]) if hit is not None else []
                refs = list(hit["cells"]) if hit is not None else []
            else:
                hit = self.rows(cand, named_org, where.area, base)
                vals, refs = list(hit["value"]), list(hit["cite"])
            agreed = cand.kind == "derived" and len(set(vals)) == 1 or \
                cand.kind != "derived" and len(vals) > 0 and all_agree(hit.to_dict("records"))
            if not agreed:
                return f"{'上年' if base else '本年'}{cand.name}没有唯一数值，无法计算同比"
            pair.append((float(vals[0]), refs[0]))
        (cur, cur_ref), (old, old_ref) = pair
        cells = sources_text([(CURRENT, [cur_ref]), (BASELINE, [old_ref])])
        if unit != "%":
            return cur - old, cells  # 个百分点 of a rate, or a count's change in its own unit
        value = change(cur, old, points=False)
        return "上年为0，无法计算同比增幅" if value is None else (value, cells)


def _row_values(hit: pd.DataFrame) -> tuple[list[str], list[tuple], list[str]]:
    """Units, (value, raw text, unit, cell) and qualifiers of an indicator's rows, as plain lists."""
    vals = list(zip((float(v) for v in hit["value"]), hit["raw_text"], hit["unit"], hit["cite"]))
    return list(dict.fromkeys(hit["org"])), vals, list(hit["qualifier"])


def _rate_values(hit: pd.DataFrame) -> tuple[str, list[tuple]]:
    """The first unit computing a derived rate, and its rates with their cells."""
    org = hit["org"].iloc[0]
    hit = hit[hit["org"] == org]
    return org, [(float(v), "", "%", source) for v, source in zip(hit["rate"], hit["source"])]


def _fmt(value: float, unit: str, qualifier: str) -> str:
    return format_value(float(value), unit, qualifier)


def _excerpt(text: str, start: int, end: int, m: Mention) -> str:
    """The sentence of a figure as ``report_check.csv`` shows it: whole, or — past :data:`MAX_SENTENCE`
    characters (a text without full stops) — the :data:`MAX_SENTENCE` characters around the figure, a cut
    end marked ``…``: one row per figure must not copy the whole text."""
    if end - start <= MAX_SENTENCE:
        return text[start:end].strip()
    lo = max(start, min(m.start - MAX_SENTENCE // 2, end - MAX_SENTENCE))
    hi = min(end, lo + MAX_SENTENCE)
    # a cut falls between clauses where one is near: never inside a number or a 联系人：姓名 the masker must
    # see whole (the excerpt is masked after it is cut)
    left = max((text.rfind(c, max(start, lo - _CUT_ROOM), lo + 1) for c in _CUT_AT), default=-1)
    right = [i for i in (text.find(c, hi - 1, min(end, hi + _CUT_ROOM)) for c in _CUT_AT) if i >= 0]
    lo = left + 1 if left >= 0 else max(start, lo - _CUT_ROOM)
    hi = min(right) + 1 if right else min(end, hi + _CUT_ROOM)
    return ("…" if lo > start else "") + text[lo:hi].strip() + ("…" if hi < end else "")


_CUT_AT, _CUT_ROOM = "，,；;。！？!?\n", 40


def _section(paragraphs: list[str]) -> list[str]:
    out, part, section = [], 0, ""
    for text in paragraphs:
        if _PART.match(text):
            part, section = part + 1, ""
        m = _SECTION.match(text)
        if m and part == 1:
            section = f"s{_CN_ORD.index(m.group(1)) + 1}"
        out.append(section)
    return out


def check_paragraphs(paragraphs: list[str], tables: Tables, catalog: Catalog | None = None,
                     settings: Settings | None = None, org: str = "") -> pd.DataFrame:
    """One row per figure (a shared figure: one row per listed item) with :data:`COLUMNS`."""
    catalog = catalog or load_catalog()
    chk = _Checker(tables, catalog, settings or load_settings(catalog.folder), org)
    rows = []
    n_figures = 0
    for p_index, (raw, section) in enumerate(zip(paragraphs, _section(paragraphs)), start=1):
        text = normalise(raw)
        mentions = find_figures(text, chk.prose)
        n_figures += len(mentions)
        if n_figures > MAX_FIGURES:
            raise ReportError(f"文中数字超过 {MAX_FIGURES} 个（第 {p_index} 段处），不像一份报告，未核对")
        resolved: dict[int, _Where] = {}
        ctx = Context(section=section, fixed_org=org)
        for i, m in enumerate(mentions):
            s_start, s_end = sentence_bounds(text, m.start)
            named_org, area = ("", "") if org else chk.matcher.named(text, s_start, m.start)
            stated = Figure.from_text(m.number_text)
            stated = Figure(m.value, stated.unit, stated.qualifier, stated.step)
            # the analyst's text is echoed masked: a phone or a name in it never reaches report_check.csv (a
            # figure that is itself a phone number shows no value either); the excerpt is bounded, so masking
            # it per figure stays linear
            shown = clean_text(m.text)
            base = {"paragraph": p_index, "sentence": clean_text(_excerpt(raw, s_start, s_end, m)),
                    "figure_text": shown,
                    "value": None if mask_personal(m.text) != m.text else m.value, "unit": m.unit,
                    "qualifier": m.qualifier}
            if m.change:
                subject = next((resolved[j] for j in range(i - 1, -1, -1) if j in resolved
                                and not mentions[j].in_brackets and mentions[j].end > s_start), None)
                rows.append({**base, **chk.change(m, stated, subject, text, mentions, i, ctx, named_org)})
                continue
            for item in (range(len(m.items)) if m.items else [None]):
                found = chk.candidates(text, mentions, i, item, ctx, named_org,
                                       {"count", "amount", "rate", "derived"})
                if not found:
                    result = {"status": NO_SOURCE, "note": "未能按上下文对应到指标"}
                elif len(found) > 1:
                    result = _unsure(chk, m, stated, found, named_org, area)
                else:
                    result = chk.compare(m, stated, found[0], named_org, area)
                    if result["status"] != NO_SOURCE:
                        resolved[i] = _Where(found[0].code, result.get("org", ""), area, found[0])
                label = text[m.items[item][0]:m.items[item][1]] if item is not None else ""
                rows.append({**base, "figure_text": clean_text(f"{m.text}（{label}）") if label else shown, **result})
    df = pd.DataFrame(rows, columns=COLUMNS) if rows else pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    for col in COLUMNS:
        if col not in ("paragraph", "value"):
            df[col] = ["" if v is None or v != v else str(v) for v in df[col]]  # v != v: NaN
    return df


def _unsure(chk: _Checker, m: Mention, stated: Figure, found: list[Candidate], named_org: str, area: str) -> dict:
    listed = [chk.compare(m, stated, c, named_org, area) for c in found]
    return {"code": "；".join(c.code for c in found), "org": "；".join(dict.fromkeys(c.org for c in found)),
            "area": area, "table_value": "；".join(r.get("table_value", "—") or "—" for r in listed),
            "cell": join_cites(r.get("cell", "") for r in listed), "status": UNSURE,
            "note": "按上下文可对应多个指标：" + "、".join(f"{c.name}（{c.org}）" for c in found)}
