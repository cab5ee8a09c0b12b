"""Corrected resubmissions: a later file of the same unit replaces the earlier one; no sign, no decision."""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from fzanalysis.analysis import diagnostics
from fzanalysis.core.catalog import load_catalog
from fzanalysis.ingest.clean import clean_year, discover
from fzanalysis.core.errors import ParameterError
from fzanalysis.ingest.log import check_ledger
from fzanalysis.ingest.resubmission import Signs, later
from tests.xlsx_factory import MARKET_ORG_LINE, make_good_market, make_layout_a, org_line

CAT = load_catalog()
ORIGINAL = "区市场监管局统计表.xlsx"
ROWS_580 = (("行政处罚案件数", "件", 580), ("罚款金额", "万元", 566.2), ("移送公安机关立案侦查数", "件", 12))
MARKET = "重庆市大渡口区市场监督管理局"


def _clean(raw: Path):
    return clean_year(raw, 2023, discover(raw, 2023)[2023], CAT)


def _events(result, event):
    return [e for e in result.events if e["event"] == event]


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_a_corrected_file_replaces_the_original(tmp_path):
    y = tmp_path / "2023"
    make_good_market(y / ORIGINAL)  # 行政处罚案件数 579
    make_layout_a(y / "区市场监管局统计表（修改版）.xlsx", MARKET_ORG_LINE, ROWS_580)
    before = _digest(y)
    result = _clean(tmp_path)
    assert _digest(y) == before  # raw files untouched
    kept = {r["code"]: (r["value"], r["source_file"]) for r in result.rows}
    assert kept["market_penalty_cases"] == (580.0, "2023/区市场监管局统计表（修改版）.xlsx")
    assert len(result.rows) == 3  # the original's three values are not in the table
    aside = [e for e in _events(result, "superseded") if e["cell"]]
    assert sorted(e["cell"] for e in aside) == ["D4", "D5", "D6"]
    assert all(e["file"] == f"2023/{ORIGINAL}" and e["outcome"] == "set_aside" for e in aside)
    assert all("「区市场监管局统计表（修改版）.xlsx」" in e["reason"] and "修改版" in e["reason"] for e in aside)
    assert {e["code"] for e in aside} == {"market_penalty_cases", "market_fines", "market_police_transfers"}
    assert [e["file"] for e in _events(result, "supersedes")] == ["2023/区市场监管局统计表（修改版）.xlsx"]
    assert _events(result, "duplicate_submission") == []
    ledger = check_ledger(result.indicators, result.unmapped, result.log)
    assert ledger["balanced"].all()
    assert ledger.set_index("file").loc[f"2023/{ORIGINAL}", "set_aside"] == 3
    found = diagnostics.find_problems(result.indicators, CAT, log=result.log)
    assert not (found["rule"] == "conflicting_values").any()


@pytest.mark.parametrize("word", ["更正", "终稿", "第二版"])
def test_the_correction_word_may_stand_in_the_title(tmp_path, word):
    y = tmp_path / "2023"
    make_good_market(y / "a.xlsx")
    make_layout_a(y / "b.xlsx", MARKET_ORG_LINE, ROWS_580, title=f"2023年法治政府建设情况统计表（{word}）")
    result = _clean(tmp_path)
    assert {r["source_file"] for r in result.rows} == {"2023/b.xlsx"}
    assert word in _events(result, "supersedes")[0]["reason"]


def test_a_later_filing_date_supersedes(tmp_path):
    y = tmp_path / "2023"
    make_layout_a(y / "b.xlsx", org_line(MARKET, "2024年1月12日"), ROWS_580[:2])
    make_layout_a(y / "a.xlsx", org_line(MARKET, "2024年1月25日"), ROWS_580)  # later, and all of b's indicators
    result = _clean(tmp_path)
    assert {r["source_file"] for r in result.rows} == {"2023/a.xlsx"}
    reason = _events(result, "supersedes")[0]["reason"]
    assert "填报日期较晚（2024年01月25日）" in reason


def test_the_manifest_decides_against_the_other_signs(tmp_path):
    y = tmp_path / "2023"
    make_layout_a(y / "新表.xlsx", org_line(MARKET, "2024年1月10日"), ROWS_580)
    make_layout_a(y / "旧表（修改版）.xlsx", org_line(MARKET, "2024年1月20日"), ROWS_580[:1])
    (y / "manifest.csv").write_text("file,supersedes\n新表.xlsx,旧表（修改版）.xlsx\n", encoding="utf-8")
    result = _clean(tmp_path)
    assert {r["source_file"] for r in result.rows} == {"2023/新表.xlsx"}
    assert "manifest.csv 第 2 行" in _events(result, "supersedes")[0]["reason"]
    assert not any("manifest" in e["file"] for e in result.events if e["event"] == "ledger")  # not read as a workbook


