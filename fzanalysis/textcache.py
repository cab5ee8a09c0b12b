"""A cache for functions of one short text (标签、表头、单位名称 repeat, row after row and form after form).

``functools.lru_cache`` bounds the number of entries, not their size: a workbook full of long, unique
texts would stay in memory, cache after cache, long after it was cleaned.  :func:`text_cache` keeps
only texts of at most :data:`MAX_CACHED` characters — every label, header and name is far shorter —
and computes a longer one each time.
"""
from __future__ import annotations

from functools import lru_cache, wraps
from typing import Callable, TypeVar

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
