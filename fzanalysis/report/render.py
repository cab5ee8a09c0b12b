"""The draft as Markdown and HTML (报告 .md / .html), each figure with its provenance.

- ``report.md``: every figure is followed by a footnote whose text is its ``source_file!sheet!cell``
  (a derived rate: the cells of its numerator and denominator; a computed change: this year's and
  last year's cells), every cited work text by one giving its ``source_file!段落N`` (or ``!sheet!cell``);
  a level-two heading leads its paragraph in bold.
- ``report.html``: one page in the manner of a printed report; every figure and cited text is marked, shows its
  source on hover (``title`` attribute and a CSS tooltip) and links to its row of the 数据来源 table at the end;
  the issuing bodies stand centred under the title, the 落款 right-aligned at the end.

Both are deterministic: the same draft gives the same bytes.
"""
from __future__ import annotations

import re
from html import escape

from ..core.settings import Settings, load_settings
from .model import Block, Cited, Draft

__all__ = ["SHOWN_CHARS", "md_text", "shown", "to_html", "to_markdown"]

SHOWN_CHARS = 16  # characters of a cited work text shown in the 数据来源 table (the text itself stands in the body)


def shown(c: Cited) -> str:
    """What the 数据来源 table shows of a cited run: a figure as printed, a work text's first characters."""
    return c.text if c.kind != "text" or len(c.text) <= SHOWN_CHARS else c.text[:SHOWN_CHARS] + "…"


# ASCII punctuation a Markdown reader may take for markup anywhere in a line: emphasis, code, links and
# footnotes, raw HTML, tables, strikethrough, superscript, math, headings' closing ``#``, bare links
# (``http://``, ``a@b``, ``www.``) — each written with a backslash (CommonMark: a literal character); ``&``
# (an entity) as ``&amp;``, which every reader decodes once
_MD_ANYWHERE = re.compile(r"[\\`*\[\]<>|~^$#:@]|(?<![^\W_])_|_(?![^\W_])|(?<=www)\.", re.IGNORECASE)
# … and at the start of a line: lists, quotes, setext underlines, indented code
_MD_LINE_START = re.compile(r"^[ \t]+|^[-+=>]|^(\d{1,9})([.)])(?=[ \t]|$)")


def md_text(text: str, line_start: bool = False) -> str:
    """``text`` for Markdown: every character a reader could take for markup escaped, so it reads as the
    same text (a ``_`` inside a word, a ``.`` or ``!`` or ``%`` are left as they are)."""
    text = _MD_ANYWHERE.sub(lambda m: "\\" + m.group(0), text.replace("&", "&amp;"))
    if line_start:
        text = _MD_LINE_START.sub(lambda m: "" if m.group(0).isspace() else
                                  (m.group(1) + "\\" + m.group(2) if m.group(1) else "\\" + m.group(0)), text, count=1)
    return text


def _md_runs(runs: list, line_start: bool = False) -> str:
    out: list[str] = []
    for r in runs:
        text = md_text(r.text if isinstance(r, Cited) else r, line_start=line_start and not "".join(out))
        out.append(f"{text}[^{r.n}]" if isinstance(r, Cited) and not r.missing else text)
    return "".join(out)


def to_markdown(draft: Draft) -> str:
    lines: list[str] = []
    for b in draft.blocks:
        if b.kind == "title":
            lines.append(f"# {_md_runs(b.runs)}")
        elif b.kind in ("issuers", "signature"):
            lines.append(_md_runs(b.runs, line_start=True))
        elif b.kind == "h1":
            lines.append(f"## {_md_runs(b.runs)}")
        elif b.lead:
            lines.append(f"**{_md_runs(b.lead).strip()}**{_md_runs(b.runs)}")  # ** beside a space is no bold
        else:
            lines.append(_md_runs(b.runs, line_start=True))
        lines.append("")
    for c in draft.sourced:
        lines.append(f"[^{c.n}]: {md_text(c.source, line_start=True)}")
    return "\n".join(lines).rstrip("\n") + "\n"


