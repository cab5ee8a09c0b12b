"""The draft as a Word document (报告 .docx) in the layout of Chinese official documents (GB/T 9704—2012).

- A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm;
- title 方正小标宋简体 二号 (22 pt) centred, the issuing bodies (``report.issuers``) centred under it in 楷体;
  body 仿宋_GB2312 三号 (16 pt), first-line indent of two characters, exact line spacing 28 pt;
- headings in Word's heading styles with outline levels, so the navigation pane shows the outline: 一、 in
  ``Heading 1`` (黑体, level 1); （一） in ``Heading 2`` (楷体_GB2312, level 2) leading its paragraph through a style
  separator (the heading's paragraph mark hidden, ``w:vanish`` + ``w:specVanish``: Word runs the body on in the same
  line; a reader without style separators shows the heading on its own line);
- the 落款 after a blank line: the issuing bodies centred over the date, the date four characters in from the
  right (§7.3.5.1; a body longer than the date: two characters in, the date centred under it);
- page numbers per §7.5: 4号 (14 pt) half-width 宋体 digits between 一字线 (``— 1 —``), odd pages right and even
  pages left, one character in (``w:evenAndOddHeaders``);
- every font set by name for ``w:ascii``, ``w:hAnsi``, ``w:eastAsia`` and ``w:cs`` so Word and WPS pick it
  up (heading styles lose the default template's theme fonts and colour), and the East Asian theme language is
  zh-CN (python-docx's template says ja-JP, which WPS reports as a missing font);
- the file's author is ``report.author`` (the drafting office), never the tool's name.

The internal copy carries a Word comment on every figure and every cited work text giving its source, and a
数据来源 appendix table; the public copy (``comments=False, appendix=False``) has neither, so no internal file name
leaves. The bytes are deterministic: core properties and comment dates are fixed to the report year, and the zip
entries carry a fixed time.
"""
from __future__ import annotations

import datetime as dt
import io
import unicodedata
import zipfile

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from ..core.settings import Settings, load_settings
from .model import Cited, Draft
from .render import shown

__all__ = ["APPENDIX_WIDTHS_MM", "FONTS", "to_docx"]

FONTS = {"title": "方正小标宋简体", "body": "仿宋_GB2312", "h1": "黑体", "h2": "楷体_GB2312", "page": "宋体",
         "issuers": "楷体_GB2312"}
SIZES = {"title": 22, "body": 16, "page": 14, "table": 10.5}
LINE = Pt(28)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
HEADINGS = {"h1": ("Heading 1", 0), "h2": ("Heading 2", 1)}  # style, outline level (0 = level 1)
# the 数据来源 table's columns: 序号 fits three digits at 10.5 pt, 内容 a figure such as 同比增长41.3%; 156 mm in all
APPENDIX_WIDTHS_MM = (14, 27, 34, 23, 58)
EAST_ASIAN_LANG = "zh-CN"


def set_font(target, name: str, size: float | None = None) -> None:
    """Font by name for every script (w:rFonts ascii/hAnsi/eastAsia/cs) on a run or a style; theme fonts removed."""
    target.font.name = name
    if size is not None:
        target.font.size = Pt(size)
    element = target._r if hasattr(target, "_r") else target.element  # a run, or a style
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)  # a theme font wins over a named one
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _indent_two_chars(paragraph) -> None:
    """First-line indent of two characters: firstLineChars for Word/WPS, firstLine in twips as fallback."""
    _indent(paragraph._p.get_or_add_pPr(), first=2)


def _indent(ppr, first: float | None = None, left: float | None = None, right: float | None = None,
            size: float = SIZES["body"]) -> None:
    """Indents in characters of ``size`` points: ``w:*Chars`` (hundredths) for Word/WPS, twips as fallback."""
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        ppr.append(ind)
    for name, chars in (("firstLine", first), ("left", left), ("right", right)):
        if chars is not None:
            ind.set(qn(f"w:{name}Chars"), str(round(chars * 100)))
            ind.set(qn(f"w:{name}"), str(round(chars * size * 20)))


