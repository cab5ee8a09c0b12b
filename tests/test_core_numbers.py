"""Tests of fzanalysis.core.numbers: reading and writing report-style numbers."""
from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fzanalysis.core.errors import ValueParseError
from fzanalysis.core.numbers import MISSING_MARKERS, ParsedValue, format_value, parse_value

# (text, value, unit, qualifier, multiplier_applied)
PARSE_CASES = [
    ("579", 579.0, "", "", False),
    (" 579 ", 579.0, "", "", False),
    ("\u3000579\u3000", 579.0, "", "", False),
    ("1,234", 1234.0, "", "", False),
    ("1，234", 1234.0, "", "", False),
    ("1,234,567", 1234567.0, "", "", False),
    ("１２３", 123.0, "", "", False),
    ("１２３．５", 123.5, "", "", False),
    ("0", 0.0, "", "", False),
    ("0.5", 0.5, "", "", False),
    ("579件", 579.0, "件", "", False),
    ("579 件", 579.0, "件", "", False),
    ("566.2万元", 5662000.0, "元", "", True),
    ("45.8万元", 458000.0, "元", "", True),
    ("13061万元", 130610000.0, "元", "", True),
    ("1.52亿元", 152000000.0, "元", "", True),
    ("300元", 300.0, "元", "", False),
    ("2万", 20000.0, "", "", True),
    ("2.5万余", 25000.0, "", "余", True),
    ("2.5万余件", 25000.0, "件", "余", True),
    ("18万余件", 180000.0, "件", "余", True),
    ("3000余万元", 30000000.0, "元", "余", True),
    ("3000余万", 30000000.0, "", "余", True),
    ("超300万", 3000000.0, "", "超", True),
    ("超300万条", 3000000.0, "条", "超", True),
    ("0.0038万宗", 38.0, "宗", "", True),
    ("近1900家次", 1900.0, "家次", "近", False),
    ("约50人", 50.0, "人", "约", False),
    ("600余家", 600.0, "家", "余", False),
    ("100余次", 100.0, "次", "余", False),
    ("100余", 100.0, "", "余", False),
    ("200多人次", 200.0, "人次", "余", False),
    ("99.5％", 99.5, "%", "", False),
    ("99.5%", 99.5, "%", "", False),
    ("100%", 100.0, "%", "", False),
    ("-28%", -28.0, "%", "", False),
    ("－28％", -28.0, "%", "", False),
    ("\u221228%", -28.0, "%", "", False),
    ("41.3%", 41.3, "%", "", False),
    ("一百零五", 105.0, "", "", False),
    ("十八", 18.0, "", "", False),
    ("三", 3.0, "", "", False),
    ("两千三百", 2300.0, "", "", False),
    ("一万二千", 12000.0, "", "", True),
    ("三十二项", 32.0, "项", "", False),
    ("三千余万元", 30000000.0, "元", "余", True),
    ("十万", 100000.0, "", "", True),
    ("一亿二千万", 120000000.0, "", "", True),
    ("12份", 12.0, "份", "", False),
    ("7个", 7.0, "个", "", False),
    ("3批次", 3.0, "批次", "", False),
    ("15名", 15.0, "名", "", False),
    ("4辆", 4.0, "辆", "", False),
    ("9处", 9.0, "处", "", False),
    ("2起", 2.0, "起", "", False),
    ("6场", 6.0, "场", "", False),
    ("30件次", 30.0, "件次", "", False),
    ("5类", 5.0, "类", "", False),
    ("12期", 12.0, "期", "", False),
    ("3种", 3.0, "种", "", False),
    ("40户次", 40.0, "户次", "", False),
    ("8场次", 8.0, "场次", "", False),
    ("1.5个百分点", 1.5, "个百分点", "", False),
]


@pytest.mark.parametrize(("text", "value", "unit", "qualifier", "applied"), PARSE_CASES)
def test_parse_table(text, value, unit, qualifier, applied):
    assert parse_value(text) == ParsedValue(value, unit, qualifier, applied)


