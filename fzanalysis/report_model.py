"""The draft report as data (报告结构): blocks of text whose figures carry their sources.

The wording templates render to a light markup; :func:`parse_blocks` turns it into :class:`Block`\\ s:

- ``# 标题`` the title, ``## 一、……`` a level-one heading;
- ``### （一）……。`` a level-two heading: the lines after it in the same block are its paragraph's body
  (the report's manner: the heading leads its paragraph);
- any other block is a body paragraph; blank lines separate blocks and the lines of one block are
  joined without spaces (Chinese text).

A figure is a :class:`Cited` placed in the text as a marker (``\\ue000n\\ue001``); every renderer
(.md, .html, .docx) writes it with its provenance.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Block", "Cited", "Draft", "marker", "parse_blocks"]

_MARK = re.compile("\ue000(\\d+)\ue001")


@dataclass(frozen=True)
class Cited:
    """One figure of the draft, or a placeholder for a figure the data lacks."""

    n: int  # its number: footnote, comment and 数据来源 row
    text: str  # as printed: 579件, 同比增长41.3%, 【缺数：……】
    code: str
    name: str
    org: str
    area: str = ""
    cells: tuple[str, ...] = ()  # source_file!sheet!cell of every value it rests on
    source: str = ""  # the provenance as a reader sees it (分子：…；分母：…)
    missing: bool = False  # a placeholder: no value, no source


Run = "str | Cited"


@dataclass
class Block:
    kind: str  # title / h1 / p
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
        return [c for c in self.cited if not c.missing]

    @property
    def placeholders(self) -> list[Cited]:
        return [c for c in self.cited if c.missing]


def marker(n: int) -> str:
    return f"\ue000{n}\ue001"


def _runs(text: str, cited: dict[int, Cited]) -> list:
    out: list = []
    pos = 0
    for m in _MARK.finditer(text):
        if m.start() > pos:
            out.append(text[pos:m.start()])
        out.append(cited[int(m.group(1))])
        pos = m.end()
    if pos < len(text):
        out.append(text[pos:])
    return out


def parse_blocks(text: str, cited: dict[int, Cited]) -> list[Block]:
    blocks = []
    for chunk in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in chunk.strip().splitlines() if line.strip()]
        if not lines:
            continue
        first = lines[0]
        if first.startswith("### "):
            lead, body = first[4:].strip(), "".join(lines[1:])
            blocks.append(Block("p", _runs(body, cited), _runs(lead, cited)))
        elif first.startswith("## "):
            blocks.append(Block("h1", _runs(first[3:].strip() + "".join(lines[1:]), cited)))
        elif first.startswith("# "):
            blocks.append(Block("title", _runs(first[2:].strip() + "".join(lines[1:]), cited)))
        else:
            blocks.append(Block("p", _runs("".join(lines), cited)))
    return blocks
