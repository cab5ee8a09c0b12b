"""fzanalysis.report.draft: the draft states the 109 figures of the 2023 report, each with its cell; placeholders
for figures the data lacks; part 二 from substantive findings only, most severe first."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from fzanalysis.core.catalog import load_catalog
from fzanalysis.core.cite import cite_text
from fzanalysis.core.numbers import format_value
from fzanalysis.report.draft import build_draft
from tests.report_fixtures import (ATTACKS, BENIGN, FIGURES, attacked_draft, comment_anchors, drafts,  # noqa: F401
                                   footnotes, own_row, processed, ref, seen_text, tidy)


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
    assert len(anchors) == summary["figures"] + summary["texts"]  # one comment per figure and per cited text
    assert summary["texts"] >= 15
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
    # each theme in general terms (settings report.problem.<category>), 高 before 中, then the figure that shows it
    assert part2.index("一是法治政府建设向基层延伸的力度还有待加强") < part2.index("二是矛盾纠纷预防化解工作还需进一步加强")
    assert "镇街法律援助工作站数为8个，明显少于其他镇街" in part2
    part3 = text.split("三、2024年工作思路")[1]
    assert part3.index("（一）推动法治建设向基层延伸。") < part3.index("（二）深化矛盾纠纷预防化解。")


@pytest.mark.parametrize("bad", ["{{ fig(", "{{ undefined_name }}"])
def test_a_broken_template_is_a_report_error_naming_the_file(processed, tmp_path, bad):
    from fzanalysis.core.errors import ReportError

    (tmp_path / "lead.j2").write_text(bad, encoding="utf-8")
    with pytest.raises(ReportError) as err:
        build_draft(tidy(processed, 2023), 2023, templates_dir=tmp_path)
    assert "lead.j2" in err.value.one_line() or "report.j2" in err.value.one_line()


# ---------------------------------------------------------------------------- text from workbooks is text
def _shape(draft) -> list:
    """The draft's structure: its blocks' kinds and where figures stand in them, and its figures."""
    from fzanalysis.report.model import Cited

    blocks = [(b.kind, [isinstance(r, Cited) for r in b.lead], [isinstance(r, Cited) for r in b.runs])
              for b in draft.blocks]
    return [blocks, [(c.n, c.missing, len(c.cells)) for c in draft.cited]]


@pytest.mark.parametrize("kind", sorted(ATTACKS))
def test_text_from_workbooks_never_becomes_a_heading_a_paragraph_or_a_figure(processed, kind):
    benign, attacked = attacked_draft(processed, BENIGN), attacked_draft(processed, ATTACKS[kind])
    assert _shape(attacked) == _shape(benign)
    assert [b.kind for b in attacked.blocks].count("h1") == 3
    seen = seen_text(ATTACKS[kind])
    part2 = next(b.plain() for b in attacked.blocks if "未按时报送" in b.plain())
    assert f"{seen}未按时报送" in part2  # the name, as text, where the template put it
    aid = next(c for c in attacked.figures if c.code == "legal_aid_center")
    assert (aid.org, aid.cells) == (seen, (cite_text(f"2023/{seen}.xlsx", seen, "C4"),))
    assert f"【缺数：{seen}（区市场监管局·新山村街道）】" in [c.text for c in attacked.placeholders]
    assert not any(ch in b.plain() for b in attacked.blocks for ch in "\ue000\ue001")


def test_a_derived_rate_and_its_change_cite_their_cells_in_labelled_groups(processed, tmp_path):
    """A rate cites its numerator and denominator, its change this year's and last year's cells: labelled groups whose
    cells are listed with the one separator (fzanalysis.core.cite), so each group reads back whole — a denominator
    of two indicators (审结 ÷ (受理 + 上年结转)) no longer runs into the next label."""
    from fzanalysis.core.cite import parse_sources

    (tmp_path / "s1.j2").write_text("{{ rate('recon_closure_rate_computed') }}，{{ yoy('recon_closure_rate_computed') }}。\n",
                                    encoding="utf-8")
    draft = build_draft(tidy(processed, 2023), 2023, tidy(processed, 2022), 2022, templates_dir=tmp_path)
    rate, change = (next(c for c in draft.figures if c.code == "recon_closure_rate_computed" and c.source.startswith(s))
                    for s in ("分子：", "本年："))
    groups = dict(parse_sources(rate.source))
    assert list(groups) == ["分子", "分母"] and len(groups["分子"]) == 1 and len(groups["分母"]) == 2
    assert list(rate.cells) == groups["分子"] + groups["分母"]
    years = dict(parse_sources(change.source))
    assert list(years) == ["本年", "上年"] and len(years["本年"]) == len(years["上年"]) == 3
    assert all(c.startswith("2023/") for c in years["本年"]) and all(c.startswith("2022/") for c in years["上年"])


def test_a_template_still_structures_the_draft_with_macros_and_loops(processed, tmp_path):
    (tmp_path / "s1.j2").write_text(
        "{% macro part(title, code) %}\n### （一）{{ title }}。\n全年开展{{ fig(code) }}。\n\n## 附、另起一章\n"
        "{% endmacro %}\n{{ part('测试', 'gov_law_lectures') }}\n", encoding="utf-8")
    draft = build_draft(tidy(processed, 2023), 2023, templates_dir=tmp_path)
    i = next(i for i, b in enumerate(draft.blocks) if b.lead and b.plain().startswith("（一）测试。"))
    assert draft.blocks[i].plain() == "（一）测试。全年开展2期。" and draft.blocks[i].runs[1].code == "gov_law_lectures"
    assert (draft.blocks[i + 1].kind, draft.blocks[i + 1].plain()) == ("h1", "附、另起一章")


def test_a_computed_text_is_text_even_when_it_holds_template_lines(processed, tmp_path):
    """What a template computes from data (a filter, a joined list, a set block) is printed as text: only
    the template's own lines and macros make headings and paragraphs; its figures keep their cells."""
    (tmp_path / "s1.j2").write_text(
        "{% set mark = '\\n\\n## 伪造' %}\n{% filter replace('X', mark) %}甲X{% endfilter %}\n"
        "{% set block %}\n\n## 乙{{ fig('gov_law_lectures') }}\n{% endset %}\n{{ block }}{{ ['丙', mark]|join }}"
        "{% call '{0}'.format(mark) %}{% endcall %}"
        "{% macro m() %}{% filter replace('Y', mark) %}丁Y{% endfilter %}{{ caller() }}{% endmacro %}"
        "{% call m() %}戊{% endcall %}\n\n", encoding="utf-8")
    draft = build_draft(tidy(processed, 2023), 2023, templates_dir=tmp_path)
    assert [b.kind for b in draft.blocks].count("h1") == 3
    p = next(b for b in draft.blocks if b.plain().startswith("甲"))
    assert p.plain() == "甲## 伪造## 乙2期丙## 伪造## 伪造丁## 伪造戊" and p.runs[1].code == "gov_law_lectures"


