"""Blank workbooks per reporting unit (填报模板), generated from the catalog.

``fzanalysis template --year 2025 --out DIR [--org ORG]`` writes one .xlsx per expected unit of
``orgs.csv`` (openpyxl, byte-identical from run to run):

- a Layout A sheet (序号, 指标名称, 计量单位, <Y>年, <Y-1>年, 备注) with the unit's usual indicators —
  those of ``indicators.csv`` whose ``org`` is the unit, and those ``forms.csv`` places on its form (by
  unit or by unit kind, e.g. every 镇街) — grouped by report section; last year's values prefilled and
  locked where processed data of that year exist;
- a Layout B sheet per ``forms.csv`` sheet of indicators reported per 镇街: one row per 镇街 and a 合计
  row. A count's or amount's 合计 is ``=IF(COUNT(…)=0,"",SUM(…))``, locked: Excel and WPS compute it
  when the file is saved, and a sheet left blank gives a blank 合计, never a 0 (the cleaner reads a
  formula without a cached value as a rejection, so a template must have been opened and saved in a
  spreadsheet program — as a filled one always has). A rate's 合计 is the unit's own rate, typed;
- data validation on every value cell accepting what the cleaner accepts: a number within the
  indicator's bounds (rates 0–100), the missing markers, a number with one qualifier (``3000余``,
  ``超300``); an input message per cell; headers, names, units and formulas locked (sheet
  protection without a password); a 填报说明 sheet; a 填报单位 line and a 填报日期 cell; no field for
  names or phones.

Texts, the amount unit (万元), accepted markers and qualifiers, and the deadline are catalog data
(``catalog_data/form_texts.csv``); which indicator goes on which sheet is ``catalog_data/forms.csv``.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .core.catalog import SECTIONS, Catalog, load_catalog
from .core.errors import CatalogError, ParameterError
from .core.files import DATA_DIR
from .core.settings import Texts, load_texts

FORMS_FILE = "forms.csv"
CN_NUMERALS = "一二三四五六七八九十"


# ------------------------------------------------------------------------------ catalog data
def _read(name: str) -> pd.DataFrame:
    try:
        return pd.read_csv(DATA_DIR / name, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise CatalogError(f"无法读取目录文件：{exc}", file=name) from None


@lru_cache(maxsize=1)
def _forms_table() -> pd.DataFrame:
    return _read(FORMS_FILE)


def load_forms(catalog: Catalog) -> pd.DataFrame:
    """``forms.csv`` checked against the catalog: known codes, units or unit kinds, layouts A/B."""
    forms = _forms_table().copy()
    kinds = set(catalog.orgs["kind"])
    bad = forms.loc[~forms["code"].isin(catalog.indicators["code"]), "code"].tolist()
    bad += forms.loc[~(forms["org"].isin(catalog.orgs["org"]) | forms["org"].isin(kinds)), "org"].tolist()
    bad += forms.loc[~forms["layout"].isin(["A", "B"]), "layout"].tolist()
    if bad:
        raise CatalogError(f"填报模板配置有误（未知的指标、单位或版式）：{'、'.join(bad)}", file=FORMS_FILE)
    return forms


@dataclass(frozen=True)
class Item:
    """One indicator as a form asks for it: in the form's unit (万元 for an amount), with its bounds."""

    code: str
    name: str
    section: str
    kind: str
    unit: str  # as written on the form
    factor: float  # form value × factor = value in the catalog's base unit
    lo: float | None
    hi: float | None


def form_item(catalog: Catalog, code: str, texts: Texts | None = None) -> Item:
    texts = texts or load_texts()
    ind = catalog.indicator_record(code)
    unit, factor = str(ind["unit"]), 1.0
    wide = texts.get("template.amount_unit", "")
    mult = catalog.vocabulary.hint_multipliers.get(wide)
    if unit == "元" and mult and mult[1] == "元":
        unit, factor = wide, mult[0]
    lo = None if pd.isna(ind["min_value"]) else float(ind["min_value"]) / factor
    hi = None if pd.isna(ind["max_value"]) else float(ind["max_value"]) / factor
    return Item(code, str(ind["name"]), str(ind["section"]), str(ind["kind"]), unit, factor, lo, hi)


