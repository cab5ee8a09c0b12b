"""fzanalysis.ingest.grid: the kind of a row (blank, personal, meta, note, other)."""
from __future__ import annotations

import pytest

from fzanalysis.ingest.grid import classify_row


@pytest.mark.parametrize("row,kind", [
    (["填表人：张三", None, "联系电话：023-68881234"], "personal"),
    (["联系电话", "13812345678"], "personal"),
    (["填报单位：区司法局（盖章）"], "meta"),
    (["注：本表数据截至12月31日"], "note"),
    (["行政机关负责人出庭应诉率", "100%"], "other"),
    ([None, "", None], "blank"),
])
def test_classify_row(row, kind):
    assert classify_row(row) == kind
