"""Layout A variants (fzanalysis.ingest.indicator_list): two-level row headers and areas across the columns.

Each shape is written fresh as a real .xlsx, with blank rows, a note and a sign-off around the table
and one bad value: the test states every value kept (cell, value, area) and every log line that matters.
"""
from __future__ import annotations

import pandas as pd
import pytest

from fzanalysis.core.catalog import load_catalog
from fzanalysis.ingest.clean import clean_workbook
from tests.xlsx_factory import SIGN_OFF, YEAR, across_grid, org_line, two_level_grid, write_xlsx

CAT = load_catalog()
NOTE = ["注：审结数含上年结转案件。"]
SFJ = org_line("重庆市大渡口区司法局")


def clean(path):
    res = clean_workbook(path, path.name, YEAR, CAT)
    return res, pd.DataFrame(res.rows, columns=["code", "area", "value", "unit", "cell"])


def year_events(path, kind) -> list:
    """Events of one workbook cleaned as a year folder would be (the 合计 checks run per year)."""
    from fzanalysis.ingest.clean import clean_year

    log = clean_year(path.parent, YEAR, [path], CAT).log
    return [e for e in log[log["event"] == kind].itertuples()]


def kept(rows) -> set[tuple]:
    return {(r.cell, r.code, r.area, r.value) for r in rows.itertuples()}


def events(res, kind) -> list[tuple]:
    return [(e.cell, e.code, e.outcome) for e in res.events if e.event == kind]


GROUPS = [
    ("行政复议", [("受理数", "件", 41, 29), ("审结数", "件", "四十二", 33), None, ("直接纠错数", "件", "待统计", 7)]),
    ("法律援助", [("受理数", "件", 316, 290), ("办结数", "件", 221, 200), ("法律援助挽回经济损失", "万元", 253.7)]),
]


@pytest.mark.parametrize("style", ["column", "rows"])
def test_two_level_items_are_read_with_their_group(tmp_path, style):
    grid, merges = two_level_grid(SFJ, GROUPS, style=style, footer=[[], NOTE, list(SIGN_OFF)])
    res, rows = clean(write_xlsx(tmp_path / "sfj.xlsx", {"S": grid}, merges={"S": merges}))
    r = 1 if style == "rows" else 0  # a group row above each group shifts the rows
    assert kept(rows) == {
        ("D4" if not r else "D5", "recon_accepted", "", 41.0),
        (f"D{5 + r}", "recon_concluded", "", 42.0),
        (f"D{8 + 2 * r}", "legal_aid_accepted", "", 316.0),
        (f"D{9 + 2 * r}", "legal_aid_closed", "", 221.0),
        (f"D{10 + 2 * r}", "legal_aid_losses_recovered", "", 2_537_000.0),
    }
    # the bad value is rejected with its cell and its code; the rest is kept
    assert events(res, "rejected") == [(f"D{7 + r}", "recon_corrected", "rejected")]
    # a group was used for each short item, and only for those (法律援助挽回经济损失 is known alone)
    grouped = [(e.cell, e.code) for e in res.events if e.event == "label_from_group"]
    assert grouped == [(f"D{4 + r}", "recon_accepted"), (f"D{5 + r}", "recon_concluded"),
                       (f"D{7 + r}", "recon_corrected"), (f"D{8 + 2 * r}", "legal_aid_accepted"),
                       (f"D{9 + 2 * r}", "legal_aid_closed")]
    first = next(e for e in res.events if e.event == "label_from_group")
    assert "受理数" in first.reason and "行政复议受理数" in first.reason and first.outcome == ""
    # only last year's column is set aside; nothing unmapped; the sign-off is dropped
    aside = {e.reason for e in res.events if e.outcome == "set_aside"}
    assert aside == {f"「{YEAR - 1}年」列不是{YEAR}年数值列"}
    assert res.unmapped == []
    assert [e.event for e in res.events].count("personal_data_removed") == 1


def test_a_group_row_with_suffix_words_and_an_unmerged_category_column(tmp_path):
    grid = [[SFJ], ["序号", "类别", "项目", "单位", "本年"],
            ["（一）行政复议工作情况"],
            [1, None, "受理数", "件", 41],
            [2, "法律援助", "受理数", "件", 316],  # a 类别 cell written once, not merged: it holds below
            [3, None, "办结数", "件", 221]]
    res, rows = clean(write_xlsx(tmp_path / "g.xlsx", {"S": grid}))
    assert kept(rows) == {("E4", "recon_accepted", "", 41.0), ("E5", "legal_aid_accepted", "", 316.0),
                          ("E6", "legal_aid_closed", "", 221.0)}