@pytest.mark.parametrize(
    ("number", "value"),
    [(579, 579.0), (0, 0.0), (-3, -3.0), (99.5, 99.5), (Decimal("1.25"), 1.25)],
)
def test_numbers_pass_through(number, value):
    assert parse_value(number) == ParsedValue(value, "", "", False)


MISSING = ["—", "——", "-", "--", "/", "／", "无", "空", "N/A", "n/a", "NA", "#N/A",
           "", " ", "\u3000", "\t\n", " — ", "－"]


@pytest.mark.parametrize("text", MISSING)
def test_missing_markers_are_none(text):
    parsed = parse_value(text)
    assert parsed == ParsedValue(None, "", "", False)
    assert parsed.value is None and parsed.value != 0


@pytest.mark.parametrize("value", [None, float("nan")])
def test_missing_values(value):
    assert parse_value(value).value is None


def test_missing_markers_constant():
    assert isinstance(MISSING_MARKERS, frozenset)
    assert {"—", "-", "/", "无", "N/A", "#N/A", ""} <= MISSING_MARKERS
    for marker in MISSING_MARKERS:
        assert parse_value(marker).value is None


BAD = ["待统计", "见附件", "12件（含3件移送）", "#DIV/0!", "#REF!", "#VALUE!", "#NAME?",
       "abc", "12abc", "3千元", "1,23", "1.2.3", "5.", "超300余万", "一二三", "五零", "万元",
       "十十", "12件，另有3件", "100件以上的案件", "1e5", "12 34", "%", "余", "超",
       True, float("inf"), [1], object()]


@pytest.mark.parametrize("text", BAD, ids=repr)
def test_unreadable_raises(text):
    with pytest.raises(ValueParseError) as info:
        parse_value(text)
    assert repr(text) in str(info.value)
    assert isinstance(info.value, ValueError)


def test_error_message_is_chinese_and_quotes_text():
    with pytest.raises(ValueParseError, match="无法识别的数值：'待统计'"):
        parse_value("待统计")


FORMAT_CASES = [
    (25000.0, "件", "余", "2.5万余件"),
    (180000.0, "件", "余", "18万余件"),
    (5662000.0, "元", "", "566.2万元"),
    (458000.0, "元", "", "45.8万元"),
    (30000000.0, "元", "余", "3000余万元"),
    (3000000.0, "条", "超", "超300万条"),
    (130610000.0, "元", "", "13061万元"),
    (152000000.0, "件", "", "1.52亿件"),
    (123456789.0, "件", "", "123456789件"),
    (12345.0, "件", "", "12345件"),
    (579.0, "件", "", "579件"),
    (600.0, "家", "余", "600余家"),
    (1900.0, "家次", "近", "近1900家次"),
    (50.0, "人", "约", "约50人"),
    (100.0, "%", "", "100%"),
    (-28.0, "%", "", "-28%"),
    (41.3, "%", "", "41.3%"),
    (99.5, "%", "", "99.5%"),
    (38.0, "宗", "", "38宗"),
    (0.0, "", "", "0"),
    (25000.0, "", "余", "2.5万余"),
]


@pytest.mark.parametrize(("value", "unit", "qualifier", "text"), FORMAT_CASES)
def test_format_table(value, unit, qualifier, text):
    assert format_value(value, unit, qualifier) == text
    parsed = parse_value(text)
    assert (parsed.value, parsed.unit, parsed.qualifier) == (value, unit, qualifier)


def test_format_rejects_bad_input():
    assert format_value(None) == "—"
    with pytest.raises(ValueError):
        format_value(float("nan"))
    with pytest.raises(ValueError):
        format_value(1.0, "件", "大约")


def test_multiplier_flag_never_doubles():
    # A caller must not apply a label's 万 when the cell already had one.
    assert parse_value("566.2万元").multiplier_applied
    assert not parse_value("566.2").multiplier_applied
    assert not parse_value(566.2).multiplier_applied


# ------------------------------------------------------------------ properties

