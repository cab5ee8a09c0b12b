"""Department work texts (工作情况): what a unit says it did, read beside its figures (DESIGN.md §2b).

Two sources, one table (``narrative.csv``, :data:`NARRATIVE_COLUMNS`):

- a 工作情况 sheet of a workbook (its name is one of ``work_texts.csv`` ``sheet_names``): one row per item, the
  columns found by their headers — 类别 (a section of the report, by number or name), 工作事项, 主要做法和成效 (the
  text), 佐证材料 (not carried: a file name or a link is no sentence of a report); ``where`` is the text's cell,
  ``sheet!cell``;
- a work summary (工作总结) under ``<raw>/<year>/总结/`` as .docx, .md or .txt, read like ``check-report`` reads a
  report (:func:`fzanalysis.ingest.document.read_paragraphs`: tracked insertions accepted, deletions and comments
  not, a table row one paragraph, bounded); ``where`` is ``段落N``, N counting paragraphs as check-report does
  (every paragraph of the document, empty ones included). The unit comes from its title (first paragraph), else
  the file name, else its 落款 (last paragraphs), through the catalog's aliases as for workbooks.

Every paragraph read is one row: ``outcome`` ``kept`` (a sentence of work: its text, masked) or ``set_aside`` with
its ``reason`` (the title, a 小标题, a 落款, a note, a contact line) — paragraphs read = kept + set aside, per
source (the ``narrative`` event of the cleaning log says so in words). A kept paragraph is placed in a section and
a topic of the report by the words of ``work_topics.csv`` (:func:`place`); one the words do not place takes the
section of the 小标题 above it or of its 类别; one placed nowhere is kept with an empty section and the reason
that says so — listed for the analyst, never dropped.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..core.catalog import SECTIONS, Catalog, read_csv
from ..core.errors import FzError
from ..core.files import DATA_DIR
from ..core.sanitize import clean_text
from .document import read_paragraphs
from .log import KEPT, SET_ASIDE, Event
from .workbook import Limits, Sheet

__all__ = ["NARRATIVE_COLUMNS", "Topic", "WorkWords", "UNPLACED", "is_work_sheet", "load_work_words", "place",
           "read_summary", "read_work_sheet", "section_of_label", "source_event", "summary_files"]

NARRATIVE_COLUMNS = ["year", "org", "section", "topic", "item", "text", "source_file", "where", "outcome", "reason"]
UNPLACED = "未能归入报告章节：请在工作情况表中填写“类别”，或在 work_topics.csv 中补充用词"
_CN = "一二三四五六七八九十"
_NUMBERED = re.compile(r"^\s*(?:[（(]\s*[一二三四五六七八九十]+\s*[)）]|[一二三四五六七八九十]+\s*[、．.]|\d+\s*[、．.)）])\s*")
_SENTENCE_END = "。！？；!?;"
_DATE_LINE = re.compile(r"^\s*(?:\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*\S{1,3}\s*月\s*\S{1,3}\s*日\s*$")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Topic:
    """One topic of a section (``work_topics.csv``): the words that place a paragraph there, longest first."""

    section: str
    key: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class WorkWords:
    """The words of ``work_texts.csv`` and the topics of ``work_topics.csv`` (catalog order)."""

    texts: dict
    topics: tuple[Topic, ...]

    def list(self, key: str) -> tuple[str, ...]:
        return tuple(p.strip() for p in str(self.texts.get(key, "")).split("|") if p.strip())

    def text(self, key: str, **fields: object) -> str:
        value = str(self.texts.get(key, ""))
        return value.format(**fields) if fields else value

    @property
    def folder(self) -> str:
        return self.text("folder") or "总结"

    @property
    def min_chars(self) -> int:
        return int(self.text("min_chars") or 8)

    def topic_order(self) -> dict[str, int]:
        return {t.key: i for i, t in enumerate(self.topics)}


def load_work_words(data_dir: str | Path | None = None) -> WorkWords:
    """``work_texts.csv`` and ``work_topics.csv`` of ``data_dir`` (default: the bundled catalog data)."""
    return _load(str(Path(data_dir) if data_dir else DATA_DIR))


@lru_cache(maxsize=4)
def _load(data_dir: str) -> WorkWords:
    base = Path(data_dir)
    table = read_csv(base / "work_texts.csv")
    topics = []
    for row in read_csv(base / "work_topics.csv").itertuples(index=False):
        words = tuple(sorted({_norm(w) for w in str(row.words).split("|") if w.strip()}, key=lambda w: (-len(w), w)))
        topics.append(Topic(str(row.section), str(row.topic), words))
    return WorkWords(dict(zip(table["key"], table["value"])), tuple(topics))


def _norm(text: object) -> str:
    """NFKC and no spaces (a text from a cell or a Word paragraph and a word of the catalog compare alike)."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(text)))