def test_group_resolves_an_ambiguous_label_and_a_known_label_stays(tmp_path):
    # 区政府 reports for two departments: 行政处罚案件数 alone is ambiguous for it
    grid = [[org_line("重庆市大渡口区人民政府")], ["类别", "指标", "单位", "2023年"],
            ["市场监管", "行政处罚案件数", "件", 579], [None, "罚款金额", "万元", 566.2],
            ["生态环境", "行政处罚案件数", "件", 19], [None, "罚款金额", "万元", "45.8"],
            ["营商环境", "营商环境措施数", "条", 53]]
    res, rows = clean(write_xlsx(tmp_path / "gov.xlsx", {"S": grid}, merges={"S": ["A3:A4", "A5:A6"]}))
    assert kept(rows) == {("D3", "market_penalty_cases", "", 579.0), ("D4", "market_fines", "", 5_662_000.0),
                          ("D5", "eco_penalty_cases", "", 19.0), ("D6", "eco_fines", "", 458_000.0),
                          ("D7", "business_env_measures", "", 53.0)}
    assert "D7" not in [e.cell for e in res.events if e.event == "label_from_group"]


def test_an_item_unknown_even_with_its_group_is_unmapped_with_the_group_named(tmp_path):
    grid, merges = two_level_grid(SFJ, [("行政复议", [("受理数", "件", 41), ("听证次数", "次", 3)])])
    res, rows = clean(write_xlsx(tmp_path / "u.xlsx", {"S": grid}, merges={"S": merges}))
    assert kept(rows) == {("D4", "recon_accepted", "", 41.0)}
    (um,) = res.unmapped
    assert (um["label"], um["cell"], um["value"]) == ("听证次数", "D5", 3.0)
    assert um["reason"] == "指标名称不在目录中（结合分组「行政复议」也未匹配）"


# ------------------------------------------------------------------------------ areas across the columns
TOWNS = ["新山村街道", "跃进村街道", "八桥镇人民政府", "跳磴镇"]


def test_towns_across_the_columns_with_a_total_column(tmp_path):
    grid = across_grid(SFJ, TOWNS, [
        ["镇街综合行政执法案件数", "件", 46, 31, 27, 0, 104],
        [],
        ["镇街日常巡查次数", "次", 326, "x268", 236, 96, 926],
        ["镇街法律援助工作站数（个）", None, 1, 1, 1, 1, 5],
    ], footer=[[], ["注：跳磴镇全年无执法案件。"], list(SIGN_OFF)])
    res, rows = clean(write_xlsx(tmp_path / "across.xlsx", {"S": grid}))
    assert kept(rows) == {
        ("C4", "town_enforcement_cases", "新山村街道", 46.0), ("D4", "town_enforcement_cases", "跃进村街道", 31.0),
        ("E4", "town_enforcement_cases", "八桥镇", 27.0), ("F4", "town_enforcement_cases", "跳磴镇", 0.0),
        ("G4", "town_enforcement_cases", "", 104.0),
        ("C6", "town_enforcement_inspections", "新山村街道", 326.0),
        ("E6", "town_enforcement_inspections", "八桥镇", 236.0), ("F6", "town_enforcement_inspections", "跳磴镇", 96.0),
        ("G6", "town_enforcement_inspections", "", 926.0),
        ("C7", "legal_aid_town_stations", "新山村街道", 1.0), ("D7", "legal_aid_town_stations", "跃进村街道", 1.0),
        ("E7", "legal_aid_town_stations", "八桥镇", 1.0), ("F7", "legal_aid_town_stations", "跳磴镇", 1.0),
        ("G7", "legal_aid_town_stations", "", 5.0),
    }
    assert set(rows.loc[rows["code"] == "legal_aid_town_stations", "unit"]) == {"个"}  # from the label's brackets
    assert events(res, "rejected") == [("D6", "town_enforcement_inspections", "rejected")]
    # the 合计 column is checked against the sum of its row, like a 合计 row (numeric cells only, as there:
    # the unreadable D6 leaves its row short)
    mismatch = sorted((e.cell, e.code, e.reason) for e in year_events(tmp_path / "across.xlsx", "total_mismatch"))
    assert mismatch == [("G6", "town_enforcement_inspections", "合计 926次 不等于分项之和 658次（按原值保留合计）"),
                        ("G7", "legal_aid_town_stations", "合计 5个 不等于分项之和 4个（按原值保留合计）")]
    assert not any(e.outcome == "set_aside" for e in res.events) and res.unmapped == []


