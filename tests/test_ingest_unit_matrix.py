"""fzanalysis.ingest.unit_matrix: Layout B (镇街矩阵) — areas down the rows, indicators across, units in headers or a
unit row, a 合计 row, contact columns and columns of another year set aside."""
from __future__ import annotations

from tests.test_ingest_tables import cell_of, clean
from tests.xlsx_factory import org_line, write_xlsx


def test_layout_b_without_area_header_unit_row_and_blank_row(tmp_path):
    grid = [["大渡口区司法局镇街法律援助情况"],
            [None, "法律援助受理", "法律援助办结", "法律援助联络点数"],
            [None, "件", "件", "个"],
            ["新山村街道办事处", 50, 40, 12],
            ["八桥镇人民政府", "30", "二十", 10],
            [],
            ["跳磴镇", 0, "—", 8],
            ["合计", 80, 60, 30],
            ["注：联络点含社区。"],
            ["填表人：王某", "电话：13900001111"]]
    path = write_xlsx(tmp_path / "b.xlsx", {"镇街": grid})
    res, rows = clean(path)
    assert res.org == "区司法局"
    assert cell_of(rows, "legal_aid_accepted", "新山村街道").value == 50.0
    assert cell_of(rows, "legal_aid_closed", "八桥镇").value == 20.0
    assert cell_of(rows, "legal_aid_accepted", "跳磴镇").value == 0.0  # a written 0 stays 0
    assert not ((rows["code"] == "legal_aid_closed") & (rows["area"] == "跳磴镇")).any()  # — is not 0
    total = cell_of(rows, "legal_aid_village_points")
    assert (total.value, total.cell) == (30.0, "D8")
    events = {e.event for e in res.events}
    assert "personal_data_removed" in events and "missing" in events
    assert not any("13900001111" in str(v) for v in rows.to_numpy().ravel())


def test_layout_b_merged_group_header_with_units_in_headers(tmp_path):
    grid = [["行政执法情况统计表"],
            [org_line("重庆市大渡口区生态环境局")],
            ["镇街", "行政处罚", None, "移送公安机关"],
            [None, "案件数（件）", "罚款（万元）", None],
            ["九宫庙街道", 7, 20.5, 1],
            ["茄子溪街道", 12, 25.3, 1],
            ["合计", 19, 45.8, 2]]
    path = write_xlsx(tmp_path / "eco.xlsx", {"Sheet1": grid}, merges={"Sheet1": ["B3:C3", "A3:A4", "D3:D4"]})
    res, rows = clean(path)
    assert res.org == "区生态环境局"
    assert cell_of(rows, "eco_penalty_cases").value == 19.0
    assert cell_of(rows, "eco_fines").value == 458_000.0
    assert cell_of(rows, "eco_fines", "茄子溪街道").cell == "C6"
    assert cell_of(rows, "eco_police_transfers").value == 2.0
    assert len(rows) == 9


def test_matrix_with_contact_columns_keeps_values_and_drops_names_and_phones(tmp_path):
    grid = [[org_line("重庆市大渡口区司法局")],
            ["镇街", "法律援助受理（件）", "联系人", "联系电话"],
            ["新山村街道", 40, "王小明", "13800001111"],
            ["跳磴镇", 12, "李大华", "023-68881234"],
            ["合计", 52, None, None],
            ["填表人", "赵某", "联系电话", "13900002222"]]
    path = write_xlsx(tmp_path / "sfj.xlsx", {"镇街": grid})
    res, rows = clean(path)
    assert cell_of(rows, "legal_aid_accepted", "新山村街道").value == 40.0
    assert cell_of(rows, "legal_aid_accepted", "跳磴镇").value == 12.0
    assert cell_of(rows, "legal_aid_accepted").cell == "B5"
    gone = sorted(e.cell for e in res.events if e.event == "personal_data_removed")
    assert gone == ["A6", "C3", "C4", "D3", "D4"]
    text = repr([vars(e) for e in res.events]) + rows.to_csv() + repr(res.unmapped)
    for secret in ("王小明", "李大华", "赵某", "13800001111", "68881234", "13900002222"):
        assert secret not in text


def test_layout_b_column_of_another_year_is_set_aside(tmp_path):
    grid = [[org_line("重庆市大渡口区司法局")], ["镇街", "2023年", None, "2022年", None],
            [None, "法律援助受理数", "法律援助办结数", "法律援助受理数", "法律援助办结数"],
            ["新山村街道", 48, 34, 40, 30], ["跳磴镇", 28, 20, 25, 19]]
    merges = ["B2:C2", "D2:E2", "A2:A3"]
    res, rows = clean(write_xlsx(tmp_path / "b2.xlsx", {"S": grid}, merges={"S": merges}))
    assert sorted(zip(rows["cell"], rows["area"], rows["value"])) == [
        ("B4", "新山村街道", 48.0), ("B5", "跳磴镇", 28.0), ("C4", "新山村街道", 34.0), ("C5", "跳磴镇", 20.0)]
    aside = sorted((e.cell, e.area, e.reason) for e in res.events if e.outcome == "set_aside")
    assert aside == [(c, a, "「2022年法律援助受理数」列不是2023年数值列" if c[0] == "D" else
                      "「2022年法律援助办结数」列不是2023年数值列")
                     for c, a in [("D4", "新山村街道"), ("D5", "跳磴镇"), ("E4", "新山村街道"), ("E5", "跳磴镇")]]
