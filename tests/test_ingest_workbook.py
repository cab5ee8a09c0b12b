"""Tests of fzanalysis.ingest.workbook: reading workbooks and CSV files into cell grids."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

from fzanalysis.core.errors import WorkbookError, WorkbookTooLarge
from fzanalysis.ingest.workbook import Limits, Sheet, XlsxInspector, a1, col_letter, decode_text, read_workbook
from tests.xlsx_factory import Fmt, Text, make_csv, truncate, write_xlsx, zip_bomb

_HAN = re.compile(r"[\u4e00-\u9fff]")


def _assert_one_line_chinese(exc, file: str) -> None:
    assert exc.file == file
    assert exc.reason and "\n" not in exc.reason
    assert _HAN.search(exc.reason), exc.reason
    assert str(exc).startswith(file)


# ------------------------------------------------------------------------------ addresses
@pytest.mark.parametrize("col,letters", [(0, "A"), (1, "B"), (25, "Z"), (26, "AA"), (27, "AB"), (51, "AZ"),
                                         (52, "BA"), (701, "ZZ"), (702, "AAA"), (16383, "XFD")])
def test_col_letter(col, letters):
    assert col_letter(col) == letters


def test_a1():
    assert a1(0, 0) == "A1"
    assert a1(4, 2) == "C5"
    assert a1(99, 26) == "AA100"


def _letters_to_index(letters: str) -> int:
    """Independent bijective base-26 decoding: A → 0, Z → 25, AA → 26."""
    n = 0
    for ch in letters:
        assert "A" <= ch <= "Z"
        n = n * 26 + (ord(ch) - ord("A") + 1)
    return n - 1


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=200_000), st.integers(min_value=0, max_value=1_048_575))
def test_col_letter_round_trip(col, row):
    letters = col_letter(col)
    assert _letters_to_index(letters) == col
    if col < 18_278:  # openpyxl's own implementation stops at ZZZ
        assert letters == get_column_letter(col + 1)
    assert a1(row, col) == f"{letters}{row + 1}"


# ------------------------------------------------------------------------------ xlsx
def _offset_grid() -> list[list[object]]:
    """A table whose title is at C5 (rows 1–4 and columns A–B empty)."""
    pad = [None, None]
    return [[] for _ in range(4)] + [
        pad + ["2023年法治政府建设情况统计表"],
        pad + ["指标名称", "2023年"],
        pad + ["行政处罚案件数", 579],
        pad + ["出庭应诉率", Fmt(1.0, "0%")],
        pad + ["办结率", Fmt(0.995, "0.0%")],
        pad + ["合计", "=SUM(D7:D8)"],
        pad + ["公式样文本", Text("=HYPERLINK(\"x\")")],
    ]


@pytest.fixture
def offset_book(tmp_path) -> Path:
    return write_xlsx(tmp_path / "市场监管局.xlsx",
                      {"统计表": _offset_grid(), "填报说明": [["请如实填报"]], "Sheet3": [["空"]]},
                      hidden=["填报说明"], merges={"统计表": ["C5:E5"]})


def test_read_workbook_keeps_the_workbooks_own_addresses(offset_book):
    wb = read_workbook(offset_book)
    assert [s.name for s in wb.sheets] == ["统计表", "Sheet3"]
    sheet = wb.sheets[0]
    assert (sheet.row0, sheet.col0) == (4, 2)
    assert sheet.rows[0][0] == "2023年法治政府建设情况统计表"
    assert sheet.address(0, 0) == "C5"
    i, j = next((i, j) for i, row in enumerate(sheet.rows) for j, v in enumerate(row) if v == 579)
    assert sheet.address(i, j) == "D7"
    assert sheet.rows[i][j - 1] == "行政处罚案件数"
    assert sheet.address(i, j - 1) == "C7"


def test_read_workbook_reports_merged_ranges_and_sets_hidden_sheets_aside(offset_book):
    wb = read_workbook(offset_book)
    assert wb.sheets[0].merged == [(4, 2, 4, 4)]  # C5:E5, 0-based and absolute
    assert wb.hidden == ["填报说明"]
    assert all("请如实填报" not in map(str, row) for s in wb.sheets for row in s.rows)
    assert isinstance(wb.inspector, XlsxInspector)


def test_sheet_address_default_origin():
    assert Sheet("S", [[1, 2], [3, 4]]).address(1, 1) == "B2"


def test_inspector_percent_formats(offset_book):
    ins = read_workbook(offset_book).inspector
    assert ins.is_percent("统计表", "D8") is True  # 0%
    assert ins.is_percent("统计表", "D9") is True  # 0.0%
    assert ins.is_percent("统计表", "D7") is False  # plain number
    assert ins.is_percent("统计表", "C7") is False  # text
    assert ins.is_percent("统计表", "Z99") is False  # no such cell


_NAMES = st.from_regex(r"(?:[a-z]{1,3}:)?[A-Za-z][A-Za-z0-9]{0,8}", fullmatch=True)
_VALUES = st.text(st.characters(blacklist_characters="\"'<>&", blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_NAMES, _VALUES, max_size=5), st.lists(st.sampled_from(['"', "'"]), min_size=5, max_size=5),
       st.lists(st.sampled_from(["", " ", "\n  "]), min_size=5, max_size=5))
def test_xml_attributes_in_any_order_and_quotes(attrs, quotes, spaces):
    """What the inspector reads from workbook.xml and styles.xml: a start tag's attributes, whatever
    their order, quotes (either kind) and spacing around ``=``."""
    from fzanalysis.ingest.workbook import _attrs

    parts = [f"{name}{sp}={sp}{q}{value}{q}" for (name, value), q, sp in zip(attrs.items(), quotes, spaces)]
    assert _attrs("<sheet " + " ".join(parts) + "/>") == attrs


def test_inspector_reads_a_workbook_written_with_single_quotes_and_other_orders(tmp_path, offset_book):
    """Another writer's workbook.xml / styles.xml (attributes reordered, single quotes): the same answers."""
    import zipfile

    src, dst = zipfile.ZipFile(offset_book), tmp_path / "other_writer.xlsx"
    with zipfile.ZipFile(dst, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename).decode("utf-8") if item.filename.endswith((".xml", ".rels")) else None
            if data is not None and item.filename != "[Content_Types].xml":
                data = re.sub(r'<(sheet|numFmt|xf|Relationship|c)\b([^>]*?)(/?)>',
                              lambda m: "<" + m.group(1) + " " + " ".join(reversed(re.findall(r'[\w:]+="[^"]*"', m.group(2))))
                              .replace('"', "'") + m.group(3) + ">", data)
            out.writestr(item, data.encode("utf-8") if data is not None else src.read(item.filename))
    assert "r='D8'" in zipfile.ZipFile(dst).read("xl/worksheets/sheet1.xml").decode("utf-8")
    ins = XlsxInspector(dst)
    assert [ins.is_percent("统计表", c) for c in ("D8", "D9", "D7")] == [True, True, False]
    assert (ins.formula("统计表", "D10"), ins.formula("统计表", "D7")) == ("SUM(D7:D8)", None)


