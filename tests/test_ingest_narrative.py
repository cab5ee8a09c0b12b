"""fzanalysis.ingest.narrative: department work texts — a 工作情况 sheet and 工作总结 documents under 总结/ — read into
narrative.csv rows, every paragraph kept or set aside with its reason, placed in a section by catalog words, masked."""
from __future__ import annotations

import pandas as pd
import pytest
from docx import Document

from fzanalysis.core.catalog import load_catalog
from fzanalysis.ingest.clean import clean_year, discover
from fzanalysis.ingest.log import KEPT, SET_ASIDE
from fzanalysis.ingest.narrative import (NARRATIVE_COLUMNS, UNPLACED, load_work_words, place, read_summary,
                                         section_of_label)
from fzanalysis.store.data import load_narrative, run_clean
from tests.xlsx_factory import GOOD_MARKET_ROWS, MARKET_ORG_LINE, layout_a_grid, write_xlsx

WORDS = load_work_words()
CAT = load_catalog()
WORK_HEADER = ["序号", "类别", "工作事项", "主要做法和成效", "佐证材料"]


def _summary_docx(path, paragraphs, table=None):
    doc = Document()
    for p in paragraphs:
        doc.add_paragraph(p)
    if table:
        t = doc.add_table(rows=len(table), cols=len(table[0]))
        for i, row in enumerate(table):
            for j, v in enumerate(row):
                t.rows[i].cells[j].text = v
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


SUMMARY = [
    "重庆市大渡口区市场监督管理局2023年法治政府建设工作总结",
    "",
    "一、主要工作",
    "（一）优化法治化营商环境。推行包容审慎监管，对首次轻微违法的市场主体依法不予处罚，编印涉企合规指引发放到企业。",
    "（二）严格规范公正文明执法",
    "全面落实行政执法三项制度，执法全过程记录覆盖现场检查和案件办理各环节，法制审核人员全程参与重大执法决定。",
    "联系人：王小明，联系电话：13900001111",
    "今年还组织了一次职工运动会，丰富干部职工业余生活。",
    "重庆市大渡口区市场监督管理局",
    "2024年1月12日",
]


def test_a_summary_docx_every_paragraph_kept_or_set_aside_with_its_reason(tmp_path):
    path = _summary_docx(tmp_path / "总结" / "工作总结.docx", SUMMARY)
    org, rows, events = read_summary(path, "2023/总结/工作总结.docx", 2023, CAT, WORDS)
    assert org == "区市场监管局" and events == []
    got = {(r["where"], r["outcome"]): r for r in rows}
    # paragraphs numbered as check-report numbers them: the empty second paragraph counts, is no row
    assert [r["where"] for r in rows] == [f"段落{n}" for n in (1, 3, 4, 5, 6, 7, 8, 9, 10)]
    assert got[("段落1", SET_ASIDE)]["reason"] == "标题"
    assert got[("段落3", SET_ASIDE)]["reason"].startswith("小标题")
    lead = got[("段落4", KEPT)]
    assert (lead["section"], lead["topic"], lead["item"]) == ("s2", "s2.business", "优化法治化营商环境")
    assert lead["text"].startswith("推行包容审慎监管")
    body = got[("段落6", KEPT)]  # below the 小标题 （二）: its item and, by its own words, its section
    assert (body["section"], body["topic"], body["item"]) == ("s4", "s4.enforcement", "严格规范公正文明执法")
    contact = got[("段落7", SET_ASIDE)]
    assert "13900001111" not in contact["text"] and "王小明" not in contact["text"] and "联系信息" in contact["reason"]
    unplaced = got[("段落8", KEPT)]  # placed nowhere: kept and listed, never dropped
    assert unplaced["section"] == "" and unplaced["reason"] == UNPLACED
    assert got[("段落9", SET_ASIDE)]["reason"] == "落款" and got[("段落10", SET_ASIDE)]["reason"] == "落款"
    assert all(r["source_file"] == "2023/总结/工作总结.docx" and r["org"] == "区市场监管局" for r in rows)


