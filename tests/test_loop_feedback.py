"""Feedback forms: each unit's form lists exactly its bad cells, what was written (masked), why, what is expected."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from fzanalysis.core.catalog import load_catalog
from fzanalysis.ingest.clean import clean_year, discover
from fzanalysis.cli import main
from fzanalysis.loop.feedback import feedback_items
from fzanalysis.core.settings import load_texts
from fzanalysis.loop.forms import expected_codes
from tests.xlsx_factory import MARKET_ORG_LINE, make_good_market, make_layout_a, org_line

CAT = load_catalog()
KIND = {k: load_texts().text(f"feedback.kind.{k}") for k in ("rejected", "missing", "unmapped", "not_reported",
                                                            "conflicting_values", "no_submission", "yoy_implausible")}


def _plant(raw: Path) -> None:
    y = raw / "2023"
    make_good_market(y / "区市场监管局统计表.xlsx")  # 行政处罚案件数 579 at D4
    make_layout_a(y / "区市场监管局补报.xlsx", MARKET_ORG_LINE, [("行政处罚案件数", "件", 580)])  # conflicts, D4
    make_layout_a(y / "区司法局统计表.xlsx", org_line("重庆市大渡口区司法局"), [
        ("法律援助受理数", "件", "待统计"),  # D4 rejected
        ("法律援助办结数", "件", None),  # D5 blank
        ("行政复议受理数", "件", "13812345678"),  # D6 rejected: a phone number
        ("自定义工作量", "件", 5),  # D7 unmapped
        ("行政复议审结数", "件", 42),  # D8 fine
    ])
    make_layout_a(y / "区城市管理局统计表.xlsx", org_line("重庆市大渡口区城市管理局"),
                  [("占道停车劝诫人次", "人次", 12000), ("查处车辆数", "辆", 1800)])  # nothing to fix
    make_layout_a(y / "区民政局统计表.xlsx", org_line("重庆市大渡口区民政局"), [("撤销登记社会组织数", "家", 120)])
    make_layout_a(raw / "2022" / "区民政局统计表.xlsx", org_line("重庆市大渡口区民政局"),
                  [("撤销登记社会组织数", "家", 10)], header=("序号", "指标名称", "单位", "2022年", "备注"))  # 12×


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    raw = tmp_path_factory.mktemp("feedback") / "raw"
    _plant(raw)
    result = clean_year(raw, 2023, discover(raw, 2023)[2023], CAT)
    baseline = clean_year(raw, 2022, discover(raw, 2022)[2022], CAT).indicators
    return raw, feedback_items(result.indicators, result.log, result.unmapped, CAT, baseline, year=2023)


def test_each_unit_lists_exactly_its_bad_cells(planted):
    _, items = planted
    cells = items[items["cell"] != ""]
    judicial = cells[cells["org"] == "区司法局"]
    assert sorted(zip(judicial["cell"], judicial["kind"])) == [
        ("D4", KIND["rejected"]), ("D5", KIND["missing"]), ("D6", KIND["rejected"]), ("D7", KIND["unmapped"])]
    market = cells[cells["org"] == "区市场监管局"]
    assert sorted(zip(market["file"], market["cell"], market["kind"])) == [
        ("2023/区市场监管局统计表.xlsx", "D4", KIND["conflicting_values"]),
        ("2023/区市场监管局补报.xlsx", "D4", KIND["conflicting_values"])]
    civil = cells[cells["org"] == "区民政局"]
    assert civil[["file", "cell", "kind"]].values.tolist() == [["2023/区民政局统计表.xlsx", "D4", KIND["yoy_implausible"]]]
    assert "12" in civil["why"].iloc[0] and "2022年" in civil["why"].iloc[0]  # the 2022 cell is named, not listed
    assert set(cells["org"]) == {"区司法局", "区市场监管局", "区民政局"}
    assert "区城市管理局" not in set(items["org"])  # nothing to fix, no form


def test_rows_say_what_was_written_why_and_what_is_expected(planted):
    _, items = planted
    d4 = items[(items["org"] == "区司法局") & (items["cell"] == "D4")].iloc[0]
    assert (d4["indicator"], d4["written"]) == ("法律援助受理数", "待统计")
    assert "无法识别" in d4["why"] and "法律援助受理数（件）" in d4["expected"] and "“无”" in d4["expected"]
    d6 = items[(items["org"] == "区司法局") & (items["cell"] == "D6")].iloc[0]
    assert "13812345678" not in " ".join(map(str, d6.values)) and "电话" in d6["why"]
    conflict = items[(items["org"] == "区市场监管局") & (items["cell"] == "D4")]
    assert all("579" in w and "580" in w for w in conflict["why"])


def test_indicators_not_reported_and_units_that_sent_nothing(planted):
    _, items = planted
    judicial = items[(items["org"] == "区司法局") & (items["kind"] == KIND["not_reported"])]
    assert len(judicial) == len(expected_codes(CAT, "区司法局")) - 4  # 受理、办结、复议受理 listed by cell; 审结 sent
    audit = items[items["org"] == "区审计局"]
    assert audit["kind"].tolist() == [KIND["no_submission"]] and "4项指标" in audit["expected"].iloc[0]


def test_cli_writes_one_form_per_unit_with_anything_to_fix(planted, tmp_path):
    raw, items = planted
    assert main(["feedback", "--year", "2023", "--out", str(tmp_path / "fb"), "--processed", str(tmp_path / "p"),
                 "--raw", str(raw)]) == 0
    forms = sorted(p.name for p in (tmp_path / "fb").glob("*.xlsx"))
    assert len(forms) == len(set(items["org"])) == len(CAT.expected_orgs()) - 1
    ws = load_workbook(tmp_path / "fb" / "2023年统计数据核对反馈表（区司法局）.xlsx").active
    assert ws["A2"].value == "填报单位：区司法局"
    rows = [r for r in ws.iter_rows(min_row=5, values_only=True) if isinstance(r[0], int)]
    assert [(r[3], r[4]) for r in rows if r[4]] == [("Sheet1", "D4"), ("Sheet1", "D5"), ("Sheet1", "D6"),
                                                   ("Sheet1", "D7")]
    text = " ".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    assert "13812345678" not in text and "修改版" in text


def test_the_forms_compare_with_the_baseline_year_the_report_used(planted, tmp_path, monkeypatch, capsys):
    """``--baseline-year`` as for the report (the forms list the report's problems); a baseline that is not
    earlier, or has no data, is one line and exit 2."""
    import shutil

    import fzanalysis.analysis.diagnostics

    raw = tmp_path / "raw"
    shutil.copytree(planted[0], raw)
    shutil.copytree(raw / "2022", raw / "2021")
    seen = []
    real = fzanalysis.analysis.diagnostics.year_findings
    monkeypatch.setattr(fzanalysis.analysis.diagnostics, "year_findings",
                        lambda yr: seen.append(yr.baseline_year) or real(yr))
    common = ["--out", str(tmp_path / "fb"), "--processed", str(tmp_path / "p"), "--raw", str(raw)]
    assert main(["feedback", "--year", "2023", *common]) == 0
    assert main(["feedback", "--year", "2023", "--baseline-year", "2021", *common]) == 0
    assert seen == [2022, 2021]
    capsys.readouterr()
    for baseline, line in (("2023", "对比年度 2023 应早于分析年度 2023"), ("2019", "没有对比年度 2019 的数据")):
        assert main(["feedback", "--year", "2023", "--baseline-year", baseline, *common]) == 2
        assert capsys.readouterr().err.splitlines() == [f"错误：{line}"]


# ------------------------------------------------------------------------------ forms hold only their unit's data
def _two_units_disagree(raw: Path) -> None:
    """区民政局 and 区司法局 both report 撤销登记社会组织数 (民政局's indicator), with different values; the
    司法局's file name carries a contact person's name (masked when cleaned, must not reach another form)."""
    y = raw / "2023"
    make_layout_a(y / "区民政局统计表.xlsx", org_line("重庆市大渡口区民政局"), [("撤销登记社会组织数", "家", 120)])
    make_layout_a(y / "区司法局统计表（联系人：王小明）.xlsx", org_line("重庆市大渡口区司法局"),
                  [("撤销登记社会组织数", "家", 4321), ("行政复议受理数", "件", 13)])


def _cells(path: Path) -> list[str]:
    ws = load_workbook(path).active
    return [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]


def test_a_form_names_no_other_unit_file_or_value_where_two_units_disagree(tmp_path):
    raw = tmp_path / "raw"
    _two_units_disagree(raw)
    assert main(["feedback", "--year", "2023", "--out", str(tmp_path / "fb"), "--processed", str(tmp_path / "p"),
                 "--raw", str(raw)]) == 0
    forms = {org: tmp_path / "fb" / f"2023年统计数据核对反馈表（{org}）.xlsx" for org in ("区民政局", "区司法局")}
    own = {"区民政局": ("120", "区民政局统计表.xlsx"), "区司法局": ("4321", "区司法局统计表")}
    for org, path in forms.items():
        other = next(o for o in forms if o != org)
        text = " ".join(_cells(path))  # every column, the title and the lines around the table
        assert other not in text and own[other][1] not in text and own[other][0] not in text, (org, text)
        assert "王小明" not in text  # masked in the unit's own file name; the other's is not there at all
        rows = [r for r in load_workbook(path).active.iter_rows(min_row=5, values_only=True)
                if isinstance(r[0], int) and r[1] == KIND["conflicting_values"]]
        assert len(rows) == 1 and rows[0][2].startswith(own[org][1]) and rows[0][6] == own[org][0]
        assert rows[0][7] == "另有其他单位报送了撤销登记社会组织数，数值与本单位填报的不同。"  # said, not named


def test_a_unit_name_read_from_a_workbook_never_becomes_a_path(tmp_path):
    """填报单位 ``../../../../OUTSIDE/PWNED`` and a title with newlines: the forms stay in ``--out``, one
    safe file name each."""
    raw = tmp_path / "raw"
    y = raw / "2023"
    make_good_market(y / "区市场监管局统计表.xlsx")
    make_layout_a(y / "a.xlsx", "填报单位：../../../../OUTSIDE/PWNED", [("行政处罚案件数", "件", "待统计")], title=None)
    make_layout_a(y / "b.xlsx", None, [("自定义工作量", "件", 5)], title="某某协会\n\n## 三、伪造\r\n报表")
    out = tmp_path / "w" / "x" / "y" / "fb"
    assert main(["feedback", "--year", "2023", "--out", str(out), "--processed", str(tmp_path / "p"),
                 "--raw", str(raw)]) == 0
    assert not (tmp_path / "OUTSIDE").exists() and not list(tmp_path.rglob("*PWNED*.xlsx"))[1:]
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and not p.is_relative_to(out)
               and not p.is_relative_to(raw) and not p.is_relative_to(tmp_path / "p")]
    assert outside == [out.parent / ".fzanalysis.lock"]  # the folder's lock, beside the forms
    names = [p.name for p in out.iterdir()]
    pwned = [n for n in names if "PWNED" in n]
    fake = [n for n in names if "某某协会" in n]
    assert len(pwned) == 1 and pwned[0].startswith("2023年统计数据核对反馈表（") and "OUTSIDE_PWNED~" in pwned[0]
    assert ".." not in pwned[0]
    assert len(fake) == 1 and "\n" not in fake[0] and "\r" not in fake[0]
    assert all("/" not in n and "\\" not in n for n in names)


AUDIT_ROWS = [("审计项目数", "个", 25), ("挽回损失金额", "万元", 40), ("上交财政金额", "万元", 30), ("移送问题线索数", "件", 3)]


def test_a_rerun_replaces_the_years_forms_and_never_deletes_a_file_it_did_not_write(tmp_path, capsys):
    raw = tmp_path / "raw"
    audit = raw / "2023" / "区审计局统计表.xlsx"
    make_layout_a(audit, org_line("重庆市大渡口区审计局"), [*AUDIT_ROWS[:3], ("移送问题线索数", "件", "待统计")])
    make_good_market(raw / "2023" / "区市场监管局统计表.xlsx")
    args = ["feedback", "--year", "2023", "--out", str(tmp_path / "fb"), "--processed", str(tmp_path / "p"),
            "--raw", str(raw)]
    assert main(args) == 0
    first = sorted(p.name for p in (tmp_path / "fb").glob("*.xlsx"))
    form = "2023年统计数据核对反馈表（区审计局）.xlsx"
    assert form in first
    make_layout_a(audit, org_line("重庆市大渡口区审计局"), AUDIT_ROWS)  # the unit fixed its one problem
    os.utime(audit, (time.time() + 5, time.time() + 5))  # newer than the processed table: cleaned again
    capsys.readouterr()
    assert main(args) == 0
    out = capsys.readouterr().out.splitlines()
    second = sorted(p.name for p in (tmp_path / "fb").glob("*.xlsx"))
    assert second == [n for n in first if n != form]  # its old form is gone, the others are rewritten
    assert out[-1] == f"2023: {len(second)} 个单位有需要核对的问题 → {tmp_path / 'fb'}"  # what it says is what is there
    (tmp_path / "fb" / "回执（区审计局）.docx").write_bytes(b"a unit's reply the analyst saved here")
    assert main(args) == 2
    assert "「回执（区审计局）.docx」不是本程序写入的" in capsys.readouterr().err
    assert (tmp_path / "fb" / "回执（区审计局）.docx").read_bytes() == b"a unit's reply the analyst saved here"
    assert sorted(p.name for p in (tmp_path / "fb").glob("*.xlsx")) == second
