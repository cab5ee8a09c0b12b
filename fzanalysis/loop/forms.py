"""What a unit is expected to send (报送内容): the indicators its form asks for, and what a value cell accepts.

- ``catalog_data/forms.csv`` places indicators on a unit's form (by unit, or by unit kind such as every 镇街),
  on the Layout A sheet or on a Layout B sheet per 镇街: :func:`plan_for`; with the indicators whose usual
  reporter (``indicators.csv``'s ``org``) is the unit, every indicator a unit is expected to report is
  :func:`expected_codes` (what the templates ask for, and what status, feedback and the scorecard count).
- An indicator as the form asks for it (:class:`Item`: amounts in 万元, with its bounds) and what its cell
  accepts: a number within the bounds, a missing marker, a number with one qualifier (:func:`accepts`, the
  same rule as the Excel validation :func:`validation_formula`), with the words of ``form_texts.csv``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..core.catalog import Catalog
from ..core.errors import CatalogError
from ..core.settings import Settings, load_texts, read_csv

__all__ = ["FORMS_FILE", "Item", "Plan", "accepts", "expected_codes", "form_item", "load_forms", "plan_for", "prompt",
           "range_text", "validation_formula"]

FORMS_FILE = "forms.csv"


@lru_cache(maxsize=8)
def _forms_table(folder: str) -> pd.DataFrame:
    return read_csv(Path(folder) / FORMS_FILE)


def load_forms(catalog: Catalog) -> pd.DataFrame:
    """``forms.csv`` of the catalog's folder checked against the catalog: known codes, units or unit kinds, layouts A/B."""
    forms = _forms_table(str(catalog.folder)).copy()
    kinds = set(catalog.orgs["kind"])
    bad = forms.loc[~forms["code"].isin(catalog.indicators["code"]), "code"].tolist()
    bad += forms.loc[~(forms["org"].isin(catalog.orgs["org"]) | forms["org"].isin(kinds)), "org"].tolist()
    bad += forms.loc[~forms["layout"].isin(["A", "B"]), "layout"].tolist()
    if bad:
        raise CatalogError(f"填报模板配置有误（未知的指标、单位或版式）：{'、'.join(bad)}", file=FORMS_FILE)
    return forms


@dataclass(frozen=True)
class Item:
    """One indicator as a form asks for it: in the form's unit (万元 for an amount), with its bounds."""

    code: str
    name: str
    section: str
    kind: str
    unit: str  # as written on the form
    factor: float  # form value × factor = value in the catalog's base unit
    lo: float | None
    hi: float | None


def form_item(catalog: Catalog, code: str, texts: Settings | None = None) -> Item:
    texts = texts or load_texts(catalog.folder)
    ind = catalog.indicator_record(code)
    unit, factor = str(ind["unit"]), 1.0
    wide = texts.get("template.amount_unit", "")
    mult = catalog.vocabulary.hint_multipliers.get(wide)
    if unit == "元" and mult and mult[1] == "元":
        unit, factor = wide, mult[0]
    lo = None if pd.isna(ind["min_value"]) else float(ind["min_value"]) / factor
    hi = None if pd.isna(ind["max_value"]) else float(ind["max_value"]) / factor
    return Item(code, str(ind["name"]), str(ind["section"]), str(ind["kind"]), unit, factor, lo, hi)


@dataclass
class Plan:
    """What a unit's form holds: Layout A codes (catalog order) and Layout B sheets → codes."""

    org: str
    a: list[str]
    b: dict[str, list[str]]

    @property
    def codes(self) -> list[str]:
        return self.a + [c for codes in self.b.values() for c in codes]


def plan_for(catalog: Catalog, org: str) -> Plan:
    """The indicators a unit is expected to report, and where its form puts them."""
    forms = load_forms(catalog)
    mine = forms[(forms["org"] == org) | (forms["org"] == catalog.org_kind(org))]
    b: dict[str, list[str]] = {}
    for r in mine[mine["layout"] == "B"].itertuples():
        b.setdefault(r.sheet, []).append(r.code)
    in_b = {c for codes in b.values() for c in codes}
    wanted = set(mine.loc[mine["layout"] == "A", "code"]) | set(
        catalog.indicators.loc[catalog.indicators["org"] == org, "code"])
    a = [c for c in catalog.indicators["code"] if c in wanted and c not in in_b]
    return Plan(org, a, b)


def expected_codes(catalog: Catalog, org: str) -> list[str]:
    """Every indicator a unit's form asks for (used by status, feedback and the scorecard)."""
    return plan_for(catalog, org).codes


# ------------------------------------------------------------------------------ what a cell accepts
def _num(x: float) -> str:
    return format(x, ".15g")


def accepts(value: object, item: Item, texts: Settings | None = None) -> bool:
    """What the data validation formula of :func:`validation_formula` accepts, in Python (the two
    are tested against each other in LibreOffice): a missing marker, or a number (in a cell or as
    text, with at most one qualifier in its place) within the item's bounds."""
    texts = texts or load_texts()
    if isinstance(value, str):
        text = value
        if text in texts.list("template.missing_markers"):
            return True
        if text[-1:] in texts.list("template.suffix_qualifiers"):
            text = text[:-1]
        elif text[:1] in texts.list("template.prefix_qualifiers"):
            text = text[1:]
        text = text.strip().replace(",", "")  # 1,234: thousands separators, as Excel reads them
        try:
            number = float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
        except ValueError:
            return False
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        return False
    return (item.lo is None or number >= item.lo) and (item.hi is None or number <= item.hi)


def validation_formula(ref: str, item: Item, texts: Settings | None = None) -> str:
    """An Excel custom validation formula for cell ``ref`` (relative), as :func:`accepts`."""
    texts = texts or load_texts()
    q = lambda w: '"' + w.replace('"', '""') + '"'  # noqa: E731
    sufs = [f"RIGHT({ref})={q(w)}" for w in texts.list("template.suffix_qualifiers")]
    pres = [f"LEFT({ref})={q(w)}" for w in texts.list("template.prefix_qualifiers")]
    inner = ref
    if pres:
        inner = f"IF(OR({','.join(pres)}),MID({ref},2,99),{inner})"
    if sufs:
        inner = f"IF(OR({','.join(sufs)}),LEFT({ref},LEN({ref})-1),{inner})"
    number = f"--{inner}"
    if item.lo is not None and item.hi is not None:
        mid, half = (item.lo + item.hi) / 2, (item.hi - item.lo) / 2
        check = f"ABS({number}-{_num(mid)})<={_num(half)}"
    elif item.lo is not None:
        check = f"{number}>={_num(item.lo)}"
    elif item.hi is not None:
        check = f"{number}<={_num(item.hi)}"
    else:
        check = f"ISNUMBER({number})"
    markers = [f"{ref}={q(m)}" for m in texts.list("template.missing_markers")]
    return f"OR({','.join(markers + [f'IFERROR({check},FALSE)'])})"


def range_text(item: Item, texts: Settings) -> str:
    if item.kind == "rate":
        return texts.text("template.range.rate")
    if item.lo is None and item.hi is None:
        return texts.text("template.range.any")
    lo = _num(item.lo) if item.lo is not None else "-∞"
    hi = _num(item.hi) if item.hi is not None else "∞"
    return texts.text("template.range.bounded", lo=lo, hi=hi)


def prompt(item: Item, texts: Settings | None = None) -> str:
    texts = texts or load_texts()
    return texts.text("template.prompt", unit=item.unit, range=range_text(item, texts))[:255]
