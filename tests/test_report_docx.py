"""fzanalysis.report.docx: the GB/T 9704—2012 layout, asserted in the document's XML; comments, appendix,
the public copy and identical bytes."""
from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn

from fzanalysis.report.docx import to_docx
from fzanalysis.report.model import Block, Cited, Draft
from tests.report_fixtures import ATTACKS, BENIGN, attacked_draft, processed, seen_text  # noqa: F401

SOURCE = "2023/区市场监管局统计表.xlsx!Sheet1!C5"


def _draft() -> Draft:
    fig = Cited(1, "579件", "market_penalty_cases", "行政处罚案件数", "区市场监管局", "", (SOURCE,), SOURCE)
    gap = Cited(2, "【缺数：罚款金额（区市场监管局）】", "market_fines", "罚款金额", "区市场监管局", missing=True)
    blocks = [Block("title", ["大渡口区2023年法治政府建设情况报告"]), Block("p", ["2023年，全区……"]),
              Block("h1", ["一、2023年法治政府建设情况"]),
              Block("p", ["区市场监管局办理行政处罚案件", fig, "，罚款", gap, "。"], ["（一）严格执法。"])]
    return Draft(2023, None, "大渡口区2023年法治政府建设情况报告", blocks, [fig, gap])


@pytest.fixture(scope="module")
def doc():
    return Document(io.BytesIO(to_docx(_draft())))


def _fonts(el) -> dict:
    rfonts = el.find(f".//{qn('w:rFonts')}")
    return {k: rfonts.get(qn(f"w:{k}")) for k in ("ascii", "hAnsi", "eastAsia", "cs")}


def test_page_a4_and_margins(doc):
    sect = doc.sections[0]._sectPr
    size, mar = sect.find(qn("w:pgSz")), sect.find(qn("w:pgMar"))
    assert (int(size.get(qn("w:w"))), int(size.get(qn("w:h")))) == (11906, 16838)  # 210 × 297 mm in twips
    twips = {k: int(mar.get(qn(f"w:{k}"))) for k in ("top", "bottom", "left", "right")}
    assert twips == {"top": 2098, "bottom": 1984, "left": 1587, "right": 1474}  # 37, 35, 28, 26 mm


def test_body_style_fangsong_16pt_exact_28pt(doc):
    style = doc.styles["Normal"].element
    assert set(_fonts(style).values()) == {"仿宋_GB2312"}
    assert style.find(f".//{qn('w:sz')}").get(qn("w:val")) == "32"  # 三号 = 16 pt
    spacing = style.find(f".//{qn('w:spacing')}")
    assert (spacing.get(qn("w:line")), spacing.get(qn("w:lineRule"))) == ("560", "exact")  # 28 pt


def test_title_heading_and_body_fonts_and_indent(doc):
    title, lead, h1, h2, body = doc.paragraphs[:5]
    assert title.alignment == 1  # centred
    run = title.runs[0]._r
    assert set(_fonts(run).values()) == {"方正小标宋简体"} and run.find(f".//{qn('w:sz')}").get(qn("w:val")) == "44"
    assert set(_fonts(h1.runs[0]._r).values()) == {"黑体"}
    assert h2.text == "（一）严格执法。" and set(_fonts(h2.runs[0]._r).values()) == {"楷体_GB2312"}
    assert set(_fonts(body.runs[0]._r).values()) == {"仿宋_GB2312"}
    for p in (lead, body):
        ind = p._p.pPr.find(qn("w:ind"))
        assert (ind.get(qn("w:firstLineChars")), ind.get(qn("w:firstLine"))) == ("200", "640")


