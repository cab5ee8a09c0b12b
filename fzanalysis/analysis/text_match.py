"""Matching a figure of prose to an indicator by the words around it (按上下文匹配指标) — never by its value.

Every indicator of the catalog (and every derived rate) is known by phrases: its name and aliases,
normalised as the catalog normalises labels, without the endings prose drops (``prose.csv``
``name_suffix``: 行政处罚案件数 → 行政处罚案件). A phrase *matches* a figure when the whole phrase is
covered by pieces of at least two characters found in the text around the figure, at least one of
them in the figure's own clause; each piece counts by how close it stands:

- 1.0 (``W_OWN``): the figure's own words: from the previous figure or the clause start up to it, or,
  when a noun follows the figure (``18家中小企业``, ``72类电子证照``; not a linking word of ``prose.csv``
  ``link_word`` such as 和 or 并), from it to the next figure; for a
  shared figure (``评价率、满意率均达100%``) the listed item itself;
- 0.8: the rest of its clause before it (for a listed item: the first and last item, never the other
  items); words after a figure belong to the next one and count as the sentence's, unless a noun
  follows the figure;
- 0.7 and 0.65: the one and two clauses before; 0.6 the rest of the sentence up to ``；``; 0.45 the
  sentence; 0.3 the paragraph — each only up to the end of the figure's clause.

A match scores the weighted share of the phrase found. Only indicators whose unit is the figure's
unit compete, and a match must score at least :data:`MIN_SCORE`. A unit named in the sentence (the nearest 区市场监管局 / 市场监管领域 before the figure)
ranks its own indicators first; the report section the paragraph stands in adds
:data:`SECTION_BONUS`; a fully matched phrase that contains another's words (刑事法律援助办结 ⊃ 法律援助办结)
wins over it when it scores within :data:`SPECIFIC_GAP`. Candidates within :data:`TIE` of the best are returned together: the caller marks the
figure 待核.

Linear in the paragraph. Every weight above changes only where a clause, a listed item or a figure
begins or ends, so the text between two breaks (clause ends, ``、``, figures) — a *stretch* — has one
weight around a given figure. The pieces of each stretch that are pieces of some phrase are indexed once
per paragraph (:class:`_Paragraph`: piece → the stretches holding it); the window of a figure is then a
handful of ranges of stretches with their weights (:class:`Pieces`), and a piece's weight is found by
bisection in its stretches — never by walking the paragraph again for each figure.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

from ..core.catalog import Catalog
from ..core.settings import Prose
from ..core.text import normalise_label
from .text_figures import CLAUSE_ENDS, Mention, clause_bounds, segment_bounds, sentence_bounds

__all__ = ["Candidate", "Context", "Matcher", "ties"]

W_OWN, W_CLAUSE, W_CLAUSES_BACK, W_SEGMENT, W_SENTENCE, W_PARAGRAPH = 1.0, 0.8, (0.7, 0.65), 0.6, 0.45, 0.3
SECTION_BONUS = 0.05
TIE = 0.02  # candidates closer than this to the best cannot be told apart
MIN_SCORE = 0.5  # a phrase found mostly far from the figure is no match
SPECIFIC_GAP = 0.1  # a more specific phrase wins only when it scores nearly as well
MAX_PIECE = 24
STRONG_SCAN = 400  # characters of a figure's own clause read to rule candidates out; a longer one: all compete
_BREAKS = set(CLAUSE_ENDS) | {"、", "|"}
_STRETCH = re.compile("[^" + re.escape("".join(sorted(_BREAKS))) + "]+")
_WORD = re.compile(r"\w", re.UNICODE)
_QUOTES = "“”‘’\"'《》「」"


@dataclass(frozen=True)
class Candidate:
    code: str
    name: str
    org: str  # the catalog's usual unit
    section: str
    unit: str
    kind: str  # count / amount / rate / change / derived
    phrase: str = ""
    score: float = 0.0
    org_named: bool = False


@dataclass(frozen=True)
class Context:
    """Where a paragraph stands and what it names."""

    section: str = ""  # s1 … s6 when the paragraph stands under （一）…（六） of part 一
    fixed_org: str = ""  # check-report --org: every figure is this unit's


def _noun_follows(text: str, pos: int, links: tuple[str, ...] = ()) -> bool:
    """A word (not punctuation, not a linking word such as 和) follows the figure, quotation marks aside:
    ``4项“一件事”``."""
    while pos < len(text) and text[pos] in _QUOTES:
        pos += 1
    if pos >= len(text) or not _WORD.match(text[pos]) or text[pos] in CLAUSE_ENDS:
        return False
    return not any(text.startswith(word, pos) for word in links)


@lru_cache(maxsize=4096)
def _steps(phrase: str) -> tuple[tuple[int, int, str], ...]:
    """The pieces of ``phrase`` in the order :meth:`Matcher.cover` weighs them: (end, length, piece)."""
    return tuple((i, k, phrase[i - k:i]) for i in range(2, len(phrase) + 1) for k in range(2, min(i, MAX_PIECE) + 1))


def _is_subsequence(small: str, big: str) -> bool:
    it = iter(big)
    return all(ch in it for ch in small)


class Matcher:
    """Phrases of the catalog, and the windows of text around a figure."""

    def __init__(self, catalog: Catalog, prose: Prose):
        self.catalog, self.prose = catalog, prose
        self.candidates: list[Candidate] = []
        self.phrases: dict[str, list[str]] = {}
        for r in catalog.indicators.itertuples(index=False):
            names = [r.name, *[a for a in r.aliases.split("|") if a.strip()]]
            self._add(Candidate(r.code, r.name, r.org, r.section, r.unit, r.kind), names)
        for d in catalog.derived.itertuples(index=False):
            first = Catalog.formula_codes(d.numerator)[0]
            self._add(Candidate(d.code, d.name, str(catalog.indicator(first)["org"]), d.section, d.unit, "derived"),
                      [d.name])
        self.by_code = {c.code: c for c in self.candidates}
        self._by_unit: dict[str, list[Candidate]] = {}
        for cand in self.candidates:
            self._by_unit.setdefault(cand.unit, []).append(cand)
        orgs = [(o, o) for o in catalog.orgs["org"]]
        orgs += [(a.strip(), o) for o, al in zip(catalog.orgs["org"], catalog.orgs["aliases"])
                 for a in al.split("|") if a.strip()]
        orgs += list(prose.org_words.items())
        self._org_of = dict(orgs)
        self._org_re = re.compile("|".join(re.escape(w) for w in sorted(self._org_of, key=len, reverse=True)))
        self._towns = set(catalog.towns())
        self._paragraph: _Paragraph | None = None  # the index of the paragraph whose figures are being matched
        self._names: _Names | None = None  # the units it names
        self._phrase_keys: frozenset[str] | None = None
        self._codes_by_bigram: dict[str, set[str]] | None = None

    def _add(self, cand: Candidate, names: list[str]) -> None:
        phrases = []
        for name in names:
            key = normalise_label(name)
            for suffix in self.prose.name_suffixes:
                if key.endswith(suffix) and len(key) > len(suffix) + 1:
                    key = key[: -len(suffix)]
                    break
            if len(key) >= 2 and key not in phrases:
                phrases.append(key)
        self.candidates.append(cand)
        self.phrases[cand.code] = phrases

    # -- names of units in the text -------------------------------------------------------------
    def named(self, text: str, start: int, end: int) -> tuple[str, str]:
        """(org, 镇街) named last in ``text[start:end]``: the nearest mentions before the figure (``start``
        after a sentence end, or 0). The names of a paragraph are found once (:class:`_Names`)."""
        if self._names is None or self._names.text is not text:
            self._names = _Names(text, self._org_re, self._org_of, self._towns)
        return self._names.last(start, end, self._towns)

    # -- windows ---------------------------------------------------------------------------------
    def windows(self, text: str, mentions: list[Mention], i: int, item: int | None = None) -> "Pieces":
        """Every piece of text (2 … MAX_PIECE characters) around mention ``i`` with its best weight; only
        pieces of some phrase are kept (no other is ever looked up). The paragraph is indexed once for all
        its figures (``text`` and ``mentions`` the same objects, unchanged, from one figure to the next)."""
        para = self._paragraph
        if para is None or para.text is not text or para.mentions is not mentions or para.count != len(mentions):
            para = self._paragraph = _Paragraph(text, mentions, self._keys)
        return Pieces(para, para.ranges(i, item, self.prose.link_words))

    @property
    def _keys(self) -> frozenset[str]:
        """Every piece of every phrase (2 … MAX_PIECE characters): the only pieces a window needs."""
        if self._phrase_keys is None:
            self._phrase_keys = frozenset(p[a:b] for ps in self.phrases.values() for p in ps for a in range(len(p))
                                          for b in range(a + 2, min(len(p), a + MAX_PIECE) + 1))
        return self._phrase_keys

    @staticmethod
    def cover(phrase: str, pieces: "Pieces | dict[str, float]") -> float:
        """Weighted share of ``phrase`` covered by pieces of ≥ 2 characters; 0 when not all of it, or when
        none of it stands in the figure's own clause."""
        n = len(phrase)
        if not (pieces.get(phrase[:2]) and pieces.get(phrase[-2:])):
            return 0.0  # its first or last two characters are nowhere around: it cannot be covered
        if not any(pieces.get(phrase[k:k + 2], 0.0) >= W_CLAUSE for k in range(n - 1)):
            return 0.0
        best = [-1.0] * (n + 1)
        best[0] = 0.0
        for i, k, piece in _steps(phrase):  # i = 2 … n, and for each the pieces ending at i, shortest first
            if best[i - k] < 0:
                continue
            w = pieces.get(piece)
            if w:
                best[i] = max(best[i], best[i - k] + k * w)
        return best[n] / n if best[n] > 0 else 0.0

    def _live(self, pieces: "Pieces | dict[str, float]") -> set[str] | None:
        """Codes having a phrase with a two-character piece in the figure's own clause (:meth:`cover`'s
        first condition), or None: every code (a clause too long to be worth reading, or a plain dict)."""
        strong = pieces.strong_bigrams(STRONG_SCAN) if isinstance(pieces, Pieces) else None
        if strong is None:
            return None
        if self._codes_by_bigram is None:
            self._codes_by_bigram = {}
            for code, phrases in self.phrases.items():
                for phrase in phrases:
                    for k in range(len(phrase) - 1):
                        self._codes_by_bigram.setdefault(phrase[k:k + 2], set()).add(code)
        live: set[str] = set()
        for bigram in strong:
            live |= self._codes_by_bigram.get(bigram, set())
        return live

    # -- ranking ---------------------------------------------------------------------------------
    def rank(self, pieces: "Pieces", units: set[str] | None, kinds: set[str] | None, ctx: Context,
             named_org: str) -> list[Candidate]:
        """Candidates fully matched, best first; the first few tie when their scores are within TIE."""
        found = []
        live = self._live(pieces)
        for cand in self.candidates if units is None else [c for u in units for c in self._by_unit.get(u, ())]:
            if kinds is not None and cand.kind not in kinds:
                continue
            if live is not None and cand.code not in live:
                continue  # none of its phrases has a word in the figure's own clause: it cannot match
            scored = [(self.cover(p, pieces), p) for p in self.phrases[cand.code]]
            score, phrase = max(scored, default=(0.0, ""))
            if score < MIN_SCORE:
                continue
            if ctx.section and cand.section == ctx.section:
                score += SECTION_BONUS
            org = ctx.fixed_org or named_org
            found.append(Candidate(**{**cand.__dict__, "phrase": phrase, "score": round(score, 6),
                                      "org_named": bool(org) and cand.org == org}))
        found.sort(key=lambda c: (not c.org_named, -c.score, c.code))
        return _specific_first(found)


