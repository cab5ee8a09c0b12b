"""Figures stated in department work texts (工作情况中的数字), against the same unit's own figures.

A work text (``narrative.csv``, :mod:`fzanalysis.ingest.narrative`) may state figures its unit also sent in its
workbook: ``全年办理行政处罚案件580件`` where the workbook says 579. Each figure of a kept paragraph is found and
matched to an indicator by the words around it — the engine of ``check-report`` (:mod:`.text_figures`,
:mod:`.text_match`; never by its value), every figure taken as the paragraph's unit's (``--org``) — and compared
with that unit's own value (area "") by the one agreement rule (:func:`fzanalysis.core.compute.agrees`); a derived
rate (法律援助办结率) with the rate computed from the unit's counts.

:class:`TextFigures` is used twice: by the diagnostics (:func:`narrative_findings`: a disagreement is a finding of
the data-quality kind, internal, citing the text's paragraph and the cells) and by the draft (a work-text sentence
restating a figure the table holds is left out of the draft — the figure sentence states it with its cells — and a
sentence whose figure disagrees is left out too).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from ..core import compute
from ..core.catalog import Catalog, load_catalog
from ..core.compute import Figure, agrees
from ..core.errors import ValueParseError
from ..core.numbers import format_value
from ..core.settings import Prose, load_prose
from ..core.cite import cite_text
from .text_figures import find_figures, normalise, sentence_bounds
from .text_match import Context, Matcher, ties

__all__ = ["KINDS", "TextFigure", "TextFigures", "kept_texts", "narrative_cite", "sentences"]

KINDS = {"count", "amount", "rate", "derived"}  # a change (同比增长) is not compared: its base is another year's


def narrative_cite(source_file: object, where: object) -> str:
    """How a work text is cited (DESIGN §2b): ``source_file!段落N`` or ``source_file!sheet!cell``, written by the one
    citation format (:func:`fzanalysis.core.cite.cite_text`; ``where`` is ``段落N`` or ``sheet!cell``, a cell never
    holding ``!``)."""
    where = str(where)
    if where.startswith("段落"):
        return cite_text(source_file, where)
    sheet, _, cell = where.rpartition("!")
    return cite_text(source_file, sheet, cell)


def kept_texts(narrative: pd.DataFrame | None) -> pd.DataFrame:
    """The kept, placed rows of ``narrative.csv`` (what the draft and the checks read); empty when there are none."""
    if narrative is None or narrative.empty:
        return pd.DataFrame(columns=list(narrative.columns) if narrative is not None else [])
    df = narrative.fillna("").astype({c: str for c in narrative.columns if c != "year"})
    return df[(df["outcome"] == "kept") & (df["section"] != "")].reset_index(drop=True)


@dataclass(frozen=True)
class TextFigure:
    """One figure of a work text: where it stands, the indicator its words name and how it compares."""

    start: int
    end: int
    text: str  # as written: 580件
    sentence: tuple[int, int]  # the sentence holding it (positions in the paragraph)
    codes: tuple[str, ...]  # the indicators its words name: one, or several that tie (待核), or none
    table: str = ""  # the unit's own value in the report's manner, '' when it has none
    cells: tuple[str, ...] = ()  # where that value was read
    agrees: bool | None = None  # None: nothing to compare with (no indicator, several, or no value of the unit)
    held: bool = False  # the table holds a value of (one of) its indicators, whichever unit's
    change: bool = False  # a year-on-year change (同比增长20%): not compared, its base is another year's

    @property
    def restates(self) -> bool:
        """A figure the draft must not take from a text: a change, a figure whose words name several indicators,
        or one of an indicator the table holds (the draft states it with its cells, or it disagrees)."""
        return self.change or len(self.codes) > 1 or (len(self.codes) == 1 and self.held)


class TextFigures:
    """Finds the figures of a unit's work text and compares each with the unit's own value."""

    def __init__(self, tidy: pd.DataFrame, catalog: Catalog | None = None, prose: Prose | None = None):
        self.cat = catalog or load_catalog()
        self.prose = prose or load_prose()
        self.matcher = Matcher(self.cat, self.prose)
        df = compute.prepare(tidy, self.cat)
        df = df[df["value"].notna() & (df["area"] == "")]
        self.rows: dict[tuple[str, str], list[dict]] = {}
        for r in df.to_dict("records"):
            self.rows.setdefault((r["org"], r["code"]), []).append(r)
        self.rates: dict[tuple[str, str], tuple[float, tuple[str, ...]]] = {}
        for r in compute.derived_rates(tidy, self.cat).to_dict("records"):
            if pd.notna(r["rate"]):
                self.rates[(r["org"], r["code"])] = (float(r["rate"]), tuple(c for _, _, cs in r["inputs"] for c in cs))
        self.held = {code for _, code in [*self.rows, *self.rates]}

    def figures(self, text: str, org: str, section: str = "") -> list[TextFigure]:
        """Every figure of ``text`` (not a change), matched as the unit ``org``'s and compared with its value."""
        text = normalise(str(text))
        mentions = find_figures(text, self.prose)
        ctx = Context(section=section, fixed_org=org)
        out = []
        for i, m in enumerate(mentions):
            bounds = sentence_bounds(text, m.start)
            if m.change:
                out.append(TextFigure(m.start, m.end, m.text, bounds, (), change=True))
                continue
            for item in (range(len(m.items)) if m.items else [None]):
                pieces = self.matcher.windows(text, mentions, i, item)
                found = ties(self.matcher.rank(pieces, {m.unit}, KINDS, ctx, ""))
                codes = tuple(c.code for c in found)
                if len(found) != 1:
                    out.append(TextFigure(m.start, m.end, m.text, bounds, codes, held=bool(self.held & set(codes))))
                    continue
                out.append(self._compare(m, found[0], org, bounds))
        return out

    def without_restated(self, text: str, org: str, section: str = "") -> tuple[str, list[str]]:
        """(``text`` without its sentences that restate a figure of the table, those sentences): what the draft
        may take from a work text beside its figure sentences — no figure twice, no figure that disagrees
        (:attr:`TextFigure.restates`)."""
        text = str(text)
        drop = {f.sentence for f in self.figures(text, org, section) if f.restates}
        kept, dropped = [], []
        for start, end, sentence in sentences(text):
            (dropped if any(a <= start < b or start <= a < end for a, b in drop) else kept).append(sentence)
        return "".join(kept), dropped

    def _compare(self, m, cand, org: str, bounds: tuple[int, int]) -> TextFigure:
        try:
            stated = Figure.from_text(m.number_text)
        except ValueParseError:
            return TextFigure(m.start, m.end, m.text, bounds, (cand.code,), held=cand.code in self.held)
        stated = Figure(m.value, stated.unit, stated.qualifier, stated.step)
        if cand.kind == "derived":
            hit = self.rates.get((org, cand.code))
            if hit is None:
                return TextFigure(m.start, m.end, m.text, bounds, (cand.code,), held=cand.code in self.held)
            rate, cells = hit
            ok = agrees(stated, Figure(rate, "%"))
            shown = format_value(round(rate, compute.rate_decimals(self.cat)), "%")
            return TextFigure(m.start, m.end, m.text, bounds, (cand.code,), shown, cells, ok, True)
        rows = self.rows.get((org, cand.code), [])
        if not rows:
            return TextFigure(m.start, m.end, m.text, bounds, (cand.code,), held=cand.code in self.held)
        ok = any(agrees(stated, Figure.from_row(r["value"], r["raw_text"], r["qualifier"], r["unit"])) for r in rows)
        shown = "、".join(dict.fromkeys(format_value(r["value"], r["unit"], r["qualifier"]) for r in rows))
        return TextFigure(m.start, m.end, m.text, bounds, (cand.code,), shown, tuple(r["cite"] for r in rows), ok, True)


_SENTENCE = re.compile(r"[^。！？!?]*(?:[。！？!?]+[”’」』）)]*|$)")


def sentences(text: str) -> list[tuple[int, int, str]]:
    """The sentences of a text with their spans, each with its end mark (and a closing quote after it)."""
    return [(m.start(), m.end(), m.group(0)) for m in _SENTENCE.finditer(text) if m.group(0)]
