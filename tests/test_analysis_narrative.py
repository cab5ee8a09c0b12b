"""fzanalysis.analysis.narrative and the diagnostics rule narrative_figure: a figure a unit's work text states is
matched to an indicator by its words (check-report's engine) and compared with that unit's own figure; a
disagreement is a finding citing the paragraph and the cells."""
from __future__ import annotations

import pandas as pd
import pytest

from fzanalysis.analysis.diagnostics import find_problems
from fzanalysis.analysis.narrative import TextFigures, kept_texts, narrative_cite
from fzanalysis.core.catalog import load_catalog
from fzanalysis.ingest.narrative import NARRATIVE_COLUMNS

CAT = load_catalog()
FILE = "2023/区市场监管局2023年数据.xlsx"


def _row(org, code, value, unit, cell, raw=None, qualifier=""):
    return {"year": 2023, "org": org, "area": "", "indicator": CAT.indicator_name(code), "code": code,
            "section": str(CAT.indicator(code)["section"]), "value": float(value), "unit": unit, "qualifier": qualifier,
            "source_file": FILE, "sheet": "统计表", "cell": cell, "raw_text": raw or str(value)}


TIDY = pd.DataFrame([
    _row("区市场监管局", "market_penalty_cases", 579, "件", "D4"),
    _row("区市场监管局", "market_fines", 5_662_000, "元", "D5", "566.2"),
    _row("区司法局", "legal_aid_accepted", 316, "件", "C7"),
    _row("区司法局", "legal_aid_closed", 221, "件", "C8"),
])


def _texts(*rows):
    return pd.DataFrame([{"year": 2023, "org": org, "section": section, "topic": "", "item": "", "text": text,
                          "source_file": "2023/总结/总结.docx", "where": f"段落{n}", "outcome": "kept", "reason": ""}
                         for n, (org, section, text) in enumerate(rows, start=1)], columns=NARRATIVE_COLUMNS)


@pytest.mark.parametrize("text,agrees", [("全年办理行政处罚案件579件，罚款566.2万元。", [True, True]),
                                         ("全年办理行政处罚案件580件，罚没款566.2万元。", [False, True]),
                                         ("全年办理行政处罚案件近580件。", [True])])
def test_a_figure_is_compared_with_the_units_own_value(text, agrees):
    got = TextFigures(TIDY, CAT).figures(text, "区市场监管局", "s4")
    assert [f.agrees for f in got] == agrees
    assert got[0].codes == ("market_penalty_cases",) and got[0].table == "579件"
    assert got[0].cells == (f"{FILE}!统计表!D4",)


def test_a_figure_without_an_indicator_or_of_another_unit_compares_with_nothing():
    figures = TextFigures(TIDY, CAT)
    got = figures.figures("编印涉企合规指引3种，开展普法宣讲12场。", "区市场监管局", "s2")
    assert got and all(f.agrees is None for f in got)
    # the unit has no 法律援助 figure of its own: the text is not compared with 区司法局's
    other = figures.figures("协助受理法律援助案件300件。", "区市场监管局", "s6")
    assert [f.agrees for f in other] == [None] and other[0].codes == ("legal_aid_accepted",)


def test_a_derived_rate_is_compared_with_the_rate_of_the_units_counts():
    got = TextFigures(TIDY, CAT).figures("法律援助案件办结率69.9%。", "区司法局", "s6")
    assert [(f.codes, f.agrees, f.table) for f in got] == [(("legal_aid_closure_rate",), True, "69.9%")]
    wrong = TextFigures(TIDY, CAT).figures("法律援助案件办结率75%。", "区司法局", "s6")
    assert [f.agrees for f in wrong] == [False]


def test_a_disagreeing_figure_is_a_finding_citing_paragraph_and_cells():
    texts = _texts(("区市场监管局", "s4", "全年办理行政处罚案件580件，罚没款566.2万元。"),
                   ("区市场监管局", "s4", "全年办理行政处罚案件579件。"))
    df = find_problems(TIDY, CAT, narrative=texts)
    hit = df[df["rule"] == "narrative_figure"]
    assert len(hit) == 1
    f = hit.iloc[0]
    assert (f["org"], f["codes"], f["category"], f["severity"]) == ("区市场监管局", "market_penalty_cases", "数据质量", "中")
    assert f["cells"] == f"{narrative_cite('2023/总结/总结.docx', '段落1')};{FILE}!统计表!D4"
    assert "580件" in f["evidence"] and "579件" in f["evidence"] and "段落1" in f["evidence"]
    assert find_problems(TIDY, CAT)["rule"].eq("narrative_figure").sum() == 0  # no texts, no such finding


def test_only_kept_placed_rows_are_read():
    texts = _texts(("区市场监管局", "s4", "甲"), ("区市场监管局", "", "乙"))
    texts.loc[0, "outcome"] = "set_aside"
    texts = pd.concat([texts, _texts(("区市场监管局", "s4", "丙"))], ignore_index=True)
    assert kept_texts(texts)["text"].tolist() == ["丙"]
    assert kept_texts(None).empty
