"""fzanalysis.core.settings: settings, change links, prose words and the stop-list are catalog data."""
from __future__ import annotations

import shutil

import pytest

from fzanalysis.core.files import DATA_DIR
from fzanalysis.core.errors import CatalogError
from fzanalysis.core.settings import load_prose, load_settings


def test_district_placeholder_and_change_links():
    s = load_settings()
    assert s.text("district") == "大渡口区"
    assert s.text("report.placeholder", name="行政处罚案件数", who="区市场监管局") == "【缺数：行政处罚案件数（区市场监管局）】"
    assert s.change_code("recon_accepted") == "recon_accepted_yoy" and s.change_code("market_fines") == ""
    assert "数据质量" in s.list("report.internal_categories")


def test_prose_words_and_stoplist_kinds():
    p = load_prose()
    assert p.units.index("个方面") < p.units.index("个")  # longest first
    assert p.qualifiers["超过"] == "超" and p.change_words["降低"] == -1
    assert {"quoted", "year", "date", "ordinal", "docno", "plenary", "name", "target"} <= {k for _, k in p.stoplist}


def test_a_broken_stoplist_pattern_is_a_catalog_error(tmp_path):
    for f in DATA_DIR.glob("*.csv"):
        shutil.copy(f, tmp_path / f.name)
    with open(tmp_path / "figure_stoplist.csv", "a", encoding="utf-8") as fh:
        fh.write("[未闭合,name,坏规则\n")
    with pytest.raises(CatalogError) as err:
        load_prose(tmp_path)
    assert err.value.file == "figure_stoplist.csv"
