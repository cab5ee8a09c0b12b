"""The draft as a Word document (报告 .docx) in the layout of Chinese official documents (GB/T 9704—2012).

- A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm;
- title 方正小标宋简体 二号 (22 pt) centred; body 仿宋_GB2312 三号 (16 pt), first-line indent of two characters,
  exact line spacing 28 pt; level-one headings 黑体, level-two 楷体_GB2312 (leading their paragraph);
- the page number in the footer (``— PAGE —``, 宋体 四号);
- every font set by name for ``w:ascii``, ``w:hAnsi``, ``w:eastAsia`` and ``w:cs`` so Word and WPS pick it
  up, and fall back where it is missing.

The internal copy carries a Word comment on every figure giving its cells and a 数据来源 appendix
table; the public copy (``comments=False, appendix=False``) has neither, so no internal file name
leaves. The bytes are deterministic: core properties and comment dates are fixed to the report year,
and the zip entries carry a fixed time.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from ..core.settings import Settings, load_settings
from .model import Cited, Draft

__all__ = ["FONTS", "to_docx"]

FONTS = {"title": "方正小标宋简体", "body": "仿宋_GB2312", "h1": "黑体", "h2": "楷体_GB2312", "page": "宋体"}
SIZES = {"title": 22, "body": 16, "page": 14, "table": 10.5}
LINE = Pt(28)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def set_font(target, name: str, size: float | None = None) -> None:
    """Font by name for every script (w:rFonts ascii/hAnsi/eastAsia/cs) on a run or a style."""
    target.font.name = name
    if size is not None:
        target.font.size = Pt(size)
    element = target._r if hasattr(target, "_r") else target.element  # a run, or a style
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _indent_two_chars(paragraph) -> None:
    """First-line indent of two characters: firstLineChars for Word/WPS, firstLine in twips as fallback."""
    ppr = paragraph._p.get_or_add_pPr()
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        ppr.append(ind)
    ind.set(qn("w:firstLineChars"), "200")
    ind.set(qn("w:firstLine"), str(2 * SIZES["body"] * 20))


def _page_setup(doc) -> None:
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    sec.footer_distance = Mm(24)
    normal = doc.styles["Normal"]
    set_font(normal, FONTS["body"], SIZES["body"])
    fmt = normal.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    footer = sec.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.paragraph_format.first_line_indent = Pt(0)
    set_font(footer.add_run("— "), FONTS["page"], SIZES["page"])
    _page_field(footer)
    set_font(footer.add_run(" —"), FONTS["page"], SIZES["page"])


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


def _appendix(doc, draft: Draft, settings: Settings) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(head.add_run(settings.text("report.appendix_title", "数据来源")), FONTS["h1"])
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # fixed widths: the source column needs the room (LibreOffice ignores widths otherwise)
    widths = (Mm(10), Mm(22), Mm(36), Mm(24), Mm(64))
    for column, width in zip(table.columns, widths):
        column.width = width
    values = [("序号", "数字", "指标", "填报单位", "出处（文件!工作表!单元格）")]
    values += [(str(c.n), c.text, c.name, "·".join(p for p in (c.org, c.area) if p), c.source) for c in draft.figures]
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
    for b in draft.blocks:
        p = doc.add_paragraph()
        if b.kind == "title":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.line_spacing = Pt(36)
            p.paragraph_format.space_after = LINE
            _add_runs(doc, p, b.runs, FONTS["title"], comments, settings, stamp)
            for run in p.runs:
                run.font.size = Pt(SIZES["title"])
            continue
        _indent_two_chars(p)
        if b.kind == "h1":
            _add_runs(doc, p, b.runs, FONTS["h1"], comments, settings, stamp)
            continue
        _add_runs(doc, p, b.lead, FONTS["h2"], comments, settings, stamp)
        _add_runs(doc, p, b.runs, FONTS["body"], comments, settings, stamp)
    if appendix:
        _appendix(doc, draft, settings)
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = draft.title, "fzanalysis", "fzanalysis"
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