def test_a_manifest_line_that_cannot_apply_is_logged(tmp_path):
    y = tmp_path / "2023"
    make_good_market(y / ORIGINAL)
    make_layout_a(y / "区司法局.xlsx", org_line("重庆市大渡口区司法局"), [("法律援助受理数", "件", 3)])
    (y / "manifest.csv").write_text("file,supersedes\n区司法局.xlsx,区市场监管局统计表.xlsx\n没有.xlsx,区司法局.xlsx\n",
                                    encoding="utf-8")
    result = _clean(tmp_path)
    ignored = _events(result, "manifest_ignored")
    assert [e["file"] for e in ignored] == ["2023/manifest.csv"] * 2
    assert "填报单位不同" in ignored[0]["reason"] and "第 3 行" in ignored[1]["reason"]
    assert len(result.rows) == 4 and _events(result, "superseded") == []


def test_a_manifest_without_its_header_is_a_one_line_error(tmp_path):
    y = tmp_path / "2023"
    make_good_market(y / ORIGINAL)
    (y / "manifest.csv").write_text("新,旧\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="file,supersedes"):
        _clean(tmp_path)


def test_two_files_without_a_sign_stay_a_duplicate(tmp_path):
    y = tmp_path / "2023"
    make_good_market(y / ORIGINAL)
    make_layout_a(y / "区市场监管局补充.xlsx", MARKET_ORG_LINE, ROWS_580)
    result = _clean(tmp_path)
    assert len(result.rows) == 6 and _events(result, "superseded") == []
    assert len(_events(result, "duplicate_submission")) == 2
    found = diagnostics.find_problems(result.indicators, CAT, log=result.log)
    assert (found["rule"] == "conflicting_values").sum() == 1


def test_contradicting_signs_decide_nothing(tmp_path):
    y = tmp_path / "2023"
    make_layout_a(y / "a（修改版）.xlsx", org_line(MARKET, "2024年1月10日"), ROWS_580)
    make_layout_a(y / "b.xlsx", org_line(MARKET, "2024年1月20日"), ROWS_580)
    result = _clean(tmp_path)
    assert _events(result, "superseded") == [] and len(_events(result, "duplicate_submission")) == 2


def test_later_reads_both_signs():
    jan10, jan20 = dt.date(2024, 1, 10), dt.date(2024, 1, 20)
    assert later(Signs("修改版", None), Signs("", jan10))[0] == 1
    assert later(Signs("", jan20), Signs("", jan10))[0] == 1
    assert later(Signs("", jan10), Signs("", jan20))[0] == -1
    assert later(Signs("修改版", jan10), Signs("", jan20)) == (0, "")
    assert later(Signs("终稿", jan10), Signs("修改版", jan10)) == (0, "")


def test_a_single_final_version_supersedes_nothing(tmp_path):
    """The bundled data name one unit's only workbook （终稿）: a file alone corrects nothing."""
    y = tmp_path / "2023"
    make_layout_a(y / "应急局2023年度法治政府建设工作数据（终稿）.xlsx", org_line("重庆市大渡口区应急管理局"),
                  [("排查安全隐患数", "处", 441)])
    make_good_market(y / ORIGINAL)
    result = _clean(tmp_path)
    assert len(result.rows) == 4
    assert not [e for e in result.events if e["event"] in ("superseded", "supersedes", "duplicate_submission")]


def test_the_superseded_files_problems_are_no_longer_findings(tmp_path):
    y = tmp_path / "2023"
    make_layout_a(y / ORIGINAL, MARKET_ORG_LINE, [("行政处罚案件数", "件", "待统计")])
    make_layout_a(y / "区市场监管局统计表（修改版）.xlsx", MARKET_ORG_LINE, ROWS_580)
    result = _clean(tmp_path)
    assert [e["cell"] for e in result.events if e["outcome"] == "rejected"] == ["D4"]  # the log keeps what happened
    found = diagnostics.find_problems(result.indicators, CAT, log=result.log)
    assert found[found["rule"] == "data_quality"].empty


def test_a_later_supplement_with_fewer_indicators_replaces_nothing(tmp_path):
    y = tmp_path / "2023"
    make_layout_a(y / "a.xlsx", org_line(MARKET, "2024年1月12日"), ROWS_580)
    make_layout_a(y / "b补充.xlsx", org_line(MARKET, "2024年1月25日"), ROWS_580[:1])  # later, but one indicator
    result = _clean(tmp_path)
    assert _events(result, "superseded") == [] and len(result.rows) == 4
    assert len(_events(result, "duplicate_submission")) == 2