# ------------------------------------------------------------------------------ placement
def place(text: str, words: WorkWords, section: str = "") -> tuple[str, str]:
    """(section, topic) of a text by the words of ``work_topics.csv``: every word found counts its length (a long
    word says more than a short one), the best topic wins, the catalog's order breaks a tie. With ``section`` (a
    类别 or a 小标题 above it) only that section's topics compete and the section stands even when no word is
    found (topic ''). ('', '') when nothing places it."""
    norm = _norm(text)
    best, best_score = None, 0
    for topic in words.topics:
        if section and topic.section != section:
            continue
        score = sum(len(w) for w in topic.words if w in norm)
        if score > best_score:
            best, best_score = topic, score
    if best is None:
        return (section, "") if section else ("", "")
    return best.section, best.key


def section_of_label(label: object, words: WorkWords) -> str:
    """The section a 类别 names: a number (``一``, ``（四）``, ``4``, ``s4``), the section's name in the catalog, or
    the words of its topics; '' when it names none."""
    text = _norm(label).strip()
    if not text:
        return ""
    m = re.match(r"^(?:s|S)?[（(]?([1-6一二三四五六])(?:[)）、.．]|$)", text)
    if m:
        ch = m.group(1)
        return f"s{int(ch) if ch.isdigit() else _CN.index(ch) + 1}"
    for key, name in SECTIONS.items():
        if _norm(name) in text or text in _norm(name):
            return key
    return place(text, words)[0]


# ------------------------------------------------------------------------------ a 工作情况 sheet
def is_work_sheet(name: str, words: WorkWords) -> bool:
    """True for a sheet named like a 工作情况 sheet (``sheet_names``; the name may hold more, 2023年工作情况)."""
    norm = _norm(name)
    return any(_norm(w) in norm for w in words.list("sheet_names"))


def _header(rows: list[list[object]], words: WorkWords) -> tuple[int, dict[str, int]] | None:
    """(row index, role → column) of the first row naming a text column and an item or section column."""
    roles = {role: tuple(_norm(w) for w in words.list(f"header.{role}")) for role in ("section", "item", "text",
                                                                                          "evidence")}
    for i, row in enumerate(rows[:20]):
        found: dict[str, int] = {}
        for j, value in enumerate(row):
            cell = _norm(value or "")
            if not cell:
                continue
            for role, names in roles.items():
                if role not in found and any(cell == n or (len(cell) <= 12 and n in cell) for n in names):
                    found[role] = j
                    break
        if "text" in found and ("item" in found or "section" in found):
            return i, found
    return None


