"""Templates: generated from the catalog, filled in as a person would, cleaned back without a loss."""
from __future__ import annotations

import csv
import shutil
import subprocess
from collections import Counter
from types import SimpleNamespace

import pytest
from openpyxl import Workbook, load_workbook

from fzanalysis.core.catalog import load_catalog
from fzanalysis.ingest.clean import clean_year, discover
from fzanalysis.cli import main
from fzanalysis.store.data import load, load_log, load_unmapped
from fzanalysis.core.numbers import parse_value
from fzanalysis.core.sanitize import personal_labels
from fzanalysis.core.settings import load_texts
from fzanalysis.loop.forms import accepts, form_item, plan_for, validation_formula
from fzanalysis import commands
from fzanalysis.loop.template import build_template, template_name
from fzanalysis.store.project import open_project
from tests.xlsx_factory import fill_template, make_good_market

CAT = load_catalog()
YEAR = 2025
BY_NAME = {name[:32]: form_item(CAT, code) for code, name in zip(CAT.indicators["code"], CAT.indicators["name"])}


def valid_value(item):
    """A valid number for each kind, in the form's unit (amounts in 万元)."""
    return {"rate": 95.5, "amount": 3.5, "change": -28}.get(item.kind, 12)


@pytest.fixture(scope="module")
def filled_year(tmp_path_factory):
    """`fzanalysis template --year 2025` → every value cell of every unit's template filled → `fzanalysis clean`."""
    base = tmp_path_factory.mktemp("templates")
    dirs = ["--processed", str(base / "processed"), "--raw", str(base / "raw")]
    assert main(["template", "--year", str(YEAR), "--out", str(base / "blank"), *dirs]) == 0
    blank = sorted((base / "blank").glob("*.xlsx"))
    raw = base / "raw" / str(YEAR)
    filled = {}
    for path in blank:
        filled[path.name] = fill_template(path, raw / path.name, lambda s, ref, title: valid_value(BY_NAME[title]))
    assert main(["clean", "--raw", str(base / "raw"), "--out", str(base / "processed"), "--year", str(YEAR),
                 "--quiet"]) == 0
    result = SimpleNamespace(rows=load(YEAR, processed_dir=base / "processed", raw_dir=base / "raw").to_dict("records"),
                             events=load_log(YEAR, processed_dir=base / "processed").to_dict("records"),
                             unmapped_rows=load_unmapped(YEAR, processed_dir=base / "processed").to_dict("records"))
    return blank, filled, result


def test_one_template_per_expected_unit(filled_year):
    blank, _, _ = filled_year
    assert sorted(p.name for p in blank) == sorted(template_name(o, YEAR) for o in CAT.expected_orgs())
    assert len(blank) == 19


def test_filled_templates_clean_back_one_value_per_filled_cell(filled_year):
    """kept = filled (+ one 合计 per summed column), 0 rejected, 0 unmapped — for every expected unit."""
    blank, filled, result = filled_year
    ledger = {e["file"]: e for e in result.events if e["event"] == "ledger"}
    orgs = {e["file"]: e["org"] for e in ledger.values()}
    for path in blank:
        rel = f"{YEAR}/{path.name}"
        org = next(o for o in CAT.expected_orgs() if template_name(o, YEAR) == path.name)
        assert orgs[rel] == org
        totals = sum(1 for codes in plan_for(CAT, org).b.values() for c in codes
                     if CAT.indicator_record(c)["kind"] in ("count", "amount"))
        rows = [r for r in result.rows if r["source_file"] == rel]
        assert ledger[rel]["rejected"] == 0 and ledger[rel]["set_aside"] == 0, rel
        assert ledger[rel]["kept"] == len(filled[path.name]) + totals == len(rows), rel
        cells = Counter((r["sheet"], r["cell"]) for r in rows)
        assert all(cells[key] == 1 for key in filled[path.name]), rel  # exactly one value per filled cell
        for r in rows:
            if (r["sheet"], r["cell"]) in filled[path.name]:
                item = form_item(CAT, r["code"])
                assert r["value"] == pytest.approx(valid_value(item) * item.factor), (rel, r["cell"])
        assert set(r["code"] for r in rows) == set(plan_for(CAT, org).codes)
    assert not [e for e in result.events if e["event"] in ("unmapped", "rejected", "unknown_org")]
    assert result.unmapped_rows == []


