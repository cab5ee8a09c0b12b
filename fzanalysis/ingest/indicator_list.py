"""Layout A (指标清单) and its two variants, read over a :class:`fzanalysis.ingest.grid.SheetGrid`.

- **Layout A**: a header row with an indicator-name column, an optional unit column, a value column
  for the year and perhaps other columns (上年, 同比, 备注 …). Several blocks may stand side by side
  in one header row, each with its own 序号 / 类别 columns.
- **Two-level row headers**: a 类别 column whose cell (often merged down) names the group of the
  items beside it, or a group row (``一、行政复议``) above short item labels. An item is matched
  alone first (a label known alone stays as it is), then joined to its group, with the group's
  trailing ``group_suffix`` words dropped (``行政复议工作情况`` + ``受理数`` → 行政复议受理数).
- **Areas across the columns** (Layout B transposed): one row per indicator, one column per 镇街 or
  村/社区 (at least two), perhaps a 合计 column. Each area cell is one value with that area; the 合计
  (or this year's value column) is the unit's own total (area ""), checked against the sum of the
  row like a 合计 row. A column naming another year, or 上年, is set aside.
"""
from __future__ import annotations

import re

from ..core.text import split_unit, strip_numbering, text_cache
from ..core.vocabulary import Vocabulary
from .grid import (GROUP_LABEL, PERSONAL_LABEL, YEAR, SheetGrid, cell_text, filled_columns, header_key, header_texts,
                   is_number, nfkc, personal_kind)

__all__ = ["across_label_column", "read_layout_a"]

_READ = ("value", "other", "extra", "area", "total")  # roles of the columns whose cells are read
_DIAGONAL = re.compile(r"[＼\\/／]")  # 项目＼镇街: a diagonal header cell


def read_layout_a(sc: SheetGrid, h: int, name_cols: list[int]) -> int:
    """Read the Layout A table whose header starts at row ``h``; return the row after it."""
    header_rows = [h]
    if h + 1 < len(sc.rows) and _is_subheader(sc, h + 1, name_cols):
        header_rows.append(h + 1)
    texts = header_texts(sc.sheet, header_rows, sc.width)
    start = header_rows[-1] + 1
    end = sc.table_end(start)
    village = any(_diagonal_village(sc, p) for parts in texts for p in parts)
    roles = [_column_role(sc, parts, village) for parts in texts]
    for name_col, cols in _blocks(name_cols, roles, sc.width):
        _read_block(sc, texts, roles, start, end, name_col, cols, village)
    return end


def across_label_column(sc: SheetGrid, i: int) -> int | None:
    """A header row without a name header whose cells name at least two areas (``项目＼镇街 | 新山村街道
    | 跃进村街道 | 合计``): the label column at their left, else None."""
    row = sc.rows[i]
    if any(is_number(v) for v in row):
        return None
    filled = filled_columns(row)
    if len(filled) < 2:
        return None  # a title, a lone word
    village = any(_diagonal_village(sc, cell_text(row[j])) for j in filled)
    roles = {j: _column_role(sc, [cell_text(row[j])], village) for j in filled}
    areas = [j for j in filled if roles[j] == "area"]
    if len(areas) < 2:
        return None
    left = [j for j in filled if j < areas[0] and roles[j] not in ("seq", "unit")]
    if left:
        return left[0]
    below = [k for k in range(i + 1, min(i + 6, len(sc.rows))) if sc.kinds[k] == "other"]
    return next((j for j in range(areas[0]) if any(isinstance(_cell(sc, k, j), str) for k in below)), None)


# ------------------------------------------------------------------------------ header
def _is_subheader(sc: SheetGrid, i: int, name_cols: list[int]) -> bool:
    row = sc.rows[i]
    if sc.kinds[i] != "other" or any(is_number(v) for v in row):
        return False
    if any(cell_text(row[c]) for c in name_cols if c < len(row)):
        return False
    filled = filled_columns(row)
    if any(GROUP_LABEL.match(cell_text(row[j])) for j in filled):
        return False  # 一、主动公开 : a group row (often merged across the table), not a header
    if len(filled) == 1:  # a lone sub-header only under a merged group header
        return any(r1 == sc.sheet.row0 + i - 1 and c2 > c1 for r1, c1, r2, c2 in sc.sheet.merged)
    return bool(filled)


def _diagonal_village(sc: SheetGrid, text: str) -> bool:
    """A diagonal header naming 村/社区 over the columns: ``项目＼村（社区）``."""
    pieces = _DIAGONAL.split(text)
    return len(pieces) > 1 and any(header_key(p) in sc.words.village for p in pieces)


