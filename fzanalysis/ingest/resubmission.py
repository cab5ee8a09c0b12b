"""Corrected resubmissions (更正报送): which of a unit's workbooks counts.

Every year some units send a corrected workbook after the first (``…（修改版）.xlsx``). Raw files are
never edited or removed, so the cleaner decides which one counts:

- the year folder's ``manifest.csv`` (columns ``file, supersedes``: file names in that folder) says it
  outright — the analyst's word wins over every other sign;
- else, between two files of the same unit, a file is the later one when its name or title carries a
  correction word (``correction_word`` in ``vocabulary.csv``: 修改版, 更正, 终稿, 第二版 …) and the other's
  does not, or when its 填报日期 is later and it holds every indicator the other holds (a later 补充 with a
  few indicators adds to the first file; it does not replace it). Signs that contradict each other (a
  修改版 dated before the file it would correct) decide nothing.

A superseded file's values are set aside, one ``superseded`` event per value cell naming the file
that replaces it, so the ledger still balances; the file keeps a ``superseded`` line and the
superseding file a ``supersedes`` line. Files with no sign between them stay a duplicate
submission (:func:`fzanalysis.ingest.clean._flag_duplicates`), as before.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ParameterError
from ..core.vocabulary import Vocabulary
from .log import SET_ASIDE, Event, FileResult
from .workbook import decode_text

__all__ = ["MANIFEST", "MANIFEST_COLUMNS", "Signs", "covers", "later", "read_manifest", "settle_resubmissions",
           "signs"]

MANIFEST = "manifest.csv"
MANIFEST_COLUMNS = ("file", "supersedes")


@dataclass(frozen=True)
class Signs:
    """What a file says about itself: a correction word (or '') and its latest 填报日期 (or None)."""

    word: str
    date: dt.date | None


def signs(res: FileResult, words: tuple[str, ...]) -> Signs:
    texts = [Path(res.file).name, *res.titles]
    norm = [unicodedata.normalize("NFKC", t) for t in texts]
    word = next((w for w in words for t in norm if unicodedata.normalize("NFKC", w) in t), "")
    return Signs(word, max(res.dates) if res.dates else None)


def later(a: Signs, b: Signs) -> tuple[int, str]:
    """(+1 when ``a`` is the later file, -1 when ``b`` is, 0 when nothing or contradicting signs say so;
    the reason in words)."""
    by_date = 0 if a.date is None or b.date is None or a.date == b.date else (1 if a.date > b.date else -1)
    by_word = (1 if a.word and not b.word else -1 if b.word and not a.word else 0)
    if by_date and by_word and by_date != by_word:
        return 0, ""
    if by_date:
        newer = a if by_date > 0 else b
        return by_date, f"填报日期较晚（{newer.date:%Y年%m月%d日}）"
    if by_word:
        return by_word, f"文件名或标题注明「{(a if by_word > 0 else b).word}」"
    return 0, ""


def read_manifest(year_dir: Path) -> list[tuple[int, str, str]]:
    """Rows ``(line, file, supersedes)`` of ``<year_dir>/manifest.csv``; [] when there is none.

    A manifest that cannot be read is an error the analyst fixes (one line, no traceback)."""
    path = Path(year_dir) / MANIFEST
    if not path.is_file():
        return []
    text = decode_text(path.read_bytes())
    if text is None:  # pragma: no cover - gb18030 decodes nearly anything
        raise ParameterError("更正清单编码无法识别（应为 UTF-8 或 GB18030）", file=str(path))
    rows = list(csv.reader(io.StringIO(text)))
    head = [c.strip().lower() for c in rows[0]] if rows else []
    if not set(MANIFEST_COLUMNS) <= set(head):
        raise ParameterError(f"更正清单须有表头 {','.join(MANIFEST_COLUMNS)}（每行：更正文件,被替代文件）",
                             file=str(path))
    fi, si = head.index("file"), head.index("supersedes")
    out = []
    for n, row in enumerate(rows[1:], start=2):
        if len(row) > max(fi, si) and row[fi].strip() and row[si].strip():
            out.append((n, row[fi].strip(), row[si].strip()))
    return out


def settle_resubmissions(results: list[FileResult], year_dir: Path, vocabulary: Vocabulary,
                         cited: dict[str, str] | None = None) -> list[Event]:
    """Decide, per unit, which files a later correction supersedes, and set their values aside.
    ``cited``: each file's path under the raw folder → the name it is cited by (personal data masked).

    Returns the events of manifest lines that could not be applied (logged on ``<year>/manifest.csv``)."""
    year_dir = Path(year_dir)
    by_rel = {r.file: r for r in results}
    edges: dict[str, list[tuple[str, str]]] = {}  # superseded file → [(superseding file, why)]
    manifest_rel = f"{year_dir.name}/{MANIFEST}"
    named, ignored = set(), []
    for line, new, old in read_manifest(year_dir):
        a, b = (by_rel.get((cited or {}).get(rel, rel)) for rel in (f"{year_dir.name}/{n}" for n in (new, old)))
        problem = ("文件不在本年度目录中" if a is None or b is None else
                   "同一文件不能替代自己" if a is b else
                   "文件无法读取" if not (a.readable and b.readable) else
                   f"两份文件的填报单位不同（{a.org}、{b.org}）" if a.org != b.org else "")
        if problem:
            ignored.append(Event(manifest_rel, "manifest_ignored", f"第 {line} 行（{new} 替代 {old}）未采用：{problem}"))
            continue
        edges.setdefault(b.file, []).append((a.file, f"更正清单 {MANIFEST} 第 {line} 行"))
        named |= {a.file, b.file}
    words = vocabulary.of("correction_word")
    groups: dict[str, list] = {}
    for r in results:
        if r.readable and r.org:
            groups.setdefault(r.org, []).append(r)
    for group in groups.values():
        free = [r for r in group if r.file not in named]  # the manifest decides for the files it names
        marks = {r.file: signs(r, words) for r in free}
        for a in free:
            for b in free:
                if a is not b:
                    order, why = later(marks[a.file], marks[b.file])
                    by_date_only = bool(marks[a.file].word) == bool(marks[b.file].word)  # words decide nothing here
                    if order > 0 and by_date_only and not covers(a, b):
                        continue  # a later 补充 with fewer indicators adds to the first file, it does not replace it
                    if order > 0:
                        edges.setdefault(b.file, []).append((a.file, why))
    superseded = set(edges)
    for old, by in sorted(edges.items()):
        counting = [(f, why) for f, why in by if f not in superseded] or by  # name the file that counts
        _set_aside(by_rel[old], [by_rel[f] for f, _ in counting], counting[0][1])
    return ignored


def _codes(res: FileResult) -> set[str]:
    """The indicators a file speaks of: kept, rejected or left blank."""
    return {r["code"] for r in res.rows} | {e.code for e in res.events if e.code}


def covers(new: FileResult, old: FileResult) -> bool:
    """A file that only has a later 填报日期 replaces another only when it holds every indicator the other holds."""
    return _codes(new) >= _codes(old)


def _set_aside(old: FileResult, new: list[FileResult], why: str) -> None:
    names = "、".join(f"「{Path(r.file).name}」" for r in new)
    reason = f"已由{names}更正替代（依据：{why}），本文件数值不采用；原文件保留未改"
    for row in old.rows:
        old.events.append(Event(old.file, "superseded", reason, sheet=row["sheet"], cell=row["cell"],
                                outcome=SET_ASIDE, code=row["code"], org=old.org, area=row["area"],
                                raw_text=str(row["raw_text"])))
    old.set_aside += len(old.rows)
    old.events.append(Event(old.file, "superseded", f"{reason}（{len(old.rows)} 个数值）", org=old.org))
    old.rows = []
    old.superseded_by = [r.file for r in new]
    for r in new:
        r.events.append(Event(r.file, "supersedes", f"更正并替代「{Path(old.file).name}」（依据：{why}）", org=r.org))
