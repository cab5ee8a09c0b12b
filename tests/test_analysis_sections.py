"""Tests of fzanalysis.analysis.sections: section tables, derived rates, 镇街 comparison, quality views."""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from fzanalysis.analysis import sections as A
from fzanalysis.core.catalog import load_catalog
from fzanalysis.core.errors import ParameterError
from fzanalysis.ingest.log import events_frame, ledger_event

FIGURES = Path(__file__).parent / "data" / "figures_2023.csv"
TIDY_COLUMNS = ["year", "org", "area", "indicator", "code", "section", "value", "unit", "qualifier",
                "source_file", "sheet", "cell", "raw_text"]


def make_tidy(rows: list[dict], year: int = 2023) -> pd.DataFrame:
    """Rows with org, code, value (+ optional area, unit, qualifier, source_file, cell) → tidy table."""
    cat = load_catalog()
    out = []
    for i, r in enumerate(rows):
        ind = cat.indicator(r["code"])
        out.append({
            "year": year, "org": r.get("org", ind["org"]), "area": r.get("area", ""),
            "indicator": ind["name"], "code": r["code"], "section": ind["section"],
            "value": float(r["value"]), "unit": r.get("unit", ind["unit"]),
            "qualifier": r.get("qualifier", ""),
            "source_file": r.get("source_file", f"{year}/{r.get('org', ind['org'])}.xlsx"),
            "sheet": "Sheet1", "cell": r.get("cell", f"C{i + 2}"), "raw_text": str(r["value"]),
        })
    return pd.DataFrame(out, columns=TIDY_COLUMNS)


@pytest.fixture(scope="module")
def tidy_2023() -> pd.DataFrame:
    f = pd.read_csv(FIGURES, dtype=str, keep_default_na=False)
    return make_tidy([{"org": o, "code": c, "value": v, "qualifier": q}
                      for o, c, v, q in zip(f["org"], f["code"], f["value"], f["qualifier"])])


@pytest.fixture(scope="module")
def tidy_2022() -> pd.DataFrame:
    return make_tidy([
        {"code": "recon_accepted", "value": 29}, {"code": "recon_concluded", "value": 33},
        {"code": "legal_aid_accepted", "value": 0}, {"code": "mediation_committees", "value": 100},
    ], year=2022)


def row(df: pd.DataFrame, **match) -> pd.Series:
    hit = df
    for col, val in match.items():
        hit = hit[hit[col] == val]
    assert len(hit) == 1, f"{match}: {len(hit)} rows"
    return hit.iloc[0]


# -- section_table / yoy ---------------------------------------------------------------------
def test_section_table_values_text_and_yoy(tidy_2023, tidy_2022):
    t = A.section_table(tidy_2023, "s6", tidy_2022)
    assert list(t.columns) == A.SECTION_COLUMNS
    assert len(t) == 28 and set(t["填报单位"]) == {"区司法局"}
    r = row(t, 代码="recon_accepted")
    assert (r["本年"], r["上年"], r["增减"], r["增减幅度（%）"]) == (41, 29, 12, 41.38)
    assert r["出处"].endswith(".xlsx!Sheet1!" + tidy_2023.loc[tidy_2023.code == "recon_accepted", "cell"].iloc[0])
    assert r["上年出处"].startswith("2022/区司法局.xlsx!Sheet1!")
    assert row(t, 代码="recon_concluded")["增减幅度（%）"] == 27.27
    # baseline 0: the change is shown, the percentage is not invented
    zero = row(t, 代码="legal_aid_accepted")
    assert zero["增减"] == 316 and math.isnan(zero["增减幅度（%）"]) and "上年为0" in zero["说明"]
    # no baseline row: NaN, never 0
    none = row(t, 代码="legal_aid_closed")
    assert math.isnan(none["上年"]) and math.isnan(none["增减"]) and none["说明"] == "无上年数据"
    assert row(t, 代码="legal_aid_losses_recovered")["本年（报告写法）"] == "253.7万元"
    assert (r["上年（报告写法）"], r["同比"]) == ("29件", "增长41.4%")
    assert none["上年（报告写法）"] == "" and none["同比"] == ""