UNITS = ["", "件", "元", "%", "项", "条", "份", "个", "家", "次", "人次", "批次", "名",
         "辆", "家次", "处", "起", "场", "人", "件次", "类", "期", "种", "宗", "户次", "场次"]
QUALIFIERS = ["", "余", "超", "约", "近"]


def _triple(parsed: ParsedValue) -> tuple:
    return (round(parsed.value, 6), parsed.unit, parsed.qualifier)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**9), st.sampled_from(UNITS), st.sampled_from(QUALIFIERS))
def test_round_trip_integers(value, unit, qualifier):
    text = format_value(float(value), unit, qualifier)
    assert _triple(parse_value(text)) == (float(value), unit, qualifier)


@settings(max_examples=300, deadline=None)
@given(st.integers(10, 10**7), st.sampled_from(QUALIFIERS))
def test_round_trip_one_decimal_wan_yuan(tenths, qualifier):
    written = f"{tenths // 10}.{tenths % 10}".removesuffix(".0")
    if qualifier in ("超", "约", "近"):
        source = f"{qualifier}{written}万元"
    else:
        source = f"{written}{qualifier}万元"
    parsed = parse_value(source)
    assert parsed.value == round(tenths * 1000.0, 6)
    text = format_value(parsed.value, parsed.unit, parsed.qualifier)
    assert text == source  # the canonical report form comes back unchanged
    assert _triple(parse_value(text)) == _triple(parsed)


@settings(max_examples=300, deadline=None)
@given(st.floats(-1e12, 1e12, allow_nan=False), st.sampled_from(UNITS),
       st.sampled_from(QUALIFIERS))
def test_round_trip_floats(value, unit, qualifier):
    parsed = parse_value(format_value(value, unit, qualifier))
    assert (parsed.value, parsed.unit, parsed.qualifier) == (value, unit, qualifier)


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_parse_arbitrary_text_only_raises_value_parse_error(text):
    try:
        parsed = parse_value(text)
    except ValueParseError:
        return
    assert parsed.value is None or math.isfinite(parsed.value)


_PIECES = st.lists(
    st.sampled_from(["超", "约", "近", "余", "多", "万", "亿", "元", "件", "%", "-", ",", ".",
                     "1", "0", "9", "一", "十", "百", "千", "零", "两", "（", "含", " ", "#", "!"]),
    max_size=8,
)


@settings(max_examples=400, deadline=None)
@given(_PIECES)
def test_parse_grammar_like_text_only_raises_value_parse_error(pieces):
    try:
        parse_value("".join(pieces))
    except ValueParseError:
        pass


_FULL_WIDTH = str.maketrans("0123456789.,%-", "０１２３４５６７８９．，％－")


@settings(max_examples=200, deadline=None)
@given(st.integers(-10**6, 10**9), st.integers(0, 99), st.booleans(),
       st.sampled_from(["", "件", "%", "万元", "万余件"]))
def test_full_width_parses_like_half_width(whole, cents, grouped, suffix):
    number = f"{whole:,}" if grouped else str(whole)
    half = f"{number}.{cents:02d}{suffix}"
    assert parse_value(half.translate(_FULL_WIDTH)) == parse_value(half)


@pytest.mark.parametrize("value,digits,expected", [(81.25, 1, 81.3), (69.936, 1, 69.9), (0.05, 1, 0.1), (-2.25, 1, -2.3),
                                                   (100.0, 1, 100.0), (41.3793, 2, 41.38)])
def test_round_half_up_as_the_report_rounds(value, digits, expected):
    from fzanalysis.core.numbers import round_half_up

    assert round_half_up(value, digits) == expected


@pytest.mark.parametrize("text, step", [
    ("579件", 1), ("566.2万元", 1000), ("2.5万余件", 1000), ("3000余万元", 10_000), ("99.5%", 0.1),
    ("一百零五", 1), ("三万", 10_000), ("超300万条", 10_000), (566.2, 0.1), (5_662_000.0, 1), ("待统计", 0),
])
def test_written_step_is_one_step_of_the_last_digit(text, step):
    from fzanalysis.core.numbers import written_step

    assert written_step(text) == pytest.approx(step)
