"""Cell grid → located value records (表格定位): the tables of a sheet found and read.

Headers are peeled off by direction, in the manner of tidyxl/unpivotr and databaker:

- **Layout A** (指标清单, :mod:`fzanalysis.ingest.indicator_list`): a header row with an indicator-name
  column (指标 / 项目 / 内容 …), an optional unit column, a value column for the year and perhaps other
  columns (上年, 同比 …); several blocks side by side in one header row; its variants, two-level row
  headers (a 类别 column or a group row 一、行政复议 above short items) and 镇街 across the columns (Layout B
  transposed).
- **Layout B** (镇街矩阵, :mod:`fzanalysis.ingest.unit_matrix`): one row per 镇街 or sub-unit, one column per
  indicator; one or two header rows (a merged group header over sub-headers), optionally a unit row, a 合计 row.

The words that name header columns, totals, units … are data (``catalog_data/vocabulary.csv``,
:mod:`fzanalysis.core.vocabulary`); areas (镇街, 村/社区) are resolved by the catalog
(:mod:`fzanalysis.core.areas`), the same way for every layout.

Rows around tables are classified first (:mod:`fzanalysis.ingest.grid`): titles and 填报单位 lines feed the
reporting unit; notes (注：…) end a table; sign-off rows (填表人, 联系电话 …) are personal data and are dropped
whole, with a log event that carries no content. A blank row inside a table does not end it.
Every value cell becomes a :class:`~fzanalysis.ingest.grid.Record` with its A1 address; nothing here parses
numbers.
"""
from __future__ import annotations

import re
import unicodedata

from ..core.catalog import Catalog
from .grid import ORG_LINE, SheetGrid, SheetScan, cell_text, filled_columns, line_dates
from .indicator_list import across_label_column, read_layout_a
from .unit_matrix import area_column, read_layout_b
from .workbook import Sheet

__all__ = ["SheetScanner", "scan_sheet"]


class SheetScanner(SheetGrid):
    """Finds the tables of one sheet and turns their value cells into records."""

    def run(self) -> SheetScan:
        for i, kind in enumerate(self.kinds):
            if kind == "meta":
                for v in self.rows[i]:
                    m = ORG_LINE.search(unicodedata.normalize("NFKC", cell_text(v)))
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
                self.scan.personal_cells.append(self.sheet.address(i, filled_columns(self.rows[i])[0]))
        return self.scan

    def _maybe_title(self, i: int) -> None:
        cols = filled_columns(self.rows[i])
        if len(cols) == 1 and isinstance(self.rows[i][cols[0]], str):
            text = self.rows[i][cols[0]].strip()
            m = self.vocab.sheet_unit.match(unicodedata.normalize("NFKC", text))
            if m:
                self.scan.money_unit = m.group(1)
            elif not self.scan.tables:
                self.scan.titles.append(text)

    def _table_at(self, i: int) -> int | None:
        """If a table header starts at row i, read the table and return the row after it."""
        name_cols = [j for j, k in enumerate(self.keys[i]) if k in self.words.name]
        if name_cols:
            return read_layout_a(self, i, name_cols)
        label_col = across_label_column(self, i)  # 项目＼镇街 | 新山村街道 | 跃进村街道 …
        if label_col is not None:
            return read_layout_a(self, i, [label_col])
        area_col = area_column(self, i)
        if area_col is not None:
            return read_layout_b(self, i, area_col)
        return None


def scan_sheet(sheet: Sheet, catalog: Catalog, year: int) -> SheetScan:
    """Locate the tables of one sheet and return their value cells as records."""
    return SheetScanner(sheet, catalog, year).run()
