"""Areas (地区): which 镇街 or 村/社区 a name stands for — one resolver for every layout.

A Layout B row label, a column header of a 镇街-across sheet, a sheet's name: each is read here,
through :meth:`fzanalysis.core.catalog.Catalog.resolve_area`, in this order:

1. a 镇街 or one of its aliases in ``orgs.csv``, written whole (``八桥镇人民政府`` → 八桥镇);
2. a name in the form of a 村 or 社区 — two characters or more, then a ``village_suffix`` of the
   vocabulary (村, 社区, 居委会, 村委会 …) — kept as written; not a name that speaks of several
   (各社区, 分村, 全镇各村: a ``several_prefix``);
3. a name holding a 镇街's name or alias (``大渡口区八桥镇人民政府（盖章）`` → 八桥镇).

A name standing under a 村（社区） header (``village=True``) is a 村/社区 unless it is a 镇街 written
whole, and one in a 村's form stays a 村 even when a 街道's short alias reads the same (跃进村). A 村/社区 keeps the name as written, NFKC-normalised
with spaces removed (forms align short names with spaces: ``长 江 社区``).
"""
from __future__ import annotations

import re
import unicodedata
from typing import Callable, Iterable, Mapping

__all__ = ["AreaResolver", "area_name"]

_SPACE = re.compile(r"\s+")
_BRACKETS = re.compile(r"[()\[\]【】]")
_MEMO_LIMIT = 100_000  # cell texts of many workbooks pass through here


def area_name(text: str) -> str:
    """An area's name as kept in the table: NFKC, spaces removed."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


class AreaResolver:
    """Resolves names to areas for one catalog (built by the catalog from its orgs and vocabulary)."""

    def __init__(self, town_aliases: Mapping[str, str], town_in_text: Callable[[str], str | None],
                 village_suffixes: Iterable[str], header_words: Iterable[str] = (),
                 several_prefixes: Iterable[str] = ()):
        self._towns = {area_name(alias): town for alias, town in town_aliases.items() if alias}
        self._town_names = frozenset(self._towns.values())
        self._town_in_text = town_in_text  # step 3: the org catalog's longest-alias search
        self._suffixes = tuple(area_name(s) for s in village_suffixes if s)
        self._headers = frozenset(n for w in header_words for n in (area_name(w), _BRACKETS.sub("", area_name(w))))
        self._several = tuple(area_name(p) for p in several_prefixes if p)
        self._memo: dict[tuple[str, bool], str | None] = {}

    def resolve(self, text: str, village: bool = False) -> str | None:
        """The canonical 镇街, or the 村/社区 as written, that ``text`` names; None if it names no area."""
        if not isinstance(text, str):
            return None
        memo_key = (text, village)
        if memo_key in self._memo:
            return self._memo[memo_key]
        found = self._resolve(area_name(text), village)
        if len(self._memo) < _MEMO_LIMIT:
            self._memo[memo_key] = found
        return found

    def is_village(self, area: str) -> bool:
        """True for a resolved area that is a 村/社区 rather than a 镇街."""
        return bool(area) and area not in self._town_names

    def _resolve(self, name: str, village: bool) -> str | None:
        if not any(ch.isalpha() for ch in name) or name in self._headers:
            return None  # blank, a number, a dash; 村社区 is a header word
        if village and self._village_form(name):
            return name
        if name in self._towns:
            return self._towns[name]
        if village or (self._village_form(name) and not name.startswith(self._several)):
            return name
        return self._town_in_text(name)

    def _village_form(self, name: str) -> bool:
        return len(name) <= 20 and any(name.endswith(s) and len(name) >= len(s) + 2 for s in self._suffixes)
