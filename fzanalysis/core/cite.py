"""One citation (出处): where a value was read — file, sheet, cell — with one format and one parser.

- A cell: ``source_file!sheet!cell`` (:func:`cite_text`, :func:`parse_cite`; :class:`Cite` holds the three
  parts). Trailing empty parts are left off (an event about a whole file cites ``file``, one about a sheet
  ``file!sheet``). Excel allows ``!``, ``;`` and ``'`` in sheet names, and a file name may hold them too: a part
  holding one of the format's own characters (:data:`SPECIAL`), or an empty part before a filled one, is quoted
  the way Excel quotes a sheet name — ``'she!et'``, a quote inside doubled (``'it''s'``) — so every citation
  reads back as it was written.
- A list of cited cells: joined by :data:`SEP` (``;``) in every output — findings.csv (DESIGN §5), the scorecard's
  details, report_check.csv, the report's sources, the display tables (:func:`join_cites`, :func:`split_cites`).
- A figure computed from several cells (a derived rate, a change from last year): labelled groups,
  ``分子：a;b；分母：c`` and ``本年：a；上年：b`` (:func:`sources_text`, :func:`parse_sources`): a group per label,
  :data:`GROUP_SEP` (``；``) between groups, :data:`LABEL_SEP` (``：``) after a label.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

__all__ = ["BASELINE", "CURRENT", "DENOMINATOR", "GROUP_SEP", "LABEL_SEP", "NUMERATOR", "QUOTE", "REPORTED", "SEP",
           "SPECIAL", "Cite", "cite_text", "join_cites", "parse_cite", "parse_sources", "sources_text", "split_cites"]

SEP = ";"  # between the cited cells of a list, in every output
GROUP_SEP, LABEL_SEP = "；", "："  # 分子：a;b；分母：c
QUOTE = "'"
SPECIAL = frozenset("!" + SEP + QUOTE + GROUP_SEP + LABEL_SEP)  # a part holding one of these is quoted
NUMERATOR, DENOMINATOR, CURRENT, BASELINE, REPORTED = "分子", "分母", "本年", "上年", "报告值"  # group labels


@dataclass(frozen=True)
class Cite:
    """Where one value was read: its file (relative to the raw folder), sheet and cell (A1)."""

    file: str
    sheet: str = ""
    cell: str = ""

    def __str__(self) -> str:
        return cite_text(self.file, self.sheet, self.cell)

    @classmethod
    def parse(cls, text: str) -> "Cite":
        return parse_cite(text)


def _part(text: str, quote: bool) -> str:
    if quote or SPECIAL.intersection(text):
        return QUOTE + text.replace(QUOTE, QUOTE * 2) + QUOTE
    return text


def cite_text(file: object, sheet: object = "", cell: object = "") -> str:
    """``file!sheet!cell`` — the one way a citation is written (see the module docstring)."""
    parts = [str(file), str(sheet), str(cell)]
    while parts and not parts[-1]:
        parts.pop()
    return "!".join(_part(p, not p) for p in parts)


def _scan(text: str, seps: str) -> list[str]:
    """``text`` cut at each of ``seps`` standing outside a quoted part (a doubled quote inside one toggles twice)."""
    out, start, quoted = [], 0, False
    for i, ch in enumerate(text):
        if ch == QUOTE:
            quoted = not quoted
        elif ch in seps and not quoted:
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return out


def _unquote(part: str, text: str) -> str:
    if not part.startswith(QUOTE):
        return part
    inner = part[1:-1]
    if len(part) < 2 or not part.endswith(QUOTE) or inner.replace(QUOTE * 2, "").count(QUOTE):
        raise ValueError(f"出处的引号不成对：{text!r}")
    return inner.replace(QUOTE * 2, QUOTE)


def parse_cite(text: str) -> Cite:
    """The :class:`Cite` that :func:`cite_text` wrote as ``text``; a ValueError when ``text`` is no citation."""
    if not text:
        return Cite("")
    parts = _scan(text, "!")
    if len(parts) > 3:
        raise ValueError(f"出处多于三段（文件!工作表!单元格）：{text!r}")
    return Cite(*(_unquote(p, text) for p in parts))


def join_cites(cites: Iterable[object]) -> str:
    """Cited cells (:class:`Cite` or their text) as one list: each once, in order, :data:`SEP` between."""
    return SEP.join(dict.fromkeys(str(c) for c in cites if str(c)))


def split_cites(text: object) -> list[str]:
    """The cited cells of a list :func:`join_cites` wrote (as text), in order."""
    return [c for c in _scan("" if text is None else str(text), SEP) if c]


def sources_text(groups: Iterable[tuple[str, Iterable[object]]]) -> str:
    """Labelled lists of cited cells as one text: ``分子：a;b；分母：c`` (a group without cells is left off)."""
    out = []
    for label, cites in groups:
        listed = join_cites(cites)
        if listed:
            out.append(f"{label}{LABEL_SEP}{listed}" if label else listed)
    return GROUP_SEP.join(out)


def parse_sources(text: object) -> list[tuple[str, list[str]]]:
    """(label, cited cells) of each group :func:`sources_text` wrote; a plain list is one group labelled ``""``."""
    out = []
    for group in _scan("" if text is None else str(text), GROUP_SEP):
        if not group:
            continue
        head = _scan(group, LABEL_SEP)
        label, rest = (head[0], LABEL_SEP.join(head[1:])) if len(head) > 1 else ("", group)
        out.append((label, split_cites(rest)))
    return out