def test_inspector_formula_without_cached_value(offset_book):
    wb = read_workbook(offset_book)
    sheet = wb.sheets[0]
    assert sheet.rows[5][1] in ("", None)  # calamine sees no value: openpyxl writes no cached result
    ins = wb.inspector
    assert ins.formula("统计表", "D10") == "SUM(D7:D8)"
    assert ins.formula("统计表", "D7") is None  # a plain value
    assert ins.formula("统计表", "D11") is None  # formula-looking text is text
    assert sheet.rows[6][1] == '=HYPERLINK("x")'
    assert ins.formula("统计表", "A1") is None


# ------------------------------------------------------------------------------ CSV
CSV_GRID = [["填报单位：重庆市大渡口区民政局"], ["项目", "单位", "2023年"], ["撤销登记社会组织数", "家", "6"]]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_read_csv_encodings(tmp_path, encoding):
    path = make_csv(tmp_path / "民政局.csv", CSV_GRID, encoding=encoding)
    if encoding == "utf-8-sig":
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    wb = read_workbook(path)
    assert wb.hidden == [] and wb.inspector is None
    assert len(wb.sheets) == 1
    sheet = wb.sheets[0]
    assert sheet.name == "民政局"
    assert sheet.rows == [["填报单位：重庆市大渡口区民政局", "", ""], ["项目", "单位", "2023年"],
                          ["撤销登记社会组织数", "家", "6"]]
    assert sheet.address(2, 2) == "C3"


