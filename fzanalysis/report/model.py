"""The draft report as data (报告结构): blocks of text whose figures carry their sources.

The wording templates render to a light markup; :meth:`Marks.blocks` turns it into :class:`Block`\\ s:

- ``# 标题`` the title, ``#= 署名`` the issuing bodies under it, ``## 一、……`` a level-one heading;
- ``### （一）……。`` a level-two heading: the lines after it in the same block are its paragraph's body
  (the report's manner: the heading leads its paragraph);
- ``#> ……`` a line of the 落款 (an issuing body, the date), right-aligned at the end;
- any other block is a body paragraph; blank lines separate blocks and the lines of one block are
  joined without spaces (Chinese text).

That markup is the templates' own: whatever a template prints (``{{ … }}``: a unit's or a town's name, a
figure) stands in the rendered text as a *mark* (``\\ue000<key>.<k>\\ue001`` a text, ``\\ue000<key>:<n>\\ue001``
a figure), ``key`` drawn at random for each rendering.  The text a mark stands for is never read as
markup — blank lines, ``## 三、……`` or ``\\ue000 1 \\ue001`` in a unit's name stay text (:func:`draft_text`) —
and no text can forge a figure.  A figure is a :class:`Cited`; every renderer (.md, .html, .docx) writes it
with its provenance and escapes text for its format.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from ..core.cite import join_cites
from ..core.sanitize import has_controls, strip_controls

__all__ = ["KINDS", "MARK_CHARS", "Block", "Cited", "Draft", "MarkError", "Marks", "TemplateArgumentError", "draft_text"]

MARK_CHARS = "\ue000\ue001"  # private-use characters: a mark's brackets, never text of the draft
_BREAKS = re.compile(r"\s*[\n\u2028\u2029]\s*")
_NOT_TEXT = re.compile("[\ue000\ue001\ud800-\udfff\ufffe\uffff]")  # the marks', lone surrogates, not XML


def draft_text(value: object) -> str:
    """``value`` as text of the draft: controls removed (:func:`~fzanalysis.core.sanitize.strip_controls`, and what
    XML cannot hold), a line break with the spaces around it removed (the lines of a paragraph join without
    spaces), the marks' characters removed."""
    text = str(value)
    if has_controls(text):
        text = strip_controls(text)
    return _NOT_TEXT.sub("", _BREAKS.sub("", text))


class MarkError(ValueError):
    """A template printed a mark this rendering did not make (it rewrote the result of ``fig()``)."""


class TemplateArgumentError(TypeError):
    """A template called ``fig()``, ``rate()``, ``yoy()``, ``has()``, ``name()``, ``point()``, ``rest()`` or
    ``todo()`` with a wrong argument."""


KINDS = ("figure", "text", "todo")  # a figure (or its 缺数 placeholder), a department's text, a 待补充 for the author


@dataclass(frozen=True)
class Cited:
    """One sourced run of the draft: a figure (or a placeholder for a figure the data lacks), a sentence or more of
    a department's work text, or a 【待补充】 the author must write (``kind``, :data:`KINDS`)."""

    n: int  # its number: footnote, comment and 数据来源 row
    text: str  # as printed: 579件, 同比增长41.3%, 【缺数：……】, a work text's sentences, 【待补充：……】
    code: str  # an indicator's code; a work text's topic (s4.town_reform) or section
    name: str  # the indicator's name; a work text's 工作事项; what a 待补充 asks for
    org: str
    area: str = ""
    cells: tuple[str, ...] = ()  # source_file!sheet!cell of every value it rests on; a work text's file!段落N
    source: str = ""  # the provenance as a reader sees it (a;b, 分子：…；分母：…: fzanalysis.core.cite)
    missing: bool = False  # a placeholder: no value, no source (缺数, 待核, 待补充)
    kind: str = "figure"


Run = "str | Cited"


@dataclass
class Block:
    kind: str  # title / issuers / h1 / p / signature
    runs: list = field(default_factory=list)  # text and Cited, in order
    lead: list = field(default_factory=list)  # a level-two heading leading the paragraph

    def plain(self) -> str:
        return "".join(r if isinstance(r, str) else r.text for r in self.lead + self.runs)


@dataclass
class Draft:
    year: int
    baseline_year: int | None
    title: str
    blocks: list[Block]
    cited: list[Cited]  # every figure and placeholder, by number

    @property
    def figures(self) -> list[Cited]:
        """The figures stated, each with its cells."""
        return [c for c in self.cited if c.kind == "figure" and not c.missing]

    @property
    def texts(self) -> list[Cited]:
        """The department work texts cited (``file!段落N`` / ``file!sheet!cell``)."""
        return [c for c in self.cited if c.kind == "text"]

    @property
    def sourced(self) -> list[Cited]:
        """Everything with a source: figures and work texts, in reading order (footnotes, comments, 数据来源)."""
        return [c for c in self.cited if not c.missing]

    @property
    def placeholders(self) -> list[Cited]:
        """Figures the data lacks or cannot settle (【缺数】, 【待核】)."""
        return [c for c in self.cited if c.kind == "figure" and c.missing]

    @property
    def todos(self) -> list[Cited]:
        """The 【待补充】 the author must write: a point of the year the data and the work texts do not cover."""
        return [c for c in self.cited if c.kind == "todo"]