def read_work_sheet(sheet: Sheet, sheet_label: str, rel: str, org: str, year: int,
                    words: WorkWords) -> list[dict]:
    """The rows of a 工作情况 sheet (``sheet_label``: its name as cited): one per non-empty row below the header."""
    found = _header(sheet.rows, words)
    out: list[dict] = []
    if found is None:
        for i, row in enumerate(sheet.rows):
            cells = [(j, v) for j, v in enumerate(row) if str(v or "").strip()]
            if cells:
                out.append(_row(year, org, "", "", "", _text(cells[0][1]), rel, f"{sheet_label}!{sheet.address(i, cells[0][0])}",
                                SET_ASIDE, "工作情况表没有“类别／工作事项／主要做法和成效”表头，未能逐项读取"))
        return out
    top, cols = found
    notes, contacts = words.list("note_prefixes"), words.list("contact_prefixes")
    for i in range(top + 1, len(sheet.rows)):
        row = sheet.rows[i]

        def cell(role: str) -> str:
            j = cols.get(role)
            return _text(row[j]) if j is not None and j < len(row) else ""

        label, item, text = cell("section"), cell("item"), cell("text")
        filled = [(j, _text(v)) for j, v in enumerate(row) if _text(v) and j != cols.get("evidence")]
        if not filled:
            continue
        j = cols["text"] if text else cols.get("item") if item else cols.get("section") if label else filled[0][0]
        where = f"{sheet_label}!{sheet.address(i, j)}"
        first = next((t for t in (label, item, text) if t), filled[0][1])
        if not (label or item or text):  # a line below the table (注：…, 填表人) or a number alone
            reason = ("说明文字，不是工作情况" if first.startswith(notes) else
                      "联系信息（个人信息已遮盖），不是工作情况" if first.startswith(contacts) else
                      "不在“类别／工作事项／主要做法和成效”列中")
            out.append(_row(year, org, "", "", "", first, rel, where, SET_ASIDE, reason))
            continue
        if first.startswith(notes):
            out.append(_row(year, org, "", "", "", first, rel, where, SET_ASIDE, "说明文字，不是工作情况"))
            continue
        if first.startswith(contacts):
            out.append(_row(year, org, "", "", "", first, rel, where, SET_ASIDE, "联系信息（个人信息已遮盖），不是工作情况"))
            continue
        if not text:
            out.append(_row(year, org, "", "", item, item or label, rel, where, SET_ASIDE,
                            "只填了工作事项，没有写主要做法和成效"))
            continue
        hint = section_of_label(label, words)
        section, topic = place(f"{item}{text}", words, hint)
        reason = "" if section else UNPLACED
        if label and not hint:
            reason = f"类别「{clean_text(label)}」不是报告章节；" + ("按文字归入" if section else UNPLACED)
        out.append(_row(year, org, section, topic, item, text, rel, where, KEPT, reason))
    return out


# ------------------------------------------------------------------------------ a work summary
def summary_files(year_dir: Path, words: WorkWords) -> tuple[list[Path], list[tuple[Path, str]]]:
    """(summaries, set aside with the reason) in ``<year_dir>/总结/`` (its files, not its sub-folders)."""
    folder = Path(year_dir) / words.folder
    if not folder.is_dir():
        return [], []
    suffixes = tuple(s.lower() for s in words.list("suffixes"))
    files, aside = [], []
    for p in sorted(folder.iterdir()):
        if not p.is_file():
            continue
        if p.name.startswith(("~$", ".")):
            aside.append((p, "隐藏文件或临时文件（如 Word 打开文档时生成的 ~$ 文件），不是工作总结，未读取"))
        elif p.suffix.lower() not in suffixes:
            aside.append((p, f"工作总结须为 {'、'.join(suffixes)} 文件（.doc、.wps、.pdf 请另存为 .docx），未读取"))
        else:
            files.append(p)
    return files, aside


def _summary_org(paragraphs: list[str], rel: str, catalog: Catalog) -> tuple[str, bool]:
    """The unit of a summary: its title, else its file name, else its 落款 (the last paragraphs)."""
    lines = [p.strip() for p in paragraphs if p.strip()]
    for text in [*lines[:1], Path(rel).stem, *reversed(lines[-3:])]:
        org = catalog.resolve_org(text)
        if org:
            return org, True
    return clean_text(Path(rel).stem)[:40], False