# ------------------------------------------------------------------------------ limits
def test_zip_bomb_is_refused_before_inflating(tmp_path):
    path = zip_bomb(tmp_path / "bomb.xlsx", 3)
    assert path.stat().st_size < 100_000
    with pytest.raises(WorkbookTooLarge) as info:
        read_workbook(path, Limits(max_uncompressed=1024 * 1024))
    _assert_one_line_chinese(info.value, "bomb.xlsx")
    assert "上限" in info.value.reason
    # within a larger bound the same file is an ordinary workbook
    wb = read_workbook(path, Limits(max_uncompressed=10 * 1024 * 1024))
    assert wb.sheets[0].rows[0][0] == "指标名称"


def test_sheet_with_too_many_cells_is_refused(tmp_path):
    grid = [[i * 10 + j for j in range(10)] for i in range(10)]
    path = write_xlsx(tmp_path / "big.xlsx", {"大表": grid})
    with pytest.raises(WorkbookTooLarge) as info:
        read_workbook(path, Limits(max_cells=99))
    _assert_one_line_chinese(info.value, "big.xlsx")
    assert info.value.sheet == "大表"
    assert len(read_workbook(path, Limits(max_cells=100)).sheets[0].rows) == 10


def test_csv_limits(tmp_path):
    path = make_csv(tmp_path / "big.csv", [["1"] * 10 for _ in range(10)])
    with pytest.raises(WorkbookTooLarge):
        read_workbook(path, Limits(max_cells=99))
    with pytest.raises(WorkbookTooLarge):
        read_workbook(path, Limits(max_uncompressed=100))
    assert len(read_workbook(path, Limits(max_cells=100)).sheets[0].rows) == 10


def test_a_file_larger_than_the_bound_is_refused_whatever_its_entries(tmp_path):
    """Bytes appended after a small workbook's zip entries: the inflated size is small, the file is not."""
    path = write_xlsx(tmp_path / "padded.xlsx", {"表": [["指标名称", "2023年"], ["行政复议受理数", 48]]})
    with path.open("ab") as fh:
        fh.write(b"\0" * (3 * 1024 * 1024))
    with pytest.raises(WorkbookTooLarge) as info:
        read_workbook(path, Limits(max_uncompressed=2 * 1024 * 1024))
    _assert_one_line_chinese(info.value, "padded.xlsx")
    assert info.value.reason == "文件 3 MB，超过上限 2 MB，未读取"


def test_too_large_is_a_workbook_error():
    assert issubclass(WorkbookTooLarge, WorkbookError)


# ------------------------------------------------------------------------------ unreadable files
def _corrupt_cases(tmp_path: Path) -> dict[str, Path]:
    good = write_xlsx(tmp_path / "good.xlsx", {"S": [["指标", "2023年"], ["案件数", 1]]})
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    text = tmp_path / "text.xlsx"
    text.write_text("这不是电子表格", encoding="utf-8")
    empty_csv = tmp_path / "empty.csv"
    empty_csv.write_bytes(b"\r\n  \r\n")
    binary_csv = tmp_path / "binary.csv"
    binary_csv.write_bytes(b"a,b\x00\x01\x02")
    return {
        "truncated.xlsx": truncate(good, tmp_path / "truncated.xlsx"),
        "empty.xlsx": empty,
        "text.xlsx": text,
        "empty.csv": empty_csv,
        "binary.csv": binary_csv,
        "missing.xlsx": tmp_path / "missing.xlsx",
    }


@pytest.mark.parametrize("name", ["truncated.xlsx", "empty.xlsx", "text.xlsx", "empty.csv", "binary.csv",
                                  "missing.xlsx"])
def test_unreadable_files_raise_workbook_error(tmp_path, name):
    path = _corrupt_cases(tmp_path)[name]
    with pytest.raises(WorkbookError) as info:
        read_workbook(path)
    assert not isinstance(info.value, WorkbookTooLarge)
    _assert_one_line_chinese(info.value, name)


def test_text_files_are_read_as_utf8_with_or_without_bom_or_as_gb18030():
    text = "填报单位,区司法局\n行政复议受理数,41\n"
    assert decode_text(text.encode("utf-8")) == text
    assert decode_text(b"\xef\xbb\xbf" + text.encode("utf-8")) == text  # Excel's BOM is not part of the text
    assert decode_text(text.encode("gb18030")) == text  # what WPS and older Excel save
    assert decode_text("区司法局".encode("utf-16")) != "区司法局"  # not one of them: never read as if it were
