"""textcache: short texts are cached, long ones computed each time and never kept."""
from __future__ import annotations

import gc
import sys

from fzanalysis.textcache import MAX_CACHED, text_cache


def test_a_short_text_is_computed_once_a_long_one_every_time():
    calls = []

    @text_cache(maxsize=16)
    def upper(text: str, suffix: str = "") -> str:  # two parameters: the general path
        calls.append(text)
        return text.upper() + suffix

    short, long = "行政复议受理数", "长" * (MAX_CACHED + 1)
    assert [upper(short), upper(short), upper(short, "!")] == ["行政复议受理数", "行政复议受理数", "行政复议受理数!"]
    assert calls == [short, short]  # the second call with the same arguments came from the cache
    assert upper(long) == upper(long) == long
    assert calls[2:] == [long, long]
    assert upper.cache_info().currsize == 2


def test_a_non_text_first_argument_is_passed_through_uncached():
    @text_cache()
    def kind(value, unit: str) -> str:
        return type(value).__name__ + unit

    assert (kind(3, "件"), kind(None, "件"), kind("x", "件")) == ("int件", "NoneType件", "str件")
    assert kind.cache_info().currsize == 1


def test_cleaning_long_unique_texts_keeps_no_copy_of_them():
    """A label cell of 10,000 characters goes through the layout and sanitize caches: none of them keeps it."""
    from fzanalysis.layout import _hkey, _key_of, _nfkc, classify_row
    from fzanalysis.sanitize import clean_text, mask_personal

    text = "某" * 10_000 + "联系电话13812345678"
    before = [f.cache_info().currsize for f in (_key_of, _nfkc, mask_personal)]
    assert clean_text(text).endswith("[手机号]") and classify_row([text]) == "personal" and _hkey(text)
    assert [f.cache_info().currsize for f in (_key_of, _nfkc, mask_personal)] == before
    gc.collect()
    assert sys.getrefcount(text) == 2  # this test's name for it, and getrefcount's argument: no cache holds it


def test_a_function_of_the_text_alone_takes_the_same_rule():
    calls = []

    @text_cache(maxsize=16)
    def key(text: str) -> str:
        calls.append(text)
        return text.strip()

    short, long = " 合计 ", "长" * (MAX_CACHED + 1)
    assert [key(short), key(short), key(long), key(long)] == ["合计", "合计", long, long]
    assert calls == [short, long, long] and key.cache_info().currsize == 1