@dataclass
class Plan:
    """What a unit's form holds: Layout A codes (catalog order) and Layout B sheets → codes."""

    org: str
    a: list[str]
    b: dict[str, list[str]]

    @property
    def codes(self) -> list[str]:
        return self.a + [c for codes in self.b.values() for c in codes]


def plan_for(catalog: Catalog, org: str) -> Plan:
    """The indicators a unit is expected to report, and where its form puts them."""
    forms = load_forms(catalog)
    mine = forms[(forms["org"] == org) | (forms["org"] == catalog.org_kind(org))]
    b: dict[str, list[str]] = {}
    for r in mine[mine["layout"] == "B"].itertuples():
        b.setdefault(r.sheet, []).append(r.code)
    in_b = {c for codes in b.values() for c in codes}
    wanted = set(mine.loc[mine["layout"] == "A", "code"]) | set(
        catalog.indicators.loc[catalog.indicators["org"] == org, "code"])
    a = [c for c in catalog.indicators["code"] if c in wanted and c not in in_b]
    return Plan(org, a, b)


def expected_codes(catalog: Catalog, org: str) -> list[str]:
    """Every indicator a unit's form asks for (used by status, feedback and the scorecard)."""
    return plan_for(catalog, org).codes


# ------------------------------------------------------------------------------ what a cell accepts
def _num(x: float) -> str:
    return format(x, ".15g")


def accepts(value: object, item: Item, texts: Texts | None = None) -> bool:
    """What the data validation formula of :func:`validation_formula` accepts, in Python (the two
    are tested against each other in LibreOffice): a missing marker, or a number (in a cell or as
    text, with at most one qualifier in its place) within the item's bounds."""
    texts = texts or load_texts()
    if isinstance(value, str):
        text = value
        if text in texts.list("template.missing_markers"):
            return True
        if text[-1:] in texts.list("template.suffix_qualifiers"):
            text = text[:-1]
        elif text[:1] in texts.list("template.prefix_qualifiers"):
            text = text[1:]
        text = text.strip().replace(",", "")  # 1,234: thousands separators, as Excel reads them
        try:
            number = float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
        except ValueError:
            return False
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        return False
    return (item.lo is None or number >= item.lo) and (item.hi is None or number <= item.hi)


def validation_formula(ref: str, item: Item, texts: Texts | None = None) -> str:
    """An Excel custom validation formula for cell ``ref`` (relative), as :func:`accepts`."""
    texts = texts or load_texts()
    q = lambda w: '"' + w.replace('"', '""') + '"'  # noqa: E731
    sufs = [f"RIGHT({ref})={q(w)}" for w in texts.list("template.suffix_qualifiers")]
    pres = [f"LEFT({ref})={q(w)}" for w in texts.list("template.prefix_qualifiers")]
    inner = ref
    if pres:
        inner = f"IF(OR({','.join(pres)}),MID({ref},2,99),{inner})"
    if sufs:
        inner = f"IF(OR({','.join(sufs)}),LEFT({ref},LEN({ref})-1),{inner})"
    number = f"--{inner}"
    if item.lo is not None and item.hi is not None:
        mid, half = (item.lo + item.hi) / 2, (item.hi - item.lo) / 2
        check = f"ABS({number}-{_num(mid)})<={_num(half)}"
    elif item.lo is not None:
        check = f"{number}>={_num(item.lo)}"
    elif item.hi is not None:
        check = f"{number}<={_num(item.hi)}"
    else:
        check = f"ISNUMBER({number})"
    markers = [f"{ref}={q(m)}" for m in texts.list("template.missing_markers")]
    return f"OR({','.join(markers + [f'IFERROR({check},FALSE)'])})"


def range_text(item: Item, texts: Texts) -> str:
    if item.kind == "rate":
        return texts.text("template.range.rate")
    if item.lo is None and item.hi is None:
        return texts.text("template.range.any")
    lo = _num(item.lo) if item.lo is not None else "-∞"
    hi = _num(item.hi) if item.hi is not None else "∞"
    return texts.text("template.range.bounded", lo=lo, hi=hi)


