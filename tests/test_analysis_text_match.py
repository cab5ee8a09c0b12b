"""fzanalysis.analysis.text_match: an indicator chosen by the words around a figure, never by its value."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fzanalysis.analysis import text_match as fm
from fzanalysis.core.catalog import load_catalog
from fzanalysis.analysis.text_match import Context, Matcher, ties
from fzanalysis.analysis.text_figures import clause_bounds, find_figures, segment_bounds, sentence_bounds
from fzanalysis.core.settings import load_prose


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


# ------------------------------------------------------------------------------ linear windows
def _reference_windows(matcher: Matcher, text: str, mentions, i: int, item=None) -> dict[str, float]:
    """The window as first written (a weight for every character of the paragraph, every piece of every run):
    quadratic in the figures of a paragraph, kept here as the reference the indexed windows must equal."""
    m = mentions[i]
    c_start, c_end = clause_bounds(text, m.start)
    prev_end = max([c_start] + [f.end for f in mentions if f.end <= m.start])
    next_start = min([c_end] + [f.start for f in mentions if f.start >= m.end])
    weights = [0.0] * len(text)

    def mark(lo, hi, w):
        for p in range(max(lo, 0), min(hi, len(text))):
            weights[p] = max(weights[p], w)

    seg_start = segment_bounds(text, m.start)[0]
    mark(0, c_end, fm.W_PARAGRAPH)
    mark(sentence_bounds(text, m.start)[0], c_end, fm.W_SENTENCE)
    mark(seg_start, c_end, fm.W_SEGMENT)
    hi = c_start - 1
    for w in fm.W_CLAUSES_BACK:
        if hi <= seg_start:
            break
        lo = clause_bounds(text, hi - 1)[0] if hi > 0 else 0
        mark(max(lo, seg_start), hi, w)
        hi = lo - 1
    noun_after = item is None and fm._noun_follows(text, m.end, matcher.prose.link_words)
    mark(c_start, c_end if item is not None else (next_start if noun_after else m.start), fm.W_CLAUSE)
    if item is not None:
        for j, (a, b) in enumerate(m.items):
            if j not in (item, 0, len(m.items) - 1):
                weights[a:b] = [0.0] * (b - a)
        a, b = m.items[item]
        weights[a:b] = [fm.W_OWN] * (b - a)
    elif noun_after:
        mark(m.end, next_start, fm.W_OWN)
    else:
        mark(prev_end, m.start, fm.W_OWN)
    for f in mentions:
        weights[f.start:f.end] = [0.0] * (f.end - f.start)
    pieces, run = {}, []
    for p, ch in enumerate(text + "|"):
        if ch in fm._BREAKS or p >= len(text) or weights[p] <= 0:
            chars = "".join(c for c, _ in run).lower()
            for a in range(len(run)):
                weakest = run[a][1]
                for b in range(a + 1, min(len(run), a + fm.MAX_PIECE)):
                    weakest = min(weakest, run[b][1])
                    if pieces.get(chars[a:b + 1], 0.0) < weakest:
                        pieces[chars[a:b + 1]] = weakest
            run = []
        elif fm._WORD.match(ch):
            run.append((ch, weights[p]))
    return pieces


FRAGMENTS = ["受理法律援助案件", "办结", "法律援助", "区司法局", "刑事", "行政复议", "市场监管领域", "行政处罚案件",
             "调解成功率", "报备率", "规范率", "均达", "分别为", "中小企业", "和", "并", "“一件事”", "（", "）", "，", "。",
             "；", "：", "、", "|", " ", "\n", "316件", "221件", "18家", "99%", "100%", "同比增长6%", "下降9.3个百分点",
             "与上年持平", "2023年", "第三批", "Ab"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=40))
def test_indexed_windows_weigh_every_phrase_piece_as_the_reference(matcher, parts):
    """Paragraphs built from phrases, figures, breaks and listed items: for every figure (and listed item),
    every piece of every phrase weighs what the character-by-character window gives it."""
    text = "".join(parts)
    mentions = find_figures(text)
    for i, m in enumerate(mentions):
        for item in (range(len(m.items)) if m.items else [None]):
            want = _reference_windows(matcher, text, mentions, i, item)
            got = matcher.windows(text, mentions, i, item)
            assert {k: got.get(k) for k in matcher._keys if got.get(k)} == \
                   {k: w for k, w in want.items() if k in matcher._keys}, (text, i, item)


def _paragraph(n: int) -> str:
    return "，".join(f"区司法局受理法律援助案件{i}件、办结{i // 2}件" for i in range(n)) + "。"


def _matching_work(matcher: Matcher, text: str, monkeypatch) -> dict[str, int]:
    """Stretches indexed, pieces weighed and phrases covered while every figure of ``text`` is matched."""
    work = {"stretches": 0, "weighed": 0, "covered": 0}
    for name, cls, attr in (("stretches", fm._Paragraph, "_index"), ("weighed", fm.Pieces, "_weight")):
        original = getattr(cls, attr)

        def counting(*args, _original=original, _name=name):
            work[_name] += 1
            return _original(*args)

        monkeypatch.setattr(cls, attr, counting)
    original_cover = Matcher.cover

    def counting_cover(phrase, pieces):
        work["covered"] += 1
        return original_cover(phrase, pieces)

    monkeypatch.setattr(Matcher, "cover", staticmethod(counting_cover))
    mentions = find_figures(text)
    for i, m in enumerate(mentions):
        matcher.rank(matcher.windows(text, mentions, i), {m.unit}, None, Context(), "")
    monkeypatch.undo()
    return work


def test_matching_work_grows_linearly_with_the_figures_of_a_paragraph(matcher, monkeypatch):
    """1,000 and 2,000 figures in one paragraph (2,000 took 295 s when each window re-read the paragraph):
    the paragraph is indexed once and each figure costs the same, so twice the figures is twice the work."""
    small = _matching_work(matcher, _paragraph(500), monkeypatch)
    large = _matching_work(matcher, _paragraph(1000), monkeypatch)
    assert (small["stretches"], large["stretches"]) == (1000, 2000)  # one stretch before each figure, indexed once
    for kind in ("weighed", "covered"):
        assert small[kind] > 1000 and 1.9 < large[kind] / small[kind] < 2.1, (kind, small, large)


def test_a_figure_in_a_clause_without_punctuation_still_costs_a_bounded_amount(matcher, monkeypatch):
    """No punctuation at all: every figure's own clause is everything before it. Past STRONG_SCAN characters
    every candidate competes, which costs the same for each figure — not a reading of the whole clause."""
    text = "".join(f"区司法局受理法律援助案件{i}件办结{i // 2}件" for i in range(400))
    small = _matching_work(matcher, text[: len(text) // 2], monkeypatch)
    large = _matching_work(matcher, text, monkeypatch)
    assert 1.8 < large["weighed"] / small["weighed"] < 2.2 and 1.8 < large["covered"] / small["covered"] < 2.2


NAMES = ["区司法局", "司法局", "区市场监管局", "市场监管", "生态环境", "八桥镇", "跳磴镇", "受理", "案件", "5件", "。", "，", "\n"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(NAMES), min_size=1, max_size=30), st.data())
def test_units_named_before_a_figure_as_a_scan_of_its_sentence_says(matcher, parts, data):
    """The units of a paragraph are found once; for any sentence start and any end, the last unit and 镇街
    named are those a scan of just that stretch finds."""
    text = "".join(parts)
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch in "。\n"]
    start = data.draw(st.sampled_from(starts))
    end = data.draw(st.integers(start, len(text)))
    org = area = ""
    for m in matcher._org_re.finditer(text, start, end):
        unit = matcher._org_of[m.group()]
        area, org = (unit, org) if unit in matcher._towns else (area, unit)
    assert matcher.named(text, start, end) == (org, area)
