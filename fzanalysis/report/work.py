"""The points of part 一 (一是……二是……): figure sentences of the templates merged with the units' work texts.

A section template writes its points as call blocks::

    {% call point("s4.town_reform", "深化镇街综合行政执法改革", todo="镇街综合行政执法改革的主要做法") %}
    明确镇街综合行政执法事项{{ fig("town_enforcement_items") }}……
    {% endcall %}
    {{ rest("s4") }}

:meth:`WorkTexts.point` writes ``<n>是<heading>。`` (n counted per section), the block's figure sentences, then the
work texts placed in that topic (``narrative.csv``: kept rows, by the catalog's topic, ordered by the units'
order in ``orgs.csv`` and then as they stand in their source), each a cited text (``source_file!段落N`` or
``!sheet!cell``) — without the sentences that restate a figure of the table (:meth:`TextFigures.without_restated
<fzanalysis.analysis.narrative.TextFigures.without_restated>`: the figure sentence states it with its cells, or it
disagrees and is a finding), a unit's self-reference (我局) written as its name. A point with neither figures nor
texts shows the visible ``【待补充：<todo>】`` for the author (listed in the command's summary), or nothing without a
``todo``. :meth:`WorkTexts.rest` writes the section's texts no point took — a text whose 工作事项 names its own
point, the others after ``此外，`` — so no placed text is left out.

What a call block yields is text of the draft (it goes through the template's ``finalize``, as any ``{{ … }}``):
its figures stay figures, nothing in it becomes a heading or a paragraph.
"""
from __future__ import annotations

from collections import defaultdict

import pandas as pd

from ..analysis.narrative import TextFigures, kept_texts, narrative_cite
from ..core.catalog import Catalog
from ..core.settings import Settings
from ..ingest.narrative import WorkWords, load_work_words
from .model import Marks, TemplateArgumentError

__all__ = ["WorkTexts", "ordinal"]

_ORDINALS = "一二三四五六七八九十"


def ordinal(n: int) -> str:
    """一 … 十, then 十一 … 九十九 (the report's 一是, 二是 …)."""
    if n <= 10:
        return _ORDINALS[n - 1]
    tens, units = divmod(n, 10)
    return (_ORDINALS[tens - 1] if tens > 1 else "") + "十" + (_ORDINALS[units - 1] if units else "")


class WorkTexts:
    """The year's work texts as the draft cites them, and the state of the points written so far."""

    def __init__(self, narrative: pd.DataFrame | None, tidy: pd.DataFrame, catalog: Catalog, settings: Settings,
                 marks: Marks, words: WorkWords | None = None):
        self.cat, self.settings, self.marks = catalog, settings, marks
        self.words = words or load_work_words()
        rows = kept_texts(narrative)
        org_rank = {o: i for i, o in enumerate(catalog.orgs["org"])}
        records = rows.to_dict("records")
        for r in records:
            r["_n"] = int(r["where"][2:]) if r["where"].startswith("段落") and r["where"][2:].isdigit() else 0
        records.sort(key=lambda r: (org_rank.get(r["org"], len(org_rank)), r["org"], r["source_file"], r["_n"],
                                    r["where"]))
        self.by_topic: dict[str, list[dict]] = defaultdict(list)
        self.by_section: dict[str, list[dict]] = defaultdict(list)
        for r in records:
            self.by_section[r["section"]].append(r)
            if r["topic"]:
                self.by_topic[r["topic"]].append(r)
        self.figures = TextFigures(tidy, catalog) if records else None
        self.self_words = self.words.list("self_words")
        self.used: set[int] = set()
        self.counts: dict[str, int] = defaultdict(int)

    # -- template functions ----------------------------------------------------------------------
    def point(self, topic: str, heading: str, todo: str = "", caller=None) -> str:
        """``<n>是<heading>。`` + the block's figure sentences + the topic's work texts (or ``【待补充】``)."""
        _text_args("point", topic=topic, heading=heading, todo=todo)
        section = topic.split(".")[0]
        body = str(caller()) if caller is not None else ""
        texts = self._cite([r for r in self.by_topic.get(topic, []) if id(r) not in self.used])
        if not body.strip() and not texts:
            if not todo:
                return ""
            texts = self.todo(todo) + "。"
        self.counts[section] += 1
        return f"{ordinal(self.counts[section])}是{heading}。{body}{texts}"

    def todo(self, what: str) -> str:
        """A visible ``【待补充：<what>】`` for the author, listed in the command's summary."""
        _text_args("todo", what=what)
        return self.marks.figure(self.settings.text("report.todo", what=what), "", what, "", missing=True, kind="todo")

    def rest(self, section: str) -> str:
        """The section's texts no point took: a text with its 工作事项 as its own point, the others after 此外."""
        _text_args("rest", section=section)
        left = [r for r in self.by_section.get(section, []) if id(r) not in self.used]
        out, others = [], []
        for r in left:
            if r["item"]:
                text = self._cite([r])
                if text:
                    self.counts[section] += 1
                    out.append(f"{ordinal(self.counts[section])}是{r['item'].rstrip('。')}。{text}")
            else:
                others.append(r)
        tail = self._cite(others)
        if tail:
            out.append(f"{self.settings.text('report.rest_lead', '此外，')}{tail}")
        return "".join(out)

    # -- texts ----------------------------------------------------------------------------------
    def _cite(self, rows: list[dict]) -> str:
        """The rows as cited texts (marks), each without the sentences that restate a figure of the table."""
        out = []
        for r in rows:
            self.used.add(id(r))
            text, _ = self.figures.without_restated(r["text"], r["org"], r["section"])
            text = self._own_words(text.strip(), r["org"])
            if not text:
                continue
            if text[-1] not in "。！？!?”’）)":
                text += "。"
            cite = narrative_cite(r["source_file"], r["where"])
            out.append(self.marks.figure(text, r["topic"] or r["section"], r["item"] or self.settings.text(
                "report.text_name", "工作情况"), r["org"], "", (cite,), cite, kind="text"))
        return "".join(out)

    def _own_words(self, text: str, org: str) -> str:
        """A unit's self-reference (我局, 本单位) as its name: the draft is the district's, not the unit's."""
        for word in self.self_words:
            text = text.replace(word, org)
        return text


def _text_args(fn: str, **args: object) -> None:
    for name, value in args.items():
        if not isinstance(value, str):
            raise TemplateArgumentError(f"{fn}() 的 {name} 应为文字，收到 {value!r}"[:120])
