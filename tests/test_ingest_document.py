"""fzanalysis.ingest.document: a finished report's text from .docx (tracked insertions read, deletions and
comments not), .md and .txt; reading a report stops at the 数据来源 appendix, a work summary is read whole."""
from __future__ import annotations

import struct
import zipfile

import pytest
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from fzanalysis.core.errors import ReportError
from fzanalysis.ingest.document import DEFAULT_MAX_REPORT_BYTES, markdown_inline, read_paragraphs
from fzanalysis.ingest.workbook import Limits
from tests.docx_factory import DOCUMENT, W_NS, minimal_docx, patch_headers, zeros_docx


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


def test_a_work_summary_is_read_whole_past_a_paragraph_named_like_the_appendix(tmp_path):
    doc = Document()
    for text in ("区市场监管局2023年法治政府建设工作总结", "数据来源", "一、主要工作", "全年开展执法检查。"):
        doc.add_paragraph(text)
    path = tmp_path / "总结.docx"
    doc.save(str(path))
    assert read_paragraphs(path) == ["区市场监管局2023年法治政府建设工作总结"]
    assert read_paragraphs(path, until_appendix=False) == [
        "区市场监管局2023年法治政府建设工作总结", "数据来源", "一、主要工作", "全年开展执法检查。"]


def test_markdown_without_marks_and_footnotes(tmp_path):
    path = tmp_path / "r.md"
    path.write_text("# 标题\n\n**（一）执法。**办理案件579件[^1]，见[表](#t)。\n\n| 指标 | 数值 |\n|---|---|\n"
                    "| 调解成功率 | 99% |\n\n[^1]: 2023/a.xlsx!S!C5 12件\n", encoding="utf-8")
    assert read_paragraphs(path) == ["标题", "（一）执法。办理案件579件，见表。", "指标，数值调解成功率，99%"]


def test_txt_in_gb18030_keeps_line_numbers(tmp_path):
    path = tmp_path / "r.txt"
    path.write_bytes("第一行\n\n受理案件41件\n".encode("gb18030"))
    assert read_paragraphs(path) == ["第一行", "", "受理案件41件"]


@pytest.mark.parametrize("name,data,reason", [("a.docx", b"plain text", "不是有效的 docx 文件"),
                                              ("a.odt", b"x", "不支持的文件类型"), ("none.txt", None, "文件不存在")])
def test_bad_files_are_report_errors(tmp_path, name, data, reason):
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    with pytest.raises(ReportError) as err:
        read_paragraphs(path)
    assert reason in err.value.reason and err.value.file == str(path)


# ------------------------------------------------------------------------------ bounds
def _read_bounded(path, **limits):
    with pytest.raises(ReportError) as err:
        read_paragraphs(path, Limits(**limits) if limits else None)
    reason = err.value.one_line()
    assert err.value.file == str(path) and "\n" not in reason and "Traceback" not in reason
    return err.value.reason


def test_a_minimal_docx_is_read(tmp_path):
    assert read_paragraphs(minimal_docx(tmp_path / "a.docx")) == ["受理案件5件"]


def test_a_docx_bomb_is_refused_before_anything_is_inflated(tmp_path, monkeypatch):
    path = zeros_docx(tmp_path / "bomb.docx", 8)
    assert path.stat().st_size < 100_000

    def no_inflating(*args, **kwargs):
        raise AssertionError("a part was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_inflating)
    reason = _read_bounded(path, max_uncompressed=1024 * 1024)
    assert "解压后 8 MB，超过上限 1 MB" in reason


def test_a_bomb_declaring_a_small_size_is_refused_after_reading_no_more_than_it_declares(tmp_path, monkeypatch):
    """The central directory lies (document.xml: 1,000 bytes): inflating stops at the declared size."""
    path = zeros_docx(tmp_path / "liar.docx", 8)
    patch_headers(path, 22, 24, "<L", lambda old: 1000 if old == 8 * 1024 * 1024 else old)
    inflated = []
    real_read = zipfile.ZipExtFile.read

    def counting(self, n=-1):
        data = real_read(self, n)
        inflated.append(len(data))
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting)
    assert "损坏" in _read_bounded(path, max_uncompressed=1024 * 1024)
    assert sum(inflated) <= 1000


