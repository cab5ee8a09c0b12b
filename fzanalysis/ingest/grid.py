"""A sheet's cells as the layouts read them (单元格、行、表头): keys, row kinds, header texts, records.

Shared by the layouts (:mod:`fzanalysis.ingest.indicator_list` — Layout A and its variants —,
:mod:`fzanalysis.ingest.unit_matrix` — Layout B) and the scanner that finds their tables
(:mod:`fzanalysis.ingest.tables`):

- a cell's text and its keys: :func:`word_key` (NFKC, no spaces or punctuation), :func:`header_key` (also
  without bracketed parts: 指标名称（单位） → 指标名称);
- the kind of a row (:func:`classify_row`: blank, personal, meta, note, other) and personal data in it
  (:func:`personal_kind`: a sign-off line, a bare label or a phone number);
- the vocabulary's header words as keys (:class:`HeaderWords`), the header texts of a column over one or
  more header rows, merged cells spread (:func:`header_texts`);
- :class:`SheetGrid`: one sheet's rows, their kinds and keys, the rows a table used, and the records found
  (:class:`Record`: a value cell and what its headers say about it, with its A1 address).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from ..core.areas import area_name
from ..core.catalog import Catalog
from ..core.sanitize import LabelPattern, follows_words, mask_personal
from ..core.text import split_unit, text_cache
from ..core.vocabulary import Vocabulary
from .workbook import Sheet

__all__ = ["GROUP_LABEL", "ORG_LINE", "PERSONAL_LABEL", "YEAR", "HeaderWords", "Record", "SheetGrid", "SheetScan",
           "cell_text", "classify_row", "filled_columns", "header_key", "header_key_of", "header_texts", "header_words",
           "is_blank", "is_number", "label_candidates", "line_dates", "nfkc", "personal_kind", "word_key",
           "word_key_of"]


# personal-data labels are catalog data (personal_data.csv of the catalog folder in force), shared with
# fzanalysis.core.sanitize
PERSONAL_LABEL = LabelPattern(r"^({labels})\s*([:：]|$)")
_META = re.compile(r"^(填报单位|报送单位|填报日期|报送日期|填报时间|统计时间|统计时段|统计期间)\s*[:：]")
ORG_LINE = re.compile(r"(?:填报单位|报送单位|单位名称)\s*[:：]\s*([^\s　]+)")
_NOTE = re.compile(r"^(注|备注|说明|附注|数据来源|填报说明)\s*(\d|[:：、．.])")
GROUP_LABEL = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、．.]|[（(][一二三四五六七八九十]+[)）])")
YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})")
_SIGN_OFF = LabelPattern(r"({labels})\s*[:：]")
_NON_WORD = re.compile(r"[\W_]+")


@dataclass
class Record:
    """One value cell and what its headers say about it."""

    sheet: str
    cell: str
    labels: tuple[str, ...]  # label candidates for catalog matching, best first
    unit_hint: str  # unit from a unit column, a header bracket or a unit row ('' if none)
    raw: object  # the cell as read (str, float, int, datetime, bool)
    area: str = ""  # the resolved area (a 镇街, a 村/社区) of a Layout B row or an across column
    is_total: bool = False
    aside: str = ""  # when set: the reason this cell is set aside, not an indicator value
    group: str = ""  # the group label (类别 cell, 一、… row) an item may be read with ('' if none)
    series: str = ""  # what a 合计 sums ('' when none): "C<j>" the rows of column j, "R<i>" the areas of row i


@dataclass
class SheetScan:
    records: list[Record] = field(default_factory=list)
    personal_cells: list[str] = field(default_factory=list)  # first cell of each dropped sign-off row
    org_texts: list[str] = field(default_factory=list)  # 填报单位 values
    titles: list[str] = field(default_factory=list)  # lone text rows above the first table
    money_unit: str = ""  # a sheet-level "单位：万元" line
    tables: int = 0
    dates: list = field(default_factory=list)  # dates on 填报单位 / 填报日期 lines (datetime.date)


def cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v.strip()
    return str(v)


def word_key(v: object) -> str:
    """Header key: NFKC, no spaces or punctuation."""
    if v is None:
        return ""
    return word_key_of(v if isinstance(v, str) else str(v))


_BRACKETED = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")


def header_key(v: object) -> str:
    """Header key: like :func:`word_key`, bracketed parts removed (指标名称（单位） → 指标名称)."""
    if v is None:
        return ""
    return header_key_of(v if isinstance(v, str) else str(v))


@text_cache()
def header_key_of(text: str) -> str:
    return word_key_of(_BRACKETED.sub("", text))


@text_cache()
def word_key_of(text: str) -> str:
    # cell texts repeat across rows, sheets and workbooks: computed once per distinct text
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text)).lower()


@text_cache()
def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def is_blank(v: object) -> bool:
    """``cell_text(v) == ""`` without turning a number into text."""
    return v is None or (isinstance(v, str) and not v.strip())


def filled_columns(row: list[object]) -> list[int]:
    return [j for j, v in enumerate(row) if not is_blank(v)]


def personal_kind(row: list[object]) -> str:
    """'hard' for a sign-off line (填表人：张三), 'soft' for a bare personal label or a phone number
    (a 联系人 / 联系电话 column of a table, or a sign-off without colons), '' otherwise."""
    soft = False
    for v in row:
        if not isinstance(v, str):
            continue  # numbers are values; a number that is a phone is caught where values are read
        kind = _text_personal(v.strip())
        if kind == "hard":
            return "hard"
        soft = soft or kind == "soft"
    return "soft" if soft else ""


@follows_words
@text_cache()
def _text_personal(text: str) -> str:
    """:func:`personal_kind` of one cell's text (cached: labels and headers repeat)."""
    if not text:
        return ""
    norm = nfkc(text)
    label = PERSONAL_LABEL.search(norm)
    if _SIGN_OFF.search(norm) or (label and label.group(2)):
        return "hard"
    return "soft" if label or mask_personal(norm) != norm else ""  # a phone, ID number or e-mail


