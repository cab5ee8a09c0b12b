"""The internal scorecard: every expected unit ranked, every point explained by findings and cells."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from fzanalysis.analysis import diagnostics
from fzanalysis.core.catalog import load_catalog
from fzanalysis.ingest.clean import clean_year, discover
from fzanalysis.loop.scorecard import (CARD_COLUMNS, load_weights, scorecard, scorecard_chart, weighted_shares,
                                  write_scorecard)
from tests.xlsx_factory import copy_bundled_year, make_good_market, make_layout_a, org_line

ROOT = Path(__file__).resolve().parent.parent
CAT = load_catalog()


def _card(raw: Path, year: int = 2023):
    result = clean_year(raw, year, discover(raw, year)[year], CAT)
    findings = diagnostics.find_problems(result.indicators, CAT, log=result.log)
    return (*scorecard(result.indicators, result.log, findings, CAT, year), findings)


@pytest.fixture(scope="module")
def raw_2023(tmp_path_factory):
    return copy_bundled_year(tmp_path_factory.mktemp("score"))


def test_every_expected_unit_is_ranked_and_every_point_explained(raw_2023, tmp_path):
    card, details, _ = _card(raw_2023)
    assert card.columns.tolist() == CARD_COLUMNS
    assert sorted(card["填报单位"]) == sorted(CAT.expected_orgs())
    assert card["总分"].is_monotonic_decreasing and card["名次"].iloc[0] == 1
    assert card["名次"].tolist() == card["总分"].rank(method="min", ascending=False).astype(int).tolist()
    for r in card.to_dict("records"):
        mine = details[details["填报单位"] == r["填报单位"]]
        taken = mine.loc[mine["维度"] == "数据质量", "分值"].sum()
        assert r["数据质量"] == max(0, 100 + taken)
        assert (mine["维度"] == "完整性").sum() == 1
        goals = mine[mine["维度"] == "目标达成"]
        assert (pd.isna(r["目标达成"]) and goals.empty) or r["目标达成"] == round(100 * goals["分值"].mean(), 1)
        assert goals["出处"].str.contains("!").all()  # each target point cites its cells
    jump = card.set_index("填报单位").loc["跳磴镇"]
    assert jump["完整性"] == 40.0  # 2 of its 5 indicators: its rates are not in its workbook
    paths = write_scorecard(card, details, tmp_path)
    assert paths[0].read_bytes().startswith("\ufeff名次,填报单位".encode())


def test_the_chart_stacks_each_dimension_as_it_enters_the_total(raw_2023, tmp_path):
    card = _card(raw_2023)[0]
    shares = weighted_shares(card)
    assert shares.columns.tolist() == ["完整性", "数据质量", "目标达成"]
    assert ((shares.sum(axis=1) - card["总分"]).abs() <= 0.05).all()  # the bars end at the totals (shown to 0.1)
    jump = card["填报单位"] == "跳磴镇"
    assert shares.loc[jump, "目标达成"].item() == 0 or pd.notna(card.loc[jump, "目标达成"].item())
    chart = scorecard_chart(card, "2023年各单位得分", save_to=tmp_path / "s.png")
    assert (tmp_path / "s.png").stat().st_size > 10_000
    assert chart.alt.startswith(f"横向堆叠条形图，2023年各单位得分：{len(card)}个单位按总分排列：{card['填报单位'].iloc[0]}")
    assert scorecard_chart(card.iloc[0:0], "空").note == "空：没有应报单位，不作图。"


def test_a_planted_conflicting_duplicate_lowers_the_quality_score_citing_the_finding(raw_2023, tmp_path):
    before = _card(raw_2023)[0].set_index("填报单位").loc["区审计局"]
    raw = tmp_path / "raw"
    shutil.copytree(raw_2023, raw)
    make_layout_a(raw / "2023" / "审计局补报.xlsx", org_line("重庆市大渡口区审计局"), [("审计项目数", "个", 99)])
    card, details, findings = _card(raw)
    after = card.set_index("填报单位").loc["区审计局"]
    w = load_weights()
    assert before["数据质量"] == 100
    assert after["数据质量"] == 100 - w.num("penalty.conflicting_values") - w.num("penalty.duplicate_submission")
    assert after["名次"] > before["名次"]
    conflict = findings[(findings["rule"] == "conflicting_values") & (findings["org"] == "区审计局")].iloc[0]
    row = details[(details["填报单位"] == "区审计局") & (details["规则"] == "conflicting_values")].iloc[0]
    assert row["依据"] == conflict["evidence"] and row["出处"] == conflict["cells"]
    assert "2023/审计局补报.xlsx!Sheet1!D4" in row["出处"]
    assert "数值不一致" in after["扣分与依据"] and "conflicting_values" in after["扣分与依据"]


def test_a_finding_citing_a_sheet_named_with_a_bang_costs_each_unit_it_cites(raw_2023, tmp_path):
    """Excel allows ! in sheet names and file names hold it too: the cited cells are read back by the one parser
    (fzanalysis.core.cite), so the unit whose file a finding cites is found (a split at the first ! found none)."""
    from fzanalysis.core.cite import parse_cite, split_cites

    raw = tmp_path / "raw"
    shutil.copytree(raw_2023, raw)
    make_layout_a(raw / "2023" / "司法局!补充.xlsx", org_line("重庆市大渡口区司法局"), [("审计项目数", "个", 99)],
                  sheet="审计!项目")
    card, details, findings = _card(raw)
    conflict = findings[(findings["rule"] == "conflicting_values") & (findings["codes"] == "audit_projects")].iloc[0]
    cited = [parse_cite(c) for c in split_cites(conflict["cells"])]
    assert ("2023/司法局!补充.xlsx", "审计!项目", "D4") in [(c.file, c.sheet, c.cell) for c in cited]
    penalised = set(details.loc[details["规则"] == "conflicting_values", "填报单位"])
    assert {"区审计局", "区司法局"} <= penalised


def test_late_and_corrected_files_cost_points(tmp_path):
    y = tmp_path / "2023"
    make_layout_a(y / "a.xlsx", org_line("重庆市大渡口区城市管理局", "2024年1月10日"), [("查处车辆数", "辆", 1)])
    make_layout_a(y / "b.xlsx", org_line("重庆市大渡口区城市管理局", "2024年2月3日"), [("查处车辆数", "辆", 2)])
    make_good_market(y / "m.xlsx")
    card, details, _ = _card(tmp_path)
    rows = details[details["填报单位"] == "区城市管理局"].set_index("规则")
    assert rows.loc["superseded", "出处"] == "2023/a.xlsx" and "b.xlsx" in rows.loc["superseded", "依据"]
    assert rows.loc["filing_date", "出处"] == "2023/b.xlsx" and "2024年01月20日" in rows.loc["filing_date", "依据"]
    w = load_weights()
    assert card.set_index("填报单位").loc["区城市管理局", "数据质量"] == 100 - w.num("penalty.superseded") - w.num(
        "penalty.late")
    missing = card.set_index("填报单位").loc["区审计局"]
    assert missing["完整性"] == 0 and pd.isna(missing["数据质量"]) and missing["总分"] == 0


def test_the_scorecard_stays_internal():
    for path in (ROOT / "fzanalysis").glob("report*.py"):
        assert "scorecard" not in path.read_text(encoding="utf-8"), path.name


def test_the_command_writes_the_card_the_notebook_shows(raw_2023, tmp_path, capsys):
    from fzanalysis.cli import main

    code = main(["scorecard", "--year", "2023", "--processed", str(tmp_path / "p"), "--raw", str(raw_2023),
                 "--out", str(tmp_path / "o")])
    lines = capsys.readouterr().out.splitlines()
    card = pd.read_csv(tmp_path / "o" / "2023" / "scorecard.csv", encoding="utf-8-sig", keep_default_na=False)
    assert code == 0 and lines[0].startswith("2023: 19 个应报单位评分（仅供内部使用）")
    assert [line.split("\t")[1] for line in lines[1:]] == card["填报单位"].tolist() == _card(raw_2023)[0]["填报单位"].tolist()
    assert (tmp_path / "o" / "2023" / "scorecard_details.csv").stat().st_size > 0
    jump = next(line for line in lines if "\t跳磴镇\t" in line)
    assert "完整性 40" in jump  # 2 of its 5 indicators, as the card says


def test_the_command_refuses_a_baseline_without_data_as_the_report_does(raw_2023, tmp_path, capsys):
    from fzanalysis.cli import main

    code = main(["scorecard", "--year", "2023", "--baseline-year", "2019", "--processed", str(tmp_path / "p"),
                 "--raw", str(raw_2023), "--out", str(tmp_path / "o")])
    assert code == 2 and capsys.readouterr().err.splitlines() == ["错误：没有对比年度 2019 的数据"]
    assert not (tmp_path / "o" / "2023").exists()