# ---------------------------------------------------------------------------- template errors: one line, file and line
def _error(processed, tmp_path, source: str | bytes, name: str = "lead.j2"):
    from fzanalysis.core.errors import ReportError

    path = tmp_path / name
    path.write_bytes(source if isinstance(source, bytes) else source.encode("utf-8"))
    with pytest.raises(ReportError) as err:
        build_draft(tidy(processed, 2023), 2023, templates_dir=tmp_path)
    line = err.value.one_line()
    assert "\n" not in line and err.value.file == str(path.resolve()), line
    return err.value


@pytest.mark.parametrize("source, line, words", [
    ("第一行\n{{ fig( }}\n", 2, "模板语法错误"),
    ("第一行\n\n{{ undefined_name }}\n", 3, "undefined_name"),
    ("第一行\n{{ 1//0 }}\n", 2, "ZeroDivisionError"),
    ("第一行\n{{ fig(1) }}\n", 2, "fig()"),
    ("{{ fig('gov_law_lectures', org=['区政府']) }}\n", 1, "fig()"),
    ("{{ rate('no_such_rate') }}\n", 1, "rate()"),
    ("\n{{ yoy('recon_accepted', area=2) }}\n", 2, "yoy()"),
    ("{{ fig() }}\n", 1, "TypeError"),
    ("一\n二\n{% include 'lead.j2' %}\n", 3, "递归"),
    ("{% macro m() %}{{ m() }}{% endmacro %}\n{{ m() }}\n", 1, "递归"),
    ("第一行\n{% include '无此模板.j2' %}\n", 2, "无此模板.j2"),
    ("第一行\n全年\ue00099\ue001件\n", 2, "标记"),
    ("第一行\n{{ fig('gov_law_lectures')|replace(':', ':99') }}\n", 2, "标记"),
    ("第一行\n".encode("utf-8") + "第二行".encode("gbk"), 2, "UTF-8"),
])
def test_a_template_error_is_one_line_naming_the_template_and_line(processed, tmp_path, source, line, words):
    err = _error(processed, tmp_path, source)
    assert f"第{line}行" in err.reason and words in err.reason, err.one_line()