def classify_row(row: list[object]) -> str:
    """'blank', 'personal', 'meta', 'note' or 'other' for one grid row."""
    filled = [v for v in row if not is_blank(v)]
    if not filled:
        return "blank"
    if personal_kind(filled):
        return "personal"
    first = nfkc(cell_text(filled[0]))
    if _META.search(first) or ORG_LINE.search(first):
        return "meta"
    if _NOTE.search(first) and len(filled) <= 2:
        return "note"
    return "other"


@dataclass(frozen=True)
class HeaderWords:
    """The vocabulary's words as this module matches them: header keys (:func:`header_key`), total keys."""

    name: frozenset[str]
    unit: frozenset[str]
    seq: frozenset[str]
    note: frozenset[str]
    context: frozenset[str]
    value: frozenset[str]
    area: frozenset[str]  # area and village headers
    village: frozenset[str]
    total: frozenset[str]
    subtotal: frozenset[str]
    prev: tuple[str, ...]  # matched inside a header's text (NFKC)
    change: tuple[str, ...]
    prev_keys: frozenset[str]  # a header part that is a previous-year word (Layout B: 上年 over 案件数)


@lru_cache(maxsize=8)
def header_words(vocab: Vocabulary) -> HeaderWords:
    def keys(kind: str, key=header_key_of) -> frozenset[str]:
        return frozenset(k for k in map(key, vocab.of(kind)) if k)

    def texts(kind: str) -> tuple[str, ...]:
        return tuple(nfkc(w) for w in vocab.of(kind))

    return HeaderWords(
        name=keys("name_header"), unit=keys("unit_header"), seq=keys("seq_header"), note=keys("note_header"),
        context=keys("context_header"), value=keys("value_header"),
        area=keys("area_header") | keys("village_header"), village=keys("village_header"),
        total=keys("total_word", word_key_of), subtotal=keys("subtotal_word", word_key_of),
        prev=texts("prev_word"), change=texts("change_word"), prev_keys=keys("prev_word"),
    )


def _merged_fill(sheet: Sheet, rows: range) -> dict[tuple[int, int], object]:
    """Values spread over merged ranges that touch ``rows`` (grid indices)."""
    fill: dict[tuple[int, int], object] = {}
    for r1, c1, r2, c2 in sheet.merged:
        i1, j1 = r1 - sheet.row0, c1 - sheet.col0
        i2, j2 = r2 - sheet.row0, c2 - sheet.col0
        if i2 < rows.start or i1 >= rows.stop or i1 < 0 or j1 < 0 or i1 >= len(sheet.rows):
            continue
        top = sheet.rows[i1][j1] if j1 < len(sheet.rows[i1]) else ""
        for i in range(max(i1, rows.start), min(i2, rows.stop - 1) + 1):
            for j in range(j1, j2 + 1):
                fill[(i, j)] = top
    return fill


