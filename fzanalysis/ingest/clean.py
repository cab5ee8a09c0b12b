"""Raw workbooks → tidy indicator table + cleaning log (清洗).

``clean_workbook`` turns one workbook into rows, unmapped rows and log events; ``clean_year``
does every workbook of a year folder and adds the cross-file checks (duplicate submissions);
:func:`fzanalysis.store.data.run_clean` writes the outputs of DESIGN.md §3 per year.  A workbook that cannot be read at
all is logged with a one-line reason and every other workbook is still processed.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Mapping

import pandas as pd

from ..core.catalog import Catalog, load_catalog
from ..core.cite import parse_cite
from ..core.compute import total_check_rows
from ..core.errors import FzError, ParameterError, ValueParseError, WorkbookTooLarge
from ..core.files import PRODUCT_FILES
from ..core.numbers import ParsedValue, format_value, parse_value
from ..core.sanitize import (clean_names, clean_text, has_controls, is_personal_value, strip_controls,
                             use_catalog_folder)
from ..core.settings import load_texts
from .grid import Record
from .log import KEPT, REJECTED, SET_ASIDE, Event, FileResult, events_frame, ledger_event
from .narrative import NARRATIVE_COLUMNS, WorkWords, is_work_sheet, load_work_words, read_summary, read_work_sheet, \
    source_event, summary_files
from .resubmission import MANIFEST, settle_resubmissions
from .tables import scan_sheet
from .workbook import SPREADSHEET_SUFFIXES, Limits, Workbook, read_workbook

__all__ = ["DUPLICATES_NAMED", "GRID_WARNING", "INDICATOR_COLUMNS", "NUMBER_GRID", "UNMAPPED_COLUMNS", "CleanResult",
           "clean_workbook", "clean_year", "discover", "resolve_workbook_org", "year_files"]

INDICATOR_COLUMNS = [
    "year", "org", "area", "indicator", "code", "section", "value", "unit", "qualifier",
    "source_file", "sheet", "cell", "raw_text",
]
UNMAPPED_COLUMNS = [
    "year", "org", "area", "label", "value", "unit", "qualifier", "source_file", "sheet", "cell", "raw_text", "reason",
]


@dataclass
class CleanResult:
    """A cleaned year: its rows as plain dicts (what is written) and, on demand, as DataFrames."""

    year: int
    rows: list[dict]  # the indicator table, INDICATOR_COLUMNS
    unmapped_rows: list[dict]  # UNMAPPED_COLUMNS
    events: list[dict]  # the cleaning log, LOG_COLUMNS without year (ledger rows included)
    failed: list[str]  # one line per workbook that could not be read
    narrative_rows: list[dict] = field(default_factory=list)  # the work texts, NARRATIVE_COLUMNS (ingest.narrative)

    @cached_property
    def indicators(self) -> pd.DataFrame:
        return _frame(self.rows, INDICATOR_COLUMNS)

    @cached_property
    def unmapped(self) -> pd.DataFrame:
        return _frame(self.unmapped_rows, UNMAPPED_COLUMNS)

    @cached_property
    def log(self) -> pd.DataFrame:
        return events_frame(self.year, self.events)

    @cached_property
    def narrative(self) -> pd.DataFrame:
        return pd.DataFrame(self.narrative_rows, columns=NARRATIVE_COLUMNS).astype({"year": "int64"})

    def outcomes(self) -> Counter:
        """How many log rows have each outcome (kept values are rows of the table, not log rows)."""
        return Counter(e.get("outcome", "") for e in self.events)


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=columns)
    return df.astype({"year": "int64", "value": "float64"})


# ------------------------------------------------------------------------------ helpers
def _raw_text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    return "" if v is None else str(v)


def _skipped_reason(rows: list[list[object]]) -> str:
    """Why a sheet gave no table; a sheet that holds a grid of numbers says so (a warning to check)."""
    filled = [v for row in rows for v in row if v is not None and str(v).strip()]
    if not filled:
        return "空工作表"
    numbers = sum(1 for v in filled if isinstance(v, (int, float)) and not isinstance(v, bool))
    if numbers >= NUMBER_GRID:
        return f"{GRID_WARNING} {numbers} 个数值：请检查表头（指标/项目、镇街等）是否齐全"
    return "未找到数据表（说明页或无表头）"


NUMBER_GRID = 4  # a sheet with this many numbers and no table found is worth a warning
GRID_WARNING = "未找到数据表，但工作表中有"


def resolve_workbook_org(texts: list[str], file_name: str, catalog: Catalog) -> tuple[str, bool]:
    """(org, resolved): 填报单位 line first, then titles, then the file name."""
    for text in [*texts, Path(file_name).stem]:
        org = catalog.resolve_org(text)
        if org:
            return org, True
    fallback = next((t for t in texts if t), Path(file_name).stem)
    return clean_text(fallback.strip())[:40], False  # masked whole first: a cut never leaves half a number


class _FileCleaner:
    """Cleans the records of one readable workbook."""

    def __init__(self, book: Workbook, rel: str, year: int, catalog: Catalog, words: WorkWords | None = None):
        self.book, self.rel, self.year, self.catalog = book, rel, year, catalog
        self.words = words or load_work_words()
        self.vocab = catalog.vocabulary
        self.res = FileResult(rel, "")
        # sheet names are cited everywhere: cleaned once (personal data masked, ~n keeps them apart)
        self.sheet_names = clean_names([s.name for s in book.sheets] + list(book.hidden))
        self.sheet_area = ""  # the area the sheet being cleaned is named after ('' if none)

    def event(self, event: str, reason: str, rec: Record | None = None, **kw) -> None:
        if rec is not None:
            kw.setdefault("sheet", rec.sheet)
            kw.setdefault("cell", rec.cell)
        kw["sheet"] = self.sheet_names.get(kw.get("sheet", ""), kw.get("sheet", ""))
        if kw.get("outcome") == REJECTED:
            self.res.rejected += 1
        elif kw.get("outcome") == SET_ASIDE:
            self.res.set_aside += 1
        self.res.events.append(Event(self.rel, event, reason, org=self.res.org, **kw))

    def run(self) -> FileResult:
        scans = []
        work_sheets = [s for s in self.book.sheets if is_work_sheet(s.name, self.words)]  # text, not figures
        for sheet in self.book.sheets:
            if sheet in work_sheets:
                continue
            scan = scan_sheet(sheet, self.catalog, self.year)
            scans.append((sheet, scan))
        sheet_areas = {sheet.name: self._sheet_area(sheet.name) for sheet, _ in scans}
        # 填报单位 lines of every sheet first, then titles (not those naming the sheet's own area)
        org_texts = [t for _, s in scans for t in s.org_texts] + [
            t for sheet, s in scans for t in s.titles
            if not (sheet_areas[sheet.name] and self.catalog.resolve_area(t) == sheet_areas[sheet.name])]
        org, ok = resolve_workbook_org(org_texts, self.rel, self.catalog)
        self.res.org = org
        self.res.titles = [clean_text(t) for _, s in scans for t in s.titles]
        self.res.dates = [d for _, s in scans for d in s.dates]
        if self.res.dates:  # the latest date of its 填报单位 / 填报日期 lines: later files correct, late ones count
            latest = max(self.res.dates)
            self.event("filing_date", f"填报日期 {latest:%Y年%m月%d日}", raw_text=latest.isoformat())
        if not ok:
            self.event("unknown_org", f"报送单位「{org}」不在单位名录中，请在 orgs.csv 中补充别名")
        for name in self.book.hidden:  # after the org is known, so the event carries it
            self.event("skipped_sheet", "隐藏工作表，未作为数据读取", sheet=name)
        for sheet, scan in scans:
            self.res.cells_read += len(scan.records)
            for cell in scan.personal_cells:
                self.event("personal_data_removed", "签字栏/联系人个人信息（姓名、电话）已剔除，未写入任何输出",
                           sheet=sheet.name, cell=cell)
            if not scan.records:
                self.event("skipped_sheet", _skipped_reason(sheet.rows), sheet=sheet.name)
                continue
            self.sheet_area = self._below_org(sheet_areas[sheet.name])
            for rec in scan.records:
                self._record(rec, scan.money_unit)
        for sheet in work_sheets:
            label = self.sheet_names[sheet.name]
            rows = read_work_sheet(sheet, label, self.rel, self.res.org, self.year, self.words)
            self.res.narrative += rows
            self.res.events.append(source_event(self.rel, self.res.org, rows, sheet=label))
        return self.res

    # -------------------------------------------------------------------- one value cell
    def _record(self, rec: Record, money_unit: str) -> None:
        raw = _raw_text(rec.raw)
        area = self._area(rec.area)
        if any(has_controls(t) for t in (raw, *rec.labels)):
            self.event("coerced", "文本中的控制字符或文字方向控制符已移除", rec, outcome="", area=area)
        if isinstance(rec.raw, str) and is_personal_value(rec.raw):  # a phone or ID number typed as text
            self.event("personal_data_removed", "单元格内容是电话号码、身份证号或邮箱（个人信息），未采用，未写入任何输出",
                       rec, outcome=REJECTED, area=area, code=self._code(rec, log=False)[0] or "")
            return
        if rec.aside:
            self.event("set_aside", rec.aside, rec, outcome=SET_ASIDE, area=area, raw_text=raw)
            return
        code, reason = self._code(rec)
        if code is None and not isinstance(rec.raw, str) and is_personal_value(raw):
            # a phone-shaped number beside an unknown label: no indicator bound can judge it, so it is
            # taken for what it looks like (a known indicator's number is judged by its bounds)
            self.event("personal_data_removed", "数值形似电话号码或身份证号，指标不明，已剔除，未写入任何输出", rec,
                       outcome=SET_ASIDE, area=area)
            return
        if raw.strip() == "":
            formula = self.book.inspector.formula(rec.sheet, rec.cell) if self.book.inspector else None
            # calamine reads an error cell (#DIV/0! …) as empty: it is not a blank
            error = self.book.inspector.error(rec.sheet, rec.cell) if self.book.inspector and not formula else None
            if formula:
                self.event("rejected", f"公式没有缓存值（={formula}），请在 Excel 中重新计算并保存后报送", rec,
                           outcome=REJECTED, code=code or "", area=area)
            elif error:
                self.event("rejected", f"单元格是 Excel 错误值「{error}」，未采用", rec,
                           outcome=REJECTED, code=code or "", area=area, raw_text=error)
            elif code:
                self.event("missing", "空白单元格，未记为 0", rec, outcome=SET_ASIDE, code=code, area=area)
            else:  # beside an unknown label: a heading or a row left empty, never a value
                self.event("missing", "空白单元格（指标名称未匹配）", rec, outcome=SET_ASIDE, area=area)
            return
        try:
            pv = self._parse(strip_controls(rec.raw) if isinstance(rec.raw, str) else rec.raw)
        except ValueParseError as exc:
            self.event("rejected", exc.reason, rec, outcome=REJECTED, code=code or "", area=area, raw_text=raw)
            return
        if pv.value is None:
            self.event("missing", f"缺失标记「{raw.strip()}」，未记为 0", rec, outcome=SET_ASIDE,
                       code=code or "", area=area, raw_text=raw)
            return
        if code is None:
            value, unit, _ = self._apply_hint(pv, rec.unit_hint, rec)
            label = clean_text(rec.labels[0]) if rec.labels else ""
            self.res.unmapped.append(dict(
                year=self.year, org=self.res.org, area=area, label=label, value=value, unit=clean_text(unit),
                qualifier=pv.qualifier, source_file=self.rel, sheet=self.sheet_names[rec.sheet], cell=rec.cell,
                raw_text=clean_text(raw), reason=reason))
            self.event("unmapped", f"指标名称「{label}」{reason}，数值已写入 unmapped.csv", rec,
                       outcome=SET_ASIDE, area=area, raw_text=raw)
            return
        ind = self.catalog.indicator_record(code)
        hint = rec.unit_hint or (money_unit if ind["unit"] == "元" else "")
        value, unit, how = self._apply_hint(pv, hint, rec)
        if not unit:
            unit = ind["unit"]
            self.event("unit_from_catalog", f"单元格和表头均未写单位，按目录单位「{unit}」记录", rec,
                       outcome="", code=code, area=area, raw_text=raw)
        if how:
            self.event("coerced", how, rec, outcome="", code=code, area=area, raw_text=raw)
        if unit == "%" and not isinstance(rec.raw, str) and 0 < abs(value) <= 1:
            value, raw = self._stored_percent(rec, value, raw, code, area)
        if unit != ind["unit"]:
            self.event("rejected", f"单位「{unit}」与目录单位「{ind['unit']}」不一致，未采用", rec,
                       outcome=REJECTED, code=code, area=area, raw_text=raw)
            return
        problem = self._implausible(value, ind)
        if problem:
            self.event("rejected", problem, rec, outcome=REJECTED, code=code, area=area, raw_text=raw)
            return
        self.res.rows.append(dict(
            year=self.year, org=self.res.org, area=area, indicator=ind["name"], code=code,
            section=ind["section"], value=float(value), unit=unit, qualifier=pv.qualifier,
            source_file=self.rel, sheet=self.sheet_names[rec.sheet], cell=rec.cell,
            raw_text=clean_text(raw) if isinstance(rec.raw, str) else raw))

    def _stored_percent(self, rec: Record, value: float, raw: str, code: str, area: str) -> tuple[float, str]:
        """Excel stores a typed ``100%`` as 1.0 with a percent format: read it as 100, never as 1%."""
        inspector = self.book.inspector
        if inspector is not None:
            if not inspector.is_percent(rec.sheet, rec.cell):
                return value, raw
            how = f"百分比格式单元格（存储值 {rec.raw}）"
        elif self.book.path.suffix.lower() in (".xls", ".xlsb", ".ods"):
            how = f"无法读取 {self.book.path.suffix} 单元格格式，比率存储值 {rec.raw} 按百分比换算（请核对）"
        else:
            return value, raw  # CSV: Excel writes percent cells as text (100%), so a number is a number
        value = round(value * 100, 10)
        raw = f"{value:g}%"
        self.event("coerced", f"{how}，按 {raw} 读取", rec, outcome="", code=code, area=area, raw_text=raw)
        return value, raw

    def _parse(self, raw: object) -> ParsedValue:
        if isinstance(raw, bool) or isinstance(raw, (dt.datetime, dt.date, dt.time, dt.timedelta)):
            raise ValueParseError(f"不是数值（{type(raw).__name__}：{_raw_text(raw)}）")
        return parse_value(raw, self.vocab)

    def _code(self, rec: Record, log: bool = True) -> tuple[str | None, str]:
        """(code, '') for the first label candidate the catalog resolves, else (None, reason).

        An item of a two-level table resolved only with its group is logged (``label_from_group``)."""
        reasons = []
        for n, label in enumerate(rec.labels):
            res = self.catalog.resolve_indicator(label, self.res.org)
            if res.code:
                if n and rec.group and log:
                    self.event("label_from_group",
                               f"指标名称「{rec.labels[0]}」单独不能确定指标，结合分组「{rec.group}」读作「{label}」",
                               rec, code=res.code, area=self._area(rec.area))
                return res.code, ""
            reasons.append(res.reason)
        if not reasons:
            return None, "指标名称为空"
        if rec.group:
            return None, f"{reasons[0]}（结合分组「{rec.group}」也未匹配）"
        return None, reasons[-1]

    def _area(self, area: str) -> str:
        """A record's area: its row's or column's own, else the area the sheet is named after."""
        return clean_text(area) if area else self.sheet_area

    def _sheet_area(self, name: str) -> str:
        """The area a sheet is named after ('' if none); CSV files have no sheet names of their own."""
        if self.book.path.suffix.lower() == ".csv":
            return ""
        return self.catalog.resolve_area(name) or ""

    def _below_org(self, area: str) -> str:
        """``area`` when it stands below the workbook's unit (a 镇街 of a department's workbook, a 村/社区
        of any), else '' (a 镇街's own sheet named after itself or another 镇街)."""
        if not area or area == self.res.org:
            return ""
        if self.catalog.org_kind(self.res.org) == "镇街" and self.catalog.org_kind(area) == "镇街":
            return ""
        return area

    def _apply_hint(self, pv: ParsedValue, hint: str, rec: Record) -> tuple[float, str, str]:
        """(value, unit, description of a conversion) — the cell's own unit wins; 万 once."""
        value = pv.value
        if pv.unit:
            return value, pv.unit, ""
        hint = unicodedata.normalize("NFKC", hint or "").strip()
        if hint in self.vocab.hint_multipliers:
            mult, base = self.vocab.hint_multipliers[hint]
            if pv.multiplier_applied:
                return value, base, ""
            converted = round(value * mult, 6)
            return converted, base, f"按单位「{hint}」换算：{_raw_text(rec.raw).strip()} → {converted:.15g}{base}"
        return value, hint, ""

    @staticmethod
    def _implausible(value: float, ind: Mapping[str, object]) -> str:
        """A value outside its indicator's bounds (catalog min_value / max_value); the reason never
        repeats a huge value's digits (an ID-card number typed as a count must not leak through it)."""
        lo, hi = ind["min_value"], ind["max_value"]  # NaN when the catalog sets no bound: never compares true
        if value < lo:
            return f"数值 {value:g} 小于下限 {lo:g}（{ind['name']}不可能为负），未采用"
        if value > hi:
            why = "比率不能超过100%" if ind["unit"] == "%" else "远超合理范围，可能是电话、证件号或误填"
            return f"数值超过上限 {format_value(hi, ind['unit'])}（{why}），未采用"
        return ""