def _heading_styles(doc) -> None:
    """Heading 1 (黑体) and Heading 2 (楷体) as the body's size, line and indent, black, not bold, with their
    outline levels — the default template's theme fonts, colours and spacing removed."""
    for kind, (name, level) in HEADINGS.items():
        style = doc.styles[name]
        set_font(style, FONTS[kind], SIZES["body"])
        style.font.bold = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        rpr = style.element.get_or_add_rPr()
        for tag in ("w:bCs", "w:i", "w:iCs"):
            for el in rpr.findall(qn(tag)):
                rpr.remove(el)
        color = rpr.find(qn("w:color"))
        for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
            color.attrib.pop(qn(attr), None)
        fmt = style.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt.keep_with_next = True
        ppr = style.element.get_or_add_pPr()
        _indent(ppr, first=2)
        outline = ppr.find(qn("w:outlineLvl"))
        if outline is None:
            outline = OxmlElement("w:outlineLvl")
            ppr.append(outline)
        outline.set(qn("w:val"), str(level))


def _east_asian_language(doc) -> None:
    """zh-CN as the East Asian theme language (settings) and the default East Asian language (styles)."""
    lang = doc.settings.element.find(qn("w:themeFontLang"))
    if lang is None:
        lang = OxmlElement("w:themeFontLang")
        doc.settings.element.append(lang)
    lang.set(qn("w:eastAsia"), EAST_ASIAN_LANG)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    for el in defaults.iter(qn("w:lang")):
        el.set(qn("w:eastAsia"), EAST_ASIAN_LANG)


def _page_setup(doc) -> None:
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    sec.footer_distance = Mm(23)  # the page number's 一字线 7 mm below the text block (35 − 7 − one 14 pt line)
    normal = doc.styles["Normal"]
    set_font(normal, FONTS["body"], SIZES["body"])
    fmt = normal.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _heading_styles(doc)
    _east_asian_language(doc)
    doc.settings.odd_and_even_pages_header_footer = True  # §7.5: odd pages right, even pages left
    for footer, align in ((sec.footer, WD_ALIGN_PARAGRAPH.RIGHT), (sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        p = footer.paragraphs[0]
        p.alignment = align
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        ppr = p._p.get_or_add_pPr()
        _indent(ppr, first=0, **({"right": 1} if align == WD_ALIGN_PARAGRAPH.RIGHT else {"left": 1}),
                size=SIZES["page"])
        set_font(p.add_run("— "), FONTS["page"], SIZES["page"])
        _page_field(p)
        set_font(p.add_run(" —"), FONTS["page"], SIZES["page"])


def _page_field(paragraph) -> None:
    """A PAGE field (begin / instrText / separate / result / end), so Word and WPS number the pages."""
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("result", "1"), ("end", None)):
        run = paragraph.add_run()
        set_font(run, FONTS["page"], SIZES["page"])
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        elif kind == "result":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)


def _add_runs(doc, paragraph, runs: list, font: str, comments: bool, settings: Settings, stamp: dt.datetime) -> None:
    for r in runs:
        if not isinstance(r, Cited):
            set_font(paragraph.add_run(r), font)
            continue
        run = paragraph.add_run(r.text)
        set_font(run, font)
        if r.missing:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
            run.bold = True
        elif comments:
            comment = doc.add_comment(run, text=r.source, author=settings.text("report.comment_author"),
                                      initials=settings.text("report.comment_initials"))
            comment._comment_elm.date = stamp  # python-docx stamps the current time: fixed for identical bytes


def _style_separator(paragraph) -> None:
    """The paragraph's mark hidden as Word's style separator: the next paragraph runs on in the same line."""
    ppr = paragraph._p.get_or_add_pPr()
    rpr = OxmlElement("w:rPr")
    for tag in ("w:vanish", "w:specVanish"):
        rpr.append(OxmlElement(tag))
    ppr.append(rpr)


def _width(text: str) -> float:
    """A line's width in characters of the body font: a half-width character (a digit) counts one half."""
    return sum(0.5 if unicodedata.east_asian_width(ch) in ("Na", "H") else 1.0 for ch in text)


