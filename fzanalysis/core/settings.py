"""Settings and the words of prose (设置与行文用词): data files of the catalog folder, read by one loader.

A catalog folder (the one shipped with the package, :data:`fzanalysis.core.files.DATA_DIR`, or one given to
:func:`fzanalysis.core.catalog.load_catalog`, whose :attr:`~fzanalysis.core.catalog.Catalog.folder` remembers it)
holds, beside the catalog, the key → value settings files — ``settings.csv`` (the report), ``diagnostics.csv`` (the
rules' thresholds), ``scorecard.csv`` (weights and penalties), ``form_texts.csv`` (the forms' words) — read by
:func:`load_settings` into one typed mapping, :class:`Settings`, whichever file it is: every consumer reads the
folder of the catalog it was given, so a custom catalog folder is honoured everywhere.

Everything the report draft and ``check-report`` need to know about words is data an analyst can
edit without touching Python:

- ``catalog_data/settings.csv`` (``key,value,description``): the district's name, placeholder texts,
  which problem categories stay internal, Word comment author, work-point headings, change words.
- ``catalog_data/changes.csv`` (``code,of``): a reported year-on-year change (``recon_accepted_yoy``)
  and the indicator it is the change of (``recon_accepted``).
- ``catalog_data/prose.csv`` (``kind,text,value``): units written after a number in prose, qualifier
  spellings (超过 → 超), change markers and direction words, the markers of a shared figure
  (``评价率、满意率均达100%``), name endings prose drops (行政处罚案件数 → 行政处罚案件), and domain words
  that name a unit (市场监管领域 → 区市场监管局).
- ``catalog_data/figure_stoplist.csv`` (``pattern,kind``): regular expressions of text whose numbers
  are not figures: quotations and titles, years and dates, ordinals, document numbers, plenary
  numbering, names and slogans, and targets (力争……不低于80%).
- ``catalog_data/form_texts.csv`` (``key,value``): the words of the templates and feedback forms
  (:func:`load_texts`) — the amount unit, accepted markers and qualifiers, the deadline, file names (the
  cleaner reads the feedback forms' file name to set them aside in a raw folder).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .errors import CatalogError
from .files import DATA_DIR
from .numbers import format_value

__all__ = ["DIAGNOSTICS", "REPORT", "SCORECARD", "TEXTS", "TEXTS_FILE", "Prose", "Settings", "load_prose",
           "load_settings", "load_texts", "read_csv"]

# the settings files of a catalog folder (key,value[,description]), by the name load_settings takes
REPORT, DIAGNOSTICS, SCORECARD, TEXTS = "settings", "diagnostics", "scorecard", "form_texts"
TEXTS_FILE = f"{TEXTS}.csv"


def read_csv(path: Path) -> pd.DataFrame:
    """A catalog data file (every column text, nothing read as NaN); a one-line CatalogError if unreadable."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise CatalogError(f"无法读取目录文件：{exc}", file=path.name) from None


class Settings(dict):
    """A settings file of the catalog folder as key → text, with typed access; ``settings.csv`` also carries
    ``changes.csv`` as change code → indicator code (:attr:`changes`)."""

    changes: dict[str, str]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.changes = dict(getattr(args[0], "changes", {})) if args else {}

    def text(self, key: str, default: str = "", **fields: object) -> str:
        template = str(self.get(key, default))
        return template.format(**fields) if fields else template

    def list(self, key: str) -> list[str]:
        return [p.strip() for p in str(self.get(key, "")).split("|") if p.strip()]

    def num(self, key: str) -> float:
        return float(self[key])

    def opt_num(self, key: str, default: float | None) -> float | None:
        text = str(self.get(key, "")).strip()
        return float(text) if text and text.lower() != "nan" else default

    def change_words(self, change: float, unit: str, points: bool, up: str | None = None, down: str | None = None,
                     prefix: bool = True, digits: int | None = None) -> str:
        """A change in words: ``同比增长41.3%``, ``同比提高2.5个百分点`` (a rate, ``points``), ``与上年持平``;
        ``digits``: written with that many decimals (``同比增长6.0%``), else as the value has them."""
        if change == 0:
            return self.text("change.flat")
        word = (up or self.text("change.rate_up" if points else "change.up")) if change > 0 else \
            (down or self.text("change.rate_down" if points else "change.down"))
        if digits is not None:
            size = f"{abs(change):.{digits}f}{self.text('change.points') if points else unit}"
        else:
            size = f"{abs(change):g}{self.text('change.points')}" if points else format_value(abs(change), unit)
        return f"{self.text('change.prefix') if prefix else ''}{word}{size}"

    def change_code(self, code: str) -> str:
        """The reported change of ``code`` (``recon_accepted`` → ``recon_accepted_yoy``), or ''."""
        return next((c for c, of in self.changes.items() if of == code), "")