def _specific_first(found: list[Candidate]) -> list[Candidate]:
    """A fully matched phrase that contains the best one's words is more specific: it goes first."""
    if not found:
        return found
    best = found[0]
    for cand in found[1:]:
        if (cand.org_named == best.org_named and len(cand.phrase) > len(best.phrase)
                and best.score - cand.score < SPECIFIC_GAP and _is_subsequence(best.phrase, cand.phrase)):
            best = cand
    return [best] + [c for c in found if c is not best]


def ties(ranked: list[Candidate]) -> list[Candidate]:
    """The best candidate and those too close to tell apart from it."""
    if not ranked:
        return []
    best = ranked[0]
    close = [c for c in ranked[1:] if c.org_named == best.org_named and best.score - c.score < TIE
             and not (len(c.phrase) < len(best.phrase) and _is_subsequence(c.phrase, best.phrase))]
    return [best, *close]


class _Names:
    """The units named in a paragraph, found in one scan: for a stretch of it, the last unit and the last
    镇街 named (as scanning the stretch alone would say: names are plain words, so a scan of the stretch
    finds the paragraph's own names inside it, except a name cut by the stretch's end, read again)."""

    def __init__(self, text: str, pattern: re.Pattern, org_of: dict[str, str], towns: set[str]):
        self.text, self.pattern, self.org_of = text, pattern, org_of
        self.starts, self.ends, self.units = [], [], []
        self.last_org, self.last_town = [], []  # index of the last unit / 镇街 named up to each name
        for m in pattern.finditer(text):
            unit = org_of[m.group()]
            k = len(self.units)
            before_org, before_town = (self.last_org[-1], self.last_town[-1]) if k else (-1, -1)
            self.starts.append(m.start())
            self.ends.append(m.end())
            self.units.append(unit)
            self.last_org.append(before_org if unit in towns else k)
            self.last_town.append(k if unit in towns else before_town)

    def last(self, start: int, end: int, towns: set[str]) -> tuple[str, str]:
        a = bisect_left(self.starts, start)
        b = bisect_right(self.ends, end)
        org = self.units[self.last_org[b - 1]] if b > a and self.last_org[b - 1] >= a else ""
        area = self.units[self.last_town[b - 1]] if b > a and self.last_town[b - 1] >= a else ""
        if b < len(self.starts) and start <= self.starts[b] < end:  # a name running past ``end``: read the rest
            for m in self.pattern.finditer(self.text, self.starts[b], end):
                unit = self.org_of[m.group()]
                area, org = (unit, org) if unit in towns else (area, unit)
        return org, area


