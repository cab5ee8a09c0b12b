"""Small builders of real department workbooks for tests (openpyxl, written to ``tmp_path``).

Import from a test module as ``from tests.xlsx_factory import ...`` (``tests`` is a package
and pytest puts the project root on ``sys.path``).  Every builder writes a real file and
returns its :class:`~pathlib.Path`.

Cell values in the grids given to these builders:

- ``None`` or ``""``: an empty cell;
- a ``str`` starting with ``=``: a formula, written by openpyxl **without a cached value**;
- :class:`Text`: a literal string, even when it starts with ``=`` (formula-looking text);
- :class:`Fmt`: a value with a number format, e.g. ``Fmt(1.0, "0%")`` is ``100%`` as Excel
  stores it;
- anything else (int, float, datetime …) as openpyxl writes it.
"""
from __future__ import annotations

import io
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from openpyxl import Workbook

Grid = Sequence[Sequence[object]]

YEAR = 2023
TITLE = f"{YEAR}年法治政府建设情况统计表"
HEADER_A = ("序号", "指标名称", "单位", f"{YEAR}年", "备注")
MARKET_ORG_LINE = "填报单位：重庆市大渡口区市场监督管理局（盖章）　填报日期：2024年1月15日"
SIGN_OFF = ("填表人：张晓明", None, "联系电话：13812345678", None, "审核人：王建国")

# The good 区市场监管局 workbook: (label, unit, value cell) → (code, value in base units).
GOOD_MARKET_ROWS = (
    ("行政处罚案件数", "件", 579),
    ("罚款金额", "万元", 566.2),
    ("移送公安机关立案侦查数", "件", 12),
)
GOOD_MARKET_VALUES = {
    "market_penalty_cases": 579.0,
    "market_fines": 5_662_000.0,
    "market_police_transfers": 12.0,
}


class Text(str):
    """A literal string cell, never a formula (``Text("=HYPERLINK(...)")``)."""


@dataclass(frozen=True)
class Fmt:
    """A cell value with a number format (``Fmt(0.995, "0.0%")``)."""

    value: object
    number_format: str


def org_line(name: str, date: str = "2024年1月15日") -> str:
    """A 填报单位 line as departments write it."""
    return f"填报单位：{name}（盖章）　填报日期：{date}"


# ------------------------------------------------------------------------------ generic writer
def write_xlsx(
    path: str | Path,
    sheets: Mapping[str, Grid],
    *,
    hidden: Iterable[str] = (),
    merges: Mapping[str, Iterable[str]] | None = None,
) -> Path:
    """Write ``{sheet name: grid}`` (rows from A1) to a real .xlsx; ``hidden`` sheets are hidden."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    hidden = set(hidden)
    wb = Workbook()
    wb.remove(wb.active)
    for name, grid in sheets.items():
        ws = wb.create_sheet(name)
        for i, row in enumerate(grid, start=1):
            for j, value in enumerate(row, start=1):
                _set(ws.cell(row=i, column=j), value)
        for rng in (merges or {}).get(name, ()):
            ws.merge_cells(rng)
        if name in hidden:
            ws.sheet_state = "hidden"
    if hidden and all(name in hidden for name in sheets):
        raise ValueError("a workbook needs at least one visible sheet")
    wb.save(path)
    return path


def _set(cell, value: object) -> None:
    if value is None or value == "":
        return
    if isinstance(value, Fmt):
        cell.value = value.value
        cell.number_format = value.number_format
    elif isinstance(value, Text):
        cell.value = str(value)
        cell.data_type = "s"  # keep '=…' as text
    else:
        cell.value = value


def _preamble(title: str | None, org_line: str | None, header: Sequence[str]) -> list[list[object]]:
    """The rows above a table's data: title, 填报单位 line (each when given) and the header."""
    grid: list[list[object]] = [[text] for text in (title, org_line) if text]
    grid.append(list(header))
    return grid


