"""fzanalysis.core.compute: one answer per question (agreement, prepared input, derived rates, totals)."""
from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fzanalysis.core.compute import Figure, Span, agrees, same_figure
from fzanalysis.core.numbers import format_value, written_step

F = Figure.from_text


@pytest.mark.parametrize("text, value, expected", [
    ("579件", 579, True),
    ("579件", 580, False),
    ("579件", 578.5, True),          # rounds half up to 579
    ("579件", 579.5, False),         # rounds half up to 580
    ("566.2万元", 5_662_000, True),
    ("566.2万元", 5_661_500, True),
    ("566.2万元", 5_662_499, True),
    ("566.2万元", 5_662_500, False),
    ("566.2万元", 5_672_000, False),
    ("2.5万余件", 25_000, True),
    ("2.5万余件", 25_999, True),
    ("2.5万余件", 26_000, False),
    ("2.5万余件", 24_999, False),
    ("3000余万元", 30_000_000, True),
    ("3000余万元", 29_990_000, False),
    ("超300万条", 3_000_001, True),
    ("超300万条", 3_000_000, False),
    ("近1900家次", 1_899, True),
    ("近1900家次", 1_900, True),
    ("近1900家次", 1_901, False),
    ("约50个", 49, True),
    ("约50个", 52, False),
    ("100%", 100, True),
    ("100%", 99.96, False),          # only 100 is 100%
    ("81.3%", 117 / 144 * 100, True),  # 81.25 rounded half up
    ("81.2%", 117 / 144 * 100, True),  # 81.25 truncated
    ("81.4%", 117 / 144 * 100, False),
    ("69.9%", 221 / 316 * 100, True),
    ("三种", 3, True),
    ("三种", 4, False),
])
def test_a_written_figure_agrees_with_a_value_to_the_precision_written(text, value, expected):
    assert agrees(F(text), Figure(float(value))) is expected


def test_a_qualified_datum_is_the_range_its_qualifier_gives():
    table = Figure.from_row(25_000, "2.5万余", "余", "件")
    assert agrees(F("2.5万余件"), table)
    assert not agrees(F("2.4万余件"), table)
    assert agrees(F("超300万条"), Figure.from_row(3_000_000, "超300万", "超", "条"))


def test_a_datum_keeps_the_precision_of_its_cell_scaled_by_its_unit():
    # 566.2 typed in a 万元 column: the cleaner stored 5,662,000 元; the cell was written to 0.1万
    fig = Figure.from_row(5_662_000, "566.2", "", "元")
    assert fig.step == pytest.approx(1000)
    assert same_figure(fig, Figure(5_662_340))
    assert not same_figure(fig, Figure(5_663_000))


@pytest.mark.parametrize("a, b, expected", [
    (Figure(579), Figure(579), True),
    (Figure(579), Figure(580), False),
    (Figure.from_row(579, "579"), Figure.from_row(580, "580"), False),
    (Figure.from_row(0.1 + 0.2, "0.3"), Figure(0.3), True),  # float noise only
    (Figure.from_row(25_000, "2.5万余", "余"), Figure.from_row(25_312, "25312"), True),
    (Figure.from_row(25_000, "2.5万余", "余"), Figure.from_row(26_312, "26312"), False),
])
def test_two_data_agree_when_either_read_as_written_agrees_with_the_other(a, b, expected):
    assert same_figure(a, b) is expected
    assert same_figure(b, a) is expected


def test_span_ends():
    assert Span(1, 2, hi_open=True).meets(Span(1.5, 1.5))
    assert not Span(1, 2, hi_open=True).meets(Span(2, 2))
    assert not Span(1, math.inf, lo_open=True).meets(Span(1, 1))
    assert Span(1, 2).meets(Span(2, 3))


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["件", "元", "条", "人次"]),
       st.sampled_from(["", "余", "超", "约", "近"]))
def test_a_value_agrees_with_its_own_report_style_text(value, unit, qualifier):
    text = format_value(float(value), unit, qualifier)
    stated = F(text)
    if qualifier == "超":
        assert agrees(stated, Figure(float(value) + max(1.0, written_step(text))))
    else:
        assert agrees(stated, Figure(float(value)))


# ------------------------------------------------------------------------------ one answer per question
import pandas as pd  # noqa: E402

from fzanalysis.analysis import diagnostics, sections  # noqa: E402
from fzanalysis.core import compute  # noqa: E402
from fzanalysis.core.catalog import load_catalog  # noqa: E402
from fzanalysis.store.data import run_clean  # noqa: E402
from tests.xlsx_factory import make_layout_a, make_layout_b, org_line  # noqa: E402

CAT = load_catalog()
TIDY = ["year", "org", "area", "indicator", "code", "section", "value", "unit", "qualifier", "source_file", "sheet",
        "cell", "raw_text"]


def _tidy(rows) -> pd.DataFrame:
    """rows: (org, code, value, raw_text[, area[, file]])."""
    out = []
    for i, (org, code, value, raw, *rest) in enumerate(rows):
        ind = CAT.indicator_record(code)
        area = rest[0] if rest else ""
        src = rest[1] if len(rest) > 1 else f"2023/{org}.xlsx"
        out.append(dict(year=2023, org=org, area=area, indicator=ind["name"], code=code, section=ind["section"],
                        value=float(value), unit=ind["unit"], qualifier="", source_file=src, sheet="表1",
                        cell=f"D{i + 4}", raw_text=raw))
    return pd.DataFrame(out, columns=TIDY)