class _Paragraph:
    """One paragraph cut into stretches (text between breaks: clause ends, ``、``, ``|``, figures) and the
    phrase pieces each stretch holds. Built once per paragraph, in one pass: O(length × MAX_PIECE) at worst."""

    def __init__(self, text: str, mentions: list[Mention], keys: frozenset[str]):
        self.text, self.mentions, self.count = text, mentions, len(mentions)
        spans = sorted((f.start, f.end) for f in mentions if f.end > f.start)
        self.starts = sorted(f.start for f in mentions)
        self.ends = sorted(f.end for f in mentions)
        self.stretch_starts: list[int] = []
        self.stretch_ends: list[int] = []
        self.occurs: dict[str, list[int]] = {}  # piece → the stretches holding it, in order
        j = 0
        for m in _STRETCH.finditer(text):
            lo, hi = m.span()
            while lo < hi:  # cut the stretch at every figure inside it
                while j < len(spans) and spans[j][1] <= lo:
                    j += 1
                if j < len(spans) and spans[j][0] <= lo:
                    lo = spans[j][1]
                    continue
                cut = min(hi, spans[j][0]) if j < len(spans) else hi
                self._index(lo, cut, keys)
                lo = cut

    def _index(self, lo: int, hi: int, keys: frozenset[str]) -> None:
        k = len(self.stretch_starts)
        self.stretch_starts.append(lo)
        self.stretch_ends.append(hi)
        n, chars = self.words(k)
        for a in range(n - 1):
            for b in range(a + 2, min(n, a + MAX_PIECE) + 1):
                key = chars[a:b]
                if key not in keys:
                    break  # every longer piece starting here contains this one: no phrase has it either
                held = self.occurs.setdefault(key, [])
                if not held or held[-1] != k:
                    held.append(k)

    def words(self, k: int) -> tuple[int, str]:
        """The word characters of stretch ``k``: how many, and lower-cased (as pieces are keyed)."""
        word = "".join(_WORD.findall(self.text, self.stretch_starts[k], self.stretch_ends[k]))
        return len(word), word.lower()

    def stretch(self, pos: int) -> int:
        """Index of the first stretch starting at or after ``pos`` (weights change only at stretch edges)."""
        return bisect_left(self.stretch_starts, pos)

    def ranges(self, i: int, item: int | None, links: tuple[str, ...]) -> list[tuple[int, int, float]]:
        """The window of mention ``i`` (listed item ``item``): disjoint ranges of stretches with their weight,
        heaviest first."""
        text, m = self.text, self.mentions[i]
        c_start, c_end = clause_bounds(text, m.start)
        k = bisect_right(self.ends, m.start)
        prev_end = max(c_start, self.ends[k - 1]) if k else c_start
        k = bisect_left(self.starts, m.end)
        next_start = min(c_end, self.starts[k]) if k < len(self.starts) else c_end
        paint = _Paint()
        seg_start = segment_bounds(text, m.start)[0]
        paint.mark(0, c_end, W_PARAGRAPH)
        paint.mark(sentence_bounds(text, m.start)[0], c_end, W_SENTENCE)
        paint.mark(seg_start, c_end, W_SEGMENT)
        hi = c_start - 1
        for w in W_CLAUSES_BACK:  # the clauses just before the figure's own
            if hi <= seg_start:
                break
            lo = clause_bounds(text, hi - 1)[0] if hi > 0 else 0
            paint.mark(max(lo, seg_start), hi, w)
            hi = lo - 1
        noun_after = item is None and _noun_follows(text, m.end, links)
        # words after a figure belong to the next one, unless a noun follows the figure (18家中小企业)
        paint.mark(c_start, c_end if item is not None else (next_start if noun_after else m.start), W_CLAUSE)
        if item is not None:
            last = len(m.items) - 1
            for lo_item, hi_item in ((1, item - 1), (max(item + 1, 1), last - 1)):  # another listed item's own words
                if lo_item <= hi_item:
                    paint.set(m.items[lo_item][0], m.items[hi_item][1], 0.0)
            paint.set(*m.items[item], W_OWN)
        elif noun_after:
            paint.mark(m.end, next_start, W_OWN)  # 18家中小企业: the noun after the figure is its own
        else:
            paint.mark(prev_end, m.start, W_OWN)
        return paint.ranges(self.stretch)