def test_across_with_a_previous_year_block_and_a_unit_row(tmp_path):
    grid = [[org_line("重庆市大渡口区市场监督管理局")],
            ["指标名称", f"{YEAR}年", None, None, "上年", None, None],
            [None, "新山村街道", "跳磴镇", "合计", "新山村街道", "跳磴镇", "合计"],
            ["单位", "万元", "万元", "万元", "万元", "万元", "万元"],
            ["罚款金额", 87.3, 54.7, 142, 80, 50, 130]]
    merges = ["B2:D2", "E2:G2", "A2:A3"]
    res, rows = clean(write_xlsx(tmp_path / "m.xlsx", {"S": grid}, merges={"S": merges}))
    assert kept(rows) == {("B5", "market_fines", "新山村街道", 873_000.0), ("C5", "market_fines", "跳磴镇", 547_000.0),
                          ("D5", "market_fines", "", 1_420_000.0)}
    aside = [(e.cell, e.reason) for e in res.events if e.outcome == "set_aside"]
    assert aside == [("E5", f"「上年新山村街道」列不是{YEAR}年数值列"), ("F5", f"「上年跳磴镇」列不是{YEAR}年数值列"),
                     ("G5", f"「上年合计」列不是{YEAR}年数值列")]
    assert not any(e.event == "total_mismatch" for e in res.events)


def test_villages_across_under_a_diagonal_header_without_a_name_header(tmp_path):
    grid = [[org_line("大渡口区建胜镇人民政府")], [],
            ["项目＼村（社区）", "长江村", "黄河社区", "合计"],
            ["成功调解矛盾纠纷数（件）", 5, 7, 12],
            ["调解委员会数（个）", 1, "—", 1]]
    res, rows = clean(write_xlsx(tmp_path / "v.xlsx", {"S": grid}))
    assert res.org == "建胜镇"
    assert kept(rows) == {("B4", "mediation_success_cases", "长江村", 5.0),
                          ("C4", "mediation_success_cases", "黄河社区", 7.0), ("D4", "mediation_success_cases", "", 12.0),
                          ("B5", "mediation_committees", "长江村", 1.0), ("D5", "mediation_committees", "", 1.0)}
    assert [(e.cell, e.area, e.outcome) for e in res.events if e.event == "missing"] == [("C5", "黄河社区", "set_aside")]


def test_a_diagonal_village_header_reads_names_without_suffix_and_a_second_total_is_set_aside(tmp_path):
    grid = [[org_line("大渡口区跳磴镇人民政府")], ["项目＼村（社区）", "石盘", "金鳌", "合计", "2023年", "备注"],
            ["成功调解矛盾纠纷数（件）", 30, 40, 70, 70, None]]
    res, rows = clean(write_xlsx(tmp_path / "d.xlsx", {"S": grid}))
    assert kept(rows) == {("B3", "mediation_success_cases", "石盘", 30.0),
                          ("C3", "mediation_success_cases", "金鳌", 40.0), ("D3", "mediation_success_cases", "", 70.0)}
    assert [(e.cell, e.reason) for e in res.events if e.outcome == "set_aside"] == [
        ("E3", "「2023年」列与合计列重复，不重复计入")]


def test_village_names_without_their_suffix_under_a_village_group_header(tmp_path):
    grid = [[org_line("大渡口区跳磴镇人民政府")],
            ["指标", "单位", "村（社区）", None, None],
            [None, None, "石盘", "金鳌", "合计"],
            ["成功调解矛盾纠纷数", "件", 30, 40, 70]]
    res, rows = clean(write_xlsx(tmp_path / "t.xlsx", {"S": grid}, merges={"S": ["C2:E2", "A2:A3", "B2:B3"]}))
    assert kept(rows) == {("C4", "mediation_success_cases", "石盘", 30.0),
                          ("D4", "mediation_success_cases", "金鳌", 40.0), ("E4", "mediation_success_cases", "", 70.0)}


def test_one_area_column_is_not_an_across_table(tmp_path):
    # a single column named after a 镇街 stays an ordinary non-value column (set aside, never kept)
    grid = [[SFJ], ["指标", "单位", "2023年", "八桥镇"], ["法律援助受理数", "件", 316, 50]]
    res, rows = clean(write_xlsx(tmp_path / "one.xlsx", {"S": grid}))
    assert kept(rows) == {("C3", "legal_aid_accepted", "", 316.0)}
    assert [(e.cell, e.outcome) for e in res.events if e.event == "set_aside"] == [("D3", "set_aside")]