def prompt(item: Item, texts: Texts | None = None) -> str:
    texts = texts or load_texts()
    return texts.text("template.prompt", unit=item.unit, range=range_text(item, texts))[:255]


# ------------------------------------------------------------------------------ the workbook
def _previous_values(previous: pd.DataFrame | None, org: str, catalog: Catalog) -> dict[str, tuple[float, str]]:
    """code → (value in base units, qualifier) of the unit's own figures last year, where they agree."""
    from .core.compute import prepare, settle

    if previous is None or previous.empty:
        return {}
    df = prepare(previous, catalog)
    df = df[(df["org"] == org) & (df["area"] == "") & df["value"].notna()]
    out = {}
    for code, g in df.groupby("code", sort=False):
        value, problem = settle(g)
        if not problem:
            out[code] = (value, str(g["qualifier"].iloc[0]) if len(g) == 1 else "")
    return out


class _Writer:
    def __init__(self, catalog: Catalog, org: str, year: int, previous: dict, texts: Texts, district: str):
        from openpyxl import Workbook

        self.catalog, self.org, self.year, self.previous, self.texts = catalog, org, year, previous, texts
        self.district = district
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

        self.wb = Workbook()
        self.wb.remove(self.wb.active)
        self.plan = plan_for(catalog, org)
        thin = Side(style="thin")
        self.box = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.title_font, self.bold, self.body = Font(name="宋体", size=16, bold=True), Font(name="宋体", bold=True), \
            Font(name="宋体")
        self.grey = PatternFill("solid", fgColor="F2F2F2")  # locked cells: headers, last year, formulas
        self.open, self.wrap = Protection(locked=False), Alignment(wrap_text=True, vertical="center")
        self.center = Alignment(horizontal="center", vertical="center")

    def build(self):
        self.instructions()
        if self.plan.a or not self.plan.b:
            self.layout_a()
        for sheet, codes in self.plan.b.items():
            self.layout_b(sheet, codes)
        return self.wb

    # -- shared pieces
    def _head(self, ws, title: str, ncols: int, date: bool) -> int:
        from openpyxl.utils import get_column_letter

        ws.cell(1, 1, title).font = self.title_font
        ws.cell(1, 1).alignment = self.center
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
        ws.cell(2, 1, self.texts.text("template.org_line", org=self.org)).font = self.body
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=max(1, ncols - 2))
        if date:
            ws.cell(2, ncols - 1, self.texts.text("template.date_label")).font = self.body
            cell = ws.cell(2, ncols)
            cell.protection, cell.number_format = self.open, "yyyy\"年\"m\"月\"d\"日\""
            cell.border = self.box
        ws.row_dimensions[1].height = 28
        for j in range(1, ncols + 1):
            ws.column_dimensions[get_column_letter(j)].width = 12
        return 4

    def _protect(self, ws) -> None:
        from openpyxl.worksheet.properties import PageSetupProperties

        ws.page_setup.orientation, ws.page_setup.paperSize = "landscape", ws.PAPERSIZE_A4
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0  # one page wide, as long as it needs
        ws.protection.sheet = True
        ws.protection.formatColumns = False  # people may widen columns and rows
        ws.protection.formatRows = False

    def _input(self, ws, row: int, col: int, item: Item) -> None:
        from openpyxl.worksheet.datavalidation import DataValidation

        cell = ws.cell(row, col)
        cell.protection = self.open
        texts = self.texts
        dv = DataValidation(type="custom", formula1=validation_formula(cell.coordinate, item, texts), allow_blank=True,
                            showInputMessage=True, showErrorMessage=True, errorStyle="stop",
                            promptTitle=item.name[:32], prompt=prompt(item, texts),
                            errorTitle=texts.text("template.error_title"),
                            error=texts.text("template.error", range_short=range_text(item, texts))[:255])
        dv.add(cell.coordinate)
        ws.add_data_validation(dv)

    def _grid(self, ws, r1: int, c1: int, r2: int, c2: int) -> None:
        for row in ws.iter_rows(min_row=r1, max_row=r2, min_col=c1, max_col=c2):
            for cell in row:
                cell.border = self.box
                if not cell.font.b:
                    cell.font = self.body

    # -- sheets
    def instructions(self) -> None:
        ws = self.wb.create_sheet(self.texts.text("template.sheet_instructions"))
        fields = dict(year=self.year, next_year=self.year + 1, sheet_a=self.texts.text("template.sheet_a"),
                      amount_unit=self.texts.text("template.amount_unit"), total_label=self.texts.text(
                          "template.total_label"))
        fields["deadline"] = self.texts.text("template.deadline", **fields)
        lines = [line.format(**fields) for line in self.texts.list("template.instructions")]
        if self.previous:
            lines.append(self.texts.text("template.prev_note"))
        for i, line in enumerate(lines, start=1):
            ws.cell(i, 1, line).font = self.bold if i == 1 else self.body
            ws.cell(i, 1).alignment = _wrap()
            ws.row_dimensions[i].height = 18 * (1 + len(line) // 46)  # wrapped lines get their height (CJK ≈ 2 widths)
        ws.column_dimensions["A"].width = 96
        self._protect(ws)

    def layout_a(self) -> None:
        ws = self.wb.create_sheet(self.texts.text("template.sheet_a"))
        top = self._head(ws, self.texts.text("template.title", district=self.district, year=self.year), 6, True)
        heads = ["序号", "指标名称", "计量单位", f"{self.year}年", f"{self.year - 1}年", "备注"]
        for j, h in enumerate(heads, start=1):
            ws.cell(top, j, h).font = self.bold
            ws.cell(top, j).alignment = self.center
            ws.cell(top, j).fill = self.grey
        row, n, group = top + 1, 0, 0
        for section in SECTIONS:
            codes = [c for c in self.plan.a if self.catalog.indicator_record(c)["section"] == section]
            if not codes:
                continue
            ws.cell(row, 1, f"{CN_NUMERALS[group]}、{SECTIONS[section]}").font = self.bold
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=6)
            group, row = group + 1, row + 1
            for code in codes:
                item = form_item(self.catalog, code, self.texts)
                n += 1
                ws.cell(row, 1, n).alignment = self.center
                ws.cell(row, 2, item.name).alignment = self.wrap
                ws.cell(row, 3, item.unit).alignment = self.center
                self._input(ws, row, 4, item)
                prev = ws.cell(row, 5)
                prev.fill = self.grey
                if code in self.previous:
                    value, qualifier = self.previous[code]
                    shown = round(value / item.factor, 6)
                    shown = int(shown) if float(shown).is_integer() else shown
                    prev.value = f"{shown}{qualifier}" if qualifier == "余" else (
                        f"{qualifier}{shown}" if qualifier else shown)
                ws.cell(row, 6).protection = self.open
                row += 1
        self._grid(ws, top, 1, row - 1, 6)
        ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 6, 40
        ws.column_dimensions["F"].width = 24
        ws.freeze_panes = ws.cell(top + 1, 1)
        self._protect(ws)

    def layout_b(self, sheet: str, codes: list[str]) -> None:
        from openpyxl.utils import get_column_letter

        ws = self.wb.create_sheet(sheet)
        items = [form_item(self.catalog, c, self.texts) for c in codes]
        ncols = 2 + len(items)
        title = self.texts.text("template.title_b", district=self.district, year=self.year, sheet=sheet)
        top = self._head(ws, title, max(ncols, 4), False)
        ws.cell(top, 1, "序号")
        ws.cell(top, 2, self.texts.text("template.area_header"))
        for j, item in enumerate(items, start=3):
            ws.cell(top, j, f"{item.name}（{item.unit}）").alignment = _wrap(center=True)
        for j in range(1, ncols + 1):
            ws.cell(top, j).font, ws.cell(top, j).fill = self.bold, self.grey
        ws.row_dimensions[top].height = 48
        towns = self.catalog.towns()
        first = top + 1
        for i, town in enumerate(towns):
            ws.cell(first + i, 1, i + 1).alignment = self.center
            ws.cell(first + i, 2, town)
            for j, item in enumerate(items, start=3):
                self._input(ws, first + i, j, item)
        total = first + len(towns)
        ws.cell(total, 2, self.texts.text("template.total_label")).font = self.bold
        for j, item in enumerate(items, start=3):
            if item.kind in ("count", "amount"):
                col = get_column_letter(j)
                rng = f"{col}{first}:{col}{total - 1}"
                ws.cell(total, j, f'=IF(COUNT({rng})=0,"",SUM({rng}))').fill = self.grey
            else:  # a rate is never summed: the unit's own rate is typed
                self._input(ws, total, j, item)
        self._grid(ws, top, 1, total, ncols)
        ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 6, 14
        for j in range(3, ncols + 1):
            ws.column_dimensions[get_column_letter(j)].width = 16
        ws.freeze_panes = ws.cell(top + 1, 3)
        self._protect(ws)


