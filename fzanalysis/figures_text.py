"""Finding figures in prose (文中数字识别): ``579件``, ``566.2万元``, ``2.5万余件``, ``超300万条``, ``100%``,
``同比增长41.3%``, ``降低28%`` (−28), ``三种``, ``五个方面``.

A figure is a number (Arabic, or Chinese numerals) with a unit written after it, an optional
qualifier (超/近/约 before, 余/多 after), and, for a change, the direction word before it. Numbers
inside the spans of ``figure_stoplist.csv`` are not figures: quotations and book titles, years and
dates, ordinals, document numbers, plenary numbering, names and slogans, targets.

One figure text may state several figures: in ``评价率、满意率均达100%`` the listed items share the
number; :attr:`Mention.items` gives the span of each item, and the matcher finds one indicator per
item.

Positions refer to the paragraph's own text: the only normalisation (full-width digits, ``％``,
``．``) maps one character to one character.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import ValueParseError
from .numbers import parse_value
from .report_settings import Prose, load_prose

__all__ = ["Mention", "clause_bounds", "find_figures", "normalise", "sentence_bounds"]

SENTENCE_ENDS = "。！？!?\n"
SEGMENT_ENDS = SENTENCE_ENDS + "；;"
CLAUSE_ENDS = SEGMENT_ENDS + "，,：:"
_OPEN, _CLOSE = "（(", "）)"
_WIDTH = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "％": "%", "．": ".", "，": "，"})
_CN = "零〇一二两三四五六七八九十百千万亿"


@dataclass(frozen=True)
class Mention:
    """One figure found in a paragraph."""

    start: int  # span of the whole figure text (with a change's direction word)
    end: int
    text: str  # as written: 2.5万余件, 同比增长41.3%
    number_text: str  # the number with its unit and qualifier: 41.3%
    value: float  # base units, signed for a change
    unit: str
    qualifier: str
    change: bool = False  # a year-on-year change
    in_brackets: bool = False
    items: tuple[tuple[int, int], ...] = field(default=())  # shared figure: one span per listed item
    num_start: int = 0  # where the number itself starts
    flat: bool = False  # 与上年持平: a change of 0, no number written


def normalise(text: str) -> str:
    """Full-width digits and ％ to ASCII, one character for one (positions are kept)."""
    return text.translate(_WIDTH)


def _bounds(text: str, pos: int, ends: str) -> tuple[int, int]:
    start = max((text.rfind(ch, 0, pos) for ch in ends), default=-1) + 1
    stops = [i for i in (text.find(ch, pos) for ch in ends) if i >= 0]
    return start, min(stops, default=len(text))


def sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    return _bounds(text, pos, SENTENCE_ENDS)


def clause_bounds(text: str, pos: int) -> tuple[int, int]:
    return _bounds(text, pos, CLAUSE_ENDS)


def segment_bounds(text: str, pos: int) -> tuple[int, int]:
    return _bounds(text, pos, SEGMENT_ENDS)


def _figure_re(prose: Prose) -> re.Pattern:
    alt = lambda items: "|".join(re.escape(i) for i in items)  # noqa: E731
    return re.compile(
        rf"(?P<pre>{alt(prose.prefix_qualifiers())})?"
        rf"(?:(?P<num>(?<![\d.,A-Za-z])\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|(?<![\d.,A-Za-z])\d+(?:\.\d+)?)"
        rf"|(?P<cn>[{_CN}]+))"
        rf"(?P<q1>{alt(prose.suffix_qualifiers())})?(?P<mult>[万亿])?(?P<q2>{alt(prose.suffix_qualifiers())})?"
        rf"(?P<unit>%|‰|{alt(prose.units)})"
    )


def _stopped(text: str, prose: Prose) -> list[tuple[int, int]]:
    return [m.span() for pattern, _ in prose.stoplist for m in pattern.finditer(text) if m.end() > m.start()]


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


def _in_brackets(text: str, pos: int) -> bool:
    start, _ = sentence_bounds(text, pos)
    depth = 0
    for ch in text[start:pos]:
        depth += ch in _OPEN
        depth -= ch in _CLOSE and depth > 0
    return depth > 0


def _parse(m: re.Match, prose: Prose) -> tuple[float, str, str] | None:
    pre, q1, q2 = m.group("pre"), m.group("q1"), m.group("q2")
    qualifier = prose.qualifiers.get(pre or q1 or q2 or "", "")
    if sum(1 for q in (pre, q1, q2) if q) > 1:
        return None
    unit = m.group("unit")
    core = f"{m.group('num') or m.group('cn')}{m.group('mult') or ''}{unit}"
    try:
        pv = parse_value(core)
    except ValueParseError:
        return None
    if pv.value is None:
        return None
    return pv.value, pv.unit or unit, qualifier


def _change_word(text: str, start: int, clause_start: int, prose: Prose) -> tuple[int, int] | None:
    """(position, sign) of a direction word (增长, 降低 …) right before ``start``, else None."""
    before = text[clause_start:start].rstrip("了 ")
    for word, sign in sorted(prose.change_words.items(), key=lambda kv: -len(kv[0])):
        if before.endswith(word):
            pos = clause_start + len(before) - len(word)
            marker = next((mk for mk in prose.change_markers if text[clause_start:pos].endswith(mk)), "")
            return pos - len(marker), sign
    return None


def _shared_items(text: str, lo: int, start: int, unit: str, prose: Prose) -> tuple[tuple[int, int], ...]:
    """Spans of the listed items sharing one number (``评价率、满意率均达100%``), or ()."""
    region = text[lo:start]
    if "、" not in region or any(word in region for word in prose.respective_markers):
        return ()
    tail = region.rstrip()
    for verb in prose.shared_verbs:
        if tail.endswith(verb):
            tail = tail[: -len(verb)]
            break
    marked = any(tail.endswith(mk) for mk in prose.shared_markers)
    if not marked and unit != "%":
        return ()
    items, pos = [], lo
    for part in region.split("、"):
        if part.strip():
            items.append((pos, pos + len(part)))
        pos += len(part) + 1
    return tuple(items) if len(items) >= 2 else ()


def find_figures(text: str, prose: Prose | None = None) -> list[Mention]:
    """Every figure of one paragraph, in reading order."""
    prose = prose or load_prose()
    text = normalise(text)
    pattern, stops = _figure_re(prose), _stopped(text, prose)
    found: list[Mention] = []
    pos = 0
    while pos < len(text):
        m = pattern.match(text, pos) if (text[pos].isdigit() or text[pos] in _CN
                                         or any(text.startswith(q, pos) for q in prose.prefix_qualifiers())) else None
        parsed = _parse(m, prose) if m else None
        if m is None or parsed is None or _inside(m.start("num") if m.group("num") else m.start("cn"), stops):
            pos += 1
            continue
        value, unit, qualifier = parsed
        num_start = m.start("num") if m.group("num") else m.start("cn")
        start, end = m.start(), m.end()
        c_start, _ = clause_bounds(text, start)
        prev_end = max([c_start] + [f.end for f in found if f.end <= start])
        change = _change_word(text, start, prev_end, prose)
        if change:
            start, value = change[0], value * change[1]
        pre = m.group("pre")
        canonical = (prose.qualifiers[pre] if pre else "") + text[m.end("pre") if pre else m.start():end]
        found.append(Mention(
            start=start, end=end, text=text[start:end], number_text=canonical, value=value, unit=unit,
            qualifier=qualifier, change=bool(change), in_brackets=_in_brackets(text, num_start),
            items=() if change else _shared_items(text, prev_end, start, unit, prose), num_start=num_start))
        pos = end
    return sorted(found + _flat_mentions(text, found, prose), key=lambda f: f.start)


FLAT_TEXT = "0.0%"  # what 持平 claims: the change rounds to 0 at one decimal (% or 个百分点)


def _flat_mentions(text: str, found: list[Mention], prose: Prose) -> list[Mention]:
    """``与上年持平`` and its kin (``prose.csv``, kind change_flat): a change of 0 with no number."""
    out: list[Mention] = []
    taken = [(f.start, f.end) for f in found]
    for word in prose.flat_words:  # longest first: 与上年持平 before 同比持平
        for m in re.finditer(re.escape(word), text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            out.append(Mention(start=m.start(), end=m.end(), text=word, number_text=FLAT_TEXT, value=0.0, unit="%",
                               qualifier="", change=True, in_brackets=_in_brackets(text, m.start()),
                               num_start=m.start(), flat=True))
    return out
