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
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .catalog import Catalog, normalise_label
from .figures_text import CLAUSE_ENDS, Mention, clause_bounds, segment_bounds, sentence_bounds
from .report_settings import Prose

__all__ = ["Candidate", "Context", "Matcher", "ties"]

W_OWN, W_CLAUSE, W_CLAUSES_BACK, W_SEGMENT, W_SENTENCE, W_PARAGRAPH = 1.0, 0.8, (0.7, 0.65), 0.6, 0.45, 0.3
SECTION_BONUS = 0.05
TIE = 0.02  # candidates closer than this to the best cannot be told apart
MIN_SCORE = 0.5  # a phrase found mostly far from the figure is no match
SPECIFIC_GAP = 0.1  # a more specific phrase wins only when it scores nearly as well
MAX_PIECE = 24
_BREAKS = set(CLAUSE_ENDS) | {"、", "|"}
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
        orgs = [(o, o) for o in catalog.orgs["org"]]
        orgs += [(a.strip(), o) for o, al in zip(catalog.orgs["org"], catalog.orgs["aliases"])
                 for a in al.split("|") if a.strip()]
        orgs += list(prose.org_words.items())
        self._org_of = dict(orgs)
        self._org_re = re.compile("|".join(re.escape(w) for w in sorted(self._org_of, key=len, reverse=True)))
        self._towns = set(catalog.towns())

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
        """(org, 镇街) named last in ``text[start:end]``: the nearest mentions before the figure."""
        org = area = ""
        for m in self._org_re.finditer(text, start, end):
            unit = self._org_of[m.group()]
            if unit in self._towns:
                area = unit
            else:
                org = unit
        return org, area

    # -- windows ---------------------------------------------------------------------------------
    def windows(self, text: str, mentions: list[Mention], i: int, item: int | None = None) -> dict[str, float]:
        """Every piece of text (2 … MAX_PIECE characters) around mention ``i`` with its best weight."""
        m = mentions[i]
        c_start, c_end = clause_bounds(text, m.start)
        prev_end = max([c_start] + [f.end for f in mentions if f.end <= m.start])
        next_start = min([c_end] + [f.start for f in mentions if f.start >= m.end])
        weights = [0.0] * len(text)

        def mark(lo: int, hi: int, w: float) -> None:
            for p in range(max(lo, 0), min(hi, len(text))):
                weights[p] = max(weights[p], w)

        seg_start = segment_bounds(text, m.start)[0]
        mark(0, c_end, W_PARAGRAPH)
        mark(sentence_bounds(text, m.start)[0], c_end, W_SENTENCE)
        mark(seg_start, c_end, W_SEGMENT)
        hi = c_start - 1
        for w in W_CLAUSES_BACK:  # the clauses just before the figure's own
            if hi <= seg_start:
                break
            lo = clause_bounds(text, hi - 1)[0] if hi > 0 else 0
            mark(max(lo, seg_start), hi, w)
            hi = lo - 1
        noun_after = item is None and _noun_follows(text, m.end, self.prose.link_words)
        # words after a figure belong to the next one, unless a noun follows the figure (18家中小企业)
        mark(c_start, c_end if item is not None else (next_start if noun_after else m.start), W_CLAUSE)
        if item is not None:
            for j, (a, b) in enumerate(m.items):
                if j not in (item, 0, len(m.items) - 1):
                    weights[a:b] = [0.0] * (b - a)  # another listed item's own words
            a, b = m.items[item]
            weights[a:b] = [W_OWN] * (b - a)
        elif noun_after:
            mark(m.end, next_start, W_OWN)  # 18家中小企业: the noun after the figure is its own
        else:
            mark(prev_end, m.start, W_OWN)
        for f in mentions:  # figures are not words
            weights[f.start:f.end] = [0.0] * (f.end - f.start)
        pieces: dict[str, float] = {}
        run: list[tuple[str, float]] = []
        for p, ch in enumerate(text + "|"):
            if ch in _BREAKS or p >= len(text) or weights[p] <= 0:
                self._pieces(run, pieces)
                run = []
            elif _WORD.match(ch):
                run.append((ch, weights[p]))
        return pieces

    @staticmethod
    def _pieces(run: list[tuple[str, float]], pieces: dict[str, float]) -> None:
        chars = "".join(c for c, _ in run).lower()
        for a in range(len(run)):
            weakest = run[a][1]
            for b in range(a + 1, min(len(run), a + MAX_PIECE)):
                weakest = min(weakest, run[b][1])
                key = chars[a:b + 1]
                if pieces.get(key, 0.0) < weakest:
                    pieces[key] = weakest

    @staticmethod
    def cover(phrase: str, pieces: dict[str, float]) -> float:
        """Weighted share of ``phrase`` covered by pieces of ≥ 2 characters; 0 when not all of it, or when
        none of it stands in the figure's own clause."""
        n = len(phrase)
        if not any(pieces.get(phrase[k:k + 2], 0.0) >= W_CLAUSE for k in range(n - 1)):
            return 0.0
        best = [-1.0] * (n + 1)
        best[0] = 0.0
        for i in range(2, n + 1):
            for k in range(2, min(i, MAX_PIECE) + 1):
                if best[i - k] < 0:
                    continue
                w = pieces.get(phrase[i - k:i])
                if w:
                    best[i] = max(best[i], best[i - k] + k * w)
        return best[n] / n if best[n] > 0 else 0.0

    # -- ranking ---------------------------------------------------------------------------------
    def rank(self, pieces: dict[str, int], units: set[str] | None, kinds: set[str] | None, ctx: Context,
             named_org: str) -> list[Candidate]:
        """Candidates fully matched, best first; the first few tie when their scores are within TIE."""
        found = []
        for cand in self.candidates:
            if (units is not None and cand.unit not in units) or (kinds is not None and cand.kind not in kinds):
                continue
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
