"""fzanalysis.report: the draft states the 109 figures of the 2023 report, each with its cell; placeholders
for figures the data lacks; part 二 from substantive findings only, most severe first."""
from __future__ import annotations

import pandas as pd
import pytest

from fzanalysis.catalog import load_catalog
from fzanalysis.numbers import format_value
from fzanalysis.report import build_draft
from tests.report_fixtures import FIGURES, comment_anchors, drafts, footnotes, own_row, processed, ref, tidy  # noqa: F401


def _expected(row: pd.Series, kind: str) -> str:
    """The number as the draft writes it: format_value, and a change by its size (its word comes before)."""
    if kind == "change":
        return format_value(abs(float(row["value"])), row["unit"])
    return format_value(float(row["value"]), row["unit"], row["qualifier"])


def test_2023_markdown_states_all_109_seed_figures_each_with_its_cell(drafts, processed):
    out, summary = drafts[2023]
    md = (out / "report.md").read_text(encoding="utf-8")
    notes = footnotes(md)
    table = tidy(processed, 2023)
    missing = []
    for f in FIGURES.itertuples():
        row = own_row(table, f.org, f.code)
        assert row is not None, f.id
        text, cell = _expected(row, f.kind), ref(row)
        hits = [n for n, src in notes.items() if src == cell and f"{text}[^{n}]" in md]
        if not hits:
            missing.append((f.id, text, cell))
    assert missing == []
    assert summary["placeholders"] == [] and "【缺数" not in md


def test_2023_docx_states_all_109_seed_figures_with_one_comment_each(drafts, processed):
    out, summary = drafts[2023]
    anchors = comment_anchors(out / "report.docx")
    assert len(anchors) == summary["figures"]  # one comment per figure
    table = tidy(processed, 2023)
    for f in FIGURES.itertuples():
        row = own_row(table, f.org, f.code)
        text, cell = _expected(row, f.kind), ref(row)
        assert any(anchored.endswith(text) and comment == cell for anchored, comment in anchors), f.id


def test_2023_seed_figures_appear_in_the_docx_text_in_report_style(drafts):
    from docx import Document

    out, _ = drafts[2023]
    text = "\n".join(p.text for p in Document(str(out / "report.docx")).paragraphs)
    for written in ("2.5万余件", "566.2万元", "3000余万元", "超300万条", "13061万元", "同比增长41.3%", "同比缩短28%"):
        assert written in text


def test_first_year_draft_states_what_it_has_and_placeholders_for_the_rest(drafts, processed):
    """2021, the first bundled year: no baseline, so the reported changes are placeholders."""
    out, summary = drafts[2021]
    md = (out / "report.md").read_text(encoding="utf-8")
    notes = footnotes(md)
    table = tidy(processed, 2021)
    cat = load_catalog()
    absent = []
    for f in FIGURES.itertuples():
        row = own_row(table, f.org, f.code)
        if row is None:
            absent.append(f.code)
            name = cat.indicator(f.code)["name"]
            assert f"【缺数：{name}（{f.org}）】" in md, f.id
            continue
        text, cell = _expected(row, f.kind), ref(row)
        assert any(src == cell and f"{text}[^{n}]" in md for n, src in notes.items()), f.id
    assert sorted(absent) == ["recon_accepted_yoy", "recon_concluded_yoy", "recon_duration_yoy"]
    assert len(summary["placeholders"]) == 3 and all(p.startswith("【缺数：") for p in summary["placeholders"])


def test_a_template_naming_an_indicator_the_data_lacks_gives_the_placeholder(processed, tmp_path):
    (tmp_path / "s1.j2").write_text(
        "### （一）测试。\n城市管理领域办理行政处罚案件{{ fig(\"行政处罚案件数\", org=\"区城市管理局\") }}，"
        "全年处罚{{ fig(\"market_penalty_cases\") }}。\n", encoding="utf-8")
    table = tidy(processed, 2023)
    draft = build_draft(table[table["code"] != "market_penalty_cases"], 2023, templates_dir=tmp_path)
    texts = [c.text for c in draft.placeholders]
    assert "【缺数：行政处罚案件数（区城市管理局）】" in texts
    assert "【缺数：行政处罚案件数（区市场监管局）】" in texts
    assert all(not c.cells for c in draft.placeholders)
    assert not any(c.code == "market_penalty_cases" for c in draft.figures)


def test_conflicting_duplicate_submissions_are_not_stated(processed):
    table = tidy(processed, 2023)
    row = table[(table["code"] == "legal_aid_center") & (table["area"] == "")].iloc[[0]]
    second = row.assign(value=2.0, raw_text="2", source_file="2023/另一份.xlsx")
    draft = build_draft(pd.concat([table, second]), 2023)
    assert "【待核：区法律援助中心数（区司法局）多份报送数值不一致】" in [c.text for c in draft.placeholders]


def _finding(rule, severity, category, codes, cells, org="区司法局", area="", suggestion="建议"):
    return {"rule": rule, "severity": severity, "section": "s6", "category": category, "org": org, "area": area,
            "codes": codes, "evidence": "", "cells": cells, "suggestion": suggestion, "framework_area": ""}


def test_problems_leave_data_quality_out_group_by_category_most_severe_first(processed):
    table = tidy(processed, 2023)
    mediation = ref(own_row(table, "区司法局", "mediation_committees"))
    stations = ref(own_row(table, "区司法局", "legal_aid_town_stations"))
    findings = pd.DataFrame([
        _finding("data_quality", "高", "数据质量", "", mediation, suggestion="重新报送"),
        _finding("yoy_adverse", "中", "矛盾纠纷化解", "mediation_committees", mediation, suggestion="甲"),
        _finding("town_zero_or_lagging", "高", "向基层延伸/示范创建", "legal_aid_town_stations", stations,
                 suggestion="乙"),
    ])
    draft = build_draft(table, 2023, findings=findings)
    text = "\n".join(b.plain() for b in draft.blocks)
    part2 = text.split("二、存在的问题和不足")[1].split("三、")[0]
    assert "数据质量" not in part2 and "重新报送" not in text
    assert part2.index("向基层延伸/示范创建") < part2.index("矛盾纠纷化解")  # 高 before 中
    assert "镇街法律援助工作站数为8个" in part2
    part3 = text.split("三、2024年工作思路")[1]
    assert part3.index("乙") < part3.index("甲")


@pytest.mark.parametrize("bad", ["{{ fig(", "{{ undefined_name }}"])
def test_a_broken_template_is_a_report_error_naming_the_file(processed, tmp_path, bad):
    from fzanalysis.errors import ReportError

    (tmp_path / "lead.j2").write_text(bad, encoding="utf-8")
    with pytest.raises(ReportError) as err:
        build_draft(tidy(processed, 2023), 2023, templates_dir=tmp_path)
    assert "lead.j2" in err.value.one_line() or "report.j2" in err.value.one_line()