def test_an_error_in_an_included_template_names_that_template(processed, tmp_path):
    (tmp_path / "lead.j2").write_text("第一行\n{% include '段落.j2' %}\n", encoding="utf-8")
    err = _error(processed, tmp_path, "甲\n乙\n{{ nothing_here }}\n", name="段落.j2")
    assert "第3行" in err.reason and "nothing_here" in err.reason


@pytest.mark.parametrize("payload", [
    "{{ cycler.__init__.__globals__.os.popen('touch %s').read() }}",
    "{{ joiner.__init__.__globals__.os.popen('touch %s').read() }}",
    "{{ lipsum.__globals__['os'].popen('touch %s').read() }}",
    "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.popen('touch %s') }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}{# %s #}",
    "{{ range.__init__.__globals__['os'].popen('touch %s') }}",
    "{{ namespace.__init__.__globals__['os'].popen('touch %s') }}",
    "{{ fig.__func__.__globals__['os'].popen('touch %s') }}",
    "{{ fig.__self__.cat }}{# %s #}",
    "{{ problems.__class__.__base__.__subclasses__() }}{# %s #}",
    "{{ '{0.__class__.__init__.__globals__[os]}'.format(fig) }}{# %s #}",
    "{{ ('{0.__func__.__globals__}'|attr('format'))(fig) }}{# %s #}",
    "{{ '%%s'|format(fig.__func__) }}{# %s #}",
    "{{ dict(a=1).items.__self__.__class__ }}{# %s #}",
])
def test_a_template_cannot_reach_python(processed, tmp_path, payload):
    pwned = tmp_path / "pwned"
    err = _error(processed, tmp_path, "第一行\n" + payload % pwned + "\n")
    assert "第2行" in err.reason and not pwned.exists()


@pytest.mark.parametrize("name", ["../../../../../../etc/passwd", "/etc/passwd", "..\\lead.j2", "外面.j2"])
def test_only_files_inside_the_templates_folder_are_loaded(processed, tmp_path, name):
    folder = tmp_path / "模板"
    folder.mkdir()
    outside = tmp_path / "外面.txt"
    outside.write_text("机密内容", encoding="utf-8")
    (folder / "外面.j2").symlink_to(outside)
    (folder / "lead.j2").write_text(f"第一行\n{{% include {name!r} %}}\n", encoding="utf-8")
    from fzanalysis.core.errors import ReportError

    with pytest.raises(ReportError) as err:
        build_draft(tidy(processed, 2023), 2023, templates_dir=folder)
    assert "\n" not in err.value.one_line() and "机密内容" not in err.value.one_line()
    assert Path(err.value.file).name in ("lead.j2", "外面.j2")


# ---------------------------------------------------------------------------- work texts (issue 18)
def _narrative(*rows):
    from fzanalysis.ingest.narrative import NARRATIVE_COLUMNS

    return pd.DataFrame([{"year": 2023, "org": org, "section": topic.split(".")[0] if topic else section, "topic": topic,
                          "item": item, "text": text, "source_file": f"2023/总结/{org}总结.docx", "where": f"段落{n}",
                          "outcome": "kept", "reason": ""}
                         for n, (org, section, topic, item, text) in enumerate(rows, start=3)], columns=NARRATIVE_COLUMNS)


