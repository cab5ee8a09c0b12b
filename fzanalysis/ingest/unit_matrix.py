"""Layout B (镇街矩阵): one row per 镇街 or sub-unit, one column per indicator.

One or two header rows (a merged group header such as ``行政处罚`` over ``案件数`` and ``罚款``), units in
the header text (``行政处罚案件（件）``) or in a unit row below, a 合计 row (area "", checked against the sum
of the rows above it, never counted twice) and 小计 rows (set aside). A column of another year (2022年, 上年
over 案件数) is set aside; a 联系人 / 联系电话 column is personal data, never read. Found by
:func:`area_column` (a column whose cells below name 镇街, or an area header), read by :func:`read_layout_b`.
"""
from __future__ import annotations

from .grid import (PERSONAL_LABEL, YEAR, SheetGrid, cell_text, filled_columns, header_key, header_texts, is_number,
                   label_candidates, nfkc, personal_kind, word_key)

__all__ = ["area_column", "read_layout_b"]


def area_column(sc: SheetGrid, h: int) -> int | None:
    """Layout B header at row h: a column whose cells below name 镇街 (or an area header)."""
    row = sc.rows[h]
    if any(is_number(v) for v in row) or len(filled_columns(row)) < 2:
        return None
    below = [k for k in range(h + 1, min(h + 14, len(sc.rows))) if sc.usable(k)]
    best, best_hits = None, 0
    for j in range(sc.width):
        village = j < len(row) and header_key(row[j]) in sc.words.village  # 村（社区） | …
        hits = sum(
            1 for k in below
            if j < len(sc.rows[k]) and isinstance(sc.rows[k][j], str)
            and sc.catalog.resolve_area(sc.rows[k][j], village)
        )
        if hits > best_hits:
            best, best_hits = j, hits
    if best is not None and best_hits >= 2:
        return best
    first = filled_columns(row)[0]
    if header_key(row[first]) in sc.words.area and _numbers_below(sc, h, first):
        return first
    return None


def _numbers_below(sc: SheetGrid, h: int, area_col: int) -> bool:
    for k in range(h + 1, min(h + 6, len(sc.rows))):
        if any(is_number(v) for j, v in enumerate(sc.rows[k]) if j != area_col):
            return True
    return False


def read_layout_b(sc: SheetGrid, h: int, area_col: int) -> int:
    """Read the Layout B table whose header starts at row ``h`` (areas in column ``area_col``); return the row
    after it."""
    header_rows = [h]
    # a second header row below (sub-headers under a merged group header)
    k = h + 1
    while k < len(sc.rows) and sc.usable(k) and not cell_text(sc.rows[k][area_col]) \
            and not any(is_number(v) for v in sc.rows[k]) and not sc.is_unit_row(k, area_col) \
            and len(header_rows) < 3:
        header_rows.append(k)
        k += 1
    texts = header_texts(sc.sheet, header_rows, sc.width)
    units: dict[int, str] = {}
    if k < len(sc.rows) and sc.is_unit_row(k, area_col):
        units = {j: cell_text(v) for j, v in enumerate(sc.rows[k]) if j != area_col and cell_text(v)}
        k += 1
    end = sc.table_end(k)
    roles = {}
    personal_cols: set[int] = set()
    for j in range(sc.width):
        if j == area_col:
            continue
        parts = texts[j]
        last = header_key(parts[-1]) if parts else ""
        if not parts or last in sc.words.seq or last in sc.words.note:
            roles[j] = None
        elif any(PERSONAL_LABEL.search(nfkc(p)) for p in parts):
            roles[j] = None  # a 联系人 / 联系电话 column: personal data, never read
            personal_cols.add(j)
    aside: dict[int, str] = {}  # columns of another year (2022年 | 上年 over 案件数 …): set aside
    for j in range(sc.width):
        if j != area_col and j not in roles:
            roles[j] = label_candidates(texts[j], sc.vocab)
            if _other_year(sc, texts[j]):
                aside[j] = f"「{''.join(texts[j])}」列不是{sc.year}年数值列"
    village = any(header_key(p) in sc.words.village for p in texts[area_col])
    sc.consumed.update(header_rows)
    for i in range(k, end):
        if not _data_row_b(sc, i, area_col, personal_cols):
            continue
        row = sc.rows[i]
        sc.consumed.add(i)
        sc.scan.personal_cells += [sc.sheet.address(i, j) for j in sorted(personal_cols)
                                   if j < len(row) and cell_text(row[j])]
        area_raw = cell_text(row[area_col]) if area_col < len(row) else ""
        akey = word_key(area_raw)
        is_total = akey in sc.words.total
        area = "" if is_total or not area_raw else sc.area_of(area_raw, village)
        for j, spec in roles.items():
            v = row[j] if j < len(row) else ""
            if spec is None:
                continue
            labels, unit = spec
            if not labels or j in aside:
                if cell_text(v):
                    sc.add(i, j, labels, "", v, area=area, aside=aside.get(j, "数值列缺少表头"))
                continue
            unit = units.get(j, unit)
            if akey in sc.words.subtotal:
                if cell_text(v):
                    sc.add(i, j, labels, unit, v, area=area, aside="小计行，不重复计入")
            elif not area_raw and not is_total:
                if cell_text(v):
                    sc.add(i, j, labels, unit, v, aside="数值行缺少镇街/单位名称")
            else:
                sc.add(i, j, labels, unit, v, area=area, is_total=is_total, series=f"C{j}")
    return end


def _data_row_b(sc: SheetGrid, i: int, area_col: int, personal_cols: set[int]) -> bool:
    """A Layout B data row; a row with personal content only in the contact columns counts."""
    if sc.kinds[i] == "other":
        return True
    if i not in sc.soft:
        return False
    row = sc.rows[i]
    area = cell_text(row[area_col]) if area_col < len(row) else ""
    if not (sc.catalog.resolve_area(area) or word_key(area) in sc.words.total):
        return False
    return all(j in personal_cols for j, v in enumerate(row) if j != area_col and personal_kind([v]))


def _other_year(sc: SheetGrid, parts: list[str]) -> bool:
    """A Layout B column of another year: a header part naming another year, or one that is 上年 …"""
    years = [int(y) for p in parts for y in YEAR.findall(nfkc(p))]
    return any(y != sc.year for y in years) or any(header_key(p) in sc.words.prev_keys for p in parts)
