"""Cell grid → located value records (表格定位).

Headers are peeled off by direction, in the manner of tidyxl/unpivotr and databaker:

- **Layout A** (指标清单): a header row with an indicator-name column (指标 / 项目 / 内容 …), an
  optional unit column, a value column for the year and perhaps other columns (上年, 同比 …).
  Several blocks may stand side by side in one header row.
- **Layout B** (镇街矩阵): one row per 镇街 or sub-unit, one column per indicator; one or two
  header rows (a merged group header over sub-headers), optionally a unit row, a 合计 row.
- Layout A variants, read in :mod:`fzanalysis.layout_a`: two-level row headers (a 类别 column or
  a group row 一、行政复议 above short items) and 镇街 across the columns (Layout B transposed).

The words that name header columns, totals, units … are data (``catalog_data/vocabulary.csv``,
:mod:`fzanalysis.core.vocabulary`); areas (镇街, 村/社区) are resolved by the catalog
(:mod:`fzanalysis.core.areas`), the same way for every layout.

Rows around tables are classified first: titles and 填报单位 lines feed the reporting unit;
notes (注：…) end a table; sign-off rows (填表人, 联系电话 …) are personal data and are dropped
whole, with a log event that carries no content. A blank row inside a table does not end it.
Every value cell becomes a :class:`Record` with its A1 address; nothing here parses numbers.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from .core.areas import area_name
from .core.catalog import Catalog
from .core.sanitize import mask_personal, personal_labels
from .core.text import split_unit
from .core.text import text_cache
from .core.vocabulary import Vocabulary
from .workbook import Sheet


# personal-data labels are catalog data (catalog_data/personal_data.csv), shared with fzanalysis.core.sanitize
_LABELS = "|".join(map(re.escape, personal_labels()))
_PERSONAL_LABEL = re.compile(rf"^({_LABELS})\s*([:：]|$)")
_META = re.compile(r"^(填报单位|报送单位|填报日期|报送日期|填报时间|统计时间|统计时段|统计期间)\s*[:：]")
_ORG_LINE = re.compile(r"(?:填报单位|报送单位|单位名称)\s*[:：]\s*([^\s　]+)")
_NOTE = re.compile(r"^(注|备注|说明|附注|数据来源|填报说明)\s*(\d|[:：、．.])")
_GROUP_LABEL = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、．.]|[（(][一二三四五六七八九十]+[)）])")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})")
_SIGN_OFF = re.compile(rf"({_LABELS})\s*[:：]")
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


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v.strip()
    return str(v)


def _key(v: object) -> str:
    """Header key: NFKC, no spaces or punctuation."""
    if v is None:
        return ""
    return _key_of(v if isinstance(v, str) else str(v))


_BRACKETED = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")


def _hkey(v: object) -> str:
    """Header key: like :func:`_key`, bracketed parts removed (指标名称（单位） → 指标名称)."""
    if v is None:
        return ""
    return _hkey_of(v if isinstance(v, str) else str(v))


@text_cache()
def _hkey_of(text: str) -> str:
    return _key_of(_BRACKETED.sub("", text))


@text_cache()
def _key_of(text: str) -> str:
    # cell texts repeat across rows, sheets and workbooks: computed once per distinct text
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text)).lower()


@text_cache()
def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _blank(v: object) -> bool:
    """``_text(v) == ""`` without turning a number into text."""
    return v is None or (isinstance(v, str) and not v.strip())


def _filled(row: list[object]) -> list[int]:
    return [j for j, v in enumerate(row) if not _blank(v)]


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


@text_cache()
def _text_personal(text: str) -> str:
    """:func:`personal_kind` of one cell's text (cached: labels and headers repeat)."""
    if not text:
        return ""
    norm = _nfkc(text)
    label = _PERSONAL_LABEL.search(norm)
    if _SIGN_OFF.search(norm) or (label and label.group(2)):
        return "hard"
    return "soft" if label or mask_personal(norm) != norm else ""  # a phone, ID number or e-mail


def classify_row(row: list[object]) -> str:
    """'blank', 'personal', 'meta', 'note' or 'other' for one grid row."""
    filled = [v for v in row if not _blank(v)]
    if not filled:
        return "blank"
    if personal_kind(filled):
        return "personal"
    first = _nfkc(_text(filled[0]))
    if _META.search(first) or _ORG_LINE.search(first):
        return "meta"
    if _NOTE.search(first) and len(filled) <= 2:
        return "note"
    return "other"


