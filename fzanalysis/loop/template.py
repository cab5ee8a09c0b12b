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
  names or phones;
- a 工作情况 sheet (DESIGN §2b): rows of 类别 (a section of the report, from a list), 工作事项, 主要做法和成效 and
  佐证材料 — what the unit did, read by the cleaner into ``narrative.csv`` and cited by the draft (words in
  ``catalog_data/work_texts.csv``).

Texts, the amount unit (万元), accepted markers and qualifiers, and the deadline are catalog data
(``form_texts.csv`` of the catalog folder); which indicator goes on which sheet is its ``forms.csv``
(:mod:`fzanalysis.loop.forms`).
"""
from __future__ import annotations


import pandas as pd

from ..core.catalog import SECTIONS, Catalog, load_catalog
from ..core.compute import prepare, settle
from ..core.errors import ParameterError
from ..core.settings import Settings, load_settings, load_texts
from ..ingest.narrative import load_work_words
from ..store.folders import safe_component, safe_components
from ..store.outputs import workbook_bytes
from .forms import Item, form_item, plan_for, prompt, range_text, validation_formula

__all__ = ["build_template", "template_files", "template_name", "template_orgs"]

CN_NUMERALS = "一二三四五六七八九十"


def _previous_values(previous: pd.DataFrame | None, org: str, catalog: Catalog) -> dict[str, tuple[float, str]]:
    """code → (value in base units, qualifier) of the unit's own figures last year, where they agree."""
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
    def __init__(self, catalog: Catalog, org: str, year: int, previous: dict, texts: Settings, district: str):
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
        self.work_sheet()
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


    def work_sheet(self) -> None:
        """The 工作情况 sheet (DESIGN §2b): one row per item of work — 类别 (a section of the report, chosen from a
        list), 工作事项, 主要做法和成效, 佐证材料 — read by the cleaner into narrative.csv; words in work_texts.csv."""
        from openpyxl.worksheet.datavalidation import DataValidation

        words = load_work_words()
        columns = list(words.list("template.columns"))
        ws = self.wb.create_sheet(words.text("template.sheet"))
        top = self._head(ws, words.text("template.title", district=self.district, year=self.year), len(columns), False)
        ws.cell(top - 1, 1, words.text("template.note")).font = self.body  # above the table: never read as an item
        ws.merge_cells(start_row=top - 1, start_column=1, end_row=top - 1, end_column=len(columns))
        for j, h in enumerate(columns, start=1):
            ws.cell(top, j, h).font, ws.cell(top, j).fill = self.bold, self.grey
            ws.cell(top, j).alignment = self.center
        rows = int(words.text("template.rows") or 20)
        first, last = top + 1, top + rows
        sections = [f"（{CN_NUMERALS[i]}）{name}" for i, name in enumerate(SECTIONS.values())]
        choose = DataValidation(type="list", formula1='"' + ",".join(sections) + '"', allow_blank=True,
                                showInputMessage=True, promptTitle=columns[0],
                                prompt=words.text("template.prompt.section")[:255])
        write = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="2000", allow_blank=True,
                               showInputMessage=True, promptTitle=columns[2][:32],
                               prompt=words.text("template.prompt.text")[:255])
        choose.add(f"A{first}:A{last}")
        write.add(f"C{first}:C{last}")
        ws.add_data_validation(choose)
        ws.add_data_validation(write)
        for row in ws.iter_rows(min_row=first, max_row=last, max_col=len(columns)):
            for cell in row:
                cell.protection, cell.alignment = self.open, self.wrap
        self._grid(ws, top, 1, last, len(columns))
        for letter, width in zip("ABCD", (26, 24, 70, 24)):
            ws.column_dimensions[letter].width = width
        ws.freeze_panes = ws.cell(top + 1, 1)
        self._protect(ws)


def _wrap(center: bool = False):
    from openpyxl.styles import Alignment

    return Alignment(wrap_text=True, vertical="center", horizontal="center" if center else None)


def build_template(org: str, year: int, previous: pd.DataFrame | None = None,
                   catalog: Catalog | None = None) -> bytes:
    """The template of one unit for ``year`` as .xlsx bytes; ``previous`` is last year's tidy table."""
    catalog = catalog or load_catalog()
    texts = load_texts(catalog.folder)
    district = load_settings(catalog.folder).text("district")
    writer = _Writer(catalog, org, year, _previous_values(previous, org, catalog), texts, district)
    return workbook_bytes(writer.build(), year)


def template_name(org: str, year: int, catalog: Catalog | None = None) -> str:
    """The template's file name: ``form_texts.csv`` with the unit's name as a safe file-name component."""
    return load_texts(catalog.folder if catalog is not None else None).text("template.file_name", year=year,
                                                                             org=safe_component(org))


def template_orgs(catalog: Catalog, org: str | None = None) -> list[str]:
    """The units to write a template for: every expected unit, or ``org`` (its name or an alias)."""
    if not org:
        return catalog.expected_orgs()
    canonical = org if org in set(catalog.orgs["org"]) else catalog.resolve_org(org)
    if not canonical:
        raise ParameterError(f"单位「{org}」不在单位名录（orgs.csv）中")
    return [canonical]


def template_files(year: int, orgs: list[str], previous: pd.DataFrame | None, catalog: Catalog) -> dict[str, bytes]:
    """File name → .xlsx bytes of each unit's template (names from unit names made safe,
    :func:`fzanalysis.store.folders.safe_components`); ``previous`` is last year's tidy table, or None."""
    names = safe_components(orgs)
    texts = load_texts(catalog.folder)
    return {texts.text("template.file_name", year=year, org=names[o]): build_template(o, year, previous, catalog)
            for o in orgs}
