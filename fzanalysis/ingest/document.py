"""Reading a document (读取文字): a finished report or a department's work summary, .docx, .md or .txt → its
paragraphs of text.

- ``.docx``: the XML of ``word/document.xml`` in reading order: paragraphs, and each table row as
  one paragraph (its cells joined by ``，``). Tracked insertions (``w:ins``) are read as accepted;
  tracked deletions (``w:del``, ``w:moveFrom``), field codes and comments are not text of the report.
- ``.md``: one paragraph per block; heading marks, emphasis, footnote references and footnote
  definitions (``[^3]: 出处``), links and HTML tags are removed.
- ``.txt``: one paragraph per non-empty line (UTF-8, with or without BOM, or GB18030).

Bounded like a workbook (:class:`fzanalysis.ingest.workbook.Limits`, by default :data:`DEFAULT_MAX_REPORT_BYTES`): a
``.txt`` or ``.md`` larger than the bound is refused before it is read; a ``.docx`` goes through the
workbooks' zip checks (entries, inflated size, encryption, compression method) and its text part is
inflated only up to the bound (:func:`fzanalysis.ingest.workbook.read_zip_part`). The Markdown patterns cannot
start over at every bracket: reading is linear in the length of a line.

Reading a report stops at the appendix heading (``report.appendix_title`` in ``settings.csv``, 数据来源): the
appendix lists sources, it is not the report's text. A work summary is read whole (``until_appendix=False``).
"""
from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from ..core.errors import ReportError, WorkbookError
from ..core.settings import Settings, load_settings
from .workbook import Limits, check_size, decode_text, read_zip_part

__all__ = ["DEFAULT_MAX_REPORT_BYTES", "markdown_inline", "read_paragraphs"]

# the longest real report is ~100 pages (≈ 200,000 characters, under 1 MB): 50 MB leaves room for any report
DEFAULT_MAX_REPORT_BYTES = 50 * 1024 * 1024

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SKIP = {W + "del", W + "moveFrom", W + "instrText", W + "delText", W + "commentReference"}
# footnote references, links (their text kept), HTML tags, emphasis. No bracket class admits its own opening
# bracket: a match attempt ends at the next ``[`` / ``(`` / ``<``, so a line of 40,000 ``[`` is read in one pass
_MD_INLINE = [(re.compile(r"\[\^[^\[\]]*\]"), ""), (re.compile(r"!?\[([^\[\]]*)\]\([^()]*\)"), r"\1"),
              (re.compile(r"<[^<>]+>"), ""), (re.compile(r"(\*\*|__|\*|`)"), "")]


def _docx_text(p: etree._Element) -> str:
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        for child in node:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag == W + "t":
                parts.append(child.text or "")
            elif tag in (W + "tab",):
                parts.append(" ")
            elif tag in (W + "br", W + "cr"):
                parts.append("\n")
            else:
                walk(child)

    walk(p)
    return "".join(parts)


def _read_docx(path: Path, limits: Limits) -> list[str]:
    try:
        root = etree.fromstring(read_zip_part(path, limits))
    except WorkbookError as exc:
        raise ReportError(exc.reason, file=str(path)) from None
    except etree.XMLSyntaxError as exc:
        raise ReportError(f"不是可读取的 Word 文档（.docx）：{type(exc).__name__}", file=str(path)) from None
    body = root.find(W + "body")
    if body is None:
        raise ReportError("Word 文档没有正文", file=str(path))
    out: list[str] = []
    for block in body:
        if block.tag == W + "p":
            out.append(_docx_text(block))
        elif block.tag == W + "tbl":
            for row in block.iter(W + "tr"):
                cells = ["".join(_docx_text(p) for p in tc.iter(W + "p")) for tc in row.iter(W + "tc")]
                out.append("，".join(c for c in cells if c.strip()))
        elif block.tag == W + "sdt":
            out.extend(_docx_text(p) for p in block.iter(W + "p"))
    return out


def _decode(path: Path, limits: Limits) -> str:
    try:
        check_size(path, limits)
        with path.open("rb") as fh:
            data = fh.read(limits.max_uncompressed + 1)  # a file that grew since: still no more than the bound
    except WorkbookError as exc:
        raise ReportError(exc.reason, file=str(path)) from None
    except OSError as exc:
        raise ReportError(f"无法读取文件：{exc.strerror}", file=str(path)) from None
    if len(data) > limits.max_uncompressed:
        raise ReportError(f"文件超过上限 {limits.max_uncompressed // (1024 * 1024)} MB，未读取", file=str(path))
    text = decode_text(data)
    if text is None:
        raise ReportError("文件编码无法识别（应为 UTF-8 或 GB18030）", file=str(path))
    return text


def markdown_inline(text: str) -> str:
    """One line of Markdown without footnote references, link targets, HTML tags and emphasis marks."""
    for pattern, repl in _MD_INLINE:
        text = pattern.sub(repl, text)
    return text


def _read_md(path: Path, limits: Limits) -> list[str]:
    out, block = [], []
    for line in _decode(path, limits).splitlines() + [""]:
        if re.match(r"^\s*\[\^[^\]]+\]:", line):
            continue  # a footnote definition: the source, not the text
        if not line.strip():
            if block:
                out.append("".join(block))
            block = []
            continue
        text = markdown_inline(re.sub(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+(?=\S))", "", line.rstrip()))
        if set(text.strip()) <= set("|-: "):
            continue  # a table rule
        block.append("，".join(c.strip() for c in text.strip().strip("|").split("|")) if "|" in text else text.strip())
    return out


def read_paragraphs(path: str | Path, limits: Limits | None = None, settings: Settings | None = None, *,
                    until_appendix: bool = True) -> list[str]:
    """The report's paragraphs up to its appendix (数据来源, ``settings.csv`` — of the catalog folder when given;
    every paragraph with ``until_appendix=False``);
    ``limits`` bound the file (by default :data:`DEFAULT_MAX_REPORT_BYTES` of text or of inflated
    ``word/document.xml``)."""
    path = Path(path)
    limits = limits or Limits(max_uncompressed=DEFAULT_MAX_REPORT_BYTES)
    if not path.is_file():
        raise ReportError("文件不存在", file=str(path))
    suffix = path.suffix.lower()
    if suffix == ".docx":
        paragraphs = _read_docx(path, limits)
    elif suffix in (".md", ".markdown"):
        paragraphs = _read_md(path, limits)
    elif suffix == ".txt":
        paragraphs = [line.strip() for line in _decode(path, limits).splitlines()]
    else:
        raise ReportError(f"不支持的文件类型 {suffix or '（无扩展名）'}：应为 .docx、.md 或 .txt", file=str(path))
    if not until_appendix:
        return paragraphs
    settings = settings or load_settings()
    appendix = settings.text("report.appendix_title", "数据来源")
    prefixes = "|".join(re.escape(p) for p in settings.list("report.appendix_prefixes"))
    out = []
    for text in paragraphs:
        stripped = re.sub(rf"^(?:{prefixes})\s*\d*\s*[:：]?\s*", "", text.strip()) if prefixes else text.strip()
        if stripped == appendix:
            break
        out.append(text)
    return out
