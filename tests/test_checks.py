"""fzanalysis.checks: one answer per question (agreement, prepared input, derived rates, totals)."""
from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fzanalysis.checks import Figure, Span, agrees, same_figure
from fzanalysis.numbers import format_value, written_step

F = Figure.from_text


@pytest.mark.parametrize("text, value, expected", [
    ("579件", 579, True),
    ("579件", 580, False),
    ("579件", 578.5, True),          # rounds half up to 579
    ("579件", 579.5, False),         # rounds half up to 580
    ("566.2万元", 5_662_000, True),
    ("566.2万元", 5_661_500, True),
    ("566.2万元", 5_662_499, True),
    ("566.2万元", 5_662_500, False),
    ("566.2万元", 5_672_000, False),
    ("2.5万余件", 25_000, True),
    ("2.5万余件", 25_999, True),
    ("2.5万余件", 26_000, False),
    ("2.5万余件", 24_999, False),
    ("3000余万元", 30_000_000, True),
    ("3000余万元", 29_990_000, False),
    ("超300万条", 3_000_001, True),
    ("超300万条", 3_000_000, False),
    ("近1900家次", 1_899, True),
    ("近1900家次", 1_900, True),
    ("近1900家次", 1_901, False),
    ("约50个", 49, True),
    ("约50个", 52, False),
    ("100%", 100, True),
    ("100%", 99.96, False),          # only 100 is 100%
    ("81.3%", 117 / 144 * 100, True),  # 81.25 rounded half up
    ("81.2%", 117 / 144 * 100, True),  # 81.25 truncated
    ("81.4%", 117 / 144 * 100, False),
    ("69.9%", 221 / 316 * 100, True),
    ("三种", 3, True),
    ("三种", 4, False),
])
def test_a_written_figure_agrees_with_a_value_to_the_precision_written(text, value, expected):
    assert agrees(F(text), Figure(float(value))) is expected


def test_a_qualified_datum_is_the_range_its_qualifier_gives():
    table = Figure.from_row(25_000, "2.5万余", "余", "件")
    assert agrees(F("2.5万余件"), table)
    assert not agrees(F("2.4万余件"), table)
    assert agrees(F("超300万条"), Figure.from_row(3_000_000, "超300万", "超", "条"))


def test_a_datum_keeps_the_precision_of_its_cell_scaled_by_its_unit():
    # 566.2 typed in a 万元 column: the cleaner stored 5,662,000 元; the cell was written to 0.1万
    fig = Figure.from_row(5_662_000, "566.2", "", "元")
    assert fig.step == pytest.approx(1000)
    assert same_figure(fig, Figure(5_662_340))
    assert not same_figure(fig, Figure(5_663_000))


@pytest.mark.parametrize("a, b, expected", [
    (Figure(579), Figure(579), True),
    (Figure(579), Figure(580), False),
    (Figure.from_row(579, "579"), Figure.from_row(580, "580"), False),
    (Figure.from_row(0.1 + 0.2, "0.3"), Figure(0.3), True),  # float noise only
    (Figure.from_row(25_000, "2.5万余", "余"), Figure.from_row(25_312, "25312"), True),
    (Figure.from_row(25_000, "2.5万余", "余"), Figure.from_row(26_312, "26312"), False),
])
def test_two_data_agree_when_either_read_as_written_agrees_with_the_other(a, b, expected):
    assert same_figure(a, b) is expected
    assert same_figure(b, a) is expected


def test_span_ends():
    assert Span(1, 2, hi_open=True).meets(Span(1.5, 1.5))
    assert not Span(1, 2, hi_open=True).meets(Span(2, 2))
    assert not Span(1, math.inf, lo_open=True).meets(Span(1, 1))
    assert Span(1, 2).meets(Span(2, 3))


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["件", "元", "条", "人次"]),
       st.sampled_from(["", "余", "超", "约", "近"]))
def test_a_value_agrees_with_its_own_report_style_text(value, unit, qualifier):
    text = format_value(float(value), unit, qualifier)
    stated = F(text)
    if qualifier == "超":
        assert agrees(stated, Figure(float(value) + max(1.0, written_step(text))))
    else:
        assert agrees(stated, Figure(float(value)))