def test_headings_are_word_heading_styles_with_outline_levels(doc):
    """一、 in Heading 1 (outline level 1), （一） in Heading 2 (level 2) run on into its paragraph by a style
    separator; the styles are the body's size and indent, black and not bold, with named fonts (no theme font)."""
    h1, h2 = doc.paragraphs[2], doc.paragraphs[3]
    assert (h1.style.name, h2.style.name) == ("Heading 1", "Heading 2")
    for p, level, font in ((h1, "0", "黑体"), (h2, "1", "楷体_GB2312")):
        style = p.style.element
        assert style.find(f".//{qn('w:outlineLvl')}").get(qn("w:val")) == level
        rfonts = style.find(f".//{qn('w:rFonts')}")
        assert {rfonts.get(qn(f"w:{k}")) for k in ("ascii", "hAnsi", "eastAsia", "cs")} == {font}
        assert not [a for a in rfonts.attrib if a.endswith("Theme") or a.endswith("theme")]
        assert p.style.font.bold is False and str(p.style.font.color.rgb) == "000000"
        assert style.find(f".//{qn('w:sz')}").get(qn("w:val")) == "32"
        assert style.find(f".//{qn('w:color')}").get(qn("w:themeColor")) is None
    mark = h2._p.pPr.find(qn("w:rPr"))  # the style separator: the heading's paragraph mark hidden
    assert mark.find(qn("w:vanish")) is not None and mark.find(qn("w:specVanish")) is not None
    assert h1._p.pPr.find(qn("w:rPr")) is None


def test_east_asian_theme_language_is_chinese_and_the_author_is_the_office():
    data = to_docx(_draft())
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        settings, styles = zf.read("word/settings.xml").decode(), zf.read("word/styles.xml").decode()
        core = zf.read("docProps/core.xml").decode()
    assert 'w:eastAsia="zh-CN"' in settings and "ja-JP" not in settings
    assert "ja-JP" not in styles
    assert "<dc:creator>大渡口区司法局</dc:creator>" in core and "fzanalysis" not in core


def test_page_number_field_in_the_footer(doc):
    for footer in (doc.sections[0].footer, doc.sections[0].even_page_footer):
        element = footer._element
        instr = "".join(t.text for t in element.iter(qn("w:instrText")))
        assert instr.strip() == "PAGE"
        assert [f.get(qn("w:fldCharType")) for f in element.iter(qn("w:fldChar"))] == ["begin", "separate", "end"]


def test_page_numbers_odd_right_even_left_one_character_in_between_dashes(doc):
    """GB/T 9704—2012 §7.5: 4号 half-width 宋体 digits between 一字线, odd pages right and even pages left,
    one character in."""
    assert doc.settings.odd_and_even_pages_header_footer
    odd, even = doc.sections[0].footer.paragraphs[0], doc.sections[0].even_page_footer.paragraphs[0]
    assert (odd.alignment, even.alignment) == (2, 0)  # right, left
    assert odd._p.pPr.find(qn("w:ind")).get(qn("w:rightChars")) == "100"
    assert even._p.pPr.find(qn("w:ind")).get(qn("w:leftChars")) == "100"
    for p in (odd, even):
        assert p.text == "— 1 —"
        assert {r._r.find(f".//{qn('w:sz')}").get(qn("w:val")) for r in p.runs} == {"28"}  # 14 pt
        assert {_fonts(r._r)["ascii"] for r in p.runs} == {"宋体"}


def test_one_comment_per_figure_and_a_visible_placeholder(doc):
    comments = list(doc.comments)
    assert [(c.text, c.author, c.initials) for c in comments] == [(SOURCE, "数据来源", "源")]
    assert comments[0].timestamp.year == 2023
    gap = [r for r in doc.paragraphs[4].runs if r.text.startswith("【缺数")][0]
    assert gap.font.highlight_color is not None and gap.bold


def test_appendix_columns_are_wide_enough_for_three_digits_and_a_change():
    """序号 116 must not wrap as 11/6 (10.5 pt 仿宋: 3 digits + the cell margins need about 10 mm)."""
    from fzanalysis.report.docx import APPENDIX_WIDTHS_MM

    assert APPENDIX_WIDTHS_MM[0] >= 12 and APPENDIX_WIDTHS_MM[1] >= 26 and sum(APPENDIX_WIDTHS_MM) == 156
    table = Document(io.BytesIO(to_docx(_draft()))).tables[0]
    assert [round(c.width.mm) for c in table.rows[0].cells] == list(APPENDIX_WIDTHS_MM)


