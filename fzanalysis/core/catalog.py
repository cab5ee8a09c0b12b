"""Indicator and org catalogs (指标目录 / 单位名录).

The catalog is data, not code: four CSV files beside this module that an analyst can extend
without touching Python.

- ``catalog_data/indicators.csv`` — one row per indicator: ``code`` (snake_case ASCII),
  ``name`` (canonical Chinese name), ``aliases`` (``|``-separated other names seen in
  workbooks), ``org`` (the usual reporting unit — a preference, not a filter), ``section``
  (s1–s6), ``unit`` (base unit), ``kind`` (count / amount / rate / change), ``direction``
  (higher / lower is better), ``target`` (e.g. 100 for rates the report gives at 100%),
  ``min_value`` / ``max_value`` (values outside are rejected), ``framework_area`` (one of the
  nine 体系 of 《法治政府建设实施纲要（2021—2025年）》) and ``published`` (1 when the figure
  appears in the published report).
- ``catalog_data/orgs.csv`` — canonical reporting units with ``kind`` (区政府 / 部门 / 镇街),
  ``expected`` (1 when a workbook is expected every year) and ``aliases``.
- ``catalog_data/derived.csv`` — derived rates: ``numerator`` / ``denominator`` are
  ``+``-separated indicator codes (行政复议办结率 = 审结 / (受理 + 上年结转)), with an optional
  ``target``, ``low_threshold`` and the ``reported_code`` it should agree with.
- ``catalog_data/vocabulary.csv`` — the words the cleaner reads by (header words, area words, unit
  words, multipliers, missing markers): see :mod:`fzanalysis.core.vocabulary`.

Areas (a 镇街 by this catalog, a 村/社区 by its form) are resolved by :meth:`Catalog.resolve_area`
(:mod:`fzanalysis.core.areas`).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

import pandas as pd

from .areas import AreaResolver
from .errors import CatalogError
from .files import DATA_DIR
from .settings import DIAGNOSTICS, load_settings, read_csv
from .text import normalise_label
from .vocabulary import Vocabulary, default_vocabulary, load_vocabulary

__all__ = ["FRAMEWORK_AREAS", "KINDS", "SECTIONS", "Catalog", "Resolution", "load_catalog", "read_csv"]


SECTIONS = {
    "s1": "第一责任人职责",
    "s2": "法治化营商环境",
    "s3": "依法行政制度体系与行政决策",
    "s4": "行政执法",
    "s5": "行政权力监督",
    "s6": "基层治理与矛盾纠纷化解",
}

FRAMEWORK_AREAS = (
    "政府机构职能",
    "依法行政制度",
    "行政决策制度",
    "行政执法工作",
    "突发事件应对",
    "社会矛盾纠纷行政预防调处化解",
    "行政权力制约和监督",
    "法治政府建设科技保障",
    "党的领导与推进机制",
)

KINDS = ("count", "amount", "rate", "change")

@dataclass(frozen=True)
class Resolution:
    """Outcome of matching a label to the catalog: a code, or a reason why not."""

    code: str | None
    reason: str = ""


@dataclass
class Catalog:
    indicators: pd.DataFrame
    orgs: pd.DataFrame
    derived: pd.DataFrame
    settings: Mapping[str, str] = field(default_factory=dict)  # diagnostics.csv: key → value
    vocabulary: Vocabulary = field(default_factory=default_vocabulary)
    folder: Path = DATA_DIR  # the catalog folder: every settings file is read from here (fzanalysis.core.settings)
    _by_key: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _org_aliases: list[tuple[str, str]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if not self.settings:  # made in code: the diagnostics settings of its folder
            self.settings = MappingProxyType(load_settings(self.folder, DIAGNOSTICS))
        self._check()
        for row in self.indicators.itertuples(index=False):
            names = [row.name, *[a for a in row.aliases.split("|") if a.strip()]]
            for name in names:
                key = normalise_label(name, self.vocabulary)
                codes = self._by_key.setdefault(key, [])
                if row.code not in codes:
                    codes.append(row.code)
        pairs = []
        for row in self.orgs.itertuples(index=False):
            for alias in [row.org, *[a for a in row.aliases.split("|") if a.strip()]]:
                pairs.append((unicodedata.normalize("NFKC", alias).strip(), row.org))
        # longest alias first, so 大渡口区人民政府办公室 wins over 大渡口区人民政府
        self._org_aliases = sorted(pairs, key=lambda p: (-len(p[0]), p[0]))
        self._code_org = dict(zip(self.indicators["code"], self.indicators["org"]))
        # per-record look-ups of the cleaner: plain dicts built once, not a DataFrame filter per call
        self._code_pos = {code: i for i, code in enumerate(self.indicators["code"])}
        self._records = {rec["code"]: MappingProxyType(rec) for rec in self.indicators.to_dict("records")}
        self._org_kinds: dict[str, str] = {}
        for org, kind in zip(self.orgs["org"], self.orgs["kind"]):
            self._org_kinds.setdefault(org, str(kind))
        self._org_memo: dict[str, str | None] = {}
        self._towns = tuple(self.orgs.loc[self.orgs["kind"] == "镇街", "org"])
        words = self.vocabulary.of
        self._areas = AreaResolver(
            {alias: org for alias, org in self._org_aliases if self._org_kinds.get(org) == "镇街"},
            self._town_by_text, words("village_suffix"), words("village_header") + words("area_header"),
            words("several_prefix"))

    # -- checks ---------------------------------------------------------------------------
    def _check(self) -> None:
        ind = self.indicators
        dup = ind["code"][ind["code"].duplicated()].tolist()
        if dup:
            raise CatalogError(f"指标代码重复：{', '.join(dup)}", file="indicators.csv")
        bad = ind.loc[~ind["code"].str.fullmatch(r"[a-z][a-z0-9_]*"), "code"].tolist()
        if bad:
            raise CatalogError(f"指标代码须为小写 snake_case：{', '.join(bad)}", file="indicators.csv")
        for col, allowed in (("section", tuple(SECTIONS)), ("kind", KINDS), ("framework_area", FRAMEWORK_AREAS)):
            wrong = ind.loc[~ind[col].isin(allowed), "code"].tolist()
            if wrong:
                raise CatalogError(f"{col} 取值不在允许范围：{', '.join(wrong)}", file="indicators.csv")
        unbounded = ind.loc[ind["kind"].isin(["count", "amount"]) & ind["max_value"].isna(), "code"].tolist()
        if unbounded:  # a number typed into the wrong cell (an ID-card number as a count) must be caught
            raise CatalogError(f"计数和金额类指标须有上限 max_value：{', '.join(unbounded)}", file="indicators.csv")
        unknown_orgs = sorted(set(ind["org"]) - set(self.orgs["org"]))
        if unknown_orgs:
            raise CatalogError(f"指标的填报单位不在单位名录中：{', '.join(unknown_orgs)}", file="indicators.csv")
        known = set(ind["code"])
        for row in self.derived.itertuples(index=False):
            for code in self.formula_codes(row.numerator) + self.formula_codes(row.denominator):
                if code not in known:
                    raise CatalogError(f"派生指标 {row.code} 引用了未知指标 {code}", file="derived.csv")

    @staticmethod
    def formula_codes(expr: str) -> list[str]:
        return [c.strip() for c in str(expr).split("+") if c.strip()]

    # -- lookups --------------------------------------------------------------------------
    def resolve_org(self, text: str) -> str | None:
        """Canonical reporting unit named in ``text`` (longest matching alias wins), else None."""
        if not text:
            return None
        text = str(text)
        if text in self._org_memo:
            return self._org_memo[text]
        norm = unicodedata.normalize("NFKC", text)
        found = next((org for alias, org in self._org_aliases if alias and alias in norm), None)
        if len(self._org_memo) < 100_000:  # bounded: cell texts of many workbooks pass through here
            self._org_memo[text] = found
        return found

    def resolve_area(self, text: str, village: bool = False) -> str | None:
        """The area ``text`` names: a canonical 镇街, or a 村/社区 as written; None when it names none.

        ``village``: the text stands under a 村（社区） header. One resolver for every layout
        (see :mod:`fzanalysis.core.areas`)."""
        return self._areas.resolve(text, village)

    def _town_by_text(self, text: str) -> str | None:
        org = self.resolve_org(text)
        return org if org is not None and self.org_kind(org) == "镇街" else None

    def org_kind(self, org: str) -> str:
        return self._org_kinds.get(org, "")

    def towns(self) -> list[str]:
        """The 镇街 of orgs.csv, in its order (a new list: the caller may change it)."""
        return list(self._towns)

    def expected_orgs(self) -> list[str]:
        return self.orgs.loc[self.orgs["expected"] == 1, "org"].tolist()

    def resolve_indicator(self, label: str, org: str | None = None) -> Resolution:
        """Match a label for its reporting unit first, then by name alone when unique."""
        key = normalise_label(label, self.vocabulary)
        if not key:
            return Resolution(None, "空指标名称")
        codes = self._candidates(key)
        if not codes:
            return Resolution(None, "指标名称不在目录中")
        if len(codes) == 1:
            return Resolution(codes[0])
        own = [c for c in codes if self._code_org.get(c) == org]
        if len(own) == 1:
            return Resolution(own[0])
        return Resolution(None, f"指标名称对应多个指标（{'、'.join(codes)}），无法按填报单位区分")

    def knows_label(self, label: str) -> bool:
        """True when ``label`` names one or more catalog indicators (resolvable or ambiguous)."""
        return bool(self._candidates(normalise_label(label, self.vocabulary)))

    def _candidates(self, key: str) -> list[str]:
        for variant in (key, key + "数", key[:-1] if key.endswith("数") else None):
            if variant and variant in self._by_key:
                return self._by_key[variant]
        return []

    def indicator(self, code: str) -> pd.Series:
        if code not in self._code_pos:
            raise KeyError(code)
        return self.indicators.iloc[self._code_pos[code]]

    def indicator_name(self, code: str) -> str:
        """The Chinese name of an indicator or derived rate (the code itself when unknown)."""
        if code in self._records:
            return str(self._records[code]["name"])
        hit = self.derived.loc[self.derived["code"] == code, "name"]
        return str(hit.iloc[0]) if len(hit) else code

    def indicator_record(self, code: str) -> Mapping[str, object]:
        """The catalog row of ``code`` as a read-only mapping (fast: for per-cell look-ups)."""
        return self._records[code]

    def table(self) -> pd.DataFrame:
        """The catalog as one table for display (``fzanalysis catalog``)."""
        cols = ["section", "code", "name", "org", "unit", "kind", "direction", "target", "framework_area", "aliases"]
        return self.indicators[cols].sort_values(["section", "code"], kind="stable").reset_index(drop=True)


def load_catalog(data_dir: str | Path | None = None) -> Catalog:
    """Load the catalog from ``data_dir`` (default: the files shipped with the package)."""
    return _load(str(Path(data_dir) if data_dir else DATA_DIR))


@lru_cache(maxsize=4)
def _load(data_dir: str) -> Catalog:
    base = Path(data_dir)
    indicators = read_csv(base / "indicators.csv")
    for col in ("target", "min_value", "max_value"):
        indicators[col] = pd.to_numeric(indicators[col].replace("", None), errors="raise")
    indicators["published"] = indicators["published"].replace("", "0").astype(int)
    orgs = read_csv(base / "orgs.csv")
    orgs["expected"] = orgs["expected"].replace("", "0").astype(int)
    derived = read_csv(base / "derived.csv")
    for col in ("target", "low_threshold"):
        derived[col] = pd.to_numeric(derived[col].replace("", None), errors="raise")
    return Catalog(indicators=indicators, orgs=orgs, derived=derived,
                   settings=MappingProxyType(load_settings(base, DIAGNOSTICS)), vocabulary=load_vocabulary(base),
                   folder=base)
