"""Submission tracking: every expected unit with its state, files, indicators and counts."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from fzanalysis.analysis import diagnostics
from fzanalysis.core.catalog import load_catalog
from fzanalysis.ingest.clean import clean_year, discover
from fzanalysis.cli import main
from fzanalysis import commands
from fzanalysis.loop.status import CSV_COLUMNS, MISSING, RECEIVED, submission_status
from fzanalysis.store.project import open_project
from tests.xlsx_factory import MARKET_ORG_LINE, copy_bundled_year, make_good_market, make_layout_a

CAT = load_catalog()
AUDIT = "审计局法治政府建设统计表2023.xlsx"


@pytest.fixture(scope="module")
def raw_2023(tmp_path_factory):
    return copy_bundled_year(tmp_path_factory.mktemp("status"))


def test_status_2023_lists_every_expected_unit(raw_2023, tmp_path):
    project = open_project(raw_dir=raw_2023, processed_dir=tmp_path / "p", output_dir=tmp_path / "out")
    status, path = commands.status(project, 2023).value
    expected = status[status["应报送"]]
    assert expected["填报单位"].tolist() == CAT.expected_orgs()
    assert set(expected["状态"]) == {RECEIVED}
    judicial = status.set_index("填报单位").loc["区司法局"]
    assert judicial["采用文件"] == "附件3-大渡口区司法局法治政府建设统计表（2023）.xlsx"
    assert (judicial["应报指标"], judicial["已报指标"], judicial["采用"]) == (51, 51, 117)
    assert not status["重复报送"].any()
    csv = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    assert csv.columns.tolist() == CSV_COLUMNS  # units and counts only
    assert ".xlsx" not in path.read_text(encoding="utf-8-sig")
    assert csv.set_index("填报单位").loc["区审计局", "状态"] == RECEIVED


def test_a_removed_workbook_shows_as_missing_and_stays_a_finding(raw_2023, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(raw_2023, raw)
    (raw / "2023" / AUDIT).unlink()
    result = clean_year(raw, 2023, discover(raw, 2023)[2023], CAT)
    status = submission_status(result.indicators, result.log, CAT).set_index("填报单位")
    assert status.loc["区审计局", "状态"] == MISSING
    assert (status.loc["区审计局", "报送文件数"], status.loc["区审计局", "已报指标"]) == (0, 0)
    assert (status.drop("区审计局").loc[CAT.expected_orgs()[:10], "状态"] == RECEIVED).all()
    found = diagnostics.find_problems(result.indicators, CAT, log=result.log)
    assert found.loc[found["rule"] == "missing_submission", "org"].tolist() == ["区审计局"]


def test_a_corrected_resubmission_is_no_duplicate(tmp_path):
    y = tmp_path / "2023"
    make_good_market(y / "区市场监管局.xlsx")
    make_layout_a(y / "区市场监管局（修改版）.xlsx", MARKET_ORG_LINE, [("行政处罚案件数", "件", 580)])
    result = clean_year(tmp_path, 2023, discover(tmp_path, 2023)[2023], CAT)
    row = submission_status(result.indicators, result.log, CAT).set_index("填报单位").loc["区市场监管局"]
    assert row["状态"] == "已报送（有更正）" and not row["重复报送"]
    assert (row["采用文件"], row["被替代文件"]) == ("区市场监管局（修改版）.xlsx", "区市场监管局.xlsx")
    assert (row["报送文件数"], row["已报指标"], row["应报指标"]) == (2, 1, 4)


def test_a_missing_marker_is_an_answer(tmp_path):
    y = tmp_path / "2023"
    make_layout_a(y / "城管.xlsx", "填报单位：大渡口区城市管理局", [("占道停车劝诫人次", "人次", "无"),
                                                               ("查处车辆数", "辆", None)])
    result = clean_year(tmp_path, 2023, discover(tmp_path, 2023)[2023], CAT)
    row = submission_status(result.indicators, result.log, CAT).set_index("填报单位").loc["区城市管理局"]
    assert (row["已报指标"], row["缺报指标"], row["缺报指标名称"]) == (1, 1, "查处车辆数")


def test_cli_status(raw_2023, tmp_path, capsys):
    code = main(["status", "--year", "2023", "--processed", str(tmp_path / "p"), "--raw", str(raw_2023), "--out",
                 str(tmp_path / "o")])
    out = capsys.readouterr().out
    assert code == 0 and "应报 19 个单位，已报送 19，未报送 0" in out and (tmp_path / "o" / "2023" / "status.csv").exists()