def test_section_table_gives_a_rates_change_in_points():
    now = make_tidy([{"code": "village_notary_coverage", "value": 100.0},
                     {"code": "village_legal_adviser_coverage", "value": 100.0}])
    base = make_tidy([{"code": "village_notary_coverage", "value": 96.4},
                      {"code": "village_legal_adviser_coverage", "value": 100.0}], year=2022)
    t = A.section_table(now, "s6", base)
    notary, counsel = row(t, 代码="village_notary_coverage"), row(t, 代码="village_legal_adviser_coverage")
    assert notary["增减"] == 3.6 and math.isnan(notary["增减幅度（%）"])  # never 3.73%
    assert (notary["同比"], notary["上年（报告写法）"]) == ("提高3.6个百分点", "96.4%")
    assert counsel["同比"] == "与上年持平"
    points = A.section_highlights(t)["要点"].tolist()
    assert "比率变化最大：村（社区）公证员配备覆盖率（区司法局），由96.4%到100%，提高3.6个百分点。" in points


def test_section_table_report_style_and_catalog_order(tidy_2023):
    t = A.section_table(tidy_2023, "s2")
    assert row(t, 代码="chuanyu_tongban_handled")["本年（报告写法）"] == "2.5万余件"
    assert row(t, 代码="credit_data_records")["本年（报告写法）"] == "超300万条"
    assert row(t, 代码="xinyidai_credit_financing")["本年（报告写法）"] == "3000余万元"
    cat = load_catalog()
    order = [c for c in cat.indicators["code"] if c in set(t["代码"])]
    assert t["代码"].tolist() == order
    assert t["上年"].isna().all() and t["增减幅度（%）"].isna().all()
    # same result whatever order the rows arrive in
    shuffled = tidy_2023.sample(frac=1, random_state=3)
    pd.testing.assert_frame_equal(A.section_table(shuffled, "s2"), t)


def test_section_table_keeps_and_flags_duplicate_submissions():
    tidy = make_tidy([
        {"code": "market_penalty_cases", "value": 579, "source_file": "2023/市场监管局.xlsx"},
        {"code": "market_penalty_cases", "value": 580, "source_file": "2023/市场监管局(修改).xlsx"},
        {"code": "market_fines", "value": 5662000},
    ])
    t = A.section_table(tidy, "s4")
    dup = t[t["代码"] == "market_penalty_cases"]
    assert len(dup) == 2 and dup["重复报送"].all() and sorted(dup["本年"]) == [579, 580]
    assert not row(t, 代码="market_fines")["重复报送"]


def test_section_table_ignores_area_rows_and_reads_csv_style_input(tidy_2023):
    extra = make_tidy([{"code": "town_enforcement_cases", "area": "八桥镇", "value": 9}])
    tidy = pd.concat([tidy_2023, extra], ignore_index=True)
    tidy["area"] = tidy["area"].replace("", None)  # as read back by pd.read_csv
    t = A.section_table(tidy, "s4")
    assert "town_enforcement_cases" not in set(t["代码"])
    assert len(t) == (tidy_2023["section"] == "s4").sum()


def test_yoy_conflicting_baseline_is_not_compared(tidy_2022):
    base = pd.concat([tidy_2022, make_tidy([{"code": "recon_accepted", "value": 30}], 2022)])
    now = make_tidy([{"code": "recon_accepted", "value": 41}])
    out = A.yoy(now, base)
    assert len(out) == 1 and math.isnan(out["baseline_value"].iloc[0])
    assert "不一致" in out["yoy_note"].iloc[0]


def test_unknown_section_is_a_parameter_error(tidy_2023):
    with pytest.raises(ParameterError):
        A.section_table(tidy_2023, "s9")


