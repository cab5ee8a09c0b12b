"""Trends over the bundled years, checked against figures computed by hand."""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from fzanalysis.core.catalog import load_catalog
from fzanalysis.analysis.trends import cagr, trend_table
from fzanalysis.store.years import open_years
from tests.test_analysis_diagnostics import make_tidy

ROOT = Path(__file__).resolve().parent.parent
CAT = load_catalog()


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    return open_years(2023, raw_dir=ROOT / "data" / "raw", processed_dir=tmp_path_factory.mktemp("processed"))


def test_three_bundled_years(bundled):
    assert bundled.years == [2021, 2022, 2023]
    assert sorted(bundled.tidy["year"].unique()) == [2021, 2022, 2023]


def test_legal_aid_trend_against_hand_computed_values(bundled):
    """法律援助受理数：2021年287件（历史数据表）、2022年298件、2023年316件（报告）→ 年均 (316/287)^(1/2) − 1 = 4.93%."""
    t = trend_table(bundled.tidy, "s6", CAT).set_index("代码")
    row = t.loc["legal_aid_accepted"]
    assert (row["2021年"], row["2022年"], row["2023年"]) == (287, 298, 316)
    assert row["年均增长率（%）"] == 4.9 and math.isclose(cagr(287, 316, 2), (316 / 287) ** 0.5 * 100 - 100)
    closed = t.loc["legal_aid_closed"]  # 251 → 236 → 221: (221/251)^(1/2) − 1 = −6.17%
    assert closed["年均增长率（%）"] == -6.2
    rate = t.loc["village_notary_coverage"]  # 92.9% → 100%: 7.1 points, no CAGR for a rate
    assert rate["变化（百分点）"] == 7.1 and pd.isna(rate["年均增长率（%）"]) and "百分点" in rate["说明"]


def test_cagr_only_where_it_means_something():
    assert math.isnan(cagr(0, 10, 2)) and math.isnan(cagr(10, 0, 2)) and math.isnan(cagr(10, 20, 0))
    two = pd.concat([make_tidy([("区司法局", "legal_aid_accepted", v)], year=y) for y, v in ((2022, 10), (2023, 20))])
    row = trend_table(two, "s6", CAT).iloc[0]
    assert pd.isna(row["年均增长率（%）"]) and "不足3年" in row["说明"]
    clash = pd.concat([two, make_tidy([("区司法局", "legal_aid_accepted", 25, "", "2023/另一份.xlsx")], year=2023),
                       make_tidy([("区司法局", "legal_aid_accepted", 8)], year=2021)])
    row = trend_table(clash, "s6", CAT).iloc[0]
    assert pd.isna(row["2023年"]) and "2023年重复报送且数值不一致" in row["说明"]