def _part1(draft) -> str:
    text = "\n".join(b.plain() for b in draft.blocks)
    return text.split("一、2023年法治政府建设情况")[1].split("二、存在的问题和不足")[0]


def test_work_texts_stand_under_their_points_cited_by_file_and_paragraph(processed):
    table = tidy(processed, 2023)
    narrative = _narrative(
        ("区司法局", "", "s1.leadership", "", "区委常委会会议专题研究法治政府建设工作，部署示范创建。"),
        ("区政府", "", "s1.leadership", "", "区政府常务会议审议法治政府建设年度工作要点。"),
        ("区市场监管局", "", "s4.enforcement", "",
         "我局推行轻微违法免罚清单。全年办理行政处罚案件579件。全年办理行政处罚案件580件。受理投诉同比增长20%。"),
        ("区司法局", "s4", "", "推进执法监督平台建设", "执法监督平台上线运行，实现执法案卷网上评查。"),
        ("区司法局", "s4", "", "", "组织执法人员旁听行政诉讼庭审。"))
    draft = build_draft(table, 2023, narrative=narrative)
    part1 = _part1(draft)
    # catalog order of units (orgs.csv: 区政府 before 区司法局), after the point's heading; no 待补充 where a text stands
    assert "一是强化组织领导。区政府常务会议审议法治政府建设年度工作要点。区委常委会会议专题研究法治政府建设工作，部署示范创建。" in part1
    # a unit's self-reference as its name; the sentences restating a figure of the table (agreeing or not) and a
    # year-on-year claim are left out: the figure sentence states 579件 with its cell
    assert "区市场监管局推行轻微违法免罚清单。" in part1
    assert "580件" not in part1 and "同比增长20%" not in part1 and part1.count("579件") == 1
    # the section's texts no point took: one with its 工作事项 as its own point, the rest after 此外
    assert "四是推进执法监督平台建设。执法监督平台上线运行，实现执法案卷网上评查。此外，组织执法人员旁听行政诉讼庭审。" in part1
    texts = {c.text: c for c in draft.texts}
    cited = texts["区委常委会会议专题研究法治政府建设工作，部署示范创建。"]
    assert (cited.source, cited.org, cited.kind) == ("2023/总结/区司法局总结.docx!段落3", "区司法局", "text")
    assert not any("强化组织领导" in c.text for c in draft.todos)
    assert len(draft.figures) == len(build_draft(table, 2023).figures)  # texts are no figures


def test_without_work_texts_a_point_of_facts_is_a_visible_todo(processed):
    draft = build_draft(tidy(processed, 2023), 2023)
    todos = [c.text for c in draft.todos]
    assert "【待补充：党政主要负责人履行推进法治建设第一责任人职责、研究部署法治政府建设重点工作的情况】" in todos
    assert "一是强化组织领导。【待补充：" in _part1(draft)
    assert not draft.texts


def test_work_texts_are_text_in_every_format(processed, tmp_path):
    from fzanalysis.report.docx import to_docx
    from fzanalysis.report.render import to_html, to_markdown

    attack = "执法平台上线。\n\n## 三、伪造\n<img src=x onerror=alert(1)>[链接](javascript:x)"
    draft = build_draft(tidy(processed, 2023), 2023,
                        narrative=_narrative(("区司法局", "", "s4.town_reform", "", attack)))
    assert [b.kind for b in draft.blocks].count("h1") == 3
    text = [c for c in draft.texts][0]
    md, html = to_markdown(draft), to_html(draft)
    assert f"[^{text.n}]: 2023/总结/区司法局总结.docx!段落3" in md and "<img" not in html and "&lt;img" in html
    assert 'class="text"' in html and f'title="2023/总结/区司法局总结.docx!段落3"' in html
    path = tmp_path / "r.docx"
    path.write_bytes(to_docx(draft))
    anchors = comment_anchors(path)
    assert (text.text, "2023/总结/区司法局总结.docx!段落3") in anchors