def clean_workbook(path: Path, rel: str, year: int, catalog: Catalog, limits: Limits = Limits(),
                   words: WorkWords | None = None) -> FileResult:
    """One workbook → rows, unmapped rows, work-text rows and events; never raises for bad input."""
    try:
        book = read_workbook(path, limits)
    except FzError as exc:
        kind = "workbook_too_large" if isinstance(exc, WorkbookTooLarge) else "unreadable_workbook"
        res = FileResult(rel, "", readable=False)
        res.events.append(Event(rel, kind, exc.reason, sheet=exc.sheet))
        return res
    return _FileCleaner(book, rel, year, catalog, words).run()


# ------------------------------------------------------------------------------ a year
def discover(raw_dir: Path, year: int | None = None, catalog: Catalog | None = None) -> dict[int, list[Path]]:
    """Year folders under ``raw_dir`` (``2023/``) → their submissions (:func:`year_files`), sorted."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise ParameterError(f"原始数据目录不存在：{raw_dir}")
    years = {}
    for sub in sorted(p for p in raw_dir.iterdir() if p.is_dir() and re.fullmatch(r"(19|20)\d\d", p.name)):
        if year is None or int(sub.name) == year:
            years[int(sub.name)] = year_files(sub, catalog)[0]
    if year is not None and year not in years:
        raise ParameterError(f"没有 {year} 年的原始数据目录：{raw_dir / str(year)}")
    return years


def year_files(folder: Path, catalog: Catalog | None = None) -> tuple[list[Path], list[tuple[Path, str]]]:
    """(submissions, set aside with the reason) among the spreadsheet files of a raw year folder.
    Never a submission: a hidden or temporary file (``.x.xlsx``, Excel's ``~$x.xlsx``), a file the product
    writes (:data:`fzanalysis.core.files.PRODUCT_FILES`: ``cleaning_log.csv``, ``status.csv`` … left there by
    an old version or copied in), a feedback form it wrote (named as ``form_texts.csv`` of the catalog's folder
    says); nor ``manifest.csv`` (read by the resubmission rules)."""
    files, aside = [], []
    form_name = load_texts(catalog.folder if catalog is not None else None)["feedback.file_name"]
    for p in sorted(folder.iterdir()):
        if not p.is_file() or p.suffix.lower() not in SPREADSHEET_SUFFIXES or p.name.lower() == MANIFEST:
            continue
        if p.name.startswith(("~$", ".")):
            aside.append((p, "隐藏文件或临时文件（如 Excel 打开工作簿时生成的 ~$ 文件），不是报送的工作簿，未读取"))
        elif p.name in PRODUCT_FILES or _feedback_form(p.name, form_name):
            aside.append((p, "本程序写出的文件（清洗、报告或反馈表的输出），不是报送的工作簿，未读取；"
                             "请将它移出原始数据目录"))
        else:
            files.append(p)
    return files, aside


def _feedback_form(name: str, form_name: str) -> bool:
    """True for the name of a 核对反馈表 the product writes (``form_name``: ``feedback.file_name``)."""
    fields = {"{year}": r"\d{4}", "{org}": ".+"}
    parts = re.split(r"(\{year\}|\{org\})", form_name)
    return re.fullmatch("".join(fields.get(p) or re.escape(p) for p in parts), name) is not None


def clean_year(raw_dir: Path, year: int, files: list[Path], catalog: Catalog | None = None,
               limits: Limits = Limits(), progress: bool | None = None) -> CleanResult:
    from tqdm import tqdm

    catalog = catalog or load_catalog()
    words = load_work_words()
    use_catalog_folder(catalog.folder)  # personal data is masked with the words of the catalog cleaned with
    results: list[FileResult] = []
    # progress=None: a bar only when stderr is a terminal (quiet under cron and CI)
    bar = tqdm(files, desc=f"清洗 {year} 年", unit="个文件", disable=None if progress is None else not progress)
    root, folders_inside = Path(raw_dir).resolve(), {}
    year_dir = Path(raw_dir) / str(year)
    set_aside = year_files(year_dir, catalog)[1] if year_dir.is_dir() else []
    summaries, summaries_aside = summary_files(year_dir, words)
    set_aside += summaries_aside
    rels = clean_names(p.relative_to(raw_dir).as_posix() for p in [*files, *(p for p, _ in set_aside), *summaries])
    skipped = [Event(rels[p.relative_to(raw_dir).as_posix()], "skipped_file", why) for p, why in set_aside]
    for path in bar:
        rel = rels[path.relative_to(raw_dir).as_posix()]
        if _outside(path, root, folders_inside):
            res = FileResult(rel, "", readable=False)
            res.events.append(Event(rel, "outside_raw", "文件指向原始数据目录之外（符号链接），未读取"))
            results.append(res)
            continue
        results.append(clean_workbook(path, rel, year, catalog, limits, words))
    extra = settle_resubmissions(results, Path(raw_dir) / str(year), catalog.vocabulary, rels)
    narrative, extra = _work_texts(results, summaries, raw_dir, rels, year, catalog, limits, words, extra, root,
                                   folders_inside)
    _flag_duplicates(results)
    _flag_total_mismatches(results, year, catalog)
    rows, unmapped, events, failed = [], [], [e.as_row() for e in skipped + extra], []
    for res in results:
        rows += res.rows
        unmapped += res.unmapped
        events += [e.as_row() for e in res.events]
        events.append(ledger_event(res.file, res.org, res.cells_read, len(res.rows), res.rejected, res.set_aside))
        if not res.readable:
            failed.append(next(f"{e.file}: {e.reason}" for e in res.events))
    return CleanResult(year, rows, unmapped, events, failed, narrative)


def _work_texts(results: list[FileResult], summaries: list[Path], raw_dir: Path, rels: dict[str, str], year: int,
                catalog: Catalog, limits: Limits, words: WorkWords, extra: list[Event], root: Path,
                folders_inside: dict[str, bool]) -> tuple[list[dict], list[Event]]:
    """The year's work texts (:mod:`fzanalysis.ingest.narrative`): the 工作情况 sheets of the workbooks (a superseded
    workbook's set aside with the reason) and the summaries of ``总结/``, each summary's ledger an event."""
    rows: list[dict] = []
    for res in results:
        if res.superseded_by:
            names = "、".join(f"「{Path(f).name}」" for f in res.superseded_by)
            for r in res.narrative:
                if r["outcome"] == KEPT:
                    r.update(outcome=SET_ASIDE, reason=f"已由{names}更正替代，本文件的工作情况不采用")
        rows += res.narrative
    events = list(extra)
    for path in summaries:
        rel = rels[path.relative_to(raw_dir).as_posix()]
        if _outside(path, root, folders_inside):
            events.append(Event(rel, "outside_raw", "文件指向原始数据目录之外（符号链接），未读取"))
            continue
        org, found, more = read_summary(path, rel, year, catalog, words, limits)
        rows += found
        events += more
        if found or not more:
            events.append(source_event(rel, org, found))
    return rows, events


def _outside(path: Path, root: Path, folders_inside: dict[str, bool]) -> bool:
    """True when ``path`` resolves outside ``root`` (a symlink, or a linked folder, pointing elsewhere).
    A folder is resolved once (``folders_inside`` remembers it), a file only when it is a link itself."""
    if os.path.islink(path):
        return not path.resolve().is_relative_to(root)
    folder = os.path.dirname(path)
    if folder not in folders_inside:
        folders_inside[folder] = Path(folder).resolve().is_relative_to(root)
    return not folders_inside[folder]


def _flag_total_mismatches(results: list[FileResult], year: int, catalog: Catalog) -> None:
    """Log (do not change) each 合计 that disagrees with the sum of its parts, on the file that holds
    it — by :func:`fzanalysis.core.compute.total_check_rows`, the rule the diagnostics use too."""
    by_file = {res.file: res for res in results}
    for t in total_check_rows([r for res in results for r in res.rows], catalog):
        if t["agrees"]:
            continue
        where = parse_cite(t["total_cite"])
        total, parts = format_value(t["total"], t["unit"], t["qualifier"]), format_value(t["parts_sum"], t["unit"])
        by_file[t["source_file"]].events.append(Event(
            t["source_file"], "total_mismatch", f"合计 {total} 不等于分项之和 {parts}（按原值保留合计）", sheet=where.sheet,
            cell=where.cell, org=t["org"], code=t["code"], raw_text=t["total_text"]))


def _flag_duplicates(results: list[FileResult]) -> None:
    by_org: dict[str, list[FileResult]] = {}
    for res in results:
        if res.readable and res.org and not res.superseded_by:  # a corrected file's predecessor is no duplicate
            by_org.setdefault(res.org, []).append(res)
    for org, group in by_org.items():
        if len(group) < 2:
            continue
        for res in group:
            others = [r.file for r in group if r is not res]
            named = "、".join(others[:DUPLICATES_NAMED]) + (f" 等 {len(others)} 份" if len(others) > DUPLICATES_NAMED else "")
            res.events.append(Event(res.file, "duplicate_submission",
                                    f"{org} 本年度报送了 {len(group)} 份文件（另见 {named}），均保留，请核对", org=org))


DUPLICATES_NAMED = 3  # a duplicate's reason names this many other files at most: the log grows linearly