def test_the_total_row_is_the_sum_and_agrees(filled_year):
    _, _, result = filled_year
    total = next(r for r in result.rows if r["code"] == "legal_aid_accepted" and r["area"] == "")
    assert total["value"] == 12 * 8
    assert not [e for e in result.events if e["event"] == "total_mismatch"]


def test_missing_marker_and_estimate_pass_validation_and_the_cleaner(tmp_path):
    item = form_item(CAT, "legal_aid_accepted")
    assert accepts("无", item) and accepts("3000余", item) and accepts("超300", item)
    assert not accepts("余3000", item) and not accepts("待统计", item) and not accepts(-1, item)
    assert parse_value("3000余").qualifier == "余" and parse_value("无").value is None
    src = tmp_path / "t.xlsx"
    src.write_bytes(build_template("区城市管理局", YEAR, catalog=CAT))
    raw = tmp_path / "raw" / str(YEAR)
    answers = iter(["无", "3000余"])
    fill_template(src, raw / src.name, lambda s, ref, title: next(answers))
    result = clean_year(tmp_path / "raw", YEAR, discover(tmp_path / "raw", YEAR)[YEAR], CAT)
    (row,) = result.rows
    assert (row["value"], row["qualifier"], row["raw_text"]) == (3000.0, "余", "3000余")
    (missing,) = [e for e in result.events if e["event"] == "missing"]
    assert missing["outcome"] == "set_aside" and "无" in missing["reason"]
    assert not [e for e in result.events if e["outcome"] == "rejected"]


def test_a_blank_matrix_saved_by_excel_gives_no_zero_total(tmp_path):
    src = tmp_path / "t.xlsx"
    src.write_bytes(build_template("区市场监管局", YEAR, catalog=CAT))
    raw = tmp_path / "raw" / str(YEAR)
    fill_template(src, raw / src.name, lambda sheet, ref, title: 3 if sheet == "统计表" else None)
    result = clean_year(tmp_path / "raw", YEAR, discover(tmp_path / "raw", YEAR)[YEAR], CAT)
    assert {r["code"] for r in result.rows} == {"market_typical_cases", "market_police_transfers"}
    totals = [e for e in result.events if e.get("sheet") == "分镇街处罚情况" and e.get("cell") in ("C13", "D13")]
    assert [e["event"] for e in totals] == ["missing", "missing"]  # blank, never 0, never a rejection


def test_validation_formula_agrees_with_accepts_in_libreoffice(tmp_path):
    """The Excel formula of each value cell, evaluated by LibreOffice, says what ``accepts`` says."""
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice not installed (a check, not a dependency)")
    items = [form_item(CAT, c) for c in ("legal_aid_accepted", "normdoc_filing_rate", "market_fines",
                                         "recon_duration_yoy")]
    samples = [12, "无", "—", "3000余", "超300", "约50", "近1900", "余3000", "300超", "待统计", -1, "-1", 1e10,
               "1,234", " 95 ", "95%", 0, 100.5]
    wb = Workbook()
    ws = wb.active
    for i, s in enumerate(samples, start=1):
        ws.cell(i, 1, s)
        for j, item in enumerate(items, start=2):
            ws.cell(i, j, "=" + validation_formula(f"A{i}", item))
    wb.save(tmp_path / "v.xlsx")
    subprocess.run([soffice, "--headless", "--convert-to", 'csv:Text - txt - csv (StarCalc):44,34,76',
                    "--outdir", str(tmp_path), str(tmp_path / "v.xlsx")], capture_output=True, timeout=180, check=True)
    rows = list(csv.reader((tmp_path / "v.csv").read_text(encoding="utf-8").splitlines()))
    for s, row in zip(samples, rows):
        assert [c == "TRUE" for c in row[1:]] == [accepts(s, item) for item in items], s


def test_templates_are_byte_identical_across_runs(tmp_path):
    a = build_template("区司法局", YEAR, catalog=CAT)
    b = build_template("区司法局", YEAR, catalog=CAT)
    assert a == b
    (tmp_path / "a.xlsx").write_bytes(a)
    props = load_workbook(tmp_path / "a.xlsx").properties
    assert props.created.year == YEAR and props.modified == props.created