def _wrap(center: bool = False):
    from openpyxl.styles import Alignment

    return Alignment(wrap_text=True, vertical="center", horizontal="center" if center else None)


def workbook_bytes(wb, year: int) -> bytes:
    """An openpyxl workbook as bytes that do not depend on when it was written: fixed document
    timestamps and zip entry times."""
    stamp = datetime(year, 12, 1)
    wb.properties.created = wb.properties.modified = stamp
    wb.properties.creator = wb.properties.lastModifiedBy = "fzanalysis"
    buf = io.BytesIO()
    wb.save(buf)
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", lambda m: m.group(1) + iso, data)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type, entry.create_system, entry.external_attr = zipfile.ZIP_DEFLATED, 0, 0
            zout.writestr(entry, data)
    return out.getvalue()


def build_template(org: str, year: int, previous: pd.DataFrame | None = None,
                   catalog: Catalog | None = None) -> bytes:
    """The template of one unit for ``year`` as .xlsx bytes; ``previous`` is last year's tidy table."""
    from .core.settings import load_settings

    catalog = catalog or load_catalog()
    texts = load_texts()
    district = load_settings().text("district")
    writer = _Writer(catalog, org, year, _previous_values(previous, org, catalog), texts, district)
    return workbook_bytes(writer.build(), year)