def read_summary(path: Path, rel: str, year: int, catalog: Catalog, words: WorkWords,
                 limits: Limits | None = None) -> tuple[str, list[dict], list[Event]]:
    """(org, rows, events) of one work summary; a file that cannot be read is an event, never an exception."""
    try:
        paragraphs = read_paragraphs(path, limits, until_appendix=False)
    except FzError as exc:
        return "", [], [Event(rel, "narrative_unreadable", exc.reason)]
    org, known = _summary_org(paragraphs, rel, catalog)
    events = [] if known else [Event(rel, "unknown_org", f"工作总结的单位「{org}」不在单位名录中，请在 orgs.csv 中补充别名，"
                                                           "或在文件名中写明单位", org=org)]
    min_chars = words.min_chars
    title_words = words.list("title_words")
    notes, contacts = words.list("note_prefixes"), words.list("contact_prefixes")
    rows: list[dict] = []
    hint, item, seen_text = "", "", False
    last = max((n for n, p in enumerate(paragraphs, 1) if p.strip()), default=0)
    for n, raw in enumerate(paragraphs, start=1):
        text = _text(raw)
        if not text:
            continue
        where = f"段落{n}"

        def aside(reason: str, shown: str = text) -> None:
            rows.append(_row(year, org, "", "", "", shown, rel, where, SET_ASIDE, reason))

        sentence = any(ch in text for ch in _SENTENCE_END)
        if not rows and not sentence and any(w in text for w in title_words):
            aside("标题")
            continue
        if text.startswith(notes):
            aside("说明文字，不是工作情况")
            continue
        if text.startswith(contacts):
            aside("联系信息（个人信息已遮盖），不是工作情况")
            continue
        if _DATE_LINE.match(text) or (n >= last - 2 and seen_text and not sentence and catalog.resolve_org(text)
                                      and len(text) <= 40):
            aside("落款")
            continue
        lead, body = _lead(text)
        if (lead and not body) or (not lead and not sentence and len(text) <= 40):
            # a 小标题 (numbered or a short line that is no sentence): the section and item of the paragraphs below
            item = _NUMBERED.sub("", text).rstrip("。：:")
            hint = place(item, words)[0] or (hint if not _NUMBERED.match(text) else "")
            aside("小标题（用于判断其下各段的章节）")
            continue
        if len(text) < min_chars:  # 特此报告。
            aside("过短，不像一段工作情况")
            continue
        if lead:
            item = lead
            hint = place(lead, words)[0] or hint
            text = body
        section, topic = place(f"{item}{text}", words)  # the item (its heading) says what the paragraph is about
        if not section and hint:
            section, topic = place(f"{item}{text}", words, hint)
        seen_text = True
        rows.append(_row(year, org, section, topic, item, text, rel, where, KEPT, "" if section else UNPLACED))
    return org, rows, events


def _lead(text: str) -> tuple[str, str]:
    """(heading, body) of a paragraph a numbered heading leads (``（一）强化组织领导。一是……``); ('', text) when no
    numbered heading leads it, (heading, '') when the paragraph is only a heading."""
    m = _NUMBERED.match(text)
    if not m:
        return "", text
    rest = text[m.end():]
    end = next((k for k, ch in enumerate(rest) if ch in "。：:"), -1)
    if end < 0 or end > 30:
        return ("", text) if end > 30 else (rest.strip(), "")
    return rest[:end].strip(), rest[end + 1:].strip()


# ------------------------------------------------------------------------------ rows and the ledger
def _text(value: object) -> str:
    """A cell's or a paragraph's text on one line, spaces around line breaks removed."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    return re.sub(r"\s*[\r\n\u2028\u2029]+\s*", "", text).strip()


def _row(year: int, org: str, section: str, topic: str, item: str, text: str, source_file: str, where: str,
         outcome: str, reason: str) -> dict:
    # whatever a unit wrote reaches narrative.csv masked (names, phones, ID numbers)
    return {"year": year, "org": org, "section": section, "topic": topic, "item": clean_text(item),
            "text": clean_text(text), "source_file": source_file, "where": where, "outcome": outcome,
            "reason": clean_text(reason)}


def source_event(rel: str, org: str, rows: list[dict], sheet: str = "") -> Event:
    """The ledger of one source in words (the cleaning log's ``narrative`` event): read = kept + set aside."""
    kept = sum(r["outcome"] == KEPT for r in rows)
    unplaced = sum(r["outcome"] == KEPT and not r["section"] for r in rows)
    extra = f"，其中未归入报告章节 {unplaced} 段" if unplaced else ""
    return Event(rel, "narrative", f"工作情况：读取 {len(rows)} 段 = 采用 {kept} + 搁置 {len(rows) - kept}{extra}",
                 sheet=sheet, org=org)
