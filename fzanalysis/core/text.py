"""Short texts (标签、表头、单位名称): the matching key of a label, and a cache for functions of one short text.

- :func:`normalise_label` — the key a label is matched by: NFKC, its leading numbering (``（二）``, ``3.``)
  and a trailing unit in brackets (``罚款（万元）``; the units are the vocabulary's ``unit_word`` rows)
  split off, spaces and punctuation removed.
- :func:`text_cache` — labels, headers and names repeat, row after row and form after form.
  ``functools.lru_cache`` bounds the number of entries, not their size: a workbook full of long, unique
  texts would stay in memory, cache after cache, long after it was cleaned.  :func:`text_cache` keeps
  only texts of at most :data:`MAX_CACHED` characters — every label, header and name is far shorter —
  and computes a longer one each time.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache, wraps
from typing import TYPE_CHECKING, Callable, TypeVar

if TYPE_CHECKING:
    from .vocabulary import Vocabulary

__all__ = ["ENTRIES", "MAX_CACHED", "normalise_label", "split_unit", "strip_numbering", "text_cache"]

MAX_CACHED = 200  # characters
ENTRIES = 65536

R = TypeVar("R")


def text_cache(maxsize: int = ENTRIES) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Decorator: ``fn(text, *args)`` cached (``lru_cache(maxsize)``) when ``text`` is a short str."""

    def decorate(fn: Callable[..., R]) -> Callable[..., R]:
        cached = lru_cache(maxsize=maxsize)(fn)
        if fn.__code__.co_argcount == 1:  # the hot case, a function of the text alone: no argument packing

            @wraps(fn)
            def call(text):
                return cached(text) if len(text) <= MAX_CACHED else fn(text)
        else:

            @wraps(fn)
            def call(text, *args):
                return cached(text, *args) if isinstance(text, str) and len(text) <= MAX_CACHED else fn(text, *args)

        call.cache_info, call.cache_clear = cached.cache_info, cached.cache_clear  # type: ignore[attr-defined]
        return call

    return decorate


# spaces may stand anywhere inside a unit or a numbering: 罚款（万 元）, （ 二 ）, 十 一、
_NUMERAL, _DIGITS = r"[一二三四五六七八九十](?:\s*[一二三四五六七八九十])*", r"\d(?:\s*\d)*"
_LEADING_NUMBERING = re.compile(
    rf"^\s*(?:[（(]?\s*{_NUMERAL}\s*[)）、．.]|[（(]\s*{_DIGITS}\s*[)）]|{_DIGITS}\s*[、．.](?!\d))\s*"
)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def split_unit(label: str, vocabulary: Vocabulary | None = None) -> tuple[str, str]:
    """Split a trailing unit in brackets off a label: ``罚款（万元）`` → (``罚款``, ``万元``).

    The units are the ``unit_word`` rows of the vocabulary (default: the bundled one)."""
    vocab = vocabulary or _bundled_vocabulary()
    text = unicodedata.normalize("NFKC", str(label)).strip()
    m = vocab.trailing_unit.search(text)
    unit = re.sub(r"\s+", "", m.group(1)) if m else ""
    if unit not in vocab.unit_words:
        return text, ""
    return text[: m.start()].strip(), unit


def _bundled_vocabulary() -> Vocabulary:
    # imported here for speed: the vocabulary module loads dataclasses (inspect, ast …), and the command line
    # imports this module at start-up for text_cache alone (through sanitize)
    from .vocabulary import default_vocabulary

    return default_vocabulary()


def strip_numbering(text: str) -> str:
    """A label without its leading numbering: ``（二）行政复议`` → ``行政复议``."""
    return _LEADING_NUMBERING.sub("", text)


@text_cache()  # labels repeat, row after row and form after form
def normalise_label(label: str, vocabulary: Vocabulary | None = None) -> str:
    """The matching key of a label: NFKC, numbering, trailing unit, spaces and punctuation removed."""
    text, _ = split_unit(label, vocabulary)
    text = strip_numbering(text)
    key = _NON_WORD.sub("", text.lower())
    # lower() and the removals can leave text NFKC still changes (İ → i̇, Hangul jamo): settle it once
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", key))