# -- derived rates -----------------------------------------------------------------------------
def test_derived_rates_from_the_published_figures(tidy_2023):
    r = A.derived_rates(tidy_2023)
    assert list(r.columns) == A.RATE_COLUMNS
    legal = row(r, 代码="legal_aid_closure_rate")
    assert legal["比率（%）"] == 69.9  # 69.94 rounded as the report does (compute.rate_decimals)
    assert (legal["分子"], legal["分母"], legal["填报单位"], legal["预警线"]) == (221, 316, "区司法局", 80)
    assert "!" in legal["分子出处"] and "!" in legal["分母出处"]
    assert legal["计算方法"] == "法律援助办结数 ÷ 法律援助受理数"
    recon = row(r, 代码="recon_closure_rate_computed")
    assert (recon["分子"], recon["分母"], recon["比率（%）"]) == (42, 42, 100)
    assert (recon["目标值"], recon["报告值"], recon["差异（百分点）"]) == (100, 100, 0)
    assert recon["计算方法"] == "行政复议审结数 ÷ （行政复议受理数+行政复议上年结转数）"
    assert recon["分母出处"].count("!") == 4  # two cells: 受理 + 上年结转
    assert row(r, 代码="recon_correction_rate")["比率（%）"] == 16.7  # 16.67
    assert set(A.derived_rates(tidy_2023, section="s4")["代码"]) == {
        "market_police_transfer_rate", "safety_penalty_rate"}


def test_derived_rate_with_missing_input_is_nan_with_a_note(tidy_2023):
    tidy = tidy_2023[tidy_2023["code"] != "legal_aid_closed"]
    legal = row(A.derived_rates(tidy, section="s6"), 代码="legal_aid_closure_rate")
    assert math.isnan(legal["比率（%）"]) and math.isnan(legal["分子"]) and legal["分母"] == 316
    assert "缺少输入" in legal["说明"] and "legal_aid_closed" in legal["说明"]


def test_derived_rate_division_by_zero_and_conflicting_duplicates():
    tidy = make_tidy([
        {"code": "legal_aid_accepted", "value": 0}, {"code": "legal_aid_closed", "value": 0},
        {"code": "recon_concluded", "value": 42}, {"code": "recon_corrected", "value": 7},
        {"code": "recon_corrected", "value": 8, "source_file": "2023/区司法局(2).xlsx"},
    ])
    r = A.derived_rates(tidy, section="s6")
    zero = row(r, 代码="legal_aid_closure_rate")
    assert math.isnan(zero["比率（%）"]) and "分母为0" in zero["说明"]
    corr = row(r, 代码="recon_correction_rate")
    assert math.isnan(corr["比率（%）"]) and "不一致" in corr["说明"]


# -- 镇街 comparison ----------------------------------------------------------------------------
def _town_rows(values: dict[str, float], total: float | None, code: str = "town_enforcement_cases"):
    rows = [{"code": code, "area": a, "value": v} for a, v in values.items()]
    if total is not None:
        rows.append({"code": code, "value": total})
    return rows


def test_town_comparison_orders_towns_and_checks_the_total():
    cat = load_catalog()
    cases = {"跳磴镇": 5, "新山村街道": 12, "八桥镇": 3}
    tidy = make_tidy(_town_rows(cases, 20) + _town_rows({"跳磴镇": 40, "八桥镇": 30}, 70,
                                                         "town_enforcement_inspections"))
    p = A.town_comparison(tidy, section="s4")
    assert p.index.tolist() == cat.towns() + [A.ROW_SUM, A.ROW_TOTAL, A.ROW_DIFF]  # no rate: no 平均 row
    assert p.columns.tolist() == ["镇街综合行政执法案件数", "镇街日常巡查次数"]
    col = p["镇街综合行政执法案件数"]
    assert col["新山村街道"] == 12 and math.isnan(col["跃进村街道"])  # not reported: NaN, not 0
    assert (col[A.ROW_SUM], col[A.ROW_TOTAL], col[A.ROW_DIFF]) == (20, 20, 0)
    assert p["镇街日常巡查次数"][A.ROW_DIFF] == 0
    assert p.attrs["units"]["镇街日常巡查次数"] == "次"


def test_town_comparison_catches_a_planted_total_mismatch():
    tidy = make_tidy(_town_rows({"八桥镇": 3, "建胜镇": 4}, 9))
    p = A.town_comparison(tidy, code="town_enforcement_cases")
    assert p.loc[A.ROW_DIFF, "镇街综合行政执法案件数"] == 2
    no_total = A.town_comparison(make_tidy(_town_rows({"八桥镇": 3}, None)))
    assert math.isnan(no_total.loc[A.ROW_DIFF].iloc[0])
    assert A.town_comparison(make_tidy([{"code": "market_fines", "value": 1}])).empty


