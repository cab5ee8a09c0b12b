"""Cell grid → located value records (表格定位).

Headers are peeled off by direction, in the manner of tidyxl/unpivotr and databaker:

- **Layout A** (指标清单): a header row with an indicator-name column (指标 / 项目 / 内容 …), an
  optional unit column, a value column for the year and perhaps other columns (上年, 同比 …).
  Several blocks may stand side by side in one header row.
- **Layout B** (镇街矩阵): one row per 镇街 or sub-unit, one column per indicator; one or two
  header rows (a merged group header over sub-headers), optionally a unit row, a 合计 row.

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

from .catalog import Catalog, split_unit
from .sanitize import mask_personal, personal_labels
from .workbook import Sheet

NAME_HEADERS = {"指标", "指标名称", "项目", "项目名称", "统计项目", "内容", "指标项目", "统计指标", "统计内容",
                "工作内容", "事项", "指标内容", "主要指标"}
UNIT_HEADERS = {"单位", "计量单位", "统计单位", "单位名称计量"}
SEQ_HEADERS = {"序号", "编号", "序", "no"}
NOTE_HEADERS = {"备注", "说明", "备注说明", "数据来源", "佐证材料"}
CONTEXT_HEADERS = {"类别", "分类", "领域", "类型", "板块", "责任单位", "牵头单位"}
VALUE_HEADERS = {"本年", "本年度", "数值", "数量", "本期", "全年", "完成数", "完成情况", "数据", "本年数",
                 "本年累计", "累计", "年度数据", "完成值", "统计数", "实际完成"}
AREA_HEADERS = {"镇街", "单位", "单位名称", "镇街道", "镇街名称", "街镇", "地区", "区域", "所属镇街", "名称",
                "村社区", "社区", "司法所", "市场监管所", "镇街单位"}
TOTAL_WORDS = {"合计", "总计", "全区合计", "合计数", "总数", "全区"}
SUBTOTAL_WORDS = {"小计", "街道小计", "镇小计"}
UNIT_WORDS = {"件", "元", "万元", "亿元", "%", "项", "条", "份", "个", "家", "次", "人次", "批次", "名", "辆", "家次",
              "处", "起", "场", "人", "件次", "类", "期", "种", "宗", "户次", "场次", "户", "所", "万", "亿"}

# personal-data labels are catalog data (catalog_data/personal_data.csv), shared with fzanalysis.sanitize
_LABELS = "|".join(map(re.escape, personal_labels()))
_PERSONAL_LABEL = re.compile(rf"^({_LABELS})\s*([:：]|$)")
_META = re.compile(r"^(填报单位|报送单位|填报日期|报送日期|填报时间|统计时间|统计时段|统计期间)\s*[:：]")
_ORG_LINE = re.compile(r"(?:填报单位|报送单位|单位名称)\s*[:：]\s*([^\s　]+)")
_NOTE = re.compile(r"^(注|备注|说明|附注|数据来源|填报说明)\s*(\d|[:：、．.])")
_SHEET_UNIT = re.compile(r"^(?:金额)?单位\s*[:：]\s*(万元|元|亿元)\s*$")
_GROUP_LABEL = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、．.]|[（(][一二三四五六七八九十]+[)）])")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_SIGN_OFF = re.compile(rf"({_LABELS})\s*[:：]")
_NON_WORD = re.compile(r"[\W_]+")
_PREV_WORDS = ("上年", "去年", "上期", "上年同期", "上年度")
_CHANGE_WORDS = ("同比", "增长", "增减", "变化", "环比")


@dataclass
class Record:
    """One value cell and what its headers say about it."""

    sheet: str
    cell: str
    labels: tuple[str, ...]  # label candidates for catalog matching, best first
    unit_hint: str  # unit from a unit column, a header bracket or a unit row ('' if none)
    raw: object  # the cell as read (str, float, int, datetime, bool)
    area: str = ""  # raw sub-unit text (Layout B rows)
    is_total: bool = False
    aside: str = ""  # when set: the reason this cell is set aside, not an indicator value


@dataclass
class SheetScan:
    records: list[Record] = field(default_factory=list)
    personal_cells: list[str] = field(default_factory=list)  # first cell of each dropped sign-off row
    org_texts: list[str] = field(default_factory=list)  # 填报单位 values, then titles
    money_unit: str = ""  # a sheet-level "单位：万元" line
    tables: int = 0


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


@lru_cache(maxsize=65536)
def _hkey_of(text: str) -> str:
    return _key_of(_BRACKETED.sub("", text))


@lru_cache(maxsize=65536)
def _key_of(text: str) -> str:
    # cell texts repeat across rows, sheets and workbooks: computed once per distinct text
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text)).lower()


@lru_cache(maxsize=65536)
def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _filled(row: list[object]) -> list[int]:
    return [j for j, v in enumerate(row) if _text(v) != ""]


def personal_kind(row: list[object]) -> str:
    """'hard' for a sign-off line (填表人：张三), 'soft' for a bare personal label or a phone number
    (a 联系人 / 联系电话 column of a table, or a sign-off without colons), '' otherwise."""
    soft = False
    for v in row:
        if not isinstance(v, str) or not v.strip():
            continue  # numbers are values; a number that is a phone is caught where values are read
        norm = _nfkc(v.strip())
        label = _PERSONAL_LABEL.search(norm)
        if _SIGN_OFF.search(norm) or (label and label.group(2)):
            return "hard"
        soft = soft or bool(label) or mask_personal(norm) != norm  # a phone, ID number or e-mail
    return "soft" if soft else ""


def classify_row(row: list[object]) -> str:
    """'blank', 'personal', 'meta', 'note' or 'other' for one grid row."""
    texts = [t for t in map(_text, row) if t != ""]
    if not texts:
        return "blank"
    if personal_kind(row):
        return "personal"
    first = _nfkc(texts[0])
    if _META.search(first) or _ORG_LINE.search(first):
        return "meta"
    if _NOTE.search(first) and len(texts) <= 2:
        return "note"
    return "other"


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


def _label_candidates(parts: list[str]) -> tuple[tuple[str, ...], str]:
    """Header parts → (label candidates, unit hint).  ``行政处罚`` + ``案件数（件）``."""
    if not parts:
        return (), ""
    last, unit = split_unit(parts[-1])
    if not unit and len(parts) > 1:
        _, unit = split_unit(parts[0])
    cands = []
    if len(parts) > 1:
        head = [split_unit(p)[0] for p in parts[:-1]]
        cands.append("".join(head) + last)
    cands.append(last)
    if len(parts) > 1:
        cands.append(split_unit(parts[0])[0])
    return tuple(dict.fromkeys(c for c in cands if c)), unit


class SheetScanner:
    """Finds the tables of one sheet and turns their value cells into records."""

    def __init__(self, sheet: Sheet, catalog: Catalog, year: int):
        self.sheet = sheet
        self.catalog = catalog
        self.year = year
        self.rows = sheet.rows
        self.kinds = [classify_row(r) for r in self.rows]
        self.width = max((len(r) for r in self.rows), default=0)
        self.scan = SheetScan()
        # rows personal only through a bare 联系人 label or a phone number may still be a table's
        # header or data rows (a matrix with contact columns): those columns are dropped, the rest read
        self.soft = {i for i, r in enumerate(self.rows) if self.kinds[i] == "personal" and personal_kind(r) == "soft"}
        self.consumed: set[int] = set()

    # ---------------------------------------------------------------- entry point
    def run(self) -> SheetScan:
        for i, kind in enumerate(self.kinds):
            if kind == "meta":
                for v in self.rows[i]:
                    m = _ORG_LINE.search(unicodedata.normalize("NFKC", _text(v)))
                    if m:
                        self.scan.org_texts.append(re.sub(r"[（(]盖章[)）]", "", m.group(1)))
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
            m = _SHEET_UNIT.match(unicodedata.normalize("NFKC", text))
            if m:
                self.scan.money_unit = m.group(1)
            elif not self.scan.tables:
                self.scan.org_texts.append(text)

    def _table_at(self, i: int) -> int | None:
        """If a table header starts at row i, read the table and return the row after it."""
        keys = [_hkey(v) for v in self.rows[i]]
        name_cols = [j for j, k in enumerate(keys) if k in NAME_HEADERS]
        if name_cols:
            return self._layout_a(i, name_cols)
        area_col = self._area_column(i)
        if area_col is not None:
            return self._layout_b(i, area_col)
        return None

    def _stop(self, i: int) -> bool:
        if self.kinds[i] in ("note", "meta"):
            return True
        keys = {_hkey(v) for v in self.rows[i]}
        return bool(keys & NAME_HEADERS)

    # ---------------------------------------------------------------- Layout A
    def _layout_a(self, h: int, name_cols: list[int]) -> int:
        header_rows = [h]
        if h + 1 < len(self.rows) and self._is_subheader(h + 1, name_cols):
            header_rows.append(h + 1)
        texts = _header_texts(self.sheet, header_rows, self.width)
        end = self._table_end(header_rows[-1] + 1)
        bounds = name_cols[1:] + [self.width]
        for name_col, stop_col in zip(name_cols, bounds):
            self._read_block_a(texts, header_rows[-1] + 1, end, name_col, stop_col)
        return end

    def _is_subheader(self, i: int, name_cols: list[int]) -> bool:
        row = self.rows[i]
        if self.kinds[i] != "other" or any(_is_number(v) for v in row):
            return False
        if any(_text(row[c]) for c in name_cols if c < len(row)):
            return False
        filled = _filled(row)
        if any(_GROUP_LABEL.match(_text(row[j])) for j in filled):
            return False  # 一、主动公开 : a group row (often merged across the table), not a header
        if len(filled) == 1:  # a lone sub-header only under a merged group header
            return any(r1 == self.sheet.row0 + i - 1 and c2 > c1 for r1, c1, r2, c2 in self.sheet.merged)
        return bool(filled)

    def _table_end(self, start: int) -> int:
        i = start
        while i < len(self.rows) and not self._stop(i):
            i += 1
        return i

    def _column_role(self, parts: list[str]) -> str:
        text = "".join(parts)
        key = _hkey(text)
        last = _hkey(parts[-1]) if parts else ""
        if not key:
            return "blank"
        if last in SEQ_HEADERS:
            return "seq"
        if last in UNIT_HEADERS:
            return "unit"
        if last in NOTE_HEADERS:
            return "note"
        if last in CONTEXT_HEADERS:
            return "context"
        years = [int(y) for y in _YEAR.findall(unicodedata.normalize("NFKC", text))]
        if any(w in text for w in _CHANGE_WORDS):
            return "other"
        if years:
            return "value" if years[-1] == self.year else "other"
        if any(w in text for w in _PREV_WORDS):
            return "other"
        if last in VALUE_HEADERS or key in VALUE_HEADERS:
            return "value"
        return "other"

    def _read_block_a(self, texts, start: int, end: int, name_col: int, stop_col: int) -> None:
        roles = {j: self._column_role(texts[j]) for j in range(name_col + 1, stop_col)}
        value_cols = [j for j, r in roles.items() if r == "value"]
        if len(value_cols) > 1:  # e.g. 数值 over 2023年 | 2022年: keep the one naming the year
            named = [j for j in value_cols if str(self.year) in "".join(texts[j])]
            value_cols = named[:1] or value_cols[:1]
            for j in roles:
                if roles[j] == "value" and j not in value_cols:
                    roles[j] = "other"
        unit_col = next((j for j, r in roles.items() if r == "unit"), None)
        # a unit in the value column's header (2023年（万元）) is the last resort for a row
        column_unit = {j: split_unit(texts[j][-1])[1] if texts[j] else "" for j in value_cols}
        for i in range(start, end):
            if self.kinds[i] != "other":
                continue
            row = self.rows[i]
            label = _text(row[name_col]) if name_col < len(row) else ""
            unit = _text(row[unit_col]) if unit_col is not None and unit_col < len(row) else ""
            unit = unit or split_unit(label)[1]  # 挽回损失金额（万元）
            cells = {j: row[j] if j < len(row) else "" for j in roles if roles[j] in ("value", "other")}
            if not any(_text(v) for v in cells.values()) and (not label or _GROUP_LABEL.match(label)):
                continue  # group row (一、…): no value cell here
            for j, v in cells.items():
                if roles[j] == "value":
                    if not label:
                        self._add(i, j, (), "", v, aside="数值行缺少指标名称")
                    else:
                        self._add(i, j, (label,), unit or column_unit[j], v)
                elif _text(v):
                    header = "".join(texts[j]) or "（无表头）"
                    self._add(i, j, (label,), unit, v, aside=f"「{header}」列不是{self.year}年数值列")

    # ---------------------------------------------------------------- Layout B
    def _area_column(self, h: int) -> int | None:
        """Layout B header at row h: a column whose cells below name 镇街 (or an area header)."""
        row = self.rows[h]
        if any(_is_number(v) for v in row) or len(_filled(row)) < 2:
            return None
        below = [k for k in range(h + 1, min(h + 14, len(self.rows))) if self._usable(k)]
        best, best_hits = None, 0
        for j in range(self.width):
            hits = sum(
                1 for k in below
                if j < len(self.rows[k]) and isinstance(self.rows[k][j], str)
                and self.catalog.resolve_area(self.rows[k][j].strip())
            )
            if hits > best_hits:
                best, best_hits = j, hits
        if best is not None and best_hits >= 2:
            return best
        first = _filled(row)[0]
        if _hkey(row[first]) in AREA_HEADERS and self._numbers_below(h, first):
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
                and not any(_is_number(v) for v in self.rows[k]) and not self._is_unit_row(k, area_col) \
                and len(header_rows) < 3:
            header_rows.append(k)
            k += 1
        texts = _header_texts(self.sheet, header_rows, self.width)
        units: dict[int, str] = {}
        if k < len(self.rows) and self._is_unit_row(k, area_col):
            units = {j: _text(v) for j, v in enumerate(self.rows[k]) if j != area_col and _text(v)}
            k += 1
        end = self._table_end(k)
        roles = {}
        personal_cols: set[int] = set()
        for j in range(self.width):
            if j == area_col:
                continue
            parts = texts[j]
            last = _hkey(parts[-1]) if parts else ""
            if not parts or last in SEQ_HEADERS or last in NOTE_HEADERS:
                roles[j] = None
            elif any(_PERSONAL_LABEL.search(_nfkc(p)) for p in parts):
                roles[j] = None  # a 联系人 / 联系电话 column: personal data, never read
                personal_cols.add(j)
        for j in range(self.width):
            if j != area_col and j not in roles:
                roles[j] = _label_candidates(texts[j])
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
            is_total = akey in TOTAL_WORDS
            for j, spec in roles.items():
                v = row[j] if j < len(row) else ""
                if spec is None:
                    continue
                labels, unit = spec
                if not labels:
                    if _text(v):
                        self._add(i, j, (), "", v, area=area_raw, aside="数值列缺少表头")
                    continue
                unit = units.get(j, unit)
                if akey in SUBTOTAL_WORDS:
                    if _text(v):
                        self._add(i, j, labels, unit, v, area=area_raw, aside="小计行，不重复计入")
                elif not area_raw and not is_total:
                    if _text(v):
                        self._add(i, j, labels, unit, v, aside="数值行缺少镇街/单位名称")
                else:
                    self._add(i, j, labels, unit, v, area="" if is_total else area_raw, is_total=is_total)
        return end

    def _data_row_b(self, i: int, area_col: int, personal_cols: set[int]) -> bool:
        """A Layout B data row; a row with personal content only in the contact columns counts."""
        if self.kinds[i] == "other":
            return True
        if i not in self.soft:
            return False
        row = self.rows[i]
        area = _text(row[area_col]) if area_col < len(row) else ""
        if not (self.catalog.resolve_area(area) or _key(area) in TOTAL_WORDS):
            return False
        return all(j in personal_cols for j, v in enumerate(row) if j != area_col and personal_kind([v]))

    def _is_unit_row(self, k: int, area_col: int) -> bool:
        row = self.rows[k]
        if self.kinds[k] != "other":
            return False
        head = _hkey(row[area_col]) if area_col < len(row) else ""
        if head and head not in UNIT_HEADERS:
            return False
        vals = [_text(v) for j, v in enumerate(row) if j != area_col and _text(v)]
        return bool(vals) and all(unicodedata.normalize("NFKC", v) in UNIT_WORDS for v in vals)

    # ---------------------------------------------------------------- records
    def _add(self, i, j, labels, unit, v, area="", is_total=False, aside="") -> None:
        self.scan.records.append(
            Record(self.sheet.name, self.sheet.address(i, j), tuple(labels), unit, v, area, is_total, aside)
        )


def scan_sheet(sheet: Sheet, catalog: Catalog, year: int) -> SheetScan:
    """Locate the tables of one sheet and return their value cells as records."""
    return SheetScanner(sheet, catalog, year).run()
