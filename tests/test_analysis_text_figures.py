"""fzanalysis.analysis.text_figures: every figure of a text with its value, unit and qualifier; nothing else."""
from __future__ import annotations

import re

from fzanalysis.analysis import text_figures as find
from fzanalysis.analysis.text_figures import find_figures
from fzanalysis.core.settings import load_prose
from tests.report_fixtures import SEED
from tests.work_count import lines_run

# Written for this test in the manner of other districts' reports (not the seed's sentences).
OTHER_DISTRICT = (
    "2023年，全县共受理行政复议申请86件，同比增长12.5%；行政机关负责人出庭应诉率达98.6%。"
    "深化“放管服”改革，推行“一网通办”，政务服务事项网上可办率超过95%，全年办理政务服务事项近12万件。"
    "开展执法检查1.2万余次，作出行政处罚决定368件，罚没款1200余万元，案件平均办理时间减少了3.5个工作日。"
    "组建五个方面专项工作组，推出三种帮扶模式，组织“法律明白人”培训两批次、1500余人次。"
    "落实“三审三校”制度，开展“十项行动”，首批、第三批示范点通过验收，培育《十佳调解案例汇编》。"
    "认真贯彻县委十四届五次全会、六次全会精神，依据县政府令第12号和万府发〔2023〕7号文件，自2024年3月1日起施行。"
    "打通服务群众“最后一公里”，全面落实行政执法三项制度，力争2024年复议纠错率不低于15%。"
)
EXPECTED = [
    ("86件", 86, "件", "", False), ("同比增长12.5%", 12.5, "%", "", True), ("98.6%", 98.6, "%", "", False),
    ("超过95%", 95, "%", "超", False), ("近12万件", 120000, "件", "近", False), ("1.2万余次", 12000, "次", "余", False),
    ("368件", 368, "件", "", False), ("1200余万元", 12000000, "元", "余", False),
    ("减少了3.5个工作日", -3.5, "个工作日", "", True), ("五个方面", 5, "个方面", "", False),
    ("三种", 3, "种", "", False), ("两批次", 2, "批次", "", False), ("1500余人次", 1500, "人次", "余", False),
]


def test_other_districts_text_figures_with_values_and_no_non_figures():
    found = [(m.text, m.value, m.unit, m.qualifier, m.change) for m in find_figures(OTHER_DISTRICT)]
    assert found == EXPECTED


def test_seed_has_103_figure_texts_stating_109_figures():
    mentions = [m for line in SEED.read_text(encoding="utf-8").splitlines() for m in find_figures(line)]
    assert len(mentions) == 103
    assert sum(len(m.items) or 1 for m in mentions) == 109
    shared = [m for m in mentions if m.items]
    assert [len(m.items) for m in shared] == [2, 3, 3, 2]


def test_change_words_sign_and_brackets():
    down, up = find_figures("行政复议案件办理时长同比降低28%，审结42件（上年结转1件），同比增长27.2%。")[0::3]
    assert (down.text, down.value, down.number_text) == ("同比降低28%", -28, "28%")
    assert (up.value, up.change) == (27.2, True)
    bracketed = find_figures("审结42件（上年结转1件）")[1]
    assert bracketed.in_brackets and bracketed.value == 1


def test_shared_figure_items():
    m = find_figures("“渝快办”评价率、满意率均达100%")[0]
    text = "“渝快办”评价率、满意率均达100%"
    assert [text[a:b] for a, b in m.items] == ["“渝快办”评价率", "满意率均达"]
    assert find_figures("在物业、价格、税务等27个领域")[0].items == ()  # a count after a list is one figure


def test_full_width_digits_and_names_inside_quotes():
    assert [(m.value, m.unit) for m in find_figures("受理案件４１件，设立“一站式”窗口，“１２３４５”热线")] == [(41, "件")]
    assert find_figures("推行“一件事”一次办，实现“最多跑一次”") == []


def test_no_change_is_a_flat_figure_and_roughly_flat_is_not_checked():
    flat = find_figures("成立专班5个，与上年持平；受理案件41件（同比持平），培训人次与上年基本持平。")
    assert [(m.text, m.value, m.change, m.flat) for m in flat] == [
        ("5个", 5, False, False), ("与上年持平", 0, True, True), ("41件", 41, False, False),
        ("同比持平", 0, True, True)]  # 基本持平 is a rough word: no figure
    assert flat[3].in_brackets and flat[1].number_text == "0.0%"  # 持平: the change rounds to 0.0


# ------------------------------------------------------------------------------ linear in the paragraph
def test_finding_figures_is_linear_in_the_figures_of_one_sentence():
    """One sentence of 300 and of 600 bracketed figures: the bracket depth, the figure before each and the
    clause around it are not re-read from the sentence's start for each figure."""
    def sentence(n):
        return "，".join(f"受理法律援助案件{i}件（其中刑事{i}件）" for i in range(n)) + "。"

    small = lines_run(lambda: find_figures(sentence(300)), find)
    large = lines_run(lambda: find_figures(sentence(600)), find)
    assert len(find_figures(sentence(600))) == 1200 and find_figures(sentence(600))[-1].in_brackets
    assert 1.9 < large / small < 2.1, (small, large)


def test_texts_that_made_patterns_start_over_at_every_character():
    """Each of these took seconds to minutes when a pattern re-read the rest of the line from every opening
    character; read in one pass, the right figures come back at once."""
    assert [m.text for m in find_figures("“" * 40_000 + "受理案件5件")] == ["5件"]
    assert [m.text for m in find_figures("《" * 20_000 + "‘" * 20_000 + "「" * 20_000 + "受理案件5件")] == ["5件"]
    assert [m.text for m in find_figures("未达到" * 15_000 + "受理案件5件")] == ["5件"]
    assert [m.text for m in find_figures("一" * 40_000 + "是受理案件5件")] == ["5件"]
    assert [m.text for m in find_figures("1" * 40_000 + "号，受理案件5件")] == ["5件"]
    assert [m.text for m in find_figures("十" * 40_000 + "件")] == ["十件"]  # a numeral is at most 24 characters
    assert find_figures("1" * 40_000) == [] and find_figures("（" * 40_000 + "5件")[0].in_brackets


def test_a_quoted_stop_pattern_never_admits_its_own_opening_quote():
    """``“[^”]*”`` starts over at every “ of an unclosed run and reads to the end of the line from each:
    the class of a stop pattern opened by a quotation mark must exclude that mark too (``“[^“”]*”``)."""
    quoted = [p.pattern for p, kind in load_prose().stoplist if kind == "quoted"]
    assert len(quoted) == 5
    for pattern in quoted:
        opener, cls = re.match(r"^(.)\[\^([^\]]*)\]\*", pattern).groups()
        assert opener in cls, pattern


def test_long_numerals_and_the_longest_real_one():
    assert [(m.text, m.value) for m in find_figures("共十二亿三千四百五十六万七千八百九十件")] == [
        ("十二亿三千四百五十六万七千八百九十件", 1_234_567_890)]
