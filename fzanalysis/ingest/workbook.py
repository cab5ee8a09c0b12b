"""Workbook → cell grids with the workbook's own A1 addresses.

Reading is done by python-calamine (several times faster than openpyxl here). Its grid starts
at the first used cell, so ``sheet.start`` is added back to get the workbook's own addresses.
calamine does not expose number formats nor formulas; the few cells where those matter
(a numeric cell that may be a percentage, an empty cell that may be a formula without a cached
value) are looked up lazily in the sheet XML by :class:`XlsxInspector`.

Guards: an ``.xlsx`` is a zip of XML, so its entries are checked before anything is inflated (their
number, their inflated size, no encrypted entry, stored or deflated only), and the cell count of each
sheet is bounded. :func:`read_zip_part` reads one part of any zip-based file (a report's ``.docx``)
through the same checks, and stops inflating at the bound.
"""
from __future__ import annotations

import csv
import html
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from ..core.errors import ParameterError, WorkbookError, WorkbookTooLarge

__all__ = ["DEFAULT_MAX_CELLS", "DEFAULT_MAX_ENTRIES", "DEFAULT_MAX_UNCOMPRESSED", "SPREADSHEET_SUFFIXES",
           "TEXT_ENCODINGS", "ZIP_METHODS", "Limits", "Sheet", "Workbook", "XlsxInspector", "a1", "check_size",
           "col_letter", "decode_text", "read_workbook", "read_zip_part"]

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv")
DEFAULT_MAX_UNCOMPRESSED = 200 * 1024 * 1024  # bytes
DEFAULT_MAX_CELLS = 2_000_000
DEFAULT_MAX_ENTRIES = 10_000  # zip entries: a workbook of a thousand sheets has a few thousand
ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)  # what Excel, WPS and Word write


@dataclass(frozen=True)
class Limits:
    """Size bounds a workbook (or any zip-based file) must respect before it is read."""

    max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED
    max_cells: int = DEFAULT_MAX_CELLS
    max_entries: int = DEFAULT_MAX_ENTRIES

    def __post_init__(self) -> None:
        for name, flag in (("max_uncompressed", "--max-uncompressed-mb"), ("max_cells", "--max-cells"),
                           ("max_entries", "max_entries")):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ParameterError(f"{flag} 须为正整数，收到 {value!r}")


def col_letter(col: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def a1(row: int, col: int) -> str:
    """0-based (row, col) → A1 address."""
    return f"{col_letter(col)}{row + 1}"


@dataclass
class Sheet:
    """One sheet: ``rows[i][j]`` is the cell at workbook row ``row0+i`` and column ``col0+j``."""

    name: str
    rows: list[list[object]]
    row0: int = 0
    col0: int = 0
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2 (0-based, absolute)

    def address(self, i: int, j: int) -> str:
        return a1(self.row0 + i, self.col0 + j)


@dataclass
class Workbook:
    path: Path
    sheets: list[Sheet]
    hidden: list[str]
    inspector: "XlsxInspector | None" = None


def read_workbook(path: str | Path, limits: Limits = Limits()) -> Workbook:
    """Read every visible sheet of a workbook or CSV file.

    Raises :class:`WorkbookError` (one-line reason) when the file cannot be read at all and
    :class:`WorkbookTooLarge` when it passes ``limits``.
    """
    path = Path(path)
    name = path.name
    if path.suffix.lower() == ".csv":
        return _read_csv(path, limits)
    if check_size(path, limits) == 0:  # a file padded past its zip entries is read whole by the inspector: bounded
        raise WorkbookError("空文件（0 字节）", file=name)
    inspector = None
    if path.suffix.lower() in _ZIP_PARTS:  # every zip-based format: bound the inflated size first
        _check_zip(path, limits)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        inspector = XlsxInspector(path)
    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise WorkbookError(f"不是可读的电子表格（{_short(exc)}）", file=name) from None
    sheets: list[Sheet] = []
    hidden: list[str] = []
    try:
        for meta in book.sheets_metadata:
            if meta.visible != SheetVisibleEnum.Visible:
                hidden.append(meta.name)
                continue
            sheet = book.get_sheet_by_name(meta.name)
            cells = sheet.height * sheet.width
            if cells > limits.max_cells:
                raise WorkbookTooLarge(
                    f"工作表有 {cells} 个单元格，超过上限 {limits.max_cells}，未读取", file=name, sheet=meta.name
                )
            start = sheet.start or (0, 0)
            merged = [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or [])]
            sheets.append(Sheet(meta.name, sheet.to_python(), start[0], start[1], merged))
    except (CalamineError, ValueError) as exc:
        raise WorkbookError(f"工作表无法读取（{_short(exc)}）", file=name) from None
    finally:
        book.close()
    return Workbook(path, sheets, hidden, inspector)


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


