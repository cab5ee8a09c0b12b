"""fzanalysis.report_read: a finished report's text from .docx (tracked insertions read, deletions and
comments not), .md and .txt; reading stops at the 数据来源 appendix."""
from __future__ import annotations

import pytest
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from fzanalysis.errors import ReportError
from fzanalysis.report_read import read_paragraphs


def _tracked(paragraph, tag: str, text: str) -> None:
    change = OxmlElement(tag)
    change.set(qn("w:id"), "1" if tag == "w:ins" else "2")
    change.set(qn("w:author"), "审核人")
    run = OxmlElement("w:r")
    t = OxmlElement("w:delText" if tag == "w:del" else "w:t")
    t.text = text
    run.append(t)
    change.append(run)
    paragraph._p.append(change)


def test_docx_tracked_changes_tables_and_comments(tmp_path):
    doc = Document()
    p = doc.add_paragraph("市场监管领域办理行政处罚案件")
    _tracked(p, "w:del", "580件")
    _tracked(p, "w:ins", "579件")
    run = p.add_run("，罚款566.2万元")
    doc.add_comment(run, text="2023/区市场监管局.xlsx!Sheet1!C5 9999件", author="fz")
    table = doc.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "调解成功率"
    table.rows[0].cells[1].text = "99%"
    doc.add_paragraph("数据来源")
    doc.add_paragraph("附录中的 1件 不是正文")
    path = tmp_path / "成稿.docx"
    doc.save(str(path))
    assert read_paragraphs(path) == ["市场监管领域办理行政处罚案件579件，罚款566.2万元", "调解成功率，99%"]


def test_markdown_without_marks_and_footnotes(tmp_path):
    path = tmp_path / "r.md"
    path.write_text("# 标题\n\n**（一）执法。**办理案件579件[^1]，见[表](#t)。\n\n| 指标 | 数值 |\n|---|---|\n"
                    "| 调解成功率 | 99% |\n\n[^1]: 2023/a.xlsx!S!C5 12件\n", encoding="utf-8")
    assert read_paragraphs(path) == ["标题", "（一）执法。办理案件579件，见表。", "指标，数值调解成功率，99%"]


def test_txt_in_gb18030_keeps_line_numbers(tmp_path):
    path = tmp_path / "r.txt"
    path.write_bytes("第一行\n\n受理案件41件\n".encode("gb18030"))
    assert read_paragraphs(path) == ["第一行", "", "受理案件41件"]


@pytest.mark.parametrize("name,data,reason", [("a.docx", b"plain text", "不是可读取的 Word 文档"),
                                              ("a.odt", b"x", "不支持的文件类型"), ("none.txt", None, "文件不存在")])
def test_bad_files_are_report_errors(tmp_path, name, data, reason):
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    with pytest.raises(ReportError) as err:
        read_paragraphs(path)
    assert reason in err.value.reason and err.value.file == str(path)