def test_a_point_function_checks_its_arguments(processed, tmp_path):
    from fzanalysis.core.errors import ReportError

    (tmp_path / "s1.j2").write_text("{% call point(1, \"x\") %}{% endcall %}\n", encoding="utf-8")
    with pytest.raises(ReportError, match="point\\(\\) 的 topic 应为文字"):
        build_draft(tidy(processed, 2023), 2023, templates_dir=tmp_path)


def test_computed_changes_have_one_decimal(processed, tmp_path):
    (tmp_path / "s1.j2").write_text("{{ yoy(\"legal_aid_accepted\") }}\n", encoding="utf-8")
    table, base = tidy(processed, 2023), tidy(processed, 2022)
    draft = build_draft(table, 2023, base, 2022, templates_dir=tmp_path)
    change = next(c.text for c in draft.figures if c.name == "法律援助受理数同比变化")
    assert change == "同比增长6.0%"  # 316 on 298: 6.04 %, written to one decimal (was 6%)


POINT_HEADING = re.compile(r"^[一二三四五六七八九十]+是[^。，；：]{2,30}。$")


def classify_part1(draft) -> list[tuple[str, str]]:
    """(kind, sentence) for every sentence of part 一: 数字 (it cites cells), 文字 (a department's text, cited),
    待补充, 框架 (a point's heading, 此外), or 无出处 — what issue 18 forbids."""
    blocks, inside = [], False
    for b in draft.blocks:
        if b.kind == "h1":
            inside = b.plain().startswith("一、")
            continue
        if inside:
            blocks.append(b)
    out = []
    for b in blocks:
        out.append(("框架", "".join(r if isinstance(r, str) else r.text for r in b.lead)))
        sentence: list = []

        def close():
            if not sentence:
                return
            text = "".join(r if isinstance(r, str) else r.text for r in sentence)
            cited = [r for r in sentence if not isinstance(r, str)]
            kinds = {r.kind for r in cited}
            if kinds == {"text"} and all(not isinstance(r, str) or r == "此外，" for r in sentence):
                kind = "文字"
            elif "todo" in kinds:
                kind = "待补充"
            elif "figure" in kinds:
                kind = "数字"
            elif POINT_HEADING.match(text):
                kind = "框架"
            else:
                kind = "无出处"
            out.append((kind, text))
            sentence.clear()

        for r in b.runs:
            if isinstance(r, str):
                pieces = re.split(r"(?<=[。！？])", r)
                for k, piece in enumerate(pieces):
                    if piece:
                        sentence.append(piece)
                    if k < len(pieces) - 1:
                        close()
            elif r.kind == "text":
                close()
                sentence.append(r)
                close()
            else:
                sentence.append(r)
        close()
    return out


def test_every_sentence_of_part_one_cites_or_frames_or_asks(processed):
    """Issue 18, done when: the 2023 draft on the bundled data — every sentence of 一 cites cells or a department
    text, or is framing, or is a 【待补充】; the 2021 draft (no work texts) states no work item without a source."""
    from fzanalysis.store.data import load_narrative

    table = tidy(processed, 2023)
    draft = build_draft(table, 2023, tidy(processed, 2022), 2022, narrative=load_narrative(2023, processed_dir=processed))
    kinds = classify_part1(draft)
    assert [s for k, s in kinds if k == "无出处"] == []
    counted = {k: sum(1 for x, _ in kinds if x == k) for k in ("数字", "文字", "待补充", "框架")}
    assert counted["文字"] >= 15 and counted["数字"] >= 30 and counted["待补充"] == 0
    first = build_draft(tidy(processed, 2021), 2021, narrative=load_narrative(2021, processed_dir=processed))
    kinds21 = classify_part1(first)
    assert [s for k, s in kinds21 if k == "无出处"] == [] and not any(k == "文字" for k, _ in kinds21)
    assert sum(k == "待补充" for k, _ in kinds21) >= 2
    text = "".join(s for _, s in kinds)
    assert "同比下降" not in text  # a decline is a problem (二), not an achievement