def test_issuers_under_the_title_and_the_signature_with_the_date():
    fig = Cited(1, "579件", "market_penalty_cases", "行政处罚案件数", "区市场监管局", "", (SOURCE,), SOURCE)
    blocks = [Block("title", ["大渡口区2023年法治政府建设情况报告"]), Block("issuers", ["中共某区委　某区人民政府"]),
              Block("p", ["办理案件", fig, "。"]), Block("signature", ["中共某区委"]),
              Block("signature", ["某区人民政府"]), Block("signature", ["2024年1月31日"])]
    doc = Document(io.BytesIO(to_docx(Draft(2023, None, "t", blocks, [fig]), appendix=False)))
    texts = [p.text for p in doc.paragraphs]
    assert texts == ["大渡口区2023年法治政府建设情况报告", "中共某区委　某区人民政府", "办理案件579件。", "", "中共某区委",
                     "某区人民政府", "2024年1月31日"]
    issuers = doc.paragraphs[1]
    assert issuers.alignment == 1 and _fonts(issuers.runs[0]._r)["eastAsia"] == "楷体_GB2312"
    chars = [p._p.pPr.find(qn("w:ind")).get(qn("w:rightChars")) for p in doc.paragraphs[4:]]
    # 2024年1月31日 is 6.5 characters wide (digits count half): four characters in; the bodies centred over it
    assert [p.alignment for p in doc.paragraphs[4:]] == [2, 2, 2]
    assert chars == ["475", "425", "400"]


def test_appendix_lists_every_figure_with_its_source(doc):
    assert doc.paragraphs[-1].text == "数据来源"
    rows = [[c.text for c in r.cells] for r in doc.tables[0].rows]
    assert rows[1] == ["1", "579件", "行政处罚案件数", "区市场监管局", SOURCE]
    assert len(rows) == 2  # a placeholder has no source


def test_public_copy_has_no_comments_no_appendix_no_file_names():
    data = to_docx(_draft(), comments=False, appendix=False)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        xml = "".join(zf.read(n).decode("utf-8", "ignore") for n in zf.namelist() if n.endswith(".xml"))
    assert ".xlsx" not in xml and "commentReference" not in xml and "数据来源" not in xml
    assert "区市场监管局办理行政处罚案件579件" in "".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def test_same_draft_same_bytes():
    assert to_docx(_draft()) == to_docx(_draft())


# ---------------------------------------------------------------------------- text from workbooks is text
def _paragraph_shape(data: bytes) -> tuple[list, int, str]:
    """Each body paragraph's alignment, indent and the fonts of its runs; the comments; the text."""
    doc = Document(io.BytesIO(data))
    fonts = [[(r._r.find(f".//{qn('w:rFonts')}") is not None and _fonts(r._r)["eastAsia"]) for r in p.runs]
             for p in doc.paragraphs]
    shape = [(p.alignment, p._p.pPr is not None and p._p.pPr.find(qn("w:ind")) is not None, f)
             for p, f in zip(doc.paragraphs, fonts)]
    return shape, len(list(doc.comments)), "\n".join(p.text for p in doc.paragraphs)


@pytest.mark.parametrize("public", [False, True], ids=["report.docx", "report_public.docx"])
@pytest.mark.parametrize("kind", sorted(ATTACKS))
def test_text_from_workbooks_is_text_in_both_copies(processed, kind, public):
    options = {"comments": False, "appendix": False} if public else {}
    data = to_docx(attacked_draft(processed, ATTACKS[kind]), **options)
    shape, comments, text = _paragraph_shape(data)
    benign_shape, benign_comments, _ = _paragraph_shape(to_docx(attacked_draft(processed, BENIGN), **options))
    assert shape == benign_shape and comments == benign_comments  # no heading, paragraph or comment more
    assert f"{seen_text(ATTACKS[kind])}未按时报送" in text
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        xml = zf.read("word/document.xml").decode("utf-8")
    assert "\ue000" not in xml and "<img" not in xml  # markup from a name is escaped XML text
