"""Tests of fzanalysis.analysis.diagnostics: each rule fires on a crafted table and stays silent on a clean one."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from fzanalysis.core.catalog import FRAMEWORK_AREAS, SECTIONS, Catalog, load_catalog
from fzanalysis.analysis.diagnostics import COLUMNS, RULES, find_problems, load_config

DATA = Path(__file__).parent / "data"
CAT = load_catalog()
TIDY_COLS = ["year", "org", "area", "indicator", "code", "section", "value", "unit", "qualifier",
             "source_file", "sheet", "cell", "raw_text"]
TOWNS = CAT.towns()


def make_tidy(rows, year=2023) -> pd.DataFrame:
    """rows: (org, code, value[, area[, source_file[, qualifier[, raw_text]]]]); cells are made up and unique."""
    out = []
    for i, r in enumerate(rows):
        org, code, value = r[:3]
        area = r[3] if len(r) > 3 else ""
        src = r[4] if len(r) > 4 else f"{year}/{org}统计表.xlsx"
        qual = r[5] if len(r) > 5 else ""
        raw = r[6] if len(r) > 6 else str(value)
        ind = CAT.indicator(code)
        out.append({"year": year, "org": org, "area": area, "indicator": ind["name"], "code": code,
                    "section": ind["section"], "value": float(value), "unit": ind["unit"], "qualifier": qual,
                    "source_file": src, "sheet": "Sheet1", "cell": f"C{i + 2}", "raw_text": raw})
    return pd.DataFrame(out, columns=TIDY_COLS)


def cells_of(tidy: pd.DataFrame) -> set[str]:
    return set(tidy["source_file"] + "!" + tidy["sheet"] + "!" + tidy["cell"])


def only(findings: pd.DataFrame, rule: str) -> pd.DataFrame:
    return findings[findings["rule"] == rule].reset_index(drop=True)


def check_invariants(findings: pd.DataFrame, *tables: pd.DataFrame) -> None:
    assert list(findings.columns) == COLUMNS
    assert all(pd.api.types.is_string_dtype(findings[c]) for c in COLUMNS)
    assert set(findings["severity"]) <= {"高", "中", "低"}
    assert set(findings["section"]) <= set(SECTIONS)
    assert set(findings["framework_area"]) <= set(FRAMEWORK_AREAS)
    assert (findings["category"] != "").all() and (findings["evidence"].str.count("。") == 1).all()
    assert findings["evidence"].str.endswith("。").all() and (findings["suggestion"] != "").all()
    known = set().union(*(cells_of(t) for t in tables))
    tidy = tables[0]
    for f in findings.itertuples():
        if f.rule not in ("data_quality",):
            assert set(filter(None, f.cells.split(";"))) <= known, f
        if f.rule not in ("missing_submission", "data_quality"):
            have = set(tidy.loc[tidy["org"] == f.org, "code"])
            assert set(f.codes.split(";")) <= have, f


# -- the 2023 figures -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tidy_2023() -> pd.DataFrame:
    fig = pd.read_csv(DATA / "figures_2023.csv", dtype=str, keep_default_na=False)
    return pd.DataFrame({
        "year": 2023, "org": fig["org"], "area": "", "indicator": fig["indicator"], "code": fig["code"],
        "section": [CAT.indicator(c)["section"] for c in fig["code"]], "value": fig["value"].astype(float),
        "unit": fig["unit"], "qualifier": fig["qualifier"], "source_file": "2023/" + fig["org"] + "统计表.xlsx",
        "sheet": "统计表", "cell": [f"C{i + 3}" for i in range(len(fig))], "raw_text": fig["value_text"]})


def _cell(tidy, code):
    r = tidy.loc[tidy["code"] == code].iloc[0]
    return f"{r.source_file}!{r.sheet}!{r.cell}"


def test_2023_legal_aid_closure_rates(tidy_2023):
    found = find_problems(tidy_2023, CAT)
    check_invariants(found, tidy_2023)
    low = only(found, "low_derived_rate").set_index("codes")
    # codes order: numerator codes, then denominator codes
    la = low.loc["legal_aid_closed;legal_aid_accepted"]
    assert (la.org, la.area, la.severity, la.section, la.category) == ("区司法局", "", "高", "s6", "公共法律服务")
    assert la.cells == f"{_cell(tidy_2023, 'legal_aid_closed')};{_cell(tidy_2023, 'legal_aid_accepted')}"
    assert "316件" in la.evidence and "221件" in la.evidence and "69.9%" in la.evidence and "80%" in la.evidence
    assert la.framework_area == "社会矛盾纠纷行政预防调处化解"
    cla = low.loc["criminal_legal_aid_closed;criminal_legal_aid_assigned"]
    assert cla.cells == (f"{_cell(tidy_2023, 'criminal_legal_aid_closed')};"
                         f"{_cell(tidy_2023, 'criminal_legal_aid_assigned')}")
    assert "81.3%" in cla.evidence and "85%" in cla.evidence and cla.severity == "高"
    assert len(low) == 2
    # the published figures are otherwise consistent: no data-quality findings
    assert set(found["rule"]) == {"low_derived_rate", "missing_submission"}
    assert set(only(found, "missing_submission")["org"]) == set(TOWNS)


def test_columns_dtypes_and_empty_result():
    empty = find_problems(make_tidy([]), CAT)
    assert list(empty.columns) == COLUMNS and all(pd.api.types.is_string_dtype(empty[c]) for c in COLUMNS)
    clean = make_tidy([(o, "legal_aid_accepted", 10) for o in CAT.expected_orgs()])
    result = find_problems(clean, CAT)
    assert list(result.columns) == COLUMNS and result.empty


def test_ordering_is_deterministic(tidy_2023):
    a = find_problems(tidy_2023, CAT)
    b = find_problems(tidy_2023.sample(frac=1, random_state=1), CAT)
    pd.testing.assert_frame_equal(a, b)
    rank = a["severity"].map({"高": 0, "中": 1, "低": 2})
    assert rank.is_monotonic_increasing


def test_rules_are_registered():
    assert [r.__name__ for r in RULES] == [
        "rule_target_shortfall", "rule_low_derived_rate", "rule_rate_inconsistent", "rule_total_mismatch",
        "rule_conflicting_values", "rule_town_zero_or_lagging", "rule_missing_submission", "rule_yoy_adverse",
        "rule_yoy_implausible", "rule_data_quality", "rule_narrative_figure"]


def test_a_towns_own_figure_and_its_row_in_a_department_table_are_one_finding():
    town = TOWNS[3]
    tidy = make_tidy([("区司法局", "enforcement_publicity_rate", 87.5, town),
                      (town, "enforcement_publicity_rate", 87.5, "", f"2023/{town}.xlsx")])
    f = only(find_problems(tidy, CAT), "target_shortfall")
    assert len(f) == 1
    assert (f.loc[0, "org"], f.loc[0, "area"]) == ("区司法局", town)
    assert f.loc[0, "cells"] == f"2023/区司法局统计表.xlsx!Sheet1!C2;2023/{town}.xlsx!Sheet1!C3"


# -- target_shortfall -----------------------------------------------------------------------------
def test_target_shortfall_fires_for_total_and_town_rows():
    tidy = make_tidy([("区司法局", "normdoc_filing_rate", 95), ("区司法局", "enforcement_publicity_rate", 98, "八桥镇"),
                      ("区司法局", "enforcement_publicity_rate", 100, "建胜镇")])
    f = only(find_problems(tidy, CAT), "target_shortfall")
    check_invariants(f, tidy)
    assert f[["org", "area", "codes", "severity"]].values.tolist() == [
        ["区司法局", "", "normdoc_filing_rate", "高"], ["区司法局", "八桥镇", "enforcement_publicity_rate", "中"]]
    assert f.loc[0, "evidence"] == "区司法局规范性文件报备率为95%，未达到100%的目标。"
    assert f.loc[1, "category"] == "执法“三项制度”与执法质量" and f.loc[0, "cells"] == "2023/区司法局统计表.xlsx!Sheet1!C2"


def test_target_shortfall_silent_and_config_override():
    tidy = make_tidy([("区司法局", "normdoc_filing_rate", 100), ("区司法局", "mediation_success_rate", 99)])
    assert only(find_problems(tidy, CAT), "target_shortfall").empty
    f = only(find_problems(tidy, CAT, config={"target.mediation_success_rate": 100}), "target_shortfall")
    assert f["codes"].tolist() == ["mediation_success_rate"] and f["severity"].tolist() == ["中"]


# -- low_derived_rate -----------------------------------------------------------------------------
def test_low_derived_rate_below_threshold_and_below_target():
    tidy = make_tidy([("区司法局", "legal_aid_accepted", 100), ("区司法局", "legal_aid_closed", 70),
                      ("区司法局", "recon_accepted", 19), ("区司法局", "recon_carried_over", 1),
                      ("区司法局", "recon_concluded", 19)])
    f = only(find_problems(tidy, CAT), "low_derived_rate").set_index("codes")
    assert f.loc["legal_aid_closed;legal_aid_accepted", "severity"] == "高"
    rc = f.loc["recon_concluded;recon_accepted;recon_carried_over"]
    assert rc.severity == "中" and "95%" in rc.evidence and "未达到100%的目标" in rc.evidence
    assert rc.cells.split(";") == [f"2023/区司法局统计表.xlsx!Sheet1!C{i}" for i in (6, 4, 5)]


def test_low_derived_rate_silent():
    tidy = make_tidy([("区司法局", "legal_aid_accepted", 100), ("区司法局", "legal_aid_closed", 90),
                      ("区司法局", "criminal_legal_aid_assigned", 10)])  # no closed count: no rate
    assert only(find_problems(tidy, CAT), "low_derived_rate").empty
    assert len(only(find_problems(tidy, CAT, config={"low_threshold.legal_aid_closure_rate": 95}),
                    "low_derived_rate")) == 1


# -- rate_inconsistent ----------------------------------------------------------------------------
def test_rate_inconsistent_fires():
    tidy = make_tidy([("区司法局", "recon_closure_rate", 100), ("区司法局", "recon_accepted", 29),
                      ("区司法局", "recon_carried_over", 4), ("区司法局", "recon_concluded", 30)])
    f = only(find_problems(tidy, CAT), "rate_inconsistent")
    check_invariants(f, tidy)
    assert f["codes"].tolist() == ["recon_closure_rate;recon_concluded;recon_accepted;recon_carried_over"]
    assert f.loc[0, "org"] == "区司法局" and f.loc[0, "category"] == "数据质量" and f.loc[0, "section"] == "s6"
    assert "100%" in f.loc[0, "evidence"] and "90.9%" in f.loc[0, "evidence"] and "9.1个百分点" in f.loc[0, "evidence"]
    assert len(f.loc[0, "cells"].split(";")) == 4


def test_rate_inconsistent_silent():
    tidy = make_tidy([("区司法局", "recon_closure_rate", 100), ("区司法局", "recon_accepted", 29),
                      ("区司法局", "recon_carried_over", 4), ("区司法局", "recon_concluded", 33)])
    assert only(find_problems(tidy, CAT), "rate_inconsistent").empty


# -- total_mismatch -------------------------------------------------------------------------------
def _town_rows(code, values, org="区司法局", total=None, src=None):
    src = src or f"2023/{org}镇街执法.xlsx"
    rows = [(org, code, v, t, src) for t, v in zip(TOWNS, values)]
    return rows + ([(org, code, total, "", src)] if total is not None else [])


def test_total_mismatch_fires():
    tidy = make_tidy(_town_rows("town_enforcement_cases", [10] * 8, total=85))
    f = only(find_problems(tidy, CAT), "total_mismatch")
    check_invariants(f, tidy)
    assert f[["org", "area", "codes", "category"]].values.tolist() == [["区司法局", "", "town_enforcement_cases", "数据质量"]]
    assert "85件" in f.loc[0, "evidence"] and "80件" in f.loc[0, "evidence"]
    assert f.loc[0, "cells"].split(";")[0] == "2023/区司法局镇街执法.xlsx!Sheet1!C10" and len(f.loc[0, "cells"].split(";")) == 9


def test_total_mismatch_silent_for_equal_totals_and_rates():
    tidy = make_tidy(_town_rows("town_enforcement_cases", [10] * 8, total=80)
                     + _town_rows("enforcement_publicity_rate", [100] * 8, total=100))
    assert only(find_problems(tidy, CAT), "total_mismatch").empty


# -- conflicting_values ---------------------------------------------------------------------------
def test_conflicting_values_town_workbook_vs_department_row():
    tidy = make_tidy([("区司法局", "town_enforcement_cases", 10, "跃进村街道"),
                      ("跃进村街道", "town_enforcement_cases", 12, "", "2023/跃进村街道.xlsx")])
    f = only(find_problems(tidy, CAT), "conflicting_values")
    check_invariants(f, tidy)
    assert f[["org", "area", "codes", "category"]].values.tolist() == [
        ["区司法局", "跃进村街道", "town_enforcement_cases", "统筹协调"]]
    assert len(f.loc[0, "cells"].split(";")) == 2 and "10件" in f.loc[0, "evidence"] and "12件" in f.loc[0, "evidence"]


def test_conflicting_values_district_totals_and_duplicate_submission():
    tidy = make_tidy([("区市场监管局", "market_penalty_cases", 579), ("区政府", "market_penalty_cases", 600),
                      ("区司法局", "legal_aid_accepted", 316, "", "2023/a.xlsx"),
                      ("区司法局", "legal_aid_accepted", 310, "", "2023/b.xlsx")])
    f = only(find_problems(tidy, CAT), "conflicting_values")
    assert f[["section", "org", "area", "codes", "category"]].values.tolist() == [  # ordered by section
        ["s4", "区市场监管局", "", "market_penalty_cases", "统筹协调"], ["s6", "区司法局", "", "legal_aid_accepted", "数据质量"]]


def test_conflicting_values_silent():
    tidy = make_tidy([("区司法局", "town_enforcement_cases", 10, "跃进村街道"),
                      ("跃进村街道", "town_enforcement_cases", 10, "", "2023/跃进村街道.xlsx"),
                      ("区司法局", "town_enforcement_cases", 10, "八桥镇"),  # other areas never compared
                      ("区政务服务管理办公室", "chuanyu_tongban_handled", 25000, "", "2023/x.xlsx", "余", "2.5万余"),
                      ("区政府", "chuanyu_tongban_handled", 25312)])  # 2.5万余 agrees with 25312
    assert only(find_problems(tidy, CAT), "conflicting_values").empty


def test_conflicting_values_judged_by_the_precision_written():
    """One agreement rule (compute.same_figure): 2.4万余 covers 24,000–24,999, so 25,312 disagrees;
    566.2万元 covers 5,661,500–5,662,499, so 5,662,340 agrees and 5,663,000 does not."""
    tidy = make_tidy([("区政务服务管理办公室", "chuanyu_tongban_handled", 24000, "", "2023/x.xlsx", "余", "2.4万余"),
                      ("区政府", "chuanyu_tongban_handled", 25312),
                      ("区市场监管局", "market_fines", 5_662_000, "", "2023/a.xlsx", "", "566.2万元"),
                      ("区市场监管局", "market_fines", 5_662_340, "", "2023/b.xlsx"),
                      ("区生态环境局", "eco_fines", 1_000_000, "", "2023/c.xlsx", "", "100万元"),
                      ("区生态环境局", "eco_fines", 1_010_000, "", "2023/d.xlsx")])
    f = only(find_problems(tidy, CAT), "conflicting_values")
    assert f["codes"].tolist() == ["chuanyu_tongban_handled", "eco_fines"]


# -- town_zero_or_lagging -------------------------------------------------------------------------
def test_town_zero_and_lagging_fire():
    tidy = make_tidy(_town_rows("town_enforcement_cases", [10, 12, 11, 0, 13, 2, 9, 10]))
    f = only(find_problems(tidy, CAT), "town_zero_or_lagging")
    check_invariants(f, tidy)
    assert f[["severity", "org", "area", "codes"]].values.tolist() == [
        ["高", "区司法局", TOWNS[3], "town_enforcement_cases"], ["中", "区司法局", TOWNS[5], "town_enforcement_cases"]]
    assert f.loc[0, "evidence"] == f"{TOWNS[3]}镇街综合行政执法案件数为0件，其余7个镇街中位数为10件。"
    assert f.loc[0, "category"] == "镇街综合行政执法" and len(f.loc[0, "cells"].split(";")) == 8


def test_town_own_workbooks_compared():
    tidy = make_tidy([(t, "town_enforcement_inspections", v, "", f"2023/{t}.xlsx")
                      for t, v in zip(TOWNS[:4], [50, 40, 0, 45])])
    f = only(find_problems(tidy, CAT), "town_zero_or_lagging")
    assert f[["org", "area", "codes"]].values.tolist() == [[TOWNS[2], TOWNS[2], "town_enforcement_inspections"]]


def test_town_zero_or_lagging_silent():
    tidy = make_tidy(_town_rows("town_enforcement_cases", [10, 12, 11, 5, 13, 8, 9, 10])
                     + _town_rows("town_enforcement_inspections", [0, 0, 5]))  # too few others report > 0
    assert only(find_problems(tidy, CAT), "town_zero_or_lagging").empty
    lower = CAT.indicators.copy()
    lower.loc[lower["code"] == "town_enforcement_cases", "direction"] = "lower"
    cat = Catalog(indicators=lower, orgs=CAT.orgs.copy(), derived=CAT.derived.copy())
    tidy = make_tidy(_town_rows("town_enforcement_cases", [10, 12, 11, 0, 13, 2, 9, 10]))
    assert only(find_problems(tidy, cat), "town_zero_or_lagging").empty


# -- missing_submission ---------------------------------------------------------------------------
def test_missing_submission_fires_with_expected_codes():
    tidy = make_tidy([(o, "legal_aid_accepted", 1) for o in CAT.expected_orgs()
                      if o not in ("区市场监管局", "八桥镇", "区审计局")])
    log = pd.DataFrame([{"year": 2023, "file": "2023/审计局.xlsx", "sheet": "", "cell": "", "org": "区审计局",
                         "area": "", "code": "", "event": "unreadable_workbook", "outcome": "",
                         "reason": "文件已损坏"}])
    f = find_problems(tidy, CAT, log=log)
    check_invariants(f, tidy)
    m = only(f, "missing_submission")
    assert m[["section", "org", "codes", "category"]].values.tolist() == [
        ["s1", "八桥镇", "", "向基层延伸/示范创建"],  # no expected codes: section.default
        ["s4", "区市场监管局", "market_penalty_cases;market_fines;market_typical_cases;market_police_transfers",
         "统筹协调"]]
    assert set(m["severity"]) == {"高"} and set(m["cells"]) == {""}
    dq = only(f, "data_quality")
    assert dq[["org", "codes", "severity"]].values.tolist() == [["区审计局", "", "高"]]
    assert "文件已损坏" in dq.loc[0, "evidence"] and dq.loc[0, "section"] == "s5"


def test_missing_submission_silent():
    tidy = make_tidy([(o, "legal_aid_accepted", 1) for o in CAT.expected_orgs() if o != "八桥镇"])
    log = pd.DataFrame([{"year": 2023, "file": "2023/八桥镇.xlsx", "sheet": "Sheet1", "cell": "B3",
                         "org": "八桥镇", "area": "", "code": "", "event": "unmapped", "reason": "x"}])
    assert only(find_problems(tidy, CAT, log=log), "missing_submission").empty


# -- year on year ---------------------------------------------------------------------------------
def test_yoy_adverse_counts_rates_and_derived_rates():
    cur = make_tidy([("区司法局", "legal_aid_accepted", 300), ("区司法局", "legal_aid_closed", 255),
                     ("区司法局", "normdoc_filing_rate", 90)])
    base = make_tidy([("区司法局", "legal_aid_accepted", 500), ("区司法局", "legal_aid_closed", 475),
                      ("区司法局", "normdoc_filing_rate", 100)], year=2022)
    f = only(find_problems(cur, CAT, baseline=base), "yoy_adverse")
    check_invariants(f, cur, base)
    assert f["codes"].tolist() == ["normdoc_filing_rate", "legal_aid_accepted", "legal_aid_closed",
                                   "legal_aid_closed;legal_aid_accepted"]
    ev = f.set_index("codes")["evidence"]
    assert ev["legal_aid_accepted"] == "区司法局法律援助受理数为300件，较2022年的500件下降40%。"
    assert ev["legal_aid_closed;legal_aid_accepted"] == "区司法局法律援助办结率为85%，较2022年的95%下降10个百分点。"
    assert ev["normdoc_filing_rate"].endswith("下降10个百分点。")
    assert "2022/" in f.set_index("codes").loc["legal_aid_accepted", "cells"]


def test_yoy_adverse_silent():
    cur = make_tidy([("区司法局", "legal_aid_accepted", 450), ("区司法局", "recon_corrected", 2),
                     ("区司法局", "normdoc_filing_rate", 98)])
    base = make_tidy([("区司法局", "legal_aid_accepted", 500), ("区司法局", "recon_corrected", 6),
                      ("区司法局", "normdoc_filing_rate", 100)], year=2022)
    assert only(find_problems(cur, CAT, baseline=base), "yoy_adverse").empty
    assert only(find_problems(cur, CAT), "yoy_adverse").empty


def test_yoy_implausible_fires_both_ways():
    cur = make_tidy([("区司法局", "legal_consultations", 15000), ("区市场监管局", "market_penalty_cases", 50)])
    base = make_tidy([("区司法局", "legal_consultations", 2679), ("区市场监管局", "market_penalty_cases", 579)],
                     year=2022)
    f = find_problems(cur, CAT, baseline=base)
    imp = only(f, "yoy_implausible")
    assert imp[["org", "codes", "category"]].values.tolist() == [
        ["区市场监管局", "market_penalty_cases", "数据质量"], ["区司法局", "legal_consultations", "数据质量"]]
    assert "5.6倍" in imp.loc[1, "evidence"] and only(f, "yoy_adverse").empty


def test_yoy_implausible_silent():
    cur = make_tidy([("区司法局", "legal_consultations", 4000), ("区司法局", "legal_aid_center", 6)])
    base = make_tidy([("区司法局", "legal_consultations", 2679), ("区司法局", "legal_aid_center", 1)], year=2022)
    assert only(find_problems(cur, CAT, baseline=base), "yoy_implausible").empty


# -- data_quality ---------------------------------------------------------------------------------
def _log_rows(event, file, org, n, code=""):
    return [{"year": 2023, "file": file, "sheet": "Sheet1", "cell": f"D{i + 4}", "org": org, "area": "",
             "code": code, "event": event, "outcome": "rejected" if event == "rejected" else "",
             "reason": f"无法识别的数值：'待统计{i}'", "raw_text": "待统计"} for i in range(n)]


def test_data_quality_aggregates_per_file_and_event():
    tidy = make_tidy([("区司法局", "legal_aid_accepted", 316, "", "2023/司法局.xlsx")])
    log = pd.DataFrame(_log_rows("rejected", "2023/司法局.xlsx", "区司法局", 3, "legal_aid_closed")
                       + _log_rows("coerced", "2023/司法局.xlsx", "区司法局", 2)
                       + [{"year": 2023, "file": "2023/未知.xlsx", "sheet": "", "cell": "", "org": "", "area": "",
                           "code": "", "event": "unreadable_workbook", "reason": "不是有效的工作簿"},
                          {"year": 2022, "file": "2022/旧.xlsx", "sheet": "", "cell": "", "org": "", "area": "",
                           "code": "", "event": "unreadable_workbook", "reason": "旧"}])
    f = only(find_problems(tidy, CAT, log=log), "data_quality")
    assert f[["severity", "org", "codes", "section", "category"]].values.tolist() == [
        ["高", "", "", "s1", "数据质量"], ["中", "区司法局", "", "s6", "数据质量"]]
    assert f.loc[1, "cells"] == ";".join(f"2023/司法局.xlsx!Sheet1!D{i}" for i in (4, 5, 6))
    assert "3个" in f.loc[1, "evidence"] and "2023/未知.xlsx" in f.loc[0, "evidence"]


def test_data_quality_silent():
    tidy = make_tidy([("区司法局", "legal_aid_accepted", 316)])
    log = pd.DataFrame(_log_rows("coerced", "2023/司法局.xlsx", "区司法局", 2)
                       + _log_rows("personal_data_removed", "2023/司法局.xlsx", "区司法局", 1))
    assert only(find_problems(tidy, CAT, log=log), "data_quality").empty
    assert only(find_problems(tidy, CAT), "data_quality").empty


# -- configuration --------------------------------------------------------------------------------
def test_config_defaults_and_checks():
    cfg = load_config()
    assert cfg.num("town.lagging_ratio") == 0.3 and cfg.text("severity.missing_submission") == "高"
    assert load_config({"town.lagging_ratio": 0.5}).num("town.lagging_ratio") == 0.5
    with pytest.raises(ValueError):
        load_config({"severity.total_mismatch": "严重"})
    tidy = make_tidy([("区司法局", "legal_aid_accepted", 1)])
    f = find_problems(tidy, CAT, config={"severity.missing_submission": "低"})
    assert set(only(f, "missing_submission")["severity"]) == {"低"}


def test_every_indicator_and_derived_rate_has_a_category():
    assert (CAT.indicators["category"] != "").all() and (CAT.derived["category"] != "").all()


def test_findings_table_is_the_chinese_reading_view(tidy_2023):
    from fzanalysis.analysis.diagnostics import findings_table

    findings = find_problems(tidy_2023, CAT)
    view = findings_table(findings)
    assert list(view.columns)[:3] == ["严重程度", "章节", "问题类别"]
    assert set(view.columns) == {"规则", "严重程度", "章节", "问题类别", "填报单位", "镇街", "指标代码", "数据依据",
                                 "出处（文件!工作表!单元格）", "下一年度工作建议"}  # 纲要体系: by_category
    assert view["数据依据"].tolist() == findings["evidence"].tolist()


# ------------------------------------------------------------------------------ the longer history
def _years(values: dict[int, float], code: str = "legal_aid_accepted", org: str = "区司法局") -> dict[int, pd.DataFrame]:
    return {y: make_tidy([(org, code, v)], year=y) for y, v in values.items()}


def test_a_drop_after_years_of_growth_is_judged_against_a_lower_bar_and_rated_high():
    t = _years({2020: 200, 2021: 230, 2022: 260, 2023: 215})  # −17%: under the usual 30%, after two years of growth
    history = pd.concat([t[2020], t[2021]])
    plain = only(find_problems(t[2023], CAT, baseline=t[2022]), "yoy_adverse")
    assert plain.empty
    f = only(find_problems(t[2023], CAT, baseline=t[2022], history=history), "yoy_adverse")
    assert f["severity"].tolist() == ["高"]
    assert "此前连续2年向好（2020年200件、2021年230件、2022年260件）" in f.loc[0, "evidence"]
    assert f.loc[0, "cells"].split(";") == sorted(cells_of(history)) + sorted(cells_of(t[2023])) + sorted(cells_of(t[2022]))
    check_invariants(f, pd.concat([t[2023], t[2022], history]))


def test_a_drop_no_larger_than_the_usual_swings_is_rated_low():
    t = _years({2020: 300, 2021: 180, 2022: 290, 2023: 190})  # it has swung like this before
    f = only(find_problems(t[2023], CAT, baseline=t[2022], history=pd.concat([t[2020], t[2021]])), "yoy_adverse")
    assert f["severity"].tolist() == ["低"] and "可能属正常波动" in f.loc[0, "evidence"]
    without = only(find_problems(t[2023], CAT, baseline=t[2022]), "yoy_adverse")
    assert without["severity"].tolist() == ["中"]