# ------------------------------------------------------------------------------ Layout A
def layout_a_grid(
    org_line: str | None,
    rows: Sequence[Sequence[object]],
    *,
    header: Sequence[str] = HEADER_A,
    title: str | None = TITLE,
    footer: Sequence[Sequence[object]] = (),
    numbered: bool | None = None,
) -> list[list[object]]:
    """Title, 填报单位 line, header, one row per indicator, footer rows.

    ``rows`` give the cells after 序号 when the header starts with 序号 (``numbered`` is then
    the default): ``(label, unit, value[, note])``; a row of ``None`` is a blank row.
    """
    numbered = header[0] == "序号" if numbered is None else numbered
    grid = _preamble(title, org_line, header)
    n = 0
    for row in rows:
        if row is None or not any(v not in (None, "") for v in row):
            grid.append([])
            continue
        n += 1
        grid.append(([n] if numbered else []) + list(row))
    grid.extend(list(r) for r in footer)
    return grid


def make_layout_a(
    path: str | Path,
    org_line: str | None,
    rows: Sequence[Sequence[object]],
    *,
    header: Sequence[str] = HEADER_A,
    sheet: str = "Sheet1",
    title: str | None = TITLE,
    footer: Sequence[Sequence[object]] = (),
    extra_sheets: Mapping[str, Grid] | None = None,
    hidden_sheets: Mapping[str, Grid] | None = None,
) -> Path:
    """A Layout A (指标清单) workbook; ``hidden_sheets`` are added and hidden."""
    sheets: dict[str, Grid] = {sheet: layout_a_grid(org_line, rows, header=header, title=title, footer=footer)}
    sheets.update(extra_sheets or {})
    sheets.update(hidden_sheets or {})
    return write_xlsx(path, sheets, hidden=list(hidden_sheets or {}))


def make_good_market(path: str | Path, *, footer: Sequence[Sequence[object]] = ()) -> Path:
    """The good 区市场监管局 workbook: 行政处罚案件数 579 件, 罚款金额 566.2 万元, 移送 12 件."""
    return make_layout_a(path, MARKET_ORG_LINE, GOOD_MARKET_ROWS, footer=footer)


# ------------------------------------------------------------------------------ Layout B
def layout_b_grid(
    org_line: str | None,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    total: Sequence[object] | None = None,
    unit_row: Sequence[str] | None = None,
    title: str | None = TITLE,
    footer: Sequence[Sequence[object]] = (),
) -> list[list[object]]:
    """Title, 填报单位 line, header (``镇街`` + indicator columns), optional unit row, one row per
    镇街 (``(area, v1, v2, …)``), optional 合计 row (``total`` = the values after the label)."""
    grid = _preamble(title, org_line, header)
    if unit_row is not None:
        grid.append(["单位", *unit_row])
    grid.extend(list(r) for r in rows)
    if total is not None:
        grid.append(["合计", *total])
    grid.extend(list(r) for r in footer)
    return grid


def make_layout_b(
    path: str | Path,
    org_line: str | None,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    total: Sequence[object] | None = None,
    unit_row: Sequence[str] | None = None,
    sheet: str = "Sheet1",
    title: str | None = TITLE,
    footer: Sequence[Sequence[object]] = (),
) -> Path:
    """A Layout B (镇街矩阵) workbook."""
    grid = layout_b_grid(org_line, header, rows, total=total, unit_row=unit_row, title=title, footer=footer)
    return write_xlsx(path, {sheet: grid})


# ------------------------------------------------------------------------------ two-level row headers
Item = Sequence[object]  # (label, unit, value this year[, value last year])