@pytest.mark.parametrize("name,text", [
    ("区司法局2023年工作总结.md", "# 2023年工作情况\n\n## 行政复议\n\n推行繁简分流，简易案件快审快结，复议听证常态化开展。\n"),
    ("区司法局2023年工作总结.txt", "2023年工作情况\n行政复议\n推行繁简分流，简易案件快审快结，复议听证常态化开展。\n"),
])
def test_markdown_and_text_summaries_take_the_unit_from_the_file_name(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    org, rows, _ = read_summary(path, f"2023/总结/{name}", 2023, CAT, WORDS)
    kept = [r for r in rows if r["outcome"] == KEPT]
    assert org == "区司法局"
    assert [(r["section"], r["topic"], r["item"]) for r in kept] == [("s6", "s6.reconsideration", "行政复议")]


def test_the_unit_from_the_last_lines_when_title_and_file_name_do_not_say(tmp_path):
    path = _summary_docx(tmp_path / "总结.docx", ["2023年工作总结", "全年组织开展人民调解员培训，提升调解员化解纠纷的能力。",
                                                   "大渡口区司法局", "2024年1月8日"])
    assert read_summary(path, "2023/总结/总结.docx", 2023, CAT, WORDS)[0] == "区司法局"


def test_an_unknown_unit_and_an_unreadable_summary_are_events(tmp_path):
    path = _summary_docx(tmp_path / "某协会总结.docx", ["2023年工作总结", "全年开展人民调解工作，化解矛盾纠纷。"])
    org, rows, events = read_summary(path, "2023/总结/某协会总结.docx", 2023, CAT, WORDS)
    assert [e.event for e in events] == ["unknown_org"] and rows
    bad = tmp_path / "坏.docx"
    bad.write_bytes(b"not a zip")
    org, rows, events = read_summary(bad, "2023/总结/坏.docx", 2023, CAT, WORDS)
    assert rows == [] and [e.event for e in events] == ["narrative_unreadable"]


@pytest.mark.parametrize("label,section", [("一", "s1"), ("（四）", "s4"), ("4", "s4"), ("s6", "s6"),
                                           ("（二）法治化营商环境", "s2"), ("行政执法", "s4"), ("行政复议", "s6"),
                                           ("其他", ""), ("", "")])
def test_a_category_names_a_section_by_number_or_name(label, section):
    assert section_of_label(label, WORDS) == section


def test_placement_weighs_longer_words_and_a_section_hint_confines_it():
    assert place("对首次轻微违法的市场主体依法不予处罚", WORDS) == ("s2", "s2.business")
    assert place("办理行政复议案件，推行繁简分流", WORDS) == ("s6", "s6.reconsideration")
    assert place("组织职工运动会", WORDS) == ("", "")
    assert place("组织职工运动会", WORDS, "s1") == ("s1", "")  # a 类别 stands even without words


def _work_sheet(rows):
    return [["2023年法治政府建设工作情况"], WORK_HEADER, *rows]


def test_a_work_sheet_is_read_row_by_row_and_not_as_figures(tmp_path):
    raw = tmp_path / "raw"
    rows = [
        [1, "（四）行政执法", "推进包容审慎监管", "制定轻微违法行为免罚清单，对首次轻微违法依法不予处罚，全年办理行政处罚案件579件。",
         "免罚清单.pdf"],
        [2, "二", "信用监管", "联系人李四光13900888888负责信用修复，帮助企业完成信用修复。", ""],
        [3, "", "其他", "", ""],
        [4, "其他", "", "组织职工运动会。", ""],
        [None, None, None, None, None],
        ["注：每行填写一项工作。"],
    ]
    write_xlsx(raw / "2023" / "区市场监管局2023年数据.xlsx", {
        "统计表": layout_a_grid(MARKET_ORG_LINE, GOOD_MARKET_ROWS), "工作情况": _work_sheet(rows)})
    result = clean_year(raw, 2023, discover(raw, 2023)[2023], CAT)
    assert len(result.rows) == len(GOOD_MARKET_ROWS)  # the text's 579件 is no value of the table
    got = result.narrative
    assert list(got.columns) == NARRATIVE_COLUMNS and len(got) == 5
    first = got.iloc[0]
    assert (first["org"], first["section"], first["topic"], first["item"], first["where"]) == (
        "区市场监管局", "s4", "s4.enforcement", "推进包容审慎监管", "工作情况!D3")
    assert not any("免罚清单.pdf" in t for t in got["text"])  # 佐证材料 is not carried
    second = got.iloc[1]
    assert second["section"] == "s2" and "13900888888" not in second["text"] and "李四光" not in second["text"]
    assert (got.iloc[2]["outcome"], got.iloc[2]["reason"]) == (SET_ASIDE, "只填了工作事项，没有写主要做法和成效")
    assert got.iloc[3]["outcome"] == KEPT and got.iloc[3]["section"] == "" and "类别「其他」" in got.iloc[3]["reason"]
    assert (got.iloc[4]["outcome"], got.iloc[4]["reason"]) == (SET_ASIDE, "说明文字，不是工作情况")
    ledger = result.log[result.log["event"] == "narrative"]
    assert ledger["reason"].tolist() == ["工作情况：读取 5 段 = 采用 3 + 搁置 2，其中未归入报告章节 1 段"]
    assert not (result.log["event"] == "skipped_sheet").any()  # a work sheet is no skipped data sheet


def test_clean_writes_narrative_csv_with_summaries_and_a_ledger_that_balances(tmp_path):
    raw = tmp_path / "raw"
    write_xlsx(raw / "2023" / "区市场监管局2023年数据.xlsx", {"统计表": layout_a_grid(MARKET_ORG_LINE, GOOD_MARKET_ROWS)})
    _summary_docx(raw / "2023" / "总结" / "区市场监管局2023年工作总结.docx", SUMMARY)
    (raw / "2023" / "总结" / "区司法局工作总结.pdf").write_bytes(b"%PDF")
    (raw / "2023" / "总结" / "~$区司法局工作总结.docx").write_bytes(b"lock")
    run_clean(raw_dir=raw, processed_dir=tmp_path / "out", progress=False)
    df = load_narrative(2023, processed_dir=tmp_path / "out")
    log = pd.read_csv(tmp_path / "out" / "2023" / "cleaning_log.csv", dtype=str, keep_default_na=False)
    assert len(df) == 9 and (df["source_file"] == "2023/总结/区市场监管局2023年工作总结.docx").all()
    for source, group in df.groupby("source_file"):
        kept, aside = (group["outcome"] == KEPT).sum(), (group["outcome"] == SET_ASIDE).sum()
        line = log[(log["event"] == "narrative") & (log["file"] == source)]["reason"].item()
        assert line.startswith(f"工作情况：读取 {len(group)} 段 = 采用 {kept} + 搁置 {aside}")
    skipped = log[log["event"] == "skipped_file"]
    assert sorted(skipped["file"]) == ["2023/总结/~$区司法局工作总结.docx", "2023/总结/区司法局工作总结.pdf"]
    assert "另存为 .docx" in skipped[skipped["file"].str.endswith(".pdf")]["reason"].item()


def test_a_year_without_work_texts_has_an_empty_narrative_with_its_columns(tmp_path):
    raw = tmp_path / "raw"
    write_xlsx(raw / "2023" / "区市场监管局2023年数据.xlsx", {"统计表": layout_a_grid(MARKET_ORG_LINE, GOOD_MARKET_ROWS)})
    run_clean(raw_dir=raw, processed_dir=tmp_path / "out", progress=False)
    df = load_narrative(2023, processed_dir=tmp_path / "out")
    assert df.empty and list(df.columns) == NARRATIVE_COLUMNS
    assert (tmp_path / "out" / "2023" / "narrative.csv").read_bytes().decode("utf-8-sig").strip() == \
        ",".join(NARRATIVE_COLUMNS)


def test_a_superseded_workbooks_work_sheet_is_set_aside(tmp_path):
    raw = tmp_path / "raw"
    sheet = _work_sheet([[1, "四", "执法", "全面落实行政执法三项制度，执法全过程记录覆盖各环节。", ""]])
    for name in ("区市场监管局2023年数据.xlsx", "区市场监管局2023年数据（修改版）.xlsx"):
        write_xlsx(raw / "2023" / name, {"统计表": layout_a_grid(MARKET_ORG_LINE, GOOD_MARKET_ROWS), "工作情况": sheet})
    result = clean_year(raw, 2023, discover(raw, 2023)[2023], CAT)
    got = result.narrative.set_index("source_file")
    assert got.loc["2023/区市场监管局2023年数据（修改版）.xlsx", "outcome"] == KEPT
    old = got.loc["2023/区市场监管局2023年数据.xlsx"]
    assert old["outcome"] == SET_ASIDE and "更正替代" in old["reason"]


def test_a_new_summary_makes_the_year_stale(tmp_path):
    import os

    from fzanalysis.store.data import is_stale

    raw = tmp_path / "raw"
    write_xlsx(raw / "2023" / "区市场监管局2023年数据.xlsx", {"统计表": layout_a_grid(MARKET_ORG_LINE, GOOD_MARKET_ROWS)})
    (raw / "2023" / "总结").mkdir()
    run_clean(raw_dir=raw, processed_dir=tmp_path / "out", progress=False)
    table = tmp_path / "out" / "2023" / "indicators.parquet"
    os.utime(table, (table.stat().st_mtime + 10, table.stat().st_mtime + 10))
    assert not is_stale(2023, raw, tmp_path / "out")
    new = _summary_docx(raw / "2023" / "总结" / "区司法局总结.docx", ["全年开展人民调解员培训，提升调解能力。"])
    os.utime(new, (table.stat().st_mtime + 20, table.stat().st_mtime + 20))
    assert is_stale(2023, raw, tmp_path / "out")
