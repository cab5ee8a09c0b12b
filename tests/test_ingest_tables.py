"""fzanalysis.ingest.tables: layouts the project has never seen, inside the input contract: right values, right
cells (each sheet scanned and cleaned as a workbook of a unit)."""
from __future__ import annotations

import pandas as pd
import pytest

from fzanalysis.core.catalog import load_catalog
from fzanalysis.ingest.clean import clean_workbook
from tests.xlsx_factory import Fmt, make_csv, org_line, write_xlsx

CAT = load_catalog()


def clean(path, year=2023):
    res = clean_workbook(path, path.name, year, CAT)
    rows = pd.DataFrame(res.rows)
    return res, rows


def year_events(path, kind, year=2023):
    """Events of one workbook cleaned as a year folder would be (the 合计 checks run per year)."""
    from fzanalysis.ingest.clean import clean_year

    log = clean_year(path.parent, year, [path], CAT).log
    return [e for e in log[log["event"] == kind].itertuples()]


def cell_of(rows, code, area=""):
    hit = rows[(rows["code"] == code) & (rows["area"] == area)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


def test_layout_a_offset_table_aliases_and_number_forms(tmp_path):
    # table starts at C4, header words not used in the bundled data, alias labels, mixed forms
    grid = [[], [], ["", "", "大渡口区司法局2023年度统计"], ["", "", "内容", "计量单位", "本年度", "上年同期"],
            ["", "", "（一）受理法律援助案件", "件", "３１６", 290],
            ["", "", "办结法律援助案件数", "", "221件", 200],
            [],
            ["", "", "2.法律援助挽回经济损失", "万元", "253.7", "—"],
            ["", "", "调解成功率（%）", "", Fmt(0.99, "0%"), None],
            ["", "", "成功调解", "件", "近6800", None]]
    path = write_xlsx(tmp_path / "sfj.xlsx", {"表1": grid})
    res, rows = clean(path)
    assert res.org == "区司法局"
    r = cell_of(rows, "legal_aid_accepted")
    assert (r.value, r.unit, r.cell, r.sheet, r.raw_text) == (316.0, "件", "E5", "表1", "３１６")
    assert cell_of(rows, "legal_aid_closed").value == 221.0
    assert cell_of(rows, "legal_aid_losses_recovered").value == 2_537_000.0
    rate = cell_of(rows, "mediation_success_rate")
    assert (rate.value, rate.unit, rate.cell) == (99.0, "%", "E9")
    near = cell_of(rows, "mediation_success_cases")
    assert (near.value, near.qualifier) == (6800.0, "近")
    # the previous-year column is set aside, cell by cell, and never kept
    aside = [e for e in res.events if e.outcome == "set_aside"]
    assert {e.cell for e in aside} == {"F5", "F6", "F8"}
    assert len(rows) == 5


def test_two_blocks_side_by_side_and_two_row_header(tmp_path):
    grid = [["填报单位：重庆市大渡口区审计局"],
            ["指标", "数值", None, None, "项目", "数值", None],
            [None, "2023年", "2022年", None, None, "2023年", "2022年"],
            ["审计项目数", 27, 25, None, "挽回损失金额（万元）", 2143, 1800],
            ["移送问题线索数", "十", 8, None, "上交财政金额", "13061万元", None]]
    path = write_xlsx(tmp_path / "audit.xlsx", {"Sheet1": grid}, merges={"Sheet1": ["B2:C2", "F2:G2", "A2:A3", "E2:E3"]})
    res, rows = clean(path)
    assert res.org == "区审计局"
    assert cell_of(rows, "audit_projects").cell == "B4"
    assert cell_of(rows, "audit_clues_transferred").value == 10.0
    assert cell_of(rows, "audit_losses_recovered").value == 21_430_000.0
    assert cell_of(rows, "audit_losses_recovered").cell == "F4"
    assert cell_of(rows, "audit_remitted_to_treasury").value == 130_610_000.0
    assert len(rows) == 4


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_csv_encodings(tmp_path, encoding):
    grid = [["填报单位：重庆市大渡口区民政局"], ["项目", "单位", "2023年"], ["撤销登记社会组织数", "家", "6"]]
    path = make_csv(tmp_path / "mz.csv", grid, encoding=encoding)
    res, rows = clean(path)
    assert res.org == "区民政局"
    r = cell_of(rows, "social_orgs_deregistered")
    assert (r.value, r.cell) == (6.0, "C3")


def test_org_longest_alias_and_file_name_fallback(tmp_path):
    grid = [["填报单位：大渡口区人民政府办公室"], ["指标", "本年"], ["政策解读数", 35]]
    res, _ = clean(write_xlsx(tmp_path / "x.xlsx", {"S": grid}))
    assert res.org == "区政府办公室"
    grid = [["2023年统计表"], ["指标", "本年"], ["查处车辆数", 1800]]
    res, rows = clean(write_xlsx(tmp_path / "区城管局.xlsx", {"S": grid}))
    assert res.org == "区城市管理局" and cell_of(rows, "urban_vehicles_penalized").value == 1800.0


def test_sheet_level_money_unit(tmp_path):
    grid = [["填报单位：重庆市大渡口区应急管理局"], ["金额单位：万元"], ["指标名称", "数量"],
            ["执法检查罚款金额", 16.6], ["排查安全隐患数", 441]]
    res, rows = clean(write_xlsx(tmp_path / "yj.xlsx", {"S": grid}))
    assert cell_of(rows, "safety_inspection_fines").value == 166_000.0
    assert cell_of(rows, "safety_hazards_found").value == 441.0


def test_indicator_resolved_for_reporting_unit_first(tmp_path):
    grid = [["填报单位：重庆市大渡口区生态环境局"], ["指标", "2023年"], ["行政处罚案件数", 19], ["罚款金额", "45.8万元"]]
    _, rows = clean(write_xlsx(tmp_path / "e.xlsx", {"S": grid}))
    assert set(rows["code"]) == {"eco_penalty_cases", "eco_fines"}


def test_phone_number_in_a_value_column_is_personal_not_a_value(tmp_path):
    grid = [["填报单位：重庆市大渡口区民政局"], ["指标", "本年"], ["撤销登记社会组织数", 6], ["值班号码", 13812345678]]
    res, rows = clean(write_xlsx(tmp_path / "mz.xlsx", {"S": grid}))
    assert rows["value"].tolist() == [6.0]
    assert res.unmapped == []
    gone = [e for e in res.events if e.event == "personal_data_removed"]
    assert [(e.cell, e.outcome, e.raw_text) for e in gone] == [("B4", "set_aside", "")]


def test_percent_stored_as_fraction_in_a_format_without_styles_is_read_as_percent(tmp_path):
    """.xls/.ods give no number formats to read: a rate stored as 1.0 becomes 100%, with a log line."""
    from fzanalysis.ingest.clean import _FileCleaner
    from fzanalysis.ingest.workbook import Sheet, Workbook

    grid = [["填报单位：大渡口区人民政府办公室"], ["指标", "单位", "2023年"], ["政府信息公开申请答复率", "%", 1.0],
            ["政府信息公开申请办理数", "件", 29.0]]
    book = Workbook(tmp_path / "zfb.xls", [Sheet("Sheet1", grid)], [], None)
    res = _FileCleaner(book, "2023/zfb.xls", 2023, CAT).run()
    rows = pd.DataFrame(res.rows)
    assert cell_of(rows, "disclosure_reply_rate").value == 100.0
    assert cell_of(rows, "disclosure_requests").value == 29.0
    assert any(e.event == "coerced" and e.cell == "C3" and "按百分比换算" in e.reason for e in res.events)


def test_bracketed_header_words_and_a_unit_in_the_value_header(tmp_path):
    grid = [["填报单位：重庆市大渡口区审计局"], ["序号（编号）", "指标名称（口径见备注）", "2023年（万元）", "备注（说明）"],
            [1, "挽回损失金额", 2143, "审计决定书"], [2, "审计项目数（个）", 27, None]]
    res, rows = clean(write_xlsx(tmp_path / "sj.xlsx", {"S": grid}))
    assert cell_of(rows, "audit_losses_recovered").value == 21_430_000.0  # the header's 万元, applied once
    assert cell_of(rows, "audit_projects").value == 27.0  # the label's own unit wins over the header's
    assert not any(e.outcome == "set_aside" for e in res.events)  # 备注（说明） is a note column, not a value


def test_village_rows_of_a_town_with_a_total_row(tmp_path):
    """A 镇街's own breakdown by 村/社区: names under a 村（社区） header are areas, suffix or not."""
    grid = [["八桥镇2023年人民调解情况"], [org_line("大渡口区八桥镇人民政府")], [],
            ["序号", "村（社区）", "调解委员会数（个）", "成功调解矛盾纠纷数（件）"],
            [1, "长江村", 1, 120], [2, "大 堰", 1, 88], [], [3, "八桥社区", 2, "待统计"],
            [None, "合计", 4, 210], ["注：大堰为村。"], ["填表人：李某", None, "联系电话：023-68881234"]]
    res, rows = clean(write_xlsx(tmp_path / "bq.xlsx", {"S": grid}))
    assert res.org == "八桥镇"
    got = sorted(zip(rows["cell"], rows["code"], rows["area"], rows["value"]))
    assert got == [("C5", "mediation_committees", "长江村", 1.0), ("C6", "mediation_committees", "大堰", 1.0),
                   ("C8", "mediation_committees", "八桥社区", 2.0), ("C9", "mediation_committees", "", 4.0),
                   ("D5", "mediation_success_cases", "长江村", 120.0), ("D6", "mediation_success_cases", "大堰", 88.0),
                   ("D9", "mediation_success_cases", "", 210.0)]
    assert [(e.cell, e.area, e.outcome) for e in res.events if e.event == "rejected"] == [("D8", "八桥社区", "rejected")]
    assert [(e.cell, e.reason) for e in year_events(tmp_path / "bq.xlsx", "total_mismatch")] == [
        ("D9", "合计 210件 不等于分项之和 208件（按原值保留合计）")]
    assert not any(e.outcome == "set_aside" for e in res.events) and res.unmapped == []


def test_an_indicator_row_with_a_phone_in_its_remark_keeps_its_value(tmp_path):
    """Before: the phone made the whole row a sign-off row, and 579 vanished with it."""
    grid = [[org_line("重庆市大渡口区市场监督管理局")], ["指标名称", "单位", "2023年", "备注"],
            ["行政处罚案件数", "件", 579, "经办人手机139-2345-6789"], ["罚款金额", "万元", 566.2, None],
            ["填表人", "李红梅", "手机", "13600001111"]]
    res, rows = clean(write_xlsx(tmp_path / "sj.xlsx", {"S": grid}))
    assert cell_of(rows, "market_penalty_cases").value == 579.0
    assert sorted(e.cell for e in res.events if e.event == "personal_data_removed") == ["A5", "D3"]
    assert "2345" not in repr([vars(e) for e in res.events]) + rows.to_csv()