def two_level_grid(
    org_line: str | None,
    groups: Sequence[tuple[str, Sequence[Item]]],
    *,
    style: str = "column",
    title: str | None = TITLE,
    footer: Sequence[Sequence[object]] = (),
) -> tuple[list[list[object]], list[str]]:
    """(grid, merges) of a table whose items stand under groups: ``style="column"`` puts the group in a
    类别 column merged down over its items; ``style="rows"`` puts a numbered group row (一、…) merged
    across the table above them. A group's item ``None`` is a blank row."""
    header = ("类别", "项目", "单位", f"{YEAR}年", f"{YEAR - 1}年") if style == "column" \
        else ("序号", "指标名称", "单位", f"{YEAR}年", f"{YEAR - 1}年")
    grid = _preamble(title, org_line, header)
    merges, n = [], 0
    for g, (group, items) in enumerate(groups):
        if style == "rows":
            grid.append([f"{_CN_NUMERALS[g]}、{group}"])
            merges.append(f"A{len(grid)}:E{len(grid)}")
        first = len(grid) + 1
        for k, item in enumerate(items):
            if item is None:
                grid.append([])
                continue
            label, unit, value, *prev = item
            n += 1
            lead = (group if k == 0 else None) if style == "column" else n
            grid.append([lead, label, unit, value, prev[0] if prev else None])
        if style == "column" and len(grid) > first:
            merges.append(f"A{first}:A{len(grid)}")
    grid.extend(list(r) for r in footer)
    return grid, merges


_CN_NUMERALS = "一二三四五六七八九十"


# ------------------------------------------------------------------------------ areas across the columns
def across_grid(
    org_line: str | None,
    areas: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    label_header: str = "指标名称",
    unit_column: bool = True,
    total: bool = True,
    title: str | None = TITLE,
    footer: Sequence[Sequence[object]] = (),
) -> list[list[object]]:
    """One row per indicator, one column per area (Layout B transposed), a 合计 column at the right.
    ``rows``: ``(label, unit, v1, v2, …[, total])`` (no unit when ``unit_column`` is False)."""
    header = [label_header, *(["单位"] if unit_column else []), *areas, *(["合计"] if total else [])]
    grid = _preamble(title, org_line, header)
    grid.extend(list(r) for r in rows)
    grid.extend(list(r) for r in footer)
    return grid


# ------------------------------------------------------------------------------ CSV
def make_csv(path: str | Path, grid: Grid, *, encoding: str = "utf-8-sig") -> Path:
    """A CSV file as Excel writes it (``gb18030`` on a Chinese Windows machine, or UTF-8 with BOM)."""
    import csv

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([["" if v is None else v for v in r] for r in grid])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


# ------------------------------------------------------------------------------ broken files
def truncate(src: str | Path, dst: str | Path | None = None, keep: float = 0.5) -> Path:
    """The first ``keep`` fraction of ``src``'s bytes, written to ``dst`` (default: in place)."""
    src = Path(src)
    data = src.read_bytes()
    dst = Path(dst) if dst is not None else src
    dst.write_bytes(data[: max(1, int(len(data) * keep))])
    return dst


