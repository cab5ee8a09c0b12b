"""The draft report (报告初稿): wording templates + the tidy table → a :class:`~fzanalysis.report_model.Draft`
whose every figure carries its cells.

The sentences are Jinja2 templates shipped in ``report_templates/`` (``report.j2`` includes
``lead.j2``, ``s1.j2`` … ``s6.j2``, ``problems.j2``, ``next_year.j2``); a folder given as
``templates_dir`` overrides them file by file. Templates call:

- ``fig(code_or_name, org=None, area="")`` — the figure in the report's style (``579件``, ``2.5万余件``);
  for a reported change (kind ``change``) the direction word and the size (``增长41.3%``; ``up=`` and
  ``down=`` change the words);
- ``rate(code, org=None)`` — a derived rate of ``derived.csv`` (``法律援助办结率``), citing the cells of
  its numerator and denominator;
- ``yoy(code, org=None, area="")`` — ``同比增长41.3%`` / ``同比下降…`` / ``与上年持平`` (rates in 个百分点):
  the change the unit reported (``changes.csv``), else computed from the baseline year;
- ``name(code)``, ``has(code, org=None, area="")``; and the values ``year``, ``next_year``,
  ``baseline_year``, ``district``, ``problems`` (part 二, from the findings), ``workpoints`` (part 三).

A figure the data lacks is a visible placeholder (``【缺数：行政处罚案件数（区市场监管局）】``), never a
number; conflicting duplicate submissions give ``【待核：……】``.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import jinja2
import pandas as pd

from .analysis import derived_rates
from .catalog import Catalog, load_catalog
from .checks import all_agree, is_rate
from .checks import change as checks_change
from .errors import ReportError
from .numbers import format_value, round_half_up
from .report_model import Cited, Draft, marker, parse_blocks
from .report_settings import Settings, load_settings

__all__ = ["TEMPLATE_DIR", "build_draft"]

TEMPLATE_DIR = Path(__file__).with_name("report_templates")
MAIN_TEMPLATE = "report.j2"
SEVERITY_ORDER = {"高": 0, "中": 1, "低": 2}


def _records(df: pd.DataFrame | None) -> dict[tuple[str, str], list[dict]] | None:
    """The table as ``(code, area) → rows`` (plain dicts, in file and cell order): fast look-ups."""
    if df is None:
        return None
    out = df.copy()
    for col in ("org", "area", "code", "unit", "qualifier", "source_file", "sheet", "cell", "raw_text"):
        out[col] = out[col].fillna("").astype(str) if col in out else ""
    out["value"] = pd.to_numeric(out["value"], errors="coerce")
    out["ref"] = out["source_file"] + "!" + out["sheet"] + "!" + out["cell"]
    index: dict[tuple[str, str], list[dict]] = {}
    for row in out[out["value"].notna()].sort_values(["source_file", "sheet", "cell"], kind="stable").to_dict("records"):
        index.setdefault((row["code"], row["area"]), []).append(row)
    return index


class Figures:
    """The functions templates call; every figure they print is registered as a :class:`Cited`."""

    def __init__(self, tidy: pd.DataFrame, baseline: pd.DataFrame | None, catalog: Catalog, settings: Settings):
        self.cur, self.base = _records(tidy), _records(baseline)
        self.by_ref = {r["ref"]: r for rows in self.cur.values() for r in rows}
        self.cat, self.settings = catalog, settings
        self.codes = set(catalog.indicators["code"])
        self.rates = derived_rates(tidy, catalog).to_dict("records")
        self.base_rates = derived_rates(baseline, catalog).to_dict("records") if baseline is not None else None
        self.derived = {d["code"]: d for d in catalog.derived.to_dict("records")}
        self.cited: dict[int, Cited] = {}

    # -- registry ------------------------------------------------------------------------------
    def _cite(self, text: str, code: str, name: str, org: str, area: str = "", cells: tuple = (),
              source: str = "", missing: bool = False) -> str:
        n = len(self.cited) + 1
        self.cited[n] = Cited(n, text, code, name, org, area, tuple(cells), source or "；".join(cells), missing)
        return marker(n)

    def _missing(self, code: str, name: str, org: str, area: str = "", key: str = "report.placeholder") -> str:
        who = "·".join(p for p in (org, area) if p)
        return self._cite(self.settings.text(key, name=name, who=who), code, name, org, area, missing=True)

    # -- look-ups --------------------------------------------------------------------------------
    def _code(self, code_or_name: str, org: str | None) -> str | None:
        if code_or_name in self.derived or code_or_name in self.codes:
            return code_or_name
        return self.cat.resolve_indicator(code_or_name, org).code

    def name(self, code: str) -> str:
        if code in self.derived:
            return str(self.derived[code]["name"])
        try:
            return str(self.cat.indicator_record(code)["name"])
        except KeyError:
            return code

    def _org(self, code: str, org: str | None) -> str:
        if org:
            return org
        if code in self.derived:
            first = Catalog.formula_codes(self.derived[code]["numerator"])[0]
            return str(self.cat.indicator_record(first)["org"])
        return str(self.cat.indicator_record(code)["org"])

    def _rows(self, table: dict | None, code: str, org: str | None, area: str) -> list[dict]:
        if table is None:
            return []
        hit = table.get((code, area), [])
        mine = [r for r in hit if r["org"] == self._org(code, org)]
        if not mine and org is None and len({r["org"] for r in hit}) == 1:
            return hit  # a figure sent by another unit keeps its code
        return mine

    def has(self, code: str, org: str | None = None, area: str = "") -> bool:
        code = self._code(code, org) or ""
        if code in self.derived:
            return bool(self._rate_row(self.rates, code, org))
        return bool(code) and bool(self._rows(self.cur, code, org, area))

    @staticmethod
    def _conflict(rows: list[dict]) -> bool:
        return not all_agree(rows)

    def _rate_row(self, rates: list[dict] | None, code: str, org: str | None) -> list[dict]:
        if rates is None:
            return []
        hit = [r for r in rates if r["代码"] == code and pd.notna(r["比率（%）"])]
        return [r for r in hit if r["填报单位"] == self._org(code, org)] if org or len(hit) > 1 else hit

    # -- template functions ----------------------------------------------------------------------
    def fig(self, code_or_name: str, org: str | None = None, area: str = "", up: str | None = None,
            down: str | None = None) -> str:
        code = self._code(code_or_name, org)
        if code is None:
            return self._missing(code_or_name, code_or_name, org or "", area)
        if code in self.derived:
            return self.rate(code, org)
        name, who = self.name(code), self._org(code, org)
        rows = self._rows(self.cur, code, org, area)
        if not rows:
            return self._missing(code, name, who, area)
        if self._conflict(rows):
            return self._missing(code, name, who, area, "report.conflict_placeholder")
        r = rows[0]
        if self.cat.indicator_record(code)["kind"] == "change":
            text = self.settings.change_words(float(r["value"]), "%", False, up, down, prefix=False)
        else:
            text = format_value(float(r["value"]), r["unit"], r["qualifier"])
        return self._cite(text, code, name, r["org"], area, tuple(x["ref"] for x in rows))

    def rate(self, code: str, org: str | None = None) -> str:
        row = self._rate_row(self.rates, code, org)
        name = self.name(code)
        if not row:
            return self._missing(code, name, self._org(code, org))
        r = row[0]
        cells = tuple(c for c in f"{r['分子出处']}；{r['分母出处']}".split("；") if c)
        return self._cite(format_value(round_half_up(float(r["比率（%）"]), 1), "%"), code, name, r["填报单位"], "",
                          cells, f"分子：{r['分子出处']}；分母：{r['分母出处']}")

    def yoy(self, code_or_name: str, org: str | None = None, area: str = "", up: str | None = None,
            down: str | None = None) -> str:
        code = self._code(code_or_name, org)
        if code is None:
            return self._missing(code_or_name, f"{code_or_name}同比", org or "", area)
        name, who = self.name(code), self._org(code, org)
        reported = self.settings.change_code(code)
        if reported:
            rows = self._rows(self.cur, reported, org, area)
            if rows and not self._conflict(rows):
                r = rows[0]
                text = self.settings.change_words(float(r["value"]), "%", False, up, down)
                return self._cite(text, reported, self.name(reported), r["org"], area, tuple(x["ref"] for x in rows))
        if self.base is None:
            return self._missing(reported or code, self.name(reported) if reported else f"{name}同比", who, area)
        pair = self._pair(code, org, area)
        if pair is None:
            return self._missing(code, f"{name}同比", who, area)
        (cur, cur_refs), (old, old_refs) = pair
        points = is_rate(self.cat, code)
        change = checks_change(cur, old, points)
        if change is None:
            return self.settings.text("change.no_base")
        change = round_half_up(change, 1)
        source = f"本年：{'；'.join(cur_refs)}；上年：{'；'.join(old_refs)}"
        return self._cite(self.settings.change_words(change, "%", points, up, down), code, f"{name}同比变化", who, area,
                          cur_refs + old_refs, source)

    def _pair(self, code: str, org: str | None, area: str):
        out = []
        for table, rates in ((self.cur, self.rates), (self.base, self.base_rates)):
            if code in self.derived:
                row = self._rate_row(rates, code, org)
                if not row:
                    return None
                r = row[0]
                out.append((float(r["比率（%）"]), tuple(c for c in f"{r['分子出处']}；{r['分母出处']}".split("；") if c)))
            else:
                rows = self._rows(table, code, org, area)
                if not rows or self._conflict(rows):
                    return None
                out.append((float(rows[0]["value"]), tuple(x["ref"] for x in rows)))
        return out

    # -- part 二 and 三 -----------------------------------------------------------------------------
    def problems(self, findings: pd.DataFrame | None) -> list[dict]:
        """Substantive findings grouped by category, most severe group first (data-quality categories
        stay internal: ``report.internal_categories``). Findings on the same figures (a target missed and
        a fall on last year) become one item listing their ``rules``."""
        if findings is None or findings.empty:
            return []
        internal = set(self.settings.list("report.internal_categories"))
        kept = findings[~findings["category"].isin(internal)]
        groups: dict[str, dict[tuple, dict]] = {}
        for f in kept.to_dict("records"):
            items = groups.setdefault(f["category"], {})
            key = (f["codes"], f["org"], f["area"])
            if key in items:
                items[key] = self._merge(items[key], f)
            else:
                items[key] = self._finding(f)
        rank = lambda item: SEVERITY_ORDER.get(item["severity"], 3)  # noqa: E731
        order = sorted(groups, key=lambda c: (min(map(rank, groups[c].values())), -len(groups[c]), list(groups).index(c)))
        out = []
        for c in order:
            items = sorted(groups[c].values(), key=rank)
            out.append({"category": c, "findings": items,
                        "workpoint": self.settings.text(f"report.workpoint.{c}")
                        or self.settings.text("report.workpoint_default", category=c),
                        "suggestions": list(dict.fromkeys(s for x in items for s in x["suggestions"]))})
        return out

    def _merge(self, item: dict, f: dict) -> dict:
        other = self._finding(f)
        return {**item, "rules": item["rules"] + [f["rule"]], "change": item["change"] or other["change"],
                "severity": min(item["severity"], f["severity"], key=lambda s: SEVERITY_ORDER.get(s, 3)),
                "suggestions": item["suggestions"] + other["suggestions"]}

    def _finding(self, f: dict) -> dict:
        codes = [c for c in str(f["codes"]).split(";") if c]
        derived = next((d for d, row in self.derived.items() if sorted(
            Catalog.formula_codes(row["numerator"]) + Catalog.formula_codes(row["denominator"])) == sorted(codes)), None)
        facts, seen = [], set()
        for ref in (c for c in str(f["cells"]).split(";") if c):
            r = self.by_ref.get(ref)
            if r is not None and (r["code"], r["org"], r["area"]) not in seen:
                seen.add((r["code"], r["org"], r["area"]))
                facts.append({"name": self.name(r["code"]), "org": r["org"], "area": r["area"],
                              "who": r["area"] or r["org"], "token": _Lazy(self.fig, r["code"], r["org"], r["area"])})
        change = ""
        if f["rule"] == "yoy_adverse":
            change = _Lazy(self.yoy, derived or codes[0], f["org"] or None, "" if derived else f["area"])
        return {**f, "rules": [f["rule"]], "who": f["area"] or f["org"], "facts": facts, "change": change,
                "name": self.name(derived or (codes[0] if codes else "")),
                "rate": _Lazy(self.rate, derived, f["org"]) if derived else "",
                "suggestions": [f["suggestion"]] if f["suggestion"] else []}


class _Lazy:
    """A figure registered only when a template prints it (part 二 offers more than a template may use)."""

    def __init__(self, fn, *args):
        self._fn, self._args, self._text = fn, args, None

    def __str__(self) -> str:
        if self._text is None:
            self._text = self._fn(*self._args)
        return self._text


def _environment(templates_dir: str | Path | None) -> jinja2.Environment:
    loaders = [jinja2.FileSystemLoader(str(TEMPLATE_DIR))]
    if templates_dir is not None:
        if not Path(templates_dir).is_dir():
            raise ReportError("模板目录不存在", file=str(templates_dir))
        loaders.insert(0, jinja2.FileSystemLoader(str(templates_dir)))
    return jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)


def build_draft(tidy: pd.DataFrame, year: int, baseline: pd.DataFrame | None = None, baseline_year: int | None = None,
                findings: pd.DataFrame | None = None, templates_dir: str | Path | None = None,
                catalog: Catalog | None = None, settings: Settings | None = None) -> Draft:
    """Render the wording templates on the data: the draft as blocks with cited figures."""
    catalog, settings = catalog or load_catalog(), settings or load_settings()
    figs = Figures(tidy, baseline if baseline_year else None, catalog, settings)
    problems = figs.problems(findings)
    values = {"year": year, "next_year": year + 1, "baseline_year": baseline_year if baseline is not None else None,
              "district": settings.text("district"), "problems": problems,
              "fig": figs.fig, "rate": figs.rate, "yoy": figs.yoy, "name": figs.name, "has": figs.has}
    try:
        text = _environment(templates_dir).get_template(MAIN_TEMPLATE).render(**values)
    except jinja2.TemplateSyntaxError as exc:
        raise ReportError(f"模板语法错误（第{exc.lineno}行）：{exc.message}", file=str(exc.filename or exc.name)) from None
    except jinja2.TemplateError as exc:
        raise ReportError(f"模板无法生成：{exc}", file=MAIN_TEMPLATE) from None
    blocks = _renumber(parse_blocks(text, figs.cited))
    title = next((b.plain() for b in blocks if b.kind == "title"), "")
    cited = [r for b in blocks for r in b.lead + b.runs if isinstance(r, Cited)]
    return Draft(year, values["baseline_year"], title, blocks, cited)


def _renumber(blocks: list) -> list:
    """Number the figures in reading order (a figure a template computed but did not print is dropped)."""
    n = 0

    def renum(runs: list) -> list:
        nonlocal n
        out = []
        for r in runs:
            if isinstance(r, Cited):
                n += 1
                r = replace(r, n=n)
            out.append(r)
        return out

    for b in blocks:
        b.lead, b.runs = renum(b.lead), renum(b.runs)
    return blocks