@dataclass(frozen=True)
class HeaderWords:
    """The vocabulary's words as this module matches them: header keys (:func:`_hkey`), total keys."""

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
    def keys(kind: str, key=_hkey_of) -> frozenset[str]:
        return frozenset(k for k in map(key, vocab.of(kind)) if k)

    def texts(kind: str) -> tuple[str, ...]:
        return tuple(_nfkc(w) for w in vocab.of(kind))

    return HeaderWords(
        name=keys("name_header"), unit=keys("unit_header"), seq=keys("seq_header"), note=keys("note_header"),
        context=keys("context_header"), value=keys("value_header"),
        area=keys("area_header") | keys("village_header"), village=keys("village_header"),
        total=keys("total_word", _key_of), subtotal=keys("subtotal_word", _key_of),
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


def _header_texts(sheet: Sheet, header_rows: list[int], width: int) -> list[list[str]]:
    """Per column, the header texts of the header rows (merged cells spread), deduplicated."""
    fill = _merged_fill(sheet, range(min(header_rows), max(header_rows) + 1))
    out = []
    for j in range(width):
        parts: list[str] = []
        for i in header_rows:
            v = fill.get((i, j), sheet.rows[i][j] if j < len(sheet.rows[i]) else "")
            t = _text(v)
            if t and (not parts or parts[-1] != t):
                parts.append(t)
        out.append(parts)
    return out


def _label_candidates(parts: list[str], vocab: Vocabulary) -> tuple[tuple[str, ...], str]:
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


class SheetScanner:
    """Finds the tables of one sheet and turns their value cells into records."""

    def __init__(self, sheet: Sheet, catalog: Catalog, year: int):
        self.sheet = sheet
        self.catalog = catalog
        self.year = year
        self.vocab = catalog.vocabulary
        self.words = header_words(self.vocab)
        self.rows = sheet.rows
        self.kinds = [classify_row(r) for r in self.rows]
        # header keys, where a table starts or stops (a number is never a header word)
        self.keys = [[_hkey(v) if isinstance(v, str) else "" for v in r] for r in self.rows]
        self.width = max((len(r) for r in self.rows), default=0)
        self.scan = SheetScan()
        # rows personal only through a bare 联系人 label or a phone number may still be a table's
        # header or data rows (a matrix with contact columns): those columns are dropped, the rest read
        self.soft = {i for i, r in enumerate(self.rows) if self.kinds[i] == "personal" and personal_kind(r) == "soft"}
        self.consumed: set[int] = set()
        # top-left cells (absolute) of ranges merged across columns: a group row written across a table
        self.merged_across = {(r1, c1) for r1, c1, r2, c2 in sheet.merged if c2 > c1}

    # ---------------------------------------------------------------- entry point
    def run(self) -> SheetScan:
        for i, kind in enumerate(self.kinds):
            if kind == "meta":
                for v in self.rows[i]:
                    m = _ORG_LINE.search(unicodedata.normalize("NFKC", _text(v)))
                    if m:
                        self.scan.org_texts.append(re.sub(r"[（(]盖章[)）]", "", m.group(1)))
                self.scan.dates += line_dates(self.rows[i])
        i = 0
        while i < len(self.rows):
            if self.kinds[i] != "other" and i not in self.soft:
                i += 1
                continue
            nxt = self._table_at(i)
            if nxt is None:
                if self.kinds[i] == "other":
                    self._maybe_title(i)
                i += 1
            else:
                self.scan.tables += 1
                i = nxt
        for i, kind in enumerate(self.kinds):  # sign-off rows no table used: dropped whole
            if kind == "personal" and i not in self.consumed:
                self.scan.personal_cells.append(self.sheet.address(i, _filled(self.rows[i])[0]))
        return self.scan

    def _usable(self, i: int) -> bool:
        return self.kinds[i] == "other" or i in self.soft

    def _maybe_title(self, i: int) -> None:
        cols = _filled(self.rows[i])
        if len(cols) == 1 and isinstance(self.rows[i][cols[0]], str):
            text = self.rows[i][cols[0]].strip()
            m = self.vocab.sheet_unit.match(unicodedata.normalize("NFKC", text))
            if m:
                self.scan.money_unit = m.group(1)
            elif not self.scan.tables:
                self.scan.titles.append(text)

    def _table_at(self, i: int) -> int | None:
        """If a table header starts at row i, read the table and return the row after it."""
        from .layout_a import across_label_column, read_layout_a  # Layout A builds on this module's helpers

        name_cols = [j for j, k in enumerate(self.keys[i]) if k in self.words.name]
        if name_cols:
            return read_layout_a(self, i, name_cols)
        label_col = across_label_column(self, i)  # 项目＼镇街 | 新山村街道 | 跃进村街道 …
        if label_col is not None:
            return read_layout_a(self, i, [label_col])
        area_col = self._area_column(i)
        if area_col is not None:
            return self._layout_b(i, area_col)
        return None

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

    # ---------------------------------------------------------------- Layout B
    def _area_column(self, h: int) -> int | None:
        """Layout B header at row h: a column whose cells below name 镇街 (or an area header)."""
        row = self.rows[h]
        if any(_is_number(v) for v in row) or len(_filled(row)) < 2:
            return None
        below = [k for k in range(h + 1, min(h + 14, len(self.rows))) if self._usable(k)]
        best, best_hits = None, 0
        for j in range(self.width):
            village = j < len(row) and _hkey(row[j]) in self.words.village  # 村（社区） | …
            hits = sum(
                1 for k in below
                if j < len(self.rows[k]) and isinstance(self.rows[k][j], str)
                and self.catalog.resolve_area(self.rows[k][j], village)
            )
            if hits > best_hits:
                best, best_hits = j, hits
        if best is not None and best_hits >= 2:
            return best
        first = _filled(row)[0]
        if _hkey(row[first]) in self.words.area and self._numbers_below(h, first):
            return first
        return None

    def _numbers_below(self, h: int, area_col: int) -> bool:
        for k in range(h + 1, min(h + 6, len(self.rows))):
            if any(_is_number(v) for j, v in enumerate(self.rows[k]) if j != area_col):
                return True
        return False

    def _layout_b(self, h: int, area_col: int) -> int:
        header_rows = [h]
        # a second header row below (sub-headers under a merged group header)
        k = h + 1
        while k < len(self.rows) and self._usable(k) and not _text(self.rows[k][area_col]) \
                and not any(_is_number(v) for v in self.rows[k]) and not self.is_unit_row(k, area_col) \
                and len(header_rows) < 3:
            header_rows.append(k)
            k += 1
        texts = _header_texts(self.sheet, header_rows, self.width)
        units: dict[int, str] = {}
        if k < len(self.rows) and self.is_unit_row(k, area_col):
            units = {j: _text(v) for j, v in enumerate(self.rows[k]) if j != area_col and _text(v)}
            k += 1
        end = self.table_end(k)
        roles = {}
        personal_cols: set[int] = set()
        for j in range(self.width):
            if j == area_col:
                continue
            parts = texts[j]
            last = _hkey(parts[-1]) if parts else ""
            if not parts or last in self.words.seq or last in self.words.note:
                roles[j] = None
            elif any(_PERSONAL_LABEL.search(_nfkc(p)) for p in parts):
                roles[j] = None  # a 联系人 / 联系电话 column: personal data, never read
                personal_cols.add(j)
        aside: dict[int, str] = {}  # columns of another year (2022年 | 上年 over 案件数 …): set aside
        for j in range(self.width):
            if j != area_col and j not in roles:
                roles[j] = _label_candidates(texts[j], self.vocab)
                if self._other_year(texts[j]):
                    aside[j] = f"「{''.join(texts[j])}」列不是{self.year}年数值列"
        village = any(_hkey(p) in self.words.village for p in texts[area_col])
        self.consumed.update(header_rows)
        for i in range(k, end):
            if not self._data_row_b(i, area_col, personal_cols):
                continue
            row = self.rows[i]
            self.consumed.add(i)
            self.scan.personal_cells += [self.sheet.address(i, j) for j in sorted(personal_cols)
                                         if j < len(row) and _text(row[j])]
            area_raw = _text(row[area_col]) if area_col < len(row) else ""
            akey = _key(area_raw)
            is_total = akey in self.words.total
            area = "" if is_total or not area_raw else self.area_of(area_raw, village)
            for j, spec in roles.items():
                v = row[j] if j < len(row) else ""
                if spec is None:
                    continue
                labels, unit = spec
                if not labels or j in aside:
                    if _text(v):
                        self.add(i, j, labels, "", v, area=area, aside=aside.get(j, "数值列缺少表头"))
                    continue
                unit = units.get(j, unit)
                if akey in self.words.subtotal:
                    if _text(v):
                        self.add(i, j, labels, unit, v, area=area, aside="小计行，不重复计入")
                elif not area_raw and not is_total:
                    if _text(v):
                        self.add(i, j, labels, unit, v, aside="数值行缺少镇街/单位名称")
                else:
                    self.add(i, j, labels, unit, v, area=area, is_total=is_total, series=f"C{j}")
        return end

    def _data_row_b(self, i: int, area_col: int, personal_cols: set[int]) -> bool:
        """A Layout B data row; a row with personal content only in the contact columns counts."""
        if self.kinds[i] == "other":
            return True
        if i not in self.soft:
            return False
        row = self.rows[i]
        area = _text(row[area_col]) if area_col < len(row) else ""
        if not (self.catalog.resolve_area(area) or _key(area) in self.words.total):
            return False
        return all(j in personal_cols for j, v in enumerate(row) if j != area_col and personal_kind([v]))

    def _other_year(self, parts: list[str]) -> bool:
        """A Layout B column of another year: a header part naming another year, or one that is 上年 …"""
        years = [int(y) for p in parts for y in _YEAR.findall(_nfkc(p))]
        return any(y != self.year for y in years) or any(_hkey(p) in self.words.prev_keys for p in parts)

    def is_unit_row(self, k: int, label_col: int) -> bool:
        """Row k holds only unit words (beside a blank or 单位 cell in ``label_col``)."""
        row = self.rows[k]
        if self.kinds[k] != "other":
            return False
        head = _hkey(row[label_col]) if label_col < len(row) else ""
        if head and head not in self.words.unit:
            return False
        vals = [_text(v) for j, v in enumerate(row) if j != label_col and _text(v)]
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


def scan_sheet(sheet: Sheet, catalog: Catalog, year: int) -> SheetScan:
    """Locate the tables of one sheet and return their value cells as records."""
    return SheetScanner(sheet, catalog, year).run()