_CSS = """
body { background: #e9e9e9; margin: 0; padding: 24px 0; }
main.page { background: #fff; width: 156mm; margin: 0 auto; padding: 37mm 26mm 35mm 28mm;
  box-shadow: 0 0 6px rgba(0,0,0,.25); color: #000;
  font: 16pt/28pt "仿宋_GB2312", "FangSong", "STFangsong", "仿宋", "Noto Serif CJK SC", serif; }
h1.title { font: 22pt/36pt "方正小标宋简体", "STZhongsong", "SimSun", "Noto Serif CJK SC", serif; text-align: center;
  margin: 0 0 28pt; font-weight: normal; }
h2 { font: 16pt/28pt "黑体", "SimHei", "Noto Sans CJK SC", sans-serif; text-indent: 2em; margin: 0; font-weight: normal; }
p { text-indent: 2em; margin: 0; text-align: justify; }
span.lead { font-family: "楷体_GB2312", "KaiTi", "STKaiti", "楷体", "Noto Serif CJK SC", serif; }
span.fig { border-bottom: 1px dotted #9b1c1c; position: relative; cursor: help; }
span.fig a { color: inherit; text-decoration: none; }
span.fig sup { font-size: 9pt; line-height: 0; color: #9b1c1c; }
span.fig:hover::after { content: attr(data-cells); position: absolute; left: 0; top: 100%; z-index: 2;
  background: #fffbe6; border: 1px solid #c9a227; padding: 2px 6px; white-space: nowrap;
  font: 10pt/14pt sans-serif; text-indent: 0; }
span.missing { background: #ffe08a; color: #7a0000; }
span.text { border-bottom: 1px dashed #2b5d9b; position: relative; cursor: help; }
span.text sup { font-size: 9pt; line-height: 0; color: #2b5d9b; }
span.text:hover::after { content: attr(data-cells); position: absolute; left: 0; top: 100%; z-index: 2;
  background: #eef4fb; border: 1px solid #2b5d9b; padding: 2px 6px; white-space: nowrap;
  font: 10pt/14pt sans-serif; text-indent: 0; }
p.issuers { text-align: center; text-indent: 0; font-family: "楷体_GB2312", "KaiTi", "STKaiti", "楷体", serif;
  margin: 0 0 28pt; }
p.signature { text-align: right; text-indent: 0; padding-right: 4em; }
p.issuers + p.signature, h2 + p.signature { margin-top: 28pt; }
section.sources { margin: 28pt -20mm 0 -20mm; }  /* the table may use most of the side margins */
section.sources h2 { text-indent: 0; text-align: center; }
table { border-collapse: collapse; width: 100%; font: 10.5pt/15pt "仿宋_GB2312", "FangSong", "Noto Serif CJK SC", serif; }
table { table-layout: fixed; }
th, td { border: 1px solid #444; padding: 2px 4px; vertical-align: top; overflow-wrap: anywhere; }
td:nth-child(1) { white-space: nowrap; }
th { font-family: "黑体", "SimHei", "Noto Sans CJK SC", sans-serif; font-weight: normal; background: #f3f3f3; }
"""


def _html_runs(runs: list) -> str:
    out = []
    for r in runs:
        if not isinstance(r, Cited):
            out.append(escape(r))
        elif r.missing:
            out.append(f'<span class="missing">{escape(r.text)}</span>')
        else:
            src, kind = escape(r.source), "text" if r.kind == "text" else "fig"
            out.append(f'<span class="{kind}" id="fig-{r.n}" title="{src}" data-cells="{src}">'
                       f'<a href="#src-{r.n}">{escape(r.text)}</a><sup>{r.n}</sup></span>')
    return "".join(out)


def _html_block(b: Block) -> str:
    if b.kind == "title":
        return f'<h1 class="title">{_html_runs(b.runs)}</h1>'
    if b.kind == "h1":
        return f"<h2>{_html_runs(b.runs)}</h2>"
    if b.kind in ("issuers", "signature"):
        return f'<p class="{b.kind}">{_html_runs(b.runs)}</p>'
    lead = f'<span class="lead">{_html_runs(b.lead)}</span>' if b.lead else ""
    return f"<p>{lead}{_html_runs(b.runs)}</p>"


def to_html(draft: Draft, settings: Settings | None = None) -> str:
    title = (settings or load_settings()).text("report.appendix_title", "数据来源")
    rows = "\n".join(
        f'<tr id="src-{c.n}"><td><a href="#fig-{c.n}">{c.n}</a></td><td>{escape(shown(c))}</td><td>{escape(c.name)}</td>'
        f"<td>{escape('·'.join(p for p in (c.org, c.area) if p))}</td><td>{escape(c.source)}</td></tr>"
        for c in draft.sourced)
    body = "\n".join(_html_block(b) for b in draft.blocks)
    return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<title>{escape(draft.title)}</title>\n'
            f"<style>{_CSS}</style>\n</head>\n<body>\n<main class=\"page\">\n{body}\n"
            f'<section class="sources">\n<h2>{escape(title)}</h2>\n<table>\n<colgroup><col style="width:3.2em"><col style="width:7em"><col style="width:9em">'
            f'<col style="width:7em"><col></colgroup>\n<thead><tr><th>序号</th><th>数字或文字</th>'
            f"<th>指标或事项</th><th>填报单位</th><th>出处（文件!工作表!单元格，文件!段落）</th></tr></thead>\n<tbody>\n{rows}\n</tbody>\n"
            f"</table>\n</section>\n</main>\n</body>\n</html>\n")