def test_locked_headers_open_inputs_and_no_personal_fields(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(build_template("区司法局", YEAR, catalog=CAT))
    wb = load_workbook(path)
    assert wb.sheetnames == ["填报说明", "统计表", "镇街综合行政执法", "镇街法律援助", "工作情况"]
    labels = personal_labels()
    for ws in wb.worksheets:
        assert ws.protection.sheet
        texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
        assert not [t for t in texts for w in labels if w in t], ws.title
        inputs = {rng.coord for dv in ws.data_validations.dataValidation for rng in dv.sqref.ranges}
        for ref in inputs:
            cells = [c for row in ws[ref] for c in row] if ":" in ref else [ws[ref]]  # the 工作情况 sheet's columns
            assert all(c.protection.locked is False for c in cells), (ws.title, ref)
    a = wb["统计表"]
    assert [a.cell(4, j).value for j in range(1, 7)] == ["序号", "指标名称", "计量单位", "2025年", "2024年", "备注"]
    assert a["A4"].protection.locked and a["B6"].protection.locked  # header and a name
    assert a["E2"].value == "填报日期：" and a["F2"].protection.locked is False
    dv = a.data_validations.dataValidation[0]
    assert dv.promptTitle and "无" in dv.prompt and dv.type == "custom"
    b = wb["镇街法律援助"]
    assert b["B13"].value == "合计" and b["C13"].value == '=IF(COUNT(C5:C12)=0,"",SUM(C5:C12))'
    assert b["C13"].protection.locked
    assert "填报单位" in wb["统计表"]["A2"].value
    instructions = " ".join(str(c.value) for c in wb["填报说明"]["A"] if c.value)
    assert "2026年1月20日" in instructions and "修改版" in instructions and "“无”" in instructions


def test_last_years_values_are_prefilled_and_locked(tmp_path):
    make_good_market(tmp_path / "raw" / "2023" / "区市场监管局.xlsx")  # 移送公安机关立案侦查数 12
    project = open_project(raw_dir=tmp_path / "raw", processed_dir=tmp_path / "processed", need=("raw", "processed"))
    (path,) = commands.template(project, 2024, tmp_path / "out", org="区市场监管局").value
    ws = load_workbook(path)["统计表"]
    row = next(r for r in range(5, 20) if ws.cell(r, 2).value == "移送公安机关立案侦查数")
    assert ws.cell(row, 5).value == 12 and ws.cell(row, 5).protection.locked
    assert ws.cell(row, 4).value is None and ws.cell(row, 4).protection.locked is False
    notes = [c.value for c in load_workbook(path)["填报说明"]["A"]]
    assert load_texts().text("template.prev_note") in notes
    fill_template(path, tmp_path / "back" / "2024" / path.name, lambda s, ref, title: valid_value(BY_NAME[title]))
    result = clean_year(tmp_path / "back", 2024, discover(tmp_path / "back", 2024)[2024], CAT)
    prev = [e for e in result.events if e.get("cell") == f"E{row}"]
    assert [(e["event"], e["outcome"]) for e in prev] == [("set_aside", "set_aside")]  # last year's column: not counted
    assert not [e for e in result.events if e.get("outcome") == "rejected"]


def test_cli_writes_one_unit_and_refuses_an_unknown_one(tmp_path, capsys):
    args = ["--year", "2025", "--out", str(tmp_path / "t"), "--processed", str(tmp_path / "p"), "--raw",
            str(tmp_path / "r")]
    assert main(["template", *args, "--org", "大渡口区审计局"]) == 0
    assert [p.name for p in (tmp_path / "t").glob("*.xlsx")] == [template_name("区审计局", 2025)]
    assert "区审计局" in capsys.readouterr().out
    assert main(["template", *args, "--org", "区宣传部"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "区宣传部" in err


def test_the_filing_date_cell_is_read(tmp_path):
    """The date a unit types beside 填报日期 tells which of two files is later, and whether it was late."""
    import datetime as dt

    path = tmp_path / "t.xlsx"
    path.write_bytes(build_template("区审计局", YEAR, catalog=CAT))
    wb = load_workbook(path)
    wb["统计表"]["F2"] = dt.datetime(2026, 1, 25)
    raw = tmp_path / "raw" / str(YEAR)
    raw.mkdir(parents=True)
    wb.save(raw / path.name)
    result = clean_year(tmp_path / "raw", YEAR, discover(tmp_path / "raw", YEAR)[YEAR], CAT)
    assert [e["raw_text"] for e in result.events if e["event"] == "filing_date"] == ["2026-01-25"]


def test_the_folder_holds_one_set_of_templates_and_never_loses_a_file_it_did_not_write(tmp_path, capsys):
    out = tmp_path / "t"
    args = ["--year", "2025", "--out", str(out), "--processed", str(tmp_path / "p"), "--raw", str(tmp_path / "r")]
    assert main(["template", *args]) == 0
    every = sorted(p.name for p in out.glob("*.xlsx"))
    assert every == sorted(template_name(o, 2025) for o in CAT.expected_orgs())
    others = {p.name: p.read_bytes() for p in out.glob("*.xlsx") if p.name != template_name("区审计局", 2025)}
    assert main(["template", *args, "--org", "区审计局"]) == 0  # one unit: the others' templates stay
    assert sorted(p.name for p in out.glob("*.xlsx")) == every
    assert {n: (out / n).read_bytes() for n in others} == others
    (out / "发送记录.txt").write_text("sent on Monday", encoding="utf-8")
    capsys.readouterr()
    assert main(["template", *args]) == 2
    assert "「发送记录.txt」不是本程序写入的" in capsys.readouterr().err
    assert (out / "发送记录.txt").read_text(encoding="utf-8") == "sent on Monday"


def test_a_template_name_is_a_safe_file_name():
    assert template_name("区审计局", 2025) == "2025年法治政府建设统计表（区审计局）.xlsx"
    name = template_name("../某某\n协会", 2025)
    assert "/" not in name and "\n" not in name and ".." not in name


def test_the_work_sheet_is_read_back_into_narrative_csv(tmp_path):
    """Issue 18 point 2: every template has a 工作情况 sheet (类别 from a list of the report's sections, 工作事项,
    主要做法和成效, 佐证材料); filled as a unit would, the cleaner reads it into narrative.csv, never as figures."""
    from fzanalysis.ingest.narrative import section_of_label, load_work_words
    from fzanalysis.store.data import load_narrative

    blank = tmp_path / "blank.xlsx"
    blank.write_bytes(build_template("区司法局", YEAR, catalog=CAT))
    wb = load_workbook(blank)
    ws = wb["工作情况"]
    assert [ws.cell(4, j).value for j in range(1, 5)] == ["类别", "工作事项", "主要做法和成效", "佐证材料"]
    assert ws["A4"].protection.locked and ws["C5"].protection.locked is False and ws["A24"].protection.locked is False
    assert ws["A3"].value.startswith("注：") and ws.protection.sheet
    choices = next(dv for dv in ws.data_validations.dataValidation if dv.type == "list")
    options = choices.formula1.strip('"').split(",")
    assert len(options) == 6 and [section_of_label(o, load_work_words()) for o in options] == [
        "s1", "s2", "s3", "s4", "s5", "s6"]
    ws["A5"], ws["B5"], ws["C5"], ws["D5"] = options[5], "推进行政复议规范化建设", "推行繁简分流，简易案件快审快结。", "复议规范.pdf"
    ws["A6"], ws["B6"], ws["C6"] = options[0], "落实述法制度", "组织部门主要负责人向区委述法。"
    raw = tmp_path / "raw" / str(YEAR)
    raw.mkdir(parents=True)
    wb.save(raw / template_name("区司法局", YEAR))
    assert main(["clean", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "processed"), "--quiet"]) == 0
    got = load_narrative(YEAR, processed_dir=tmp_path / "processed")
    assert got[["org", "section", "topic", "item", "text", "where", "outcome"]].values.tolist() == [
        ["区司法局", "s6", "s6.reconsideration", "推进行政复议规范化建设", "推行繁简分流，简易案件快审快结。", "工作情况!C5", "kept"],
        ["区司法局", "s1", "s1.accountability", "落实述法制度", "组织部门主要负责人向区委述法。", "工作情况!C6", "kept"]]
    assert load(YEAR, processed_dir=tmp_path / "processed", raw_dir=tmp_path / "raw").empty  # no figure from the text