# zip-based formats → the part a real file of that kind always has
_ZIP_PARTS = {".xlsx": "xl/workbook.xml", ".xlsm": "xl/workbook.xml", ".xlsb": "xl/workbook.bin", ".ods": "content.xml",
              ".docx": "word/document.xml"}
_CHUNK = 1024 * 1024


def _mb(size: int) -> int:
    return size // (1024 * 1024)


def _check_zip(path: Path, limits: Limits) -> None:
    """The entries of a zip-based file, before anything is inflated: how many (the directory's own count,
    then the entries read), their inflated size, no encrypted entry, stored or deflated only, and the part
    a real file of its kind has. :class:`WorkbookError` (:class:`WorkbookTooLarge` past a bound)."""
    kind = path.suffix.lower().lstrip(".")
    name = path.name
    try:
        with path.open("rb") as fh:
            end = zipfile._EndRecData(fh)  # the end-of-directory record: its entry count, read before the entries
        if end and end[zipfile._ECD_ENTRIES_TOTAL] > limits.max_entries:
            raise _too_many(end[zipfile._ECD_ENTRIES_TOTAL], limits, name)
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        raise WorkbookError(f"不是有效的 {kind} 文件（zip 结构损坏或被截断）", file=name) from None
    except OSError as exc:
        raise WorkbookError(f"无法打开文件：{exc.strerror}", file=name) from None
    if len(infos) > limits.max_entries:
        raise _too_many(len(infos), limits, name)
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed:
        raise WorkbookTooLarge(f"解压后 {_mb(total)} MB，超过上限 {_mb(limits.max_uncompressed)} MB，未读取", file=name)
    if any(info.flag_bits & 0x1 for info in infos):
        raise WorkbookError(f"含加密的条目（{kind} 文件设有密码），未读取", file=name)
    methods = sorted({info.compress_type for info in infos} - set(ZIP_METHODS))
    if methods:
        raise WorkbookError(f"含不支持的压缩方式（{methods[0]}），未读取", file=name)
    required = _ZIP_PARTS[path.suffix.lower()]
    if required not in {info.filename for info in infos}:
        raise WorkbookError(f"不是有效的 {kind} 文件（缺少 {required}）", file=name)