def _column_role(sc: SheetGrid, parts: list[str], village: bool = False) -> str:
    """seq, unit, note, context, value, area, total, other or blank — from a column's header texts."""
    w = sc.words
    text = nfkc("".join(parts))
    key = header_key(text)
    last = header_key(parts[-1]) if parts else ""
    if not key:
        return "blank"
    for role, words in (("seq", w.seq), ("unit", w.unit), ("note", w.note), ("context", w.context)):
        if last in words:
            return role
    if any(word in text for word in w.change):
        return "other"
    years = [int(y) for y in YEAR.findall(text)]
    if (years and years[-1] != sc.year) or (not years and any(word in text for word in w.prev)):
        return "other"
    if last in w.total:
        return "total"
    if last in w.value or key in w.value:
        return "value"
    if _column_area(sc, parts, village):
        return "area"
    return "value" if years else "other"


def _column_area(sc: SheetGrid, parts: list[str], village: bool = False) -> str | None:
    """The area a column header names: its last part, a 村/社区 when a 村（社区） part stands above it
    or a diagonal header names them (``village``). A year (2023年), a diagonal header is no area."""
    if YEAR.search(parts[-1]) or _DIAGONAL.search(parts[-1]):
        return None
    return sc.catalog.resolve_area(parts[-1], village or any(header_key(p) in sc.words.village for p in parts[:-1]))


def _blocks(name_cols: list[int], roles: list[str], width: int):
    """(name column, its block's other columns) for blocks side by side; a block starts at the 序号 /
    类别 / blank-headed columns just left of its name column."""
    starts = []
    for k, n in enumerate(name_cols):
        lo, floor = n, (name_cols[k - 1] + 1 if k else 0)
        while lo - 1 >= floor and roles[lo - 1] in ("seq", "context", "blank"):
            lo -= 1
        starts.append(lo)
    for k, n in enumerate(name_cols):
        stop = starts[k + 1] if k + 1 < len(name_cols) else width
        yield n, [j for j in range(starts[k], stop) if j != n]


# ------------------------------------------------------------------------------ rows
def _read_block(sc: SheetGrid, texts, all_roles, start: int, end: int, name_col: int, cols: list[int],
                village: bool) -> None:
    roles = {j: all_roles[j] for j in cols}
    areas = {j: _column_area(sc, texts[j], village) for j in cols if roles[j] == "area"}
    across = len(areas) >= 2
    has_total = any(roles[j] == "total" for j in cols)
    for j in cols:
        if across and roles[j] == "value":  # 2023年 | 其中：新山村街道 | …: the year's column is the total
            roles[j] = "extra" if has_total else "total"
        elif not across and roles[j] in ("area", "total"):
            roles[j] = "other"
    value_cols = [j for j in cols if roles[j] == "value"]
    if len(value_cols) > 1:  # e.g. 数值 over 2023年 | 2022年: keep the one naming the year
        named = [j for j in value_cols if str(sc.year) in "".join(texts[j])]
        value_cols = named[:1] or value_cols[:1]
        for j in cols:
            if roles[j] == "value" and j not in value_cols:
                roles[j] = "other"
    unit_col = next((j for j in cols if roles[j] == "unit"), None)
    # a 类别 column, or an unheaded column left of the names, holds the items' group
    group_cols = [j for j in cols if roles[j] == "context" or (roles[j] == "blank" and j < name_col)]
    # a unit in a value column's header (2023年（万元）) or a unit row is the last resort for a row
    read = [j for j in cols if roles[j] in _READ]
    column_unit = {j: split_unit(texts[j][-1], sc.vocab)[1] if texts[j] else "" for j in read}
    if across and start < end and sc.is_unit_row(start, name_col):
        column_unit.update({j: cell_text(v) for j, v in enumerate(sc.rows[start]) if j in roles and cell_text(v)})
        start += 1
    group_row, carried, groups = "", {j: "" for j in group_cols}, ()
    for i in range(start, end):
        if sc.kinds[i] != "other" and not _data_row_with_contacts(sc, i, name_col, read):
            continue
        row = sc.rows[i]
        cells = {j: row[j] if j < len(row) else "" for j in read}
        label = cell_text(row[name_col]) if name_col < len(row) else ""
        unit = cell_text(row[unit_col]) if unit_col is not None and unit_col < len(row) else ""
        if not any(cell_text(v) for v in cells.values()):
            group = _group_row_label(sc, i, name_col, label, unit, cols)
            if group is not None:
                group_row = group
                groups = tuple(g for g in (*carried.values(), group_row) if g)
                continue  # group row (一、…): no value cell here
        for j in group_cols:  # a merged 类别 cell covers the rows below it: its text holds until the next
            text = cell_text(_cell(sc, i, j))
            if text and text != carried[j] and _is_group_text(text):
                carried[j] = text
                groups = tuple(g for g in (*carried.values(), group_row) if g)
        labels = _item_labels(label, groups, sc.vocab) if label else ()
        group = groups[0] if groups else ""
        unit = unit or split_unit(label, sc.vocab)[1]  # 挽回损失金额（万元）
        series = f"R{i}"
        for j, v in cells.items():
            if roles[j] in ("other", "extra"):
                if cell_text(v):
                    header = "".join(texts[j]) or "（无表头）"
                    why = "与合计列重复，不重复计入" if roles[j] == "extra" else f"不是{sc.year}年数值列"
                    sc.add(i, j, labels, unit, v, aside=f"「{header}」列{why}", group=group)
            elif not label:
                if cell_text(v):
                    sc.add(i, j, (), "", v, area=areas.get(j, ""), aside="数值行缺少指标名称")
            elif roles[j] == "value":
                sc.add(i, j, labels, unit or column_unit[j], v, group=group)
            else:  # an area column, or the 合计 of an across row
                sc.add(i, j, labels, unit or column_unit[j], v, area=areas.get(j, ""), is_total=roles[j] == "total",
                       group=group, series=series)


