"""The draft report (报告初稿): wording templates + the tidy table → a :class:`~fzanalysis.report.model.Draft`
whose every figure carries its cells.

The sentences are Jinja2 templates shipped in ``report/templates/`` (``report.j2`` includes
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

Data is data: every ``{{ … }}`` goes through ``finalize`` into a mark of :class:`~fzanalysis.report.model.Marks`
(so does what a ``{% filter %}`` or ``{% call %}`` block yields), only the template's own lines and what its
macros, blocks and recursive loops return stay markup.  Templates run in an
:class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` with the globals ``range``, ``dict`` and ``namespace`` only
and the data as plain Python values; they are loaded from inside their folders only.  Any error — syntax, an
undefined name, a runtime error, a wrong argument, recursion, a file that is not UTF-8 or holds the marks'
characters — is one :class:`~fzanalysis.core.errors.ReportError` naming the template file and line.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import jinja2
import pandas as pd
from jinja2 import nodes
from jinja2.compiler import CodeGenerator
from jinja2.loaders import split_template_path
from jinja2.runtime import BlockReference, LoopContext, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from ..analysis.diagnostics import load_config
from ..core.catalog import Catalog, load_catalog
from ..core.cite import BASELINE, CURRENT, SEP, sources_text, split_cites
from ..core.compute import all_agree, is_rate, prepare, rate_decimals, shown_rates
from ..core.compute import change as compute_change
from ..core.errors import FzError, ReportError
from ..core.files import REPORT_TEMPLATES
from ..core.numbers import format_value, round_half_up
from ..core.settings import Settings, load_settings
from .model import MARK_CHARS, Cited, Draft, MarkError, Marks, TemplateArgumentError
from .work import WorkTexts, ordinal

__all__ = ["build_draft"]
MAIN_TEMPLATE = "report.j2"
SEVERITY_ORDER = {"高": 0, "中": 1, "低": 2}


def _records(df: pd.DataFrame | None, catalog: Catalog) -> dict[tuple[str, str], list[dict]] | None:
    """The prepared table (:func:`fzanalysis.core.compute.prepare`) as ``(code, area) → rows`` with a value
    (plain dicts, each unit's in file and cell order): fast look-ups."""
    if df is None:
        return None
    prepared = prepare(df, catalog)
    index: dict[tuple[str, str], list[dict]] = {}
    for row in prepared[prepared["value"].notna()].to_dict("records"):
        index.setdefault((row["code"], row["area"]), []).append(row)
    return index


class Figures:
    """The functions templates call; every figure they print is registered as a :class:`Cited`."""

    def __init__(self, tidy: pd.DataFrame, baseline: pd.DataFrame | None, catalog: Catalog, settings: Settings,
                 marks: Marks):
        self.cur, self.base = _records(tidy, catalog), _records(baseline, catalog)
        self.by_ref = {r["cite"]: r for rows in self.cur.values() for r in rows}
        self.cat, self.settings = catalog, settings
        self.decimals = rate_decimals(catalog)  # of a rate and of a change, as the report writes them
        self.codes = set(catalog.indicators["code"])
        self.rates = shown_rates(tidy, catalog)
        self.base_rates = shown_rates(baseline, catalog) if baseline is not None else None
        self.derived = {d["code"]: d for d in catalog.derived.to_dict("records")}
        self.marks = marks
        self.cfg = load_config(None, catalog)  # the diagnostics' targets and warning lines (target.<code> overrides the catalog)

    # -- registry ------------------------------------------------------------------------------
    def _cite(self, text: str, code: str, name: str, org: str, area: str = "", cells: tuple = (),
              source: str = "", missing: bool = False) -> str:
        return self.marks.figure(text, code, name, org, area, tuple(cells), source, missing)

    def _missing(self, code: str, name: str, org: str, area: str = "", key: str = "report.placeholder") -> str:
        who = "·".join(p for p in (org, area) if p)
        return self._cite(self.settings.text(key, name=name, who=who), code, name, org, area, missing=True)

    # -- look-ups --------------------------------------------------------------------------------
    def _code(self, code_or_name: str, org: str | None) -> str | None:
        if code_or_name in self.derived or code_or_name in self.codes:
            return code_or_name
        return self.cat.resolve_indicator(code_or_name, org).code

    def name(self, code: str) -> str:
        _check("name", code)
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
        _check("has", code, org, area)
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
        hit = [r for r in rates if r["code"] == code]
        return [r for r in hit if r["org"] == self._org(code, org)] if org or len(hit) > 1 else hit

    # -- template functions ----------------------------------------------------------------------
    def fig(self, code_or_name: str, org: str | None = None, area: str = "", up: str | None = None,
            down: str | None = None) -> str:
        _check("fig", code_or_name, org, area, up, down)
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
        return self._cite(text, code, name, r["org"], area, tuple(x["cite"] for x in rows))

    def rate(self, code: str, org: str | None = None) -> str:
        _check("rate", code, org)
        if code not in self.derived and code not in self.codes:
            raise TemplateArgumentError(f"rate() 的参数应为比率的代码（derived.csv），收到 {_shown(code)}")
        row = self._rate_row(self.rates, code, org)
        name = self.name(code)
        if not row:
            return self._missing(code, name, self._org(code, org))
        r = row[0]
        return self._cite(format_value(r["rate"], "%"), code, name, r["org"], "", r["cells"], r["source"])

    def yoy(self, code_or_name: str, org: str | None = None, area: str = "", up: str | None = None,
            down: str | None = None) -> str:
        _check("yoy", code_or_name, org, area, up, down)
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
                return self._cite(text, reported, self.name(reported), r["org"], area, tuple(x["cite"] for x in rows))
        if self.base is None:
            return self._missing(reported or code, self.name(reported) if reported else f"{name}同比", who, area)
        pair = self._pair(code, org, area)
        if pair is None:
            return self._missing(code, f"{name}同比", who, area)
        (cur, cur_refs), (old, old_refs) = pair
        points = is_rate(self.cat, code)
        change = compute_change(cur, old, points)
        if change is None:
            return self.settings.text("change.no_base")
        change = round_half_up(change, self.decimals)
        source = sources_text([(CURRENT, cur_refs), (BASELINE, old_refs)])
        words = self.settings.change_words(change, "%", points, up, down, digits=self.decimals)  # computed: fixed decimals
        return self._cite(words, code, f"{name}同比变化", who, area, cur_refs + old_refs, source)

    def _pair(self, code: str, org: str | None, area: str):
        out = []
        for table, rates in ((self.cur, self.rates), (self.base, self.base_rates)):
            if code in self.derived:
                row = self._rate_row(rates, code, org)
                if not row:
                    return None
                out.append((row[0]["rate"], row[0]["cells"]))
            else:
                rows = self._rows(table, code, org, area)
                if not rows or self._conflict(rows):
                    return None
                out.append((float(rows[0]["value"]), tuple(x["cite"] for x in rows)))
        return out

    # -- part 二 and 三 -----------------------------------------------------------------------------
    def problems(self, findings: pd.DataFrame | None, name_units: bool = True) -> list[dict]:
        """Part 二's themes: the substantive findings by category (data-quality categories stay internal:
        ``report.internal_categories``), most severe theme first. A theme has its general statement
        (``report.problem.<category>``), next year's heading and measure (``report.workpoint.<category>``,
        ``report.measure.<category>``) and its ``facts``: one per figure — a target missed and a fall on last year
        on the same figure are one fact with both ``rules`` and one goal (its target, else its warning line, else
        turning the fall round). A fact's ``who`` names the 镇街 or unit only when ``name_units`` (the internal
        copy); otherwise a 镇街 is ``report.unnamed.镇街`` (有的镇街), a department ``report.unnamed.部门``, and a
        figure only its usual unit reports (the district's own, such as 法律援助办结率) names nobody."""
        if findings is None or findings.empty:
            return []
        internal = set(self.settings.list("report.internal_categories"))
        kept = findings[~findings["category"].isin(internal)]
        groups: dict[str, dict[tuple, dict]] = {}
        for f in kept.to_dict("records"):
            items = groups.setdefault(f["category"], {})
            key = (f["codes"], f["org"], f["area"])
            if key in items:
                items[key] = self._merge(items[key], f, name_units)
            else:
                items[key] = self._finding(f, name_units)
        rank = lambda item: SEVERITY_ORDER.get(item["severity"], 3)  # noqa: E731
        order = sorted(groups, key=lambda c: (min(map(rank, groups[c].values())), -len(groups[c]), list(groups).index(c)))
        out = []
        for c in order:
            items = self._together(sorted(groups[c].values(), key=lambda x: (rank(x), x["unit"] or x["who"],
                                                                              x["name"])), name_units)
            for before, item in zip(items, items[1:]):  # the same unit again: named once
                same = item["who"] and item["who"] == before["who"] and item["subject"].startswith(item["who"])
                if name_units and same:
                    item["subject"] = item["subject"][len(item["who"]):]
            text = self.settings.text
            out.append({"category": c, "facts": items, "findings": items,
                        "statement": text(f"report.problem.{c}") or text("report.problem_default", category=c),
                        "workpoint": text(f"report.workpoint.{c}") or text("report.workpoint_default", category=c),
                        "measure": text(f"report.measure.{c}") or text("report.measure_default", category=c),
                        "units": list(dict.fromkeys(u for x in items if x["unit"] and self._unnamed(x, x["code"])
                                                    for u in x["unit"].split("、"))) if name_units else [],
                        "suggestions": list(dict.fromkeys(s for x in items for s in x["suggestions"]))})
        return out

    def _together(self, items: list[dict], name_units: bool) -> list[dict]:
        """In the public copy, facts on one figure of several 镇街 (the same rules, no change to state) as one:
        有2个镇街……分别为94.7%、87.5%. The internal copy names each 镇街 with its own figure (check-report reads a
        figure as the unit named last before it)."""
        if name_units:
            return [{**item, "count": 1} for item in items]
        out: list[dict] = []
        towns = set(self.cat.towns())
        for item in items:
            town = bool(item["area"]) or item["org"] in towns
            prev = next((x for x in out if x["code"] == item["code"] and x["rules"] == item["rules"] and x.get("_town")),
                        None)
            if town and not item["change"] and prev is not None and not prev["change"]:
                prev["_units"].append(item["area"] or item["org"])
                prev["_values"].append(item["value"])
                continue
            out.append({**item, "_town": town, "_units": [item["area"] or item["org"]], "_values": [item["value"]]})
        for x in out:
            units, values = x.pop("_units"), x.pop("_values")
            x.pop("_town")
            x["count"] = len(units)
            if len(units) > 1:
                who = self.settings.text("report.unnamed.镇街_n", n=len(units))
                name = x["name"][2:] if x["name"].startswith("镇街") else x["name"]
                x.update(who=who, subject=who + name, value=_Joined(values), unit="")
        return out

    def _merge(self, item: dict, f: dict, name_units: bool) -> dict:
        other = self._finding(f, name_units)
        rules = item["rules"] + [f["rule"]]
        return {**item, "rules": rules, "change": item["change"] or other["change"],
                "target": item["target"] or other["target"], "threshold": item["threshold"] or other["threshold"],
                "severity": min(item["severity"], f["severity"], key=lambda s: SEVERITY_ORDER.get(s, 3)),
                "suggestions": item["suggestions"] + other["suggestions"]}

    def _finding(self, f: dict, name_units: bool = True) -> dict:
        codes = [c for c in str(f["codes"]).split(SEP) if c]
        derived = next((d for d, row in self.derived.items() if sorted(
            Catalog.formula_codes(row["numerator"]) + Catalog.formula_codes(row["denominator"])) == sorted(codes)), None)
        facts, seen = [], set()
        for ref in split_cites(f["cells"]):
            r = self.by_ref.get(ref)
            if r is not None and (r["code"], r["org"], r["area"]) not in seen:
                seen.add((r["code"], r["org"], r["area"]))
                facts.append({"name": self.name(r["code"]), "org": r["org"], "area": r["area"],
                              "who": r["area"] or r["org"], "token": _Lazy(self.fig, r["code"], r["org"], r["area"])})
        change = ""
        if f["rule"] == "yoy_adverse":
            change = _Lazy(self.yoy, derived or codes[0], f["org"] or None, "" if derived else f["area"])
        code = derived or (codes[0] if codes else "")
        unit = f["area"] or f["org"]
        rate = _Lazy(self.rate, derived, f["org"]) if derived else ""
        who = unit if name_units else self._unnamed(f, code)
        name = self.name(code)
        town = bool(f["area"]) or f["org"] in set(self.cat.towns())
        subject = who + (name[2:] if town and who and name.startswith("镇街") else name)
        return {**f, "rules": [f["rule"]], "facts": facts, "change": change, "code": code, "name": name,
                "subject": subject,
                "rate": rate, "value": rate or (facts[0]["token"] if facts else ""),
                "values": [x["token"] for x in facts[1:]], "others": [x["who"] for x in facts[1:]] if name_units else [],
                "unit": unit if name_units else "", "who": who,
                "target": self._goal(code, "target") if f["rule"] == "target_shortfall" else "",
                "threshold": self._goal(code, "low_threshold") if f["rule"] == "low_derived_rate" else "",
                "suggestions": [f["suggestion"]] if f["suggestion"] else []}

    def _unnamed(self, f: dict, code: str) -> str:
        """Who a fact is about in the public copy: 有的镇街 / 有的部门, or nobody for the usual unit's own figure."""
        towns = set(self.cat.towns())
        if f["area"] or f["org"] in towns:
            return self.settings.text("report.unnamed.镇街")
        try:
            usual = self._org(code, None) if code else ""
        except KeyError:  # an indicator known only by its label
            usual = ""
        if not f["org"] or f["org"] == usual:
            return ""
        return self.settings.text(f"report.unnamed.{self.cat.org_kind(f['org'])}") or self.settings.text(
            "report.unnamed.部门")

    def _goal(self, code: str, column: str) -> str:
        """A target or a warning line in the report's manner (100%, 80%), from the catalog; '' when none."""
        if not code:
            return ""
        row = self.derived.get(code)
        if row is None:
            try:
                row = self.cat.indicator_record(code)
            except KeyError:
                return ""
        value = self.cfg.opt_num(f"{column}.{code}", None if pd.isna(row.get(column)) else float(row.get(column)))
        if value is None:
            return ""
        return format_value(float(value), "%" if is_rate(self.cat, code) else str(row.get("unit", "")))


class _Joined:
    """Several figures as one text (``94.7%、87.5%``), each registered when printed."""

    def __init__(self, items: list):
        self._items = items

    def __str__(self) -> str:
        return "、".join(str(i) for i in self._items)


class _Lazy:
    """A figure registered only when a template prints it (part 二 offers more than a template may use)."""

    def __init__(self, fn, *args):
        self._fn, self._args, self._text = fn, args, None

    def __str__(self) -> str:
        if self._text is None:
            self._text = self._fn(*self._args)
        return self._text


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _check(fn: str, code: object, org: object = None, area: object = "", up: object = None,
           down: object = None) -> None:
    if not isinstance(code, str):
        raise TemplateArgumentError(f"{fn}() 的第一个参数应为指标代码或名称（文字），收到 {_shown(code)}")
    for label, value in (("org", org), ("area", area), ("up", up), ("down", down)):
        if not (isinstance(value, str) or (value is None and label != "area")):
            raise TemplateArgumentError(f"{fn}() 的 {label} 应为文字，收到 {_shown(value)}")


def _plain(value: object) -> object:
    """What a template may see of the data: Python's own str, int, float, bool, None, lists and dicts (no
    library object whose methods reach files, such as numpy's ``tofile``)."""
    if value is None or type(value) in (bool, int, float, str, _Lazy, _Joined):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    item = getattr(value, "item", None)  # a numpy or pandas scalar
    if callable(item):
        value = item()
        if type(value) in (bool, int, float, str):
            return value
    return str(value)


class _Template(str):
    """What a macro, a block or a recursive loop of a template returns: the template's own lines."""


class _Loader(jinja2.BaseLoader):
    """The templates of the given folders, the first holding a name winning.  A name is a path inside a
    folder: ``..`` is refused (:func:`jinja2.loaders.split_template_path`), so is a link leading out; a file is
    UTF-8 text without the marks' characters.  Every file read is remembered (errors are placed by it)."""

    def __init__(self, folders: list[Path]):
        self.folders = [Path(f).resolve() for f in folders]
        self.files: set[str] = set()

    def get_source(self, environment, template: str):
        pieces = split_template_path(template)
        for folder in self.folders:
            path = folder.joinpath(*pieces)
            if not path.is_file():
                continue
            if not path.resolve().is_relative_to(folder):
                raise ReportError("模板文件链接到模板目录之外，不予读取", file=str(path))
            self.files.add(str(path))
            return _template_text(path), str(path), lambda: True
        raise jinja2.TemplateNotFound(template)


def _template_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReportError(f"无法读取模板：{exc.strerror}", file=str(path)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ReportError(f"模板文件不是 UTF-8 编码（第{line}行）", file=str(path)) from None
    for n, line in enumerate(text.split("\n"), 1):
        if any(ch in line for ch in MARK_CHARS):
            raise ReportError(f"模板含有数字标记专用的字符 U+E000/U+E001（第{n}行）：数字请用 fig()/rate()/yoy() 写出",
                              file=str(path))
    return text


class _CodeGenerator(CodeGenerator):
    """What a ``{% filter %}`` or ``{% call %}`` block yields goes through ``finalize`` like any ``{{ … }}``
    (a filter may put data into the template's lines: ``replace('X', name)``)."""

    _finalize_next = False

    def start_write(self, frame, node=None) -> None:
        super().start_write(frame, node)
        self._finalize_next = isinstance(node, (nodes.FilterBlock, nodes.CallBlock))
        if self._finalize_next:
            self.write("environment.finalize(")

    def end_write(self, frame) -> None:
        if self._finalize_next:
            self.write(")")
            self._finalize_next = False
        super().end_write(frame)


class _Sandbox(ImmutableSandboxedEnvironment):
    """Templates run sandboxed: no attribute starting with ``_``, no ``str.format`` reaching one, no change
    to the data; what a macro, a block or a recursive loop returns stays the template's own markup."""

    code_generator_class = _CodeGenerator

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (jinja2's signature)
        out = super().call(__context, __obj, *args, **kwargs)
        if isinstance(__obj, (Macro, BlockReference, LoopContext)) and isinstance(out, str):
            return _Template(out)
        return out


def _environment(templates_dir: str | Path | None, marks: Marks) -> _Sandbox:
    folders = [REPORT_TEMPLATES]
    if templates_dir is not None:
        if not Path(templates_dir).is_dir():
            raise ReportError("模板目录不存在", file=str(templates_dir))
        folders.insert(0, Path(templates_dir))

    def finalize(value: object) -> str:  # every ``{{ … }}``: a mark, never markup
        return value if type(value) is _Template else marks.text(value)

    env = _Sandbox(loader=_Loader(folders), undefined=jinja2.StrictUndefined, finalize=finalize, autoescape=False,
                   trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    for name in ("lipsum", "cycler", "joiner"):  # not needed; ``range`` is the sandbox's bounded one
        env.globals.pop(name, None)
    return env


_RUNTIME = ((SecurityError, "模板访问了不允许的内容"), (jinja2.UndefinedError, "模板中有未定义的名称"),
            (jinja2.TemplateNotFound, "模板引用的文件不存在或不在模板目录内"),
            (RecursionError, "模板无限递归"), (TemplateArgumentError, "模板的参数有误"), (MarkError, "模板的数字标记无效"))


def _render(env: _Sandbox, values: dict) -> str:
    """Render the main template; any error is one :class:`ReportError` naming the template file and line."""
    try:
        return env.get_template(MAIN_TEMPLATE).render(**values)
    except FzError:
        raise
    except jinja2.TemplateSyntaxError as exc:
        raise ReportError(f"模板语法错误（第{exc.lineno}行）：{_one_line(exc.message)}",
                          file=str(exc.filename or exc.name)) from None
    except Exception as exc:  # a template's runtime error: 1//0, a wrong argument, recursion …
        file, line = _where(exc, env.loader.files)
        what = next((words for kind, words in _RUNTIME if isinstance(exc, kind)), "模板运行出错")
        if isinstance(exc, RecursionError):
            detail = "include 或 macro 调用了自身"
        elif isinstance(exc, (jinja2.TemplateError, TemplateArgumentError, MarkError)):
            detail = str(exc)
        else:
            detail = f"{type(exc).__name__}: {exc}"
        at = f"（第{line}行）" if line else ""
        raise ReportError(f"{what}{at}：{_one_line(detail)}", file=file or _main_file(env)) from None


def _where(exc: BaseException, files: set[str]) -> tuple[str, int | None]:
    """The innermost frame of a template in the traceback (jinja2 rewrites the traceback so that a template's
    frames carry its file name and line)."""
    found: tuple[str, int | None] = ("", None)
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in files:
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _main_file(env: _Sandbox) -> str:
    return next((str(f / MAIN_TEMPLATE) for f in env.loader.folders if (f / MAIN_TEMPLATE).is_file()), MAIN_TEMPLATE)


def _one_line(text: object) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= 200 else line[:199] + "…"


def build_draft(tidy: pd.DataFrame, year: int, baseline: pd.DataFrame | None = None, baseline_year: int | None = None,
                findings: pd.DataFrame | None = None, templates_dir: str | Path | None = None,
                catalog: Catalog | None = None, settings: Settings | None = None, *,
                narrative: pd.DataFrame | None = None, public: bool = False) -> Draft:
    """Render the wording templates on the data: the draft as blocks with cited figures and cited work texts
    (``narrative``: the year's ``narrative.csv``). ``public``: the copy that leaves the office — part 二 and 三 name
    no 镇街 or unit unless ``report.public_names_units`` says so."""
    catalog = catalog or load_catalog()
    settings = settings or load_settings(catalog.folder)
    marks = Marks()
    env = _environment(templates_dir, marks)
    figs = Figures(tidy, baseline if baseline_year else None, catalog, settings, marks)
    work = WorkTexts(narrative, tidy, catalog, settings, marks)
    baseline_year = int(baseline_year) if baseline is not None and baseline_year else None
    name_units = not public or settings.text("report.public_names_units").strip() in ("是", "1", "true", "True")
    values = {"year": int(year), "next_year": int(year) + 1, "baseline_year": baseline_year,
              "district": settings.text("district"), "problems": _plain(figs.problems(findings, name_units)),
              "public": bool(public), "name_units": name_units, "issuers": settings.list("report.issuers"),
              "date": settings.text("report.date").format(year=int(year), next_year=int(year) + 1),
              "fig": figs.fig, "rate": figs.rate, "yoy": figs.yoy, "name": figs.name, "has": figs.has,
              "point": work.point, "rest": work.rest, "todo": work.todo, "ordinal": ordinal}
    blocks = _renumber(marks.blocks(_render(env, values)))
    title = next((b.plain() for b in blocks if b.kind == "title"), "")
    cited = [r for b in blocks for r in b.lead + b.runs if isinstance(r, Cited)]
    return Draft(year, baseline_year, title, blocks, cited)


def _renumber(blocks: list) -> list:
    """Number what has a source (figures, work texts) 1, 2, 3 … in reading order — footnotes, comments and 数据来源
    rows without gaps — and the placeholders after them (a run a template computed but did not print is dropped)."""
    runs = list({id(r): r for b in blocks for r in b.lead + b.runs if isinstance(r, Cited)}.values())
    number = {id(r): n for n, r in enumerate([r for r in runs if not r.missing] + [r for r in runs if r.missing], 1)}

    def renum(items: list) -> list:
        return [replace(r, n=number[id(r)]) if isinstance(r, Cited) else r for r in items]

    for b in blocks:
        b.lead, b.runs = renum(b.lead), renum(b.runs)
    return blocks