@dataclass(frozen=True)
class Prose:
    """The words of ``prose.csv`` and the compiled stop-list."""

    units: tuple[str, ...]  # longest first
    qualifiers: dict[str, str]  # spelling → 余/超/约/近
    change_markers: tuple[str, ...]
    change_words: dict[str, int]  # 增长 → 1, 下降 → -1
    flat_words: tuple[str, ...]  # 与上年持平: a change of 0 (longest first)
    shared_markers: tuple[str, ...]
    shared_verbs: tuple[str, ...]  # 达、为 … between the marker and the number (longest first)
    respective_markers: tuple[str, ...]  # 分别: each item has its own number, nothing is shared
    point_units: tuple[str, ...]  # 个百分点: a change of a rate
    link_words: tuple[str, ...]  # 和、并 … after a figure: the words that follow are not its noun
    name_suffixes: tuple[str, ...]  # longest first
    org_words: dict[str, str]  # 市场监管 → 区市场监管局
    stoplist: tuple[tuple[re.Pattern, str], ...]  # (pattern, kind)

    def prefix_qualifiers(self) -> list[str]:
        return sorted((q for q, v in self.qualifiers.items() if v != "余"), key=len, reverse=True)

    def suffix_qualifiers(self) -> list[str]:
        return sorted((q for q, v in self.qualifiers.items() if v == "余"), key=len, reverse=True)


def load_settings(data_dir: str | Path | None = None, name: str = REPORT) -> Settings:
    """The settings file ``name`` (:data:`REPORT`, :data:`DIAGNOSTICS`, :data:`SCORECARD`, :data:`TEXTS`) of the
    catalog folder ``data_dir`` (default: the one shipped with the package), as a new :class:`Settings` (the
    caller may change it); the file is read once."""
    return Settings(_settings(str(Path(data_dir) if data_dir else DATA_DIR), name))


@lru_cache(maxsize=32)
def _settings(data_dir: str, name: str) -> Settings:
    base = Path(data_dir)
    table = read_csv(base / f"{name}.csv")
    settings = Settings(zip(table["key"], table["value"]))
    if name == REPORT:
        changes = read_csv(base / "changes.csv")
        settings.changes = dict(zip(changes["code"], changes["of"]))
    if name == TEXTS:
        for key in ("template.prefix_qualifiers", "template.suffix_qualifiers"):
            if any(len(w) != 1 for w in settings.list(key)):
                raise CatalogError(f"{key} 的限定词须为单字", file=TEXTS_FILE)
    return settings


def load_texts(data_dir: str | Path | None = None) -> Settings:
    """The words of the templates and feedback forms (``form_texts.csv``): :func:`load_settings` of :data:`TEXTS`."""
    return load_settings(data_dir, TEXTS)


def load_prose(data_dir: str | Path | None = None) -> Prose:
    return _prose(str(Path(data_dir) if data_dir else DATA_DIR))


@lru_cache(maxsize=4)
def _prose(data_dir: str) -> Prose:
    base = Path(data_dir)
    words = read_csv(base / "prose.csv")

    def of(kind: str) -> pd.DataFrame:
        return words[words["kind"] == kind]

    def longest_first(items) -> tuple[str, ...]:
        return tuple(sorted(dict.fromkeys(i for i in items if i), key=lambda s: (-len(s), s)))

    catalog_units = read_csv((base if (base / "indicators.csv").exists() else DATA_DIR) / "indicators.csv")["unit"]
    units = longest_first([*catalog_units, *of("unit")["text"]])
    stops = []
    for row in read_csv(base / "figure_stoplist.csv").itertuples(index=False):
        try:
            stops.append((re.compile(row.pattern), row.kind))
        except re.error as exc:
            raise CatalogError(f"停用规则不是有效的正则表达式：{row.pattern}（{exc}）", file="figure_stoplist.csv") from None
    change_words = {t: int(v) for t, v in zip(words.loc[words["kind"].isin(["change_up", "change_down"]), "text"],
                                              words.loc[words["kind"].isin(["change_up", "change_down"]), "value"])}
    return Prose(
        units=units,
        qualifiers=dict(zip(of("qualifier")["text"], of("qualifier")["value"])),
        change_markers=longest_first(of("change_marker")["text"]),
        change_words=change_words,
        flat_words=longest_first(of("change_flat")["text"]),
        shared_markers=longest_first(of("shared_marker")["text"]),
        shared_verbs=longest_first(of("shared_verb")["text"]),
        respective_markers=longest_first(of("respective_marker")["text"]),
        point_units=longest_first(of("point_unit")["text"]),
        link_words=longest_first(of("link_word")["text"]),
        name_suffixes=longest_first(of("name_suffix")["text"]),
        org_words=dict(zip(of("org_word")["text"], of("org_word")["value"])),
        stoplist=tuple(stops),
    )