def template_name(org: str, year: int) -> str:
    """The template's file name: ``form_texts.csv`` with the unit's name as a safe file-name component."""
    from .store.folders import safe_component

    return load_texts().text("template.file_name", year=year, org=safe_component(org))


def write_templates(year: int, out_dir: str | Path, org: str | None = None,
                    processed_dir: str | Path | None = None, raw_dir: str | Path | None = None,
                    catalog: Catalog | None = None) -> list[Path]:
    """Write the templates of every expected unit (or of ``org``) into ``out_dir``, swapped in at once;
    last year's values come from the processed data of ``year - 1`` when they exist. The folder may
    hold only templates this command wrote (:func:`fzanalysis.store.folders.write_set` with ``mine=True``):
    all units replace the folder's templates, one unit (``org``) keeps the others'."""
    from .store.data import check_year, default_baseline, load
    from .store.folders import safe_components, write_set
    from .store.project import folders

    year = check_year(year)
    f = folders(raw_dir, processed_dir, out_dir, need=("raw", "processed"))  # not given: the project's
    raw_dir, processed_dir = f.raw, f.processed
    catalog = catalog or load_catalog()
    if org:
        canonical = catalog.resolve_org(org) if org not in set(catalog.orgs["org"]) else org
        if not canonical:
            raise ParameterError(f"单位「{org}」不在单位名录（orgs.csv）中")
        orgs = [canonical]
    else:
        orgs = catalog.expected_orgs()
    last = default_baseline(year, raw_dir, processed_dir)  # last year's figures, when there are any
    previous = load(last, processed_dir, raw_dir) if last else None
    names = safe_components(orgs)
    files = {load_texts().text("template.file_name", year=year, org=names[o]): build_template(o, year, previous, catalog)
             for o in orgs}
    out_dir = write_set(Path(out_dir), files, raw=raw_dir, mine=True, keep=bool(org))
    return [out_dir / name for name in files]


__all__ = ["Item", "Plan", "accepts", "build_template", "expected_codes", "form_item", "load_forms", "load_texts",
           "plan_for", "prompt", "template_name", "validation_formula", "workbook_bytes", "write_templates"]