def header_texts(sheet: Sheet, header_rows: list[int], width: int) -> list[list[str]]:
    """Per column, the header texts of the header rows (merged cells spread), deduplicated."""
    fill = _merged_fill(sheet, range(min(header_rows), max(header_rows) + 1))
    out = []
    for j in range(width):
        parts: list[str] = []
        for i in header_rows:
            v = fill.get((i, j), sheet.rows[i][j] if j < len(sheet.rows[i]) else "")
            t = cell_text(v)
            if t and (not parts or parts[-1] != t):
                parts.append(t)
        out.append(parts)
    return out


def label_candidates(parts: list[str], vocab: Vocabulary) -> tuple[tuple[str, ...], str]:
    """Header parts → (label candidates, unit hint).  ``行政处罚`` + ``案件数（件）``."""
    if not parts:
        return (), ""
    last, unit = split_unit(parts[-1], vocab)
    if not unit and len(parts) > 1:
        _, unit = split_unit(parts[0], vocab)
    cands = []
    if len(parts) > 1:
        head = [split_unit(p, vocab)[0] for p in parts[:-1]]
        cands.append("".join(head) + last)
    cands.append(last)
    if len(parts) > 1:
        cands.append(split_unit(parts[0], vocab)[0])
    return tuple(dict.fromkeys(c for c in cands if c)), unit


class SheetGrid:
    """One sheet as the layouts read it: its rows classified, header keys, the rows a table used, the
    records found; where a table ends, what a unit row is, an area's name, a record added."""

    def __init__(self, sheet: Sheet, catalog: Catalog, year: int):
        self.sheet = sheet
        self.catalog = catalog
        self.year = year
        self.vocab = catalog.vocabulary
        self.words = header_words(self.vocab)
        self.rows = sheet.rows
        self.kinds = [classify_row(r) for r in self.rows]
        # header keys, where a table starts or stops (a number is never a header word)
        self.keys = [[header_key(v) if isinstance(v, str) else "" for v in r] for r in self.rows]
        self.width = max((len(r) for r in self.rows), default=0)
        self.scan = SheetScan()
        # rows personal only through a bare 联系人 label or a phone number may still be a table's
        # header or data rows (a matrix with contact columns): those columns are dropped, the rest read
        self.soft = {i for i, r in enumerate(self.rows) if self.kinds[i] == "personal" and personal_kind(r) == "soft"}
        self.consumed: set[int] = set()
        # top-left cells (absolute) of ranges merged across columns: a group row written across a table
        self.merged_across = {(r1, c1) for r1, c1, r2, c2 in sheet.merged if c2 > c1}

    def usable(self, i: int) -> bool:
        return self.kinds[i] == "other" or i in self.soft

    def _stop(self, i: int) -> bool:
        if self.kinds[i] in ("note", "meta"):
            return True
        return not self.words.name.isdisjoint(self.keys[i])

    def table_end(self, start: int) -> int:
        i = start
        while i < len(self.rows) and not self._stop(i):
            i += 1
        return i

    def area_of(self, text: str, village: bool = False) -> str:
        """A row's area: the resolved 镇街 or 村/社区, else the name as written (a 司法所 …)."""
        return self.catalog.resolve_area(text, village) or area_name(text)

    def is_unit_row(self, k: int, label_col: int) -> bool:
        """Row k holds only unit words (beside a blank or 单位 cell in ``label_col``)."""
        row = self.rows[k]
        if self.kinds[k] != "other":
            return False
        head = header_key(row[label_col]) if label_col < len(row) else ""
        if head and head not in self.words.unit:
            return False
        vals = [cell_text(v) for j, v in enumerate(row) if j != label_col and cell_text(v)]
        return bool(vals) and all(unicodedata.normalize("NFKC", v) in self.vocab.unit_words for v in vals)

    # ---------------------------------------------------------------- records
    def add(self, i, j, labels, unit, v, area="", is_total=False, aside="", group="", series="") -> None:
        self.scan.records.append(Record(self.sheet.name, self.sheet.address(i, j), tuple(labels), unit, v, area,
                                        is_total, aside, group, series))


def line_dates(row: list[object]) -> list:
    """The dates written on a 填报单位 / 填报日期 line: ``2024年1月15日``, ``2024-01-15`` or a date cell."""
    import datetime as dt

    out = []
    for v in row:
        if isinstance(v, dt.datetime):
            out.append(v.date())
        elif isinstance(v, dt.date):
            out.append(v)
        elif isinstance(v, str):
            for y, m, d in _DATE.findall(unicodedata.normalize("NFKC", v)):
                try:
                    out.append(dt.date(int(y), int(m), int(d)))
                except ValueError:
                    pass  # 2024年2月30日: not a date
    return out
