"""One citation: one format, one parser, one list separator (fzanalysis/core/cite.py)."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fzanalysis.core.cite import (SEP, Cite, cite_text, join_cites, parse_cite, parse_sources, sources_text,
                                  split_cites)

# names as Excel and file systems allow them, weighted towards the format's own characters
NAMES = st.text(alphabet=st.sampled_from(list("ab表1 !;'；：.-/（）")) | st.characters(), max_size=12)


def test_a_cell_is_cited_file_sheet_cell():
    c = Cite("2023/区司法局统计表.xlsx", "公共法律服务", "C8")
    assert str(c) == cite_text(c.file, c.sheet, c.cell) == "2023/区司法局统计表.xlsx!公共法律服务!C8"
    assert parse_cite(str(c)) == c


def test_a_sheet_name_holding_the_separators_is_quoted_the_excel_way():
    c = Cite("2023/a.xlsx", "法律援助!汇总", "D4")
    assert str(c) == "2023/a.xlsx!'法律援助!汇总'!D4"
    assert str(Cite("2023/a.xlsx", "it's", "A1")) == "2023/a.xlsx!'it''s'!A1"
    assert str(Cite("2023/a;b.xlsx", "S", "A1")) == "'2023/a;b.xlsx'!S!A1"
    for cite in (c, Cite("2023/a.xlsx", "it's", "A1"), Cite("x!y.xlsx", "a；b", "B2")):
        assert parse_cite(str(cite)) == cite


def test_trailing_empty_parts_are_left_off_and_an_empty_middle_part_is_kept():
    assert cite_text("2023/a.xlsx") == "2023/a.xlsx"
    assert cite_text("2023/a.xlsx", "Sheet1") == "2023/a.xlsx!Sheet1"
    assert cite_text("2023/a.xlsx", "", "C3") == "2023/a.xlsx!''!C3"
    assert parse_cite("2023/a.xlsx!''!C3") == Cite("2023/a.xlsx", "", "C3")
    assert parse_cite("") == Cite("")


@given(NAMES, NAMES, NAMES)
def test_parse_reads_back_what_format_wrote(file, sheet, cell):
    cite = Cite(file, sheet, cell)
    assert parse_cite(str(cite)) == cite


@given(st.lists(st.tuples(NAMES, NAMES, NAMES).filter(lambda t: any(t)), max_size=6))
def test_a_list_of_cites_splits_back_into_its_cites(parts):
    cites = [Cite(*p) for p in parts]
    listed = join_cites(cites)
    assert [parse_cite(c) for c in split_cites(listed)] == list(dict.fromkeys(cites))


@given(st.lists(st.tuples(NAMES, NAMES, NAMES).filter(lambda t: any(t)), min_size=1, max_size=3),
       st.lists(st.tuples(NAMES, NAMES, NAMES).filter(lambda t: any(t)), min_size=1, max_size=3))
def test_labelled_groups_read_back(num, den):
    num, den = [Cite(*p) for p in num], [Cite(*p) for p in den]
    text = sources_text([("分子", num), ("分母", den)])
    groups = parse_sources(text)
    assert [g[0] for g in groups] == ["分子", "分母"]
    assert [parse_cite(c) for c in groups[0][1]] == list(dict.fromkeys(num))
    assert [parse_cite(c) for c in groups[1][1]] == list(dict.fromkeys(den))


def test_one_separator_for_lists_and_groups_keep_their_labels():
    a, b, c = (str(Cite("2023/司法局.xlsx", "行政复议", cell)) for cell in ("C4", "C7", "C9"))
    assert SEP == ";" and join_cites([a, b, a, ""]) == f"{a};{b}"
    assert sources_text([("分子", [c]), ("分母", [a, b])]) == f"分子：{c}；分母：{a};{b}"
    assert sources_text([("本年", [a]), ("上年", [])]) == f"本年：{a}"  # a group without cells is left off
    assert parse_sources(f"{a};{b}") == [("", [a, b])]


@pytest.mark.parametrize("text", ["a!b!c!d", "'a!b", "a!'b'c'!d", "'"])
def test_what_is_no_citation_is_a_value_error(text):
    with pytest.raises(ValueError):
        parse_cite(text)
