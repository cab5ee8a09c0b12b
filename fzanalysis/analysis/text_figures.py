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

Linear in the paragraph: the ends of sentences and clauses are indexed once per text (:func:`_ends`) and
looked up by bisection, bracket depth is counted once, the stop-list spans are merged once, and a
number in Chinese numerals is at most :data:`MAX_CN_NUMERAL` characters (a longer run is not re-read to
its end from every character). The stop-list patterns of ``figure_stoplist.csv`` are data: a pattern
whose repeated class admits its own opening character (``“[^”]*”``) would start over at every opening
character; the shipped ones exclude it (``“[^“”]*”``).
"""
from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from ..core.errors import ValueParseError
from ..core.numbers import parse_value
from ..core.settings import Prose, load_prose

__all__ = ["CLAUSE_ENDS", "Mention", "clause_bounds", "find_figures", "normalise", "segment_bounds", "sentence_bounds"]

SENTENCE_ENDS = "。！？!?\n"
SEGMENT_ENDS = SENTENCE_ENDS + "；;"
CLAUSE_ENDS = SEGMENT_ENDS + "，,：:"
_OPEN, _CLOSE = "（(", "）)"
_WIDTH = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "％": "%", "．": ".", "，": "，"})
_CN = "零〇一二两三四五六七八九十百千万亿"
MAX_CN_NUMERAL = 24  # 十二亿三千四百五十六万七千八百九十 has 17 characters


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
    """Full-width digits and ％ to ASCII, one character for one (positions are kept). A text with nothing
    to change is returned as it is: the same object, whose index of ends (:func:`_ends`) is kept."""
    out = text.translate(_WIDTH)
    return text if out == text else out


@lru_cache(maxsize=2)
def _ends(text: str) -> dict[str, array]:
    """Positions of every sentence, segment and clause end of ``text``, once per text (the paragraph being
    checked: the same object is asked about figure after figure; only the last two are kept)."""
    return {ends: array("q", (m.start() for m in re.finditer(f"[{re.escape(ends)}]", text)))
            for ends in (SENTENCE_ENDS, SEGMENT_ENDS, CLAUSE_ENDS)}


def _bounds(text: str, pos: int, ends: str) -> tuple[int, int]:
    """(start, end) of the stretch around ``pos`` between two of ``ends`` (the ends themselves outside)."""
    stops = _ends(text)[ends]
    i = bisect_left(stops, pos)
    return (stops[i - 1] + 1 if i else 0), (stops[i] if i < len(stops) else len(text))


def sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    return _bounds(text, pos, SENTENCE_ENDS)


def clause_bounds(text: str, pos: int) -> tuple[int, int]:
    return _bounds(text, pos, CLAUSE_ENDS)


def segment_bounds(text: str, pos: int) -> tuple[int, int]:
    return _bounds(text, pos, SEGMENT_ENDS)


def _figure_re(prose: Prose) -> tuple[re.Pattern, re.Pattern]:
    """The figure pattern, and the pattern of where one can start (a digit, a numeral, a qualifier)."""
    return _figure_patterns(tuple(prose.prefix_qualifiers()), tuple(prose.suffix_qualifiers()), prose.units)


@lru_cache(maxsize=8)
def _figure_patterns(prefixes: tuple[str, ...], suffixes: tuple[str, ...],
                     units: tuple[str, ...]) -> tuple[re.Pattern, re.Pattern]:
    alt = lambda items: "|".join(re.escape(i) for i in items)  # noqa: E731
    figure = re.compile(
        rf"(?P<pre>{alt(prefixes)})?"
        rf"(?:(?P<num>(?<![\d.,A-Za-z])\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|(?<![\d.,A-Za-z])\d+(?:\.\d+)?)"
        rf"|(?P<cn>[{_CN}]{{1,{MAX_CN_NUMERAL}}}))"
        rf"(?P<q1>{alt(suffixes)})?(?P<mult>[万亿])?(?P<q2>{alt(suffixes)})?"
        rf"(?P<unit>%|‰|{alt(units)})"
    )
    return figure, re.compile(rf"[\d{_CN}]" + (f"|{alt(prefixes)}" if prefixes else ""))


class _Stops:
    """The stop-list spans of a text, merged: is a position inside one (by bisection)."""

    def __init__(self, text: str, prose: Prose):
        spans = sorted(m.span() for pattern, _ in prose.stoplist for m in pattern.finditer(text) if m.end() > m.start())
        self.starts: list[int] = []
        self.ends: list[int] = []
        for a, b in spans:
            if self.ends and a <= self.ends[-1]:
                self.ends[-1] = max(self.ends[-1], b)
            else:
                self.starts.append(a)
                self.ends.append(b)

    def __contains__(self, pos: int) -> bool:
        i = bisect_right(self.starts, pos) - 1
        return i >= 0 and pos < self.ends[i]


class _Brackets:
    """Whether a position stands inside （…） of its sentence: the depth counted once over the text, from
    each sentence's start (a closing bracket without an opening one is ignored)."""

    _EVENTS = re.compile(f"[{re.escape(_OPEN + _CLOSE + SENTENCE_ENDS)}]")

    def __init__(self, text: str):
        self.positions, self.depths = array("q"), array("q")
        depth = 0
        for m in self._EVENTS.finditer(text):
            ch = m.group()
            if ch in SENTENCE_ENDS:
                depth = 0
            elif ch in _OPEN:
                depth += 1
            elif depth > 0:
                depth -= 1
            self.positions.append(m.start())
            self.depths.append(depth)

    def __call__(self, pos: int) -> bool:
        i = bisect_left(self.positions, pos)
        return i > 0 and self.depths[i - 1] > 0


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
    (pattern, can_start), stops, brackets = _figure_re(prose), _Stops(text, prose), None
    found: list[Mention] = []
    pos = 0
    while (next_start := can_start.search(text, pos)) is not None:
        pos = next_start.start()
        m = pattern.match(text, pos)
        parsed = _parse(m, prose) if m else None
        if m is None or parsed is None or (m.start("num") if m.group("num") else m.start("cn")) in stops:
            pos += 1
            continue
        value, unit, qualifier = parsed
        num_start = m.start("num") if m.group("num") else m.start("cn")
        start, end = m.start(), m.end()
        c_start, _ = clause_bounds(text, start)
        prev_end = max(c_start, found[-1].end if found else 0)  # figures end in order, each before this one
        change = _change_word(text, start, prev_end, prose)
        if change:
            start, value = change[0], value * change[1]
        pre = m.group("pre")
        canonical = (prose.qualifiers[pre] if pre else "") + text[m.end("pre") if pre else m.start():end]
        brackets = brackets or _Brackets(text)
        found.append(Mention(
            start=start, end=end, text=text[start:end], number_text=canonical, value=value, unit=unit,
            qualifier=qualifier, change=bool(change), in_brackets=brackets(num_start),
            items=() if change else _shared_items(text, prev_end, start, unit, prose), num_start=num_start))
        pos = end
    return sorted(found + _flat_mentions(text, found, prose, brackets), key=lambda f: f.start)


FLAT_TEXT = "0.0%"  # what 持平 claims: the change rounds to 0 at one decimal (% or 个百分点)


def _flat_mentions(text: str, found: list[Mention], prose: Prose, brackets: _Brackets | None) -> list[Mention]:
    """``与上年持平`` and its kin (``prose.csv``, kind change_flat): a change of 0 with no number."""
    words = [word for word in prose.flat_words if word in text]  # longest first: 与上年持平 before 同比持平
    if not words:
        return []
    out: list[Mention] = []
    taken = bytearray(len(text))  # 1 where a figure (or a longer flat word) stands
    for f in found:
        taken[f.start:f.end] = b"\1" * (f.end - f.start)
    brackets = brackets or _Brackets(text)
    for word in words:
        for m in re.finditer(re.escape(word), text):
            if any(taken[m.start():m.end()]):
                continue
            taken[m.start():m.end()] = b"\1" * len(word)
            out.append(Mention(start=m.start(), end=m.end(), text=word, number_text=FLAT_TEXT, value=0.0, unit="%",
                               qualifier="", change=True, in_brackets=brackets(m.start()),
                               num_start=m.start(), flat=True))
    return out