def test_town_comparison_never_sums_rates_and_labels_their_mean():
    tidy = make_tidy(_town_rows({"八桥镇": 100.0, "建胜镇": 87.5, "跳磴镇": 94.7}, 93.9, "enforcement_publicity_rate")
                     + _town_rows({"八桥镇": 3, "建胜镇": 4}, 7))
    p = A.town_comparison(tidy, section="s4")
    rate, cases = p["行政执法公示率"], p["镇街综合行政执法案件数"]
    assert math.isnan(rate[A.ROW_SUM]) and math.isnan(rate[A.ROW_DIFF])  # 282.2 would be nonsense
    assert rate[A.ROW_MEAN] == 94.1 and A.ROW_MEAN == "各镇街平均（比率）"  # (100 + 87.5 + 94.7) / 3, rounded
    assert rate[A.ROW_TOTAL] == 93.9
    assert math.isnan(cases[A.ROW_MEAN]) and cases[A.ROW_SUM] == 7


# -- quality events, ledger, submissions ------------------------------------------------------
@pytest.fixture()
def log_2023() -> pd.DataFrame:
    return events_frame(2023, [
        {"file": "2023/司法局.xlsx", "org": "区司法局", "event": "rejected", "outcome": "rejected",
         "sheet": "Sheet1", "cell": "C5", "code": "legal_aid_closed", "reason": "负数不可能", "raw_text": "-3"},
        {"file": "2023/司法局.xlsx", "org": "", "event": "unmapped", "outcome": "set_aside",
         "sheet": "Sheet1", "cell": "A9", "reason": "指标名称不在目录中", "raw_text": "其他"},
        {"file": "2023/司法局.xlsx", "org": "区司法局", "event": "personal_data_removed",
         "sheet": "Sheet1", "cell": "A20", "reason": "填表人姓名", "raw_text": "张三 13800000000"},
        {"file": "2023/市场监管局.xlsx", "org": "区市场监管局", "event": "coerced", "outcome": "kept",
         "sheet": "Sheet1", "cell": "C3", "code": "market_fines", "reason": "566.2万元 → 5662000元"},
        {"file": "2023/审计局.xlsx", "org": "区审计局", "event": "skipped_sheet", "sheet": "填报说明",
         "reason": "说明页"},
        ledger_event("2023/司法局.xlsx", "区司法局", 12, 10, 1, 1),
        ledger_event("2023/市场监管局.xlsx", "区市场监管局", 4, 4, 0, 0),
        ledger_event("2023/审计局.xlsx", "区审计局", 3, 2, 0, 0),
    ])


def test_quality_events_of_a_section(log_2023):
    q = A.quality_events(log_2023, "s6")
    assert list(q.columns) == A.QUALITY_COLUMNS  # every heading in Chinese
    assert q["出处"].tolist() == ["2023/司法局.xlsx!Sheet1!C5", "2023/司法局.xlsx!Sheet1!A9", "2023/司法局.xlsx!Sheet1!A20"]
    assert (q["事件"].iloc[0], q["指标"].iloc[0], q["原因"].iloc[0]) == ("数值被拒收", "法律援助办结数", "负数不可能")
    assert q["原文"].iloc[2] == ""  # personal data never shown
    s4 = A.quality_events(log_2023, "s4")
    assert "2023/市场监管局.xlsx!Sheet1!C3" in s4["出处"].tolist()
    assert not any(c.endswith("!C5") for c in s4["出处"])
    # 区司法局 also reports s5 figures, so its code-less events touch s5 too; a sheet event cites file!sheet
    assert A.quality_events(log_2023, "s5")["出处"].tolist() == [
        "2023/司法局.xlsx!Sheet1!A9", "2023/司法局.xlsx!Sheet1!A20", "2023/审计局.xlsx!填报说明"]
    assert A.quality_events(log_2023, "s1").empty  # only 区政府 reports s1