def _signature(doc, blocks: list, comments: bool, settings: Settings, stamp: dt.datetime) -> None:
    """The 落款 after one blank line: the issuing bodies centred over the date, the date four characters in from
    the right; a body longer than the date two characters in, the date centred under the longest (§7.3.5.1)."""
    if not blocks:
        return
    doc.add_paragraph()
    widths = [_width("".join(r if isinstance(r, str) else r.text for r in b.runs)) for b in blocks]
    date_w, longest = widths[-1], max(widths[:-1], default=0.0)
    right_edge = 4.0 if longest <= date_w else 2.0
    span = max(longest, date_w)
    for b, w in zip(blocks, widths):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _indent(p._p.get_or_add_pPr(), first=0, right=right_edge + (span - w) / 2)
        _add_runs(doc, p, b.runs, FONTS["body"], comments, settings, stamp)


def _appendix(doc, draft: Draft, settings: Settings) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(head.add_run(settings.text("report.appendix_title", "数据来源")), FONTS["h1"])
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # fixed widths: the source column needs the room (LibreOffice ignores widths otherwise)
    widths = tuple(Mm(w) for w in APPENDIX_WIDTHS_MM)
    for column, width in zip(table.columns, widths):
        column.width = width
    values = [("序号", "数字或文字", "指标或事项", "填报单位", "出处（文件!工作表!单元格，文件!段落）")]
    values += [(str(c.n), shown(c), c.name, "·".join(p for p in (c.org, c.area) if p), c.source) for c in draft.sourced]
    for i, row_values in enumerate(values):
        cells = table.rows[0].cells if i == 0 else table.add_row().cells
        for cell, text, width in zip(cells, row_values, widths):
            cell.width = width
            p = cell.paragraphs[0]
            p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            p.paragraph_format.first_line_indent = Pt(0)
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT
            set_font(p.add_run(text), FONTS["h1"] if i == 0 else FONTS["body"], SIZES["table"])


def to_docx(draft: Draft, comments: bool = True, appendix: bool = True, settings: Settings | None = None) -> bytes:
    """The draft as .docx bytes (internal copy by default; the public copy without comments and appendix)."""
    settings = settings or load_settings()
    stamp = dt.datetime(draft.year, 12, 31, tzinfo=dt.timezone.utc)
    doc = Document()
    _page_setup(doc)
    signature = [b for b in draft.blocks if b.kind == "signature"]
    for b in draft.blocks:
        if b.kind == "signature":
            continue
        if b.kind in ("title", "issuers"):
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if b.kind == "title":
                p.paragraph_format.line_spacing = Pt(36)
            p.paragraph_format.space_after = LINE
            _add_runs(doc, p, b.runs, FONTS[b.kind], comments, settings, stamp)
            for run in p.runs:
                run.font.size = Pt(SIZES["title" if b.kind == "title" else "body"])
            continue
        if b.kind == "h1":
            _add_runs(doc, doc.add_paragraph(style=HEADINGS["h1"][0]), b.runs, FONTS["h1"], comments, settings, stamp)
            continue
        if b.lead:  # （一）…… in Heading 2, the body run on after a style separator
            head = doc.add_paragraph(style=HEADINGS["h2"][0])
            _add_runs(doc, head, b.lead, FONTS["h2"], comments, settings, stamp)
            _style_separator(head)
        p = doc.add_paragraph()
        _indent_two_chars(p)
        _add_runs(doc, p, b.runs, FONTS["body"], comments, settings, stamp)
    _signature(doc, signature, comments, settings, stamp)
    if appendix:
        _appendix(doc, draft, settings)
    props = doc.core_properties
    author = settings.text("report.author") or settings.text("district")
    props.title, props.author, props.last_modified_by = draft.title, author, author
    props.created = props.modified = props.last_printed = stamp.replace(tzinfo=None)
    props.revision, props.comments, props.keywords, props.subject = 1, "", "", ""
    buf = io.BytesIO()
    doc.save(buf)
    return _fixed_zip(buf.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite the package with fixed entry times (python-docx stamps each entry with the current time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()
