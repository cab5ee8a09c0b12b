"""fzanalysis.figure_match: an indicator chosen by the words around a figure, never by its value."""
from __future__ import annotations

import pytest

from fzanalysis.catalog import load_catalog
from fzanalysis.figure_match import Context, Matcher, ties
from fzanalysis.figures_text import find_figures
from fzanalysis.report_settings import load_prose


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_catalog(), load_prose())


def best(matcher: Matcher, text: str, i: int = 0, item=None, section="", org="") -> list[str]:
    ms = find_figures(text)
    named, _ = matcher.named(text, 0, ms[i].start)
    pieces = matcher.windows(text, ms, i, item)
    return [c.code for c in ties(matcher.rank(pieces, {ms[i].unit}, None, Context(section, org), named))]


def test_a_noun_after_the_figure_is_its_own(matcher):
    text = "设立1个区法律援助中心、8个镇街法律援助工作站和84个村（社区）法律援助联络点"
    assert [best(matcher, text, i) for i in range(3)] == [["legal_aid_center"], ["legal_aid_town_stations"],
                                                          ["legal_aid_village_points"]]


def test_the_unit_named_in_the_sentence_decides_between_same_named_indicators(matcher):
    assert best(matcher, "生态环境领域办理行政处罚案件19件") == ["eco_penalty_cases"]
    assert best(matcher, "市场监管领域办理行政处罚案件19件") == ["market_penalty_cases"]
    assert sorted(best(matcher, "办理行政处罚案件19件")) == ["eco_penalty_cases", "market_penalty_cases"]


def test_the_value_plays_no_part(matcher):
    assert best(matcher, "区应急管理局开展安全生产执法检查105家次") == best(matcher, "区应急管理局开展安全生产执法检查3家次")


def test_shared_items_each_find_their_indicator(matcher):
    text = "行政规范性文件报备率、报备及时率、规范率均达100%"
    assert [best(matcher, text, 0, j) for j in range(3)] == [
        ["normdoc_filing_rate"], ["normdoc_filing_timely_rate"], ["normdoc_compliance_rate"]]


def test_more_specific_phrase_wins_when_its_words_are_near(matcher):
    assert best(matcher, "公检法指派刑事法律援助案件144件，办结117件", 1) == ["criminal_legal_aid_closed"]
    assert best(matcher, "受理法律援助案件316件，办结221件", 1) == ["legal_aid_closed"]


def test_unrelated_words_match_nothing(matcher):
    assert best(matcher, "新建公园3个") == []