def test_a_work_texts_ledger_line_is_no_quality_event(log_2023):
    """The 'narrative' event (工作情况：读取 n 段 = …) is bookkeeping like the ledger; an unreadable summary is not."""
    from fzanalysis.ingest.log import Event

    extra = events_frame(2023, [Event("2023/总结/司法局.docx", "narrative", "工作情况：读取 3 段 = 采用 3 + 搁置 0",
                                      org="区司法局"),
                                Event("2023/总结/司法局2.docx", "narrative_unreadable", "不是有效的 docx 文件",
                                      org="区司法局")])
    q = A.quality_events(pd.concat([log_2023, extra], ignore_index=True), "s6")
    assert "2023/总结/司法局2.docx" in q["出处"].tolist() and "2023/总结/司法局.docx" not in q["出处"].tolist()


def test_rejections_and_unmapped_read_in_chinese(log_2023):
    rej = A.rejections(log_2023)
    assert list(rej.columns) == A.REJECTION_COLUMNS
    assert rej.iloc[0].tolist() == ["区司法局", "法律援助办结数", "-3", "负数不可能", "2023/司法局.xlsx!Sheet1!C5"]
    unmapped = pd.DataFrame([{"year": 2023, "org": "区司法局", "area": "", "label": "其他", "value": 5.0, "unit": "件",
                              "qualifier": "", "source_file": "2023/司法局.xlsx", "sheet": "Sheet1", "cell": "C9",
                              "raw_text": "5", "reason": "指标名称不在目录中"}])
    um = A.unmapped_table(unmapped)
    assert list(um.columns) == A.UNMAPPED_COLUMNS
    assert (um["原表名称"].iloc[0], um["数值"].iloc[0], um["出处"].iloc[0]) == ("其他", 5.0, "2023/司法局.xlsx!Sheet1!C9")


def test_ledger_table_balance(log_2023):
    led = A.ledger_table(log_2023)
    assert list(led.columns) == A.LEDGER_COLUMNS
    assert row(led, 文件="2023/司法局.xlsx")[["读取单元格", "采用", "拒收", "搁置"]].tolist() == [12, 10, 1, 1]
    assert led.set_index("文件")["平衡"].to_dict() == {
        "2023/司法局.xlsx": True, "2023/审计局.xlsx": False, "2023/市场监管局.xlsx": True}


def test_submission_overview(tidy_2023, log_2023):
    extra = make_tidy([{"org": "区税务局", "code": "market_fines", "value": 1}])
    ov = A.submission_overview(pd.concat([tidy_2023, extra]), log_2023)
    cat = load_catalog()
    assert ov["填报单位"].tolist()[: len(cat.expected_orgs())] == cat.expected_orgs()
    sj = row(ov, 填报单位="区司法局")
    assert (sj["采用"], sj["拒收"], sj["搁置"], sj["状态"]) == (10, 1, 1, "已报送")
    assert sj["报送文件数"] == 2  # 2023/司法局.xlsx (ledger) + 2023/区司法局.xlsx (fixture's tidy)
    assert row(ov, 填报单位="八桥镇")["状态"] == "未报送"
    tax = row(ov, 填报单位="区税务局")
    assert not tax["应报送"] and tax["状态"] == "已报送"


def test_section_highlights_quote_the_figures(tidy_2023, tidy_2022):
    table = A.section_table(tidy_2023, "s6", tidy_2022)
    rates = A.derived_rates(tidy_2023, section="s6")
    points = A.section_highlights(table, rates)["要点"].tolist()
    assert points[0] == f"本节共有本级数据{len(table)}项，来自1个填报单位。"
    assert "法律援助办结率为69.9%（221/316），低于80%的预警线。" in points
    assert "刑事法律援助办结率为81.3%（117/144），低于85%的预警线。" in points
    assert any(p.startswith("增幅最大：行政复议受理数（区司法局），由29件到41件，增长41.4%") for p in points)
    no_base = A.section_highlights(A.section_table(tidy_2023, "s6"))["要点"].tolist()
    assert no_base[1] == "没有可比的上年数据，不做同比。"
