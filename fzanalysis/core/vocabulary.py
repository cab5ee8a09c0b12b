"""The words the cleaner reads by (词表): header words, area words, unit words, multipliers, missing markers.

They are data, not code: ``catalog_data/vocabulary.csv`` (columns ``kind,word,value,description``), one
word per row, beside the indicator and org catalogs. A new synonym goes there and is read without a
code change; a catalog folder given to :func:`~fzanalysis.core.catalog.load_catalog` brings its own.

This module reads the file with the ``csv`` module only (no pandas), so :mod:`fzanalysis.core.numbers`
stays cheap to import. Words are kept as written; how a kind is matched (a header key, a
suffix, a substring, after NFKC) is decided where it is used.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from .errors import CatalogError
from .files import DATA_DIR

__all__ = ["FILE_NAME", "KINDS", "Vocabulary", "default_vocabulary", "load_vocabulary"]

FILE_NAME = "vocabulary.csv"

# kind → what its words are (the description column of the file says it per row, in Chinese)
KINDS = {
    "name_header": "Layout A indicator-name column header",
    "unit_header": "unit column header (and the first cell of a Layout B unit row)",
    "seq_header": "sequence-number column header (not read)",
    "note_header": "remarks column header (not read)",
    "context_header": "group column header: its cell (often merged down) is the group of the items beside it",
    "value_header": "this year's value column header (a header naming a year is judged by the year)",
    "area_header": "Layout B area column header (one 镇街 or sub-unit per row)",
    "village_header": "header over 村/社区 names (also an area header)",
    "village_suffix": "a name ending so is a 村 or 社区",
    "several_prefix": "a name starting so speaks of several areas (各社区), not of one",
    "total_word": "a 合计 row or column (area '', checked against the sum)",
    "subtotal_word": "a 小计 row (set aside, never counted twice)",
    "prev_word": "previous-year column header word (set aside)",
    "change_word": "change column header word (set aside)",
    "group_suffix": "a word a group label may end with, dropped when the group is joined to an item",
    "unit_word": "a unit: in a label's brackets, a unit column or row, after a number in a cell",
    "multiplier": "a multiplier (value = factor): 万 → 10000; 万元 is 万 × 元",
    "missing_marker": "a missing-value marker, never 0 (an empty cell is always missing)",
    "correction_word": "a word in a file name or title saying the workbook corrects an earlier one (修改版, 更正 …)",
}


@dataclass(frozen=True, eq=False)  # one object per data folder (cached): compared and hashed by identity
class Vocabulary:
    words: Mapping[str, tuple[str, ...]]  # kind → words as written, file order
    multipliers: Mapping[str, float]  # 万 → 10000.0
    source: str = ""
    # derived once from the words in __post_init__
    unit_words: frozenset[str] = field(init=False, repr=False)
    missing_markers: frozenset[str] = field(init=False, repr=False)  # with "" (an empty cell)
    trailing_unit: re.Pattern = field(init=False, repr=False)
    sheet_unit: re.Pattern = field(init=False, repr=False)
    hint_multipliers: Mapping[str, tuple[float, str]] = field(init=False, repr=False)  # 万元 → (10000, 元)
    multiplier_words: tuple[str, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        units = tuple(unicodedata.normalize("NFKC", u) for u in self.of("unit_word"))
        mults = tuple(self.multipliers)
        base_units = [u for u in units if u.isalpha() and not u.startswith(mults)]  # 件, 元 … (not 万元, %)
        # units a label may carry in trailing brackets: 行政处罚案件（件）, 罚款（万 元）
        alternation = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))
        money = sorted(["元", *(m + "元" for m in mults)], key=len, reverse=True)
        markers = self.of("missing_marker")
        derived = {
            "unit_words": frozenset(units),
            "missing_markers": frozenset(("", *markers, *(unicodedata.normalize("NFKC", m) for m in markers))),
            "trailing_unit": re.compile(rf"[(（\[【]\s*((?:\s*(?:{alternation}))+?)\s*[)）\]】]\s*$"),
            # a sheet-level line "金额单位：万元" above a table
            "sheet_unit": re.compile(rf"^(?:金额)?单位\s*[:：]\s*({'|'.join(map(re.escape, money))})\s*$"),
            "hint_multipliers": MappingProxyType({
                **{m: (f, "") for m, f in self.multipliers.items()},
                **{m + u: (f, u) for m, f in self.multipliers.items() for u in base_units},
            }),
            "multiplier_words": mults,
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)

    def of(self, kind: str) -> tuple[str, ...]:
        """The words of one kind, as written."""
        if kind not in KINDS:
            raise KeyError(kind)
        return self.words.get(kind, ())


def load_vocabulary(data_dir: str | Path | None = None) -> Vocabulary:
    """The vocabulary of ``data_dir`` (default: the file shipped with the package), read once."""
    if data_dir is None or Path(data_dir).resolve() == DATA_DIR.resolve():
        return default_vocabulary()
    return _load(str(Path(data_dir)))


@lru_cache(maxsize=1)
def default_vocabulary() -> Vocabulary:
    """The bundled vocabulary: one object for the life of the process."""
    return _read(DATA_DIR)


@lru_cache(maxsize=8)
def _load(data_dir: str) -> Vocabulary:
    return _read(Path(data_dir))


def _read(data_dir: Path) -> Vocabulary:
    path = data_dir / FILE_NAME
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise CatalogError(f"无法读取词表文件：{exc}", file=FILE_NAME) from None
    words: dict[str, list[str]] = {}
    multipliers: dict[str, float] = {}
    for line, row in enumerate(rows, start=2):
        kind = (row.get("kind") or "").strip()
        word = (row.get("word") or "").strip()
        if kind not in KINDS:
            raise CatalogError(f"第 {line} 行：未知的词类「{kind}」（可用：{'、'.join(KINDS)}）", file=FILE_NAME)
        if not word:
            raise CatalogError(f"第 {line} 行：{kind} 的词为空", file=FILE_NAME)
        if kind == "multiplier":
            try:
                factor = float(row.get("value") or "")
            except ValueError:
                factor = 0.0
            if not factor > 0:
                raise CatalogError(f"第 {line} 行：倍数「{word}」的 value 须为正数", file=FILE_NAME)
            multipliers[word] = factor
        if word not in words.setdefault(kind, []):
            words[kind].append(word)
    return Vocabulary(MappingProxyType({k: tuple(v) for k, v in words.items()}), MappingProxyType(multipliers),
                      str(path))