def test_derived_rates_are_one_computation_for_tables_findings_and_checks():
    tidy = _tidy([("区司法局", "criminal_legal_aid_assigned", 144, "144"),
                  ("区司法局", "criminal_legal_aid_closed", 117, "117"),
                  ("区司法局", "legal_aid_accepted", 316, "316"), ("区司法局", "legal_aid_closed", 221, "221"),
                  # a duplicate submission that disagrees: no rate, in every view
                  ("区司法局", "recon_concluded", 42, "42"), ("区司法局", "recon_corrected", 7, "7"),
                  ("区司法局", "recon_corrected", 8, "8", "", "2023/区司法局（2）.xlsx")])
    raw = compute.derived_rates(tidy, CAT).set_index("code")
    table = sections.derived_rates(tidy, CAT).set_index("代码")
    found = diagnostics.find_problems(tidy, CAT)
    low = found[found["rule"] == "low_derived_rate"]
    assert raw.loc["criminal_legal_aid_closure_rate", "rate"] == pytest.approx(81.25)
    assert table.loc["criminal_legal_aid_closure_rate", "比率（%）"] == 81.3  # 81.25 half up, as the report
    assert table.loc["legal_aid_closure_rate", "比率（%）"] == 69.9
    evidence = " ".join(low["evidence"])
    assert "刑事法律援助办结率为81.3%" in evidence and "法律援助办结率为69.9%" in evidence
    assert math.isnan(raw.loc["recon_correction_rate", "rate"])
    assert math.isnan(table.loc["recon_correction_rate", "比率（%）"])
    assert "不一致" in table.loc["recon_correction_rate", "说明"]
    assert not found["codes"].str.contains("recon_corrected;recon_concluded").any()


def test_a_total_is_judged_once_for_the_log_the_findings_and_the_comparison(tmp_path):
    raw = tmp_path / "raw" / "2023"
    raw.mkdir(parents=True)
    make_layout_b(raw / "区城市管理局镇街统计表.xlsx", org_line("重庆市大渡口区城市管理局"),
                  ["镇街", "占道停车劝诫人次（人次）", "查处车辆数（辆）"],
                  [["八桥镇", 100, 5], ["建胜镇", 200, 6], ["跳磴镇", 300, 7]], total=[600, 20])
    # 566.2万元 as the 合计 of parts that add up to 5,662,340 元: agrees to the precision written
    make_layout_a(raw / "区市场监管局统计表.xlsx", org_line("重庆市大渡口区市场监督管理局"),
                  [("罚款金额", "万元", "566.2")])
    make_layout_b(raw / "区市场监管局镇街罚款.xlsx", org_line("重庆市大渡口区市场监督管理局"),
                  ["镇街", "罚款金额（元）"], [["八桥镇", 2_000_000], ["建胜镇", 3_662_340]], total=["566.2万"])
    (result,) = run_clean(raw_dir=tmp_path / "raw", processed_dir=tmp_path / "out", progress=False)
    logged = result.log[result.log["event"] == "total_mismatch"]
    judged = compute.total_checks(result.indicators, CAT)
    findings = diagnostics.find_problems(result.indicators, CAT)
    mismatch = findings[findings["rule"] == "total_mismatch"]
    assert logged[["file", "cell", "code"]].values.tolist() == [
        ["2023/区城市管理局镇街统计表.xlsx", "C7", "urban_vehicles_penalized"]]
    assert judged.loc[~judged["agrees"], "total_cite"].tolist() == ["2023/区城市管理局镇街统计表.xlsx!Sheet1!C7"]
    assert [c.split(";")[0] for c in mismatch["cells"]] == ["2023/区城市管理局镇街统计表.xlsx!Sheet1!C7"]
    assert judged["agrees"].sum() == 2  # 600 人次 and the 566.2万元 total
    towns = sections.town_comparison(result.indicators, code="urban_vehicles_penalized", catalog=CAT)
    assert towns.loc[sections.ROW_DIFF].iloc[0] == 2


def test_rates_are_never_summed():
    tidy = _tidy([("区司法局", "enforcement_publicity_rate", 100, "100%", "八桥镇"),
                  ("区司法局", "enforcement_publicity_rate", 90, "90%", "建胜镇"),
                  ("区司法局", "enforcement_publicity_rate", 95, "95%")])
    assert compute.total_checks(tidy, CAT).empty
    towns = sections.town_comparison(tidy, catalog=CAT)
    assert math.isnan(towns.loc[sections.ROW_SUM].iloc[0])


def test_prepare_reads_a_table_back_from_csv_without_turning_blanks_into_zero():
    tidy = _tidy([("八桥镇", "town_enforcement_cases", 5, "5")])
    tidy.loc[0, "value"] = None
    tidy.loc[0, "qualifier"] = None
    out = compute.prepare(tidy, CAT)
    assert math.isnan(out.loc[0, "value"]) and out.loc[0, "qualifier"] == ""
    assert out.loc[0, "eff_area"] == "八桥镇" and out.loc[0, "cite"] == "2023/八桥镇.xlsx!表1!D4"


def test_change_is_in_points_for_rates_and_in_percent_otherwise():
    assert compute.change(95.0, 90.0, points=True) == 5.0
    assert compute.change(41, 29, points=False) == pytest.approx(41.379, abs=1e-3)
    assert compute.change(5, 0, points=False) is None  # no growth rate from nothing
    assert compute.is_rate(CAT, "legal_aid_closure_rate") and compute.is_rate(CAT, "enforcement_publicity_rate")
    assert not compute.is_rate(CAT, "market_penalty_cases")


def test_all_agree_uses_the_one_agreement_rule():
    rows = [{"value": 25_000.0, "raw_text": "2.5万余", "qualifier": "余", "unit": "件"},
            {"value": 25_312.0, "raw_text": "25312", "qualifier": "", "unit": "件"}]
    assert compute.all_agree(rows)
    assert not compute.all_agree(rows + [{"value": 27_000.0, "raw_text": "27000", "qualifier": "", "unit": "件"}])