class Marks:
    """The marks of one rendering: the figures it registered and the texts it printed, each standing in
    the rendered text as a mark holding this rendering's random key (digits and punctuation: a template's
    ``upper`` or ``title`` filter leaves it whole)."""

    def __init__(self) -> None:
        self.key = f"{secrets.randbelow(10 ** 16):016d}"
        self.cited: dict[int, Cited] = {}
        self._texts: list[str] = []
        self._expanded: dict[int, list] = {}
        self._mark = re.compile(f"\ue000{self.key}([:.])(\\d+)\ue001")

    def figure(self, text: str, code: str, name: str, org: str, area: str = "", cells: tuple = (),
               source: str = "", missing: bool = False, kind: str = "figure") -> str:
        """Register a figure (or a placeholder, a work text, a 待补充: ``kind``); returns its mark."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        n = len(self.cited) + 1
        cells = tuple(draft_text(c) for c in cells)
        self.cited[n] = Cited(n, draft_text(text), draft_text(code), draft_text(name), draft_text(org),
                              draft_text(area), cells, draft_text(source) or join_cites(cells), missing, kind)
        return f"\ue000{self.key}:{n}\ue001"

    def text(self, value: object) -> str:
        """Register a printed value (its marks of figures stay figures, the rest is text); returns its mark.
        A mark this rendering did not make (a template rewrote one) is a :class:`MarkError`."""
        text = str(value)
        for m in self._mark.finditer(text):
            n = int(m.group(2))
            if n not in (self.cited if m.group(1) == ":" else range(1, len(self._texts) + 1)):
                raise MarkError("模板改写了数字标记：数字请用 fig()/rate()/yoy() 写出，不要改写其结果")
        self._texts.append(text)
        return f"\ue000{self.key}.{len(self._texts)}\ue001"

    def _runs(self, text: str) -> list:
        """``text`` as runs: its marks as figures and texts, the rest text; adjacent texts joined."""
        out: list = []
        pos = 0
        for m in self._mark.finditer(text):
            _add(out, draft_text(text[pos:m.start()]))
            n = int(m.group(2))
            if m.group(1) == ":":
                out.append(self.cited[n])  # checked by :meth:`text`: the template's own lines hold no mark
            else:
                for r in self._text(n):
                    _add(out, r)
            pos = m.end()
        _add(out, draft_text(text[pos:]))
        return out

    def _text(self, k: int) -> list:
        if k not in self._expanded:  # a text holds marks printed before it only: no cycle
            self._expanded[k] = self._runs(self._texts[k - 1])
        return self._expanded[k]

    def _lines(self, lines: list[str]) -> list:
        """The runs of lines joined without spaces: each line stripped, with the texts it prints."""
        out: list = []
        for line in lines:
            runs = self._runs(line)
            if runs and isinstance(runs[0], str):
                runs[0] = runs[0].lstrip()
            if runs and isinstance(runs[-1], str):
                runs[-1] = runs[-1].rstrip()
            for r in runs:
                _add(out, r)
        return out

    def blocks(self, rendered: str) -> list[Block]:
        """The rendered text as blocks (the markup of the module docstring); marks become figures and texts."""
        blocks = []
        for chunk in re.split(r"\n\s*\n", rendered):
            lines = [line.strip() for line in chunk.strip().splitlines() if line.strip()]
            if not lines:
                continue
            first = lines[0]
            if first.startswith("### "):
                blocks.append(Block("p", self._lines(lines[1:]), self._lines([first[4:]])))
            elif first.startswith(("#= ", "#> ")):
                blocks.append(Block("issuers" if first[1] == "=" else "signature", self._lines([first[3:], *lines[1:]])))
            elif first.startswith("## "):
                blocks.append(Block("h1", self._lines([first[3:], *lines[1:]])))
            elif first.startswith("# "):
                blocks.append(Block("title", self._lines([first[2:], *lines[1:]])))
            else:
                blocks.append(Block("p", self._lines(lines)))
        return blocks


def _add(runs: list, run) -> None:
    """Append a run: a text joins the text before it, an empty text is dropped."""
    if isinstance(run, str):
        if not run:
            return
        if runs and isinstance(runs[-1], str):
            runs[-1] += run
            return
    runs.append(run)