def zip_bomb(path: str | Path, mb: int, *, template: str | Path | None = None) -> Path:
    """A workbook whose main XML part inflates to about ``mb`` MB of whitespace.

    The file itself is tiny (deflate compresses blanks ~1000:1) and structurally valid:
    for ``.xlsx`` (the default) it is ``template`` or a fresh one-sheet workbook whose
    ``xl/worksheets/sheet1.xml`` is padded; for ``.ods`` a minimal OpenDocument spreadsheet
    whose ``content.xml`` is padded. The padding is streamed through the compressor, so
    nothing that large is ever held in memory.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".ods":
        parts = {
            "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
            "META-INF/manifest.xml": _ODS_MANIFEST,
            "content.xml": _ODS_CONTENT,
        }
        member, marker = "content.xml", b"<table:table-row>"
    else:
        if template is None:
            buf = io.BytesIO()
            wb = Workbook()
            wb.active.title = "Sheet1"
            wb.active["A1"] = "指标名称"
            wb.save(buf)
            source = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
        else:
            source = zipfile.ZipFile(template)
        with source:
            parts = {info.filename: source.read(info.filename) for info in source.infolist()}
        member, marker = "xl/worksheets/sheet1.xml", b"<sheetData"
    chunk = b" " * (1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as out:
        for name, data in parts.items():
            if name != member:
                out.writestr(name, data)
                continue
            cut = data.index(marker)
            target = zipfile.ZipInfo(name, date_time=(2024, 1, 15, 0, 0, 0))
            target.compress_type = zipfile.ZIP_DEFLATED
            with out.open(target, "w", force_zip64=True) as fh:
                fh.write(data[:cut])
                for _ in range(mb):
                    fh.write(chunk)
                fh.write(data[cut:])
    return path


_ODS_MANIFEST = b"""<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""
_ODS_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
<office:body><office:spreadsheet><table:table table:name="Sheet1">
<table:table-row><table:table-cell office:value-type="string"><text:p>指标名称</text:p></table:table-cell></table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>""".encode()


def copy(src: str | Path, dst: str | Path) -> Path:
    """Copy a built file (e.g. a session-wide zip bomb) into a raw folder."""
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    return dst


# ------------------------------------------------------------------------------ templates, filled in
def fill_template(src: str | Path, dst: str | Path, value_for) -> dict[tuple[str, str], object]:
    """Fill every value cell of a template (a cell with data validation) with ``value_for(sheet, cell,
    prompt_title)`` (``None`` leaves it blank) and save it as Excel would: the 合计 formulas get their
    cached results (openpyxl writes none; Excel and WPS compute them on save). Returns
    ``{(sheet, cell): value}`` of the cells filled."""
    from openpyxl import load_workbook

    wb = load_workbook(src)
    filled: dict[tuple[str, str], object] = {}
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                ref = rng.coord
                if ":" in ref:  # a column of the 工作情况 sheet (text, not a value cell)
                    continue
                value = value_for(ws.title, ref, dv.promptTitle)
                if value is not None:
                    ws[ref].value = value
                    filled[(ws.title, ref)] = value
    Path(dst).parent.mkdir(parents=True, exist_ok=True)
    wb.save(dst)
    _cache_formulas(Path(dst), wb)
    return filled


def _cache_formulas(path: Path, wb) -> None:
    """Write the cached result of each ``=IF(COUNT(r)=0,"",SUM(r))`` the way Excel saves it."""
    import re

    from openpyxl.utils import range_boundaries

    results: dict[str, dict[str, object]] = {}
    for i, ws in enumerate(wb.worksheets, start=1):
        for row in ws.iter_rows():
            for cell in row:
                m = re.fullmatch(r'=IF\(COUNT\(([A-Z]+\d+:[A-Z]+\d+)\)=0,"",SUM\(\1\)\)', str(cell.value or ""))
                if m:
                    c1, r1, c2, r2 = range_boundaries(m.group(1))
                    nums = [c.value for col in ws.iter_cols(c1, c2, r1, r2) for c in col
                            if isinstance(c.value, (int, float))]
                    results.setdefault(f"xl/worksheets/sheet{i}.xml", {})[cell.coordinate] = \
                        round(sum(nums), 10) if nums else ""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            for ref, value in results.get(info.filename, {}).items():
                pat = re.compile(rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/?>(?:</v>)?'.encode())
                if value == "":
                    data, n = pat.subn(lambda m: b'<c r="' + ref.encode() + b'"' + m.group(1) + b' t="str"><f>' + m.group(2)
                                       + b"</f><v></v>", data)
                else:
                    data, n = pat.subn(lambda m: b'<c r="' + ref.encode() + b'"' + m.group(1) + b"><f>" + m.group(2)
                                       + f"</f><v>{value:g}</v>".encode(), data)
                assert n == 1, (info.filename, ref)
            zout.writestr(info, data)
    tmp.replace(path)


BUNDLED_RAW = Path(__file__).resolve().parent.parent / "data" / "raw"


def copy_bundled_year(dest: Path, year: int = 2023) -> Path:
    """A raw folder under ``dest`` holding a copy of the bundled workbooks of ``year`` (tests may change it)."""
    raw = Path(dest) / "raw"
    shutil.copytree(BUNDLED_RAW / str(year), raw / str(year))
    return raw