def check_size(path: Path, limits: Limits) -> int:
    """The file's size in bytes; :class:`WorkbookTooLarge` past ``limits.max_uncompressed``."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise WorkbookError(f"无法打开文件：{exc.strerror}", file=path.name) from None
    if size > limits.max_uncompressed:
        raise WorkbookTooLarge(f"文件 {_mb(size)} MB，超过上限 {_mb(limits.max_uncompressed)} MB，未读取", file=path.name)
    return size


def _too_many(count: int, limits: Limits, name: str) -> WorkbookTooLarge:
    return WorkbookTooLarge(f"zip 条目 {count} 个，超过上限 {limits.max_entries} 个，未读取", file=name)


def read_zip_part(path: str | Path, limits: Limits = Limits()) -> bytes:
    """The part a zip-based file of its kind always has (``word/document.xml`` of a ``.docx``), after
    :func:`_check_zip`; inflating stops as soon as the part passes ``limits.max_uncompressed``, whatever
    the directory declared. A corrupt stream, a wrong checksum or a truncated file: :class:`WorkbookError`."""
    path = Path(path)
    kind, name = path.suffix.lower().lstrip("."), path.name
    check_size(path, limits)
    _check_zip(path, limits)
    chunks, total = [], 0
    try:
        with zipfile.ZipFile(path) as zf, zf.open(_ZIP_PARTS[path.suffix.lower()]) as part:
            while chunk := part.read(min(_CHUNK, limits.max_uncompressed + 1 - total)):
                total += len(chunk)
                if total > limits.max_uncompressed:
                    raise WorkbookTooLarge(f"解压后超过上限 {_mb(limits.max_uncompressed)} MB，未读取", file=name)
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError):
        raise WorkbookError(f"不是有效的 {kind} 文件（压缩数据损坏）", file=name) from None
    except OSError as exc:
        raise WorkbookError(f"无法打开文件：{exc.strerror}", file=name) from None
    return b"".join(chunks)


TEXT_ENCODINGS = ("utf-8-sig", "gb18030")  # what Excel and WPS save a CSV or text file in, in China


def decode_text(data: bytes) -> str | None:
    """The text of a CSV, manifest or report file saved as UTF-8 (with or without BOM) or GB18030;
    None when neither decodes it."""
    for encoding in TEXT_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _read_csv(path: Path, limits: Limits) -> Workbook:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise WorkbookError(f"无法打开文件：{exc.strerror}", file=path.name) from None
    if not data.strip():
        raise WorkbookError("空文件", file=path.name)
    if len(data) > limits.max_uncompressed:
        raise WorkbookTooLarge("CSV 文件超过大小上限，未读取", file=path.name)
    text = decode_text(data)
    if text is None:  # pragma: no cover - gb18030 decodes nearly any byte string
        raise WorkbookError("CSV 编码无法识别（应为 UTF-8 或 GB18030）", file=path.name)
    if "\x00" in text:
        raise WorkbookError("不是文本 CSV 文件（含二进制内容）", file=path.name)
    try:
        rows = [list(r) for r in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        raise WorkbookError(f"CSV 格式错误（{exc}）", file=path.name) from None
    if sum(len(r) for r in rows) > limits.max_cells:
        raise WorkbookTooLarge("CSV 单元格数超过上限，未读取", file=path.name)
    width = max((len(r) for r in rows), default=0)
    grid = [r + [""] * (width - len(r)) for r in rows]
    return Workbook(path, [Sheet(path.stem, grid)], [], None)


_RELATIONSHIP = re.compile(r"<Relationship\b[^>]*>")
_SHEET = re.compile(r"<(?:\w+:)?sheet\b[^>]*>")
_NUMBER_FORMAT = re.compile(r"<numFmt\b[^>]*>")
_CELL_XFS = re.compile(r"<cellXfs\b[^>]*>(.*?)</cellXfs>", re.S)
_XF = re.compile(r"<xf\b[^>]*>")
_ATTRIBUTE = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
# a cell element and its address, in either quotes as XML allows
_CELL_ELEMENT = re.compile(r'<c\b[^>]*?\br=["\']([A-Z]+\d+)["\'][^>]*?(?:/>|>.*?</c>)', re.S)
_BUILTIN_PERCENT_IDS = {9, 10}


class XlsxInspector:
    """Lazy look-ups in an .xlsx's XML for what calamine does not expose.

    Only opened for the rare cell that needs it (a numeric rate cell ≤ 1 in a workbook that has a
    percent format, an empty value cell); then the file is read once, into memory, for all of them.
    """

    def __init__(self, path: Path):
        self.path = path
        self._zip: zipfile.ZipFile | None | bool = None  # False: not a readable zip
        self._sheet_files: dict[str, str] = {}
        self._percent_styles: set[int] = set()
        self._cells: dict[str, dict[str, str]] = {}  # sheet → cell address → its <c> element

    def _open(self) -> zipfile.ZipFile | None:
        """The workbook's zip, read on first use together with its index (sheet parts, percent styles)."""
        if self._zip is None:
            try:
                self._zip = zipfile.ZipFile(io.BytesIO(self.path.read_bytes()))
                self._load_index(self._zip)
            except (zipfile.BadZipFile, OSError):
                self._zip = False
        return self._zip or None

    def _zip_text(self, zf: zipfile.ZipFile, name: str) -> str:
        try:
            return zf.read(name).decode("utf-8", errors="replace")
        except KeyError:
            return ""

    def _load_index(self, zf: zipfile.ZipFile) -> None:
        """Sheet name → its part (workbook.xml through its relationships), and the percent styles."""
        rels = self._zip_text(zf, "xl/_rels/workbook.xml.rels")
        targets = {}
        for tag in _RELATIONSHIP.findall(rels):
            a = _attrs(tag)
            if a.get("Id") and a.get("Target"):
                t = a["Target"].lstrip("/")
                targets[a["Id"]] = t if t.startswith("xl/") else "xl/" + t
        for tag in _SHEET.findall(self._zip_text(zf, "xl/workbook.xml")):
            a = _attrs(tag)
            rid = next((v for k, v in a.items() if k.endswith(":id")), None)
            if "name" in a and rid:
                self._sheet_files[_unescape(a["name"])] = targets.get(rid, "")
        styles = self._zip_text(zf, "xl/styles.xml")
        percent_ids = set(_BUILTIN_PERCENT_IDS)
        for tag in _NUMBER_FORMAT.findall(styles):
            a = _attrs(tag)
            if a.get("numFmtId", "").isdigit() and "%" in _unescape(a.get("formatCode", "")):
                percent_ids.add(int(a["numFmtId"]))
        xfs = _CELL_XFS.search(styles)
        for i, tag in enumerate(_XF.findall(xfs.group(1)) if xfs else []):
            fmt = _attrs(tag).get("numFmtId", "")
            if fmt.isdigit() and int(fmt) in percent_ids:
                self._percent_styles.add(i)

    def _sheet_cells(self, sheet: str) -> dict[str, str]:
        """cell address → the raw ``<c>`` element XML of one sheet."""
        if sheet not in self._cells:
            zf, part = self._open(), self._sheet_files.get(sheet, "")
            xml = self._zip_text(zf, part) if zf and part else ""
            self._cells[sheet] = {m.group(1): m.group(0) for m in _CELL_ELEMENT.finditer(xml)}
        return self._cells[sheet]

    def is_percent(self, sheet: str, cell: str) -> bool:
        """True when the cell's number format is a percentage (``0%``, ``0.0%`` …)."""
        self._open()
        if not self._percent_styles:
            return False  # no percent format in the workbook: no sheet to read
        style = re.search(r'\bs=["\'](\d+)["\']', self._sheet_cells(sheet).get(cell, "").split(">", 1)[0])
        return bool(style) and int(style.group(1)) in self._percent_styles

    def error(self, sheet: str, cell: str) -> str | None:
        """The Excel error value (``#DIV/0!``, ``#REF!`` …) of an error cell, else None.

        calamine reads error cells as empty, which must not pass for a blank cell."""
        xml = self._sheet_cells(sheet).get(cell, "")
        if not re.search(r'\bt=["\']e["\']', xml.split(">", 1)[0]):
            return None
        v = re.search(r"<v>([^<]+)</v>", xml)
        return _unescape(v.group(1)).strip() if v else "#错误"

    def formula(self, sheet: str, cell: str) -> str | None:
        """The formula of a cell that has no cached value, else None."""
        xml = self._sheet_cells(sheet).get(cell, "")
        f = re.search(r"<f\b[^>]*>(.*?)</f>|<f\b[^>]*/>", xml, re.S)
        if not f:
            return None
        if re.search(r"<v>[^<]+</v>", xml):
            return None
        if re.search(r'\bt=["\']str["\']', xml.split(">", 1)[0]):
            return None  # cached text, here empty: =IF(COUNT(…)=0,"",SUM(…)) over blank cells is a blank, not a 0
        return _unescape(f.group(1) or "(共享公式)")


def _attrs(tag: str) -> dict[str, str]:
    """The attributes of one XML start tag (in either quotes), as written."""
    return {name: double or single for name, double, single in _ATTRIBUTE.findall(tag)}


def _unescape(text: str) -> str:
    """XML text → plain text: the five named entities and numeric character references
    (openpyxl writes every non-ASCII character as ``&#24453;``)."""
    return html.unescape(text)