class _Paint:
    """Weights painted over ranges of positions in order (``mark``: the heavier stays; ``set``: replaces),
    read back as disjoint ranges of stretches."""

    def __init__(self):
        self.ops: list[tuple[int, int, float, bool]] = []

    def mark(self, lo: int, hi: int, w: float) -> None:
        self.ops.append((max(lo, 0), hi, w, False))

    def set(self, lo: int, hi: int, w: float) -> None:
        self.ops.append((lo, hi, w, True))

    def ranges(self, stretch) -> list[tuple[int, int, float]]:
        edges = sorted({stretch(p) for lo, hi, _, _ in self.ops if lo < hi for p in (lo, hi)})
        out = []
        for a, b in zip(edges, edges[1:]):
            weight = 0.0
            for lo, hi, w, replace in self.ops:
                if lo < hi and stretch(lo) <= a and b <= stretch(hi):
                    weight = w if replace else max(weight, w)
            if weight > 0:
                out.append((a, b, weight))
        return sorted(out, key=lambda r: -r[2])


_UNSEEN = object()


class Pieces:
    """The window of one figure: ``get(piece)`` is the best weight of the stretches around the figure that
    hold ``piece`` (None when none does), as a dict of every piece would say."""

    def __init__(self, para: _Paragraph, ranges: list[tuple[int, int, float]]):
        self._para, self._occurs, self._ranges, self._memo = para, para.occurs, ranges, {}

    def strong_bigrams(self, limit: int) -> set[str] | None:
        """Every two-character piece of the stretches weighing at least W_CLAUSE (the figure's own clause),
        or None when they hold more than ``limit`` characters."""
        strong = [k for lo, hi, w in self._ranges if w >= W_CLAUSE for k in range(lo, hi)]
        para = self._para
        if sum(para.stretch_ends[k] - para.stretch_starts[k] for k in strong[:limit]) > limit or len(strong) > limit:
            return None
        out = set()
        for k in strong:
            n, chars = para.words(k)
            out.update(chars[a:a + 2] for a in range(n - 1))
        return out

    def get(self, key: str, default: float | None = None) -> float | None:
        weight = self._memo.get(key, _UNSEEN)
        if weight is _UNSEEN:
            weight = self._memo[key] = self._weight(key)
        return default if weight is None else weight

    def _weight(self, key: str) -> float | None:
        held = self._occurs.get(key)
        if held:
            for lo, hi, w in self._ranges:
                k = bisect_left(held, lo)
                if k < len(held) and held[k] < hi:
                    return w
        return None