def _data_row_with_contacts(sc: SheetGrid, i: int, name_col: int, read: list[int]) -> bool:
    """An indicator row with a phone, ID number or e-mail in it (a 备注 saying ``经办人手机139…``, a
    value cell holding one): the row is read — a personal value cell is rejected by the cleaner with
    its cell — and personal cells in columns not read are dropped.  A sign-off row (its name cell a
    填表人 label) is not an indicator row."""
    if i not in sc.soft:
        return False
    row = sc.rows[i]
    label = cell_text(row[name_col]) if name_col < len(row) else ""
    if not label or PERSONAL_LABEL.search(nfkc(label)):
        return False
    sc.consumed.add(i)
    sc.scan.personal_cells += [sc.sheet.address(i, j) for j, v in enumerate(row)
                               if j != name_col and j not in read and personal_kind([v])]
    return True


def _cell(sc: SheetGrid, i: int, j: int) -> object:
    row = sc.rows[i]
    return row[j] if j < len(row) else ""


def _group_row_label(sc: SheetGrid, i: int, name_col: int, label: str, unit: str, cols: list[int]) -> str | None:
    """The group a row without values opens (``一、行政复议``; a label merged across the row; a label that
    is no indicator and has no unit), else None. A known indicator left blank is no group row."""
    texts = [cell_text(_cell(sc, i, j)) for j in sorted([name_col, *cols]) if cell_text(_cell(sc, i, j))]
    if not label or GROUP_LABEL.match(label):  # 一、主动公开, perhaps in the 序号 column
        return texts[0] if texts and _is_group_text(texts[0]) else None
    merged_across = (sc.sheet.row0 + i, sc.sheet.col0 + name_col) in sc.merged_across
    if _is_group_text(label) and (merged_across or (not unit and not sc.catalog.knows_label(label))):
        return label
    return None


def _is_group_text(text: str) -> bool:
    return bool(text) and any(ch.isalpha() for ch in text)


@text_cache(maxsize=4096)  # the same forms come back workbook after workbook
def _item_labels(label: str, groups: tuple[str, ...], vocab: Vocabulary) -> tuple[str, ...]:
    """Label candidates, best first: the item alone, then the item joined to each group (without the
    group's numbering, unit or trailing 工作/情况 words)."""
    if not groups:
        return (label,)
    item = strip_numbering(split_unit(label, vocab)[0])
    cands = [label]
    for group in groups:
        core = strip_numbering(split_unit(group, vocab)[0]).strip()
        cands += [g + item for g in _without_suffixes(core, vocab.of("group_suffix"))]
    return tuple(dict.fromkeys(c for c in cands if c))


def _without_suffixes(core: str, suffixes: tuple[str, ...]) -> list[str]:
    """``行政复议工作情况`` → [行政复议工作情况, 行政复议]: the group as written, then without its
    trailing suffix words."""
    out = [core]
    ordered = sorted((nfkc(s) for s in suffixes), key=len, reverse=True)
    while True:
        cut = next((s for s in ordered if out[-1].endswith(s) and len(out[-1]) > len(s)), None)
        if cut is None:
            return out
        out.append(out[-1][: -len(cut)])