def test_a_docx_part_inflating_past_the_bound_is_refused_while_reading(tmp_path, monkeypatch):
    """Whatever the directory says, no more than the bound is ever inflated."""
    path = zeros_docx(tmp_path / "big.docx", 3)
    inflated = []
    real_read = zipfile.ZipExtFile.read

    def counting(self, n=-1):
        data = real_read(self, n)
        inflated.append(len(data))
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting)
    monkeypatch.setattr("fzanalysis.ingest.workbook._check_zip", lambda *args, **kwargs: None)  # the directory believed
    assert "超过上限 1 MB" in _read_bounded(path, max_uncompressed=1024 * 1024)
    assert sum(inflated) == 1024 * 1024 + 1  # one byte past the bound, then no more


def test_too_many_entries(tmp_path):
    path = minimal_docx(tmp_path / "many.docx", {f"word/media/{i}.xml": b"<a/>" for i in range(20)})
    assert "条目" in _read_bounded(path, max_entries=10)
    assert read_paragraphs(path, Limits(max_entries=30)) == ["受理案件5件"]


def test_an_encrypted_entry(tmp_path):
    path = minimal_docx(tmp_path / "encrypted.docx")
    patch_headers(path, 6, 8, "<H", lambda old: old | 0x1)
    assert "加密" in _read_bounded(path)


@pytest.mark.parametrize("method", [99, 12])  # AES (WinZip), bzip2: not what Word writes
def test_an_unsupported_compression_method(tmp_path, method):
    path = minimal_docx(tmp_path / "method.docx")
    patch_headers(path, 8, 10, "<H", lambda old: method)
    assert f"压缩方式（{method}）" in _read_bounded(path)


def test_a_corrupt_deflate_stream(tmp_path):
    path = minimal_docx(tmp_path / "corrupt.docx", {"word/document.xml": DOCUMENT * 50})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("word/document.xml")
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    data[info.header_offset + 30 + name_len + extra_len] = 0xFF  # a reserved block type
    path.write_bytes(bytes(data))
    assert "损坏" in _read_bounded(path)


def test_a_truncated_docx_and_a_docx_without_document_xml(tmp_path):
    path = minimal_docx(tmp_path / "cut.docx", {"word/document.xml": DOCUMENT * 50})
    path.write_bytes(path.read_bytes()[:300])
    assert "zip 结构损坏或被截断" in _read_bounded(path)
    assert "缺少 word/document.xml" in _read_bounded(minimal_docx(tmp_path / "empty.docx", {"word/document.xml": None}))


@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_a_text_larger_than_the_bound_is_refused_with_its_size(tmp_path, suffix):
    path = tmp_path / f"big{suffix}"
    path.write_text("受理案件5件\n\n" * 200_000, encoding="utf-8")  # 3.6 MB
    assert _read_bounded(path, max_uncompressed=2 * 1024 * 1024) == "文件 3 MB，超过上限 2 MB，未读取"
    assert sum(1 for p in read_paragraphs(path, Limits(max_uncompressed=4 * 1024 * 1024)) if p) == 200_000


def test_the_default_bound_reads_a_10_mb_text():
    assert DEFAULT_MAX_REPORT_BYTES >= 50 * 1024 * 1024


def test_markdown_links_and_tags_are_removed_without_backtracking():
    """A line of 40,000 ``[`` (or ``<``, ``](``) is read in one pass: the patterns cannot start over at
    every bracket and scan to the end of the line."""
    assert markdown_inline("[" * 40_000) == "[" * 40_000
    assert markdown_inline("<" * 40_000) == "<" * 40_000
    assert markdown_inline("[a](" * 10_000) == "[a](" * 10_000
    assert markdown_inline("见[表1](#t1)与<b>附表</b>[^2]") == "见表1与附表"


def test_external_entities_and_entity_expansion_are_not_read(tmp_path):
    """XXE (a file's content pulled into the text) and billion laughs (entities expanding 10⁹ times) in
    word/document.xml: neither is expanded; the file is one error line."""
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-XXE", encoding="utf-8")
    head = f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>'
    tail = "</w:t></w:r></w:p></w:body></w:document>"
    xxe = f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "{secret.as_uri()}">]>{head}受理&x;5件{tail}'
    laughs = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
              + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
              + f"]>{head}&j;{tail}")
    for name, xml in (("xxe.docx", xxe), ("laughs.docx", laughs)):
        path = minimal_docx(tmp_path / name, {"word/document.xml": xml.encode()})
        assert "不是可读取的 Word 文档" in _read_bounded(path)
