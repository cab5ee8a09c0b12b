"""fzanalysis.report.render: report.md footnotes and report.html hover marks and 数据来源 table."""
from __future__ import annotations

import pytest

from fzanalysis.report.model import Block, Cited, Draft
from fzanalysis.report.render import to_html, to_markdown
from tests.report_fixtures import ATTACKS, BENIGN, attacked_draft, html_shape, markdown_as_html, processed, seen_text

CELLS = ("2023/司法局.xlsx!公共法律服务!C8", "2023/司法局.xlsx!公共法律服务!C7")


def _draft() -> Draft:
    rate = Cited(1, "69.9%", "legal_aid_closure_rate", "法律援助办结率", "区司法局", "", CELLS,
                 f"分子：{CELLS[0]}；分母：{CELLS[1]}")
    gap = Cited(2, "【缺数：调解成功率（区司法局）】", "mediation_success_rate", "调解成功率", "区司法局", missing=True)
    blocks = [Block("title", ["大渡口区2023年法治政府建设情况报告"]), Block("h1", ["一、情况"]),
              Block("p", ["法律援助办结率为", rate, "，调解成功率", gap, "。<b>*</b>"], ["（一）法律服务。"])]
    return Draft(2023, None, blocks[0].plain(), blocks, [rate, gap])


def test_markdown_footnote_per_figure_citing_numerator_and_denominator():
    md = to_markdown(_draft())
    assert md.splitlines()[:3] == ["# 大渡口区2023年法治政府建设情况报告", "", "## 一、情况"]
    assert "**（一）法律服务。**法律援助办结率为69.9%[^1]，调解成功率【缺数：调解成功率（区司法局）】。" in md
    assert f"[^1]: 分子：{CELLS[0]}；分母：{CELLS[1]}" in md
    assert "[^2]" not in md


def test_html_marks_figures_with_their_cells_and_lists_them():
    html = to_html(_draft())
    assert f'title="分子：{CELLS[0]}；分母：{CELLS[1]}"' in html and 'data-cells="' in html
    assert '<a href="#src-1">69.9%</a>' in html and '<tr id="src-1">' in html
    assert '<span class="missing">【缺数：调解成功率（区司法局）】</span>' in html
    assert "<h2>数据来源</h2>" in html and "&lt;b&gt;" in html  # text is escaped
    assert html.count("<tr id=") == 1


# ---------------------------------------------------------------------------- text from workbooks is text
_BENIGN: dict = {}


def _benign(processed) -> Draft:
    if not _BENIGN:
        _BENIGN["draft"] = attacked_draft(processed, BENIGN)
    return _BENIGN["draft"]


@pytest.mark.parametrize("kind", sorted(ATTACKS))
def test_markdown_shows_text_from_workbooks_as_text(processed, kind):
    md, plain = to_markdown(attacked_draft(processed, ATTACKS[kind])), to_markdown(_benign(processed))
    tags, text = html_shape(markdown_as_html(md))
    assert tags == html_shape(markdown_as_html(plain))[0]  # no element, heading, link, list or emphasis more
    assert [line for line in md.splitlines() if line.startswith("#")] == \
        [line for line in plain.splitlines() if line.startswith("#")]
    assert f"{seen_text(ATTACKS[kind])}未按时报送" in text and "\ue000" not in md


@pytest.mark.parametrize("kind", sorted(ATTACKS))
def test_html_shows_text_from_workbooks_as_text(processed, kind):
    html = to_html(attacked_draft(processed, ATTACKS[kind]))
    tags, text = html_shape(html)
    assert tags == html_shape(to_html(_benign(processed)))[0] and tags["img"] == tags["script"] == 0
    assert f"{seen_text(ATTACKS[kind])}未按时报送" in text and "\ue000" not in html


def _every_place(text: str) -> Draft:
    """``text`` as a title, a heading, a lead, at the start of a paragraph, in a figure's and a placeholder's
    words and as a figure's source."""
    gap = Cited(2, f"【缺数：{text}】", "x", text, text, missing=True)
    fig = Cited(1, "1件", "x", text, text, "", (text,), text)
    blocks = [Block("title", [text]), Block("h1", [text]), Block("p", [text, fig]), Block("p", [gap, text], [text])]
    return Draft(2023, None, text, blocks, [fig, gap])


@pytest.mark.parametrize("text", ["# 一", "## 二", "1. 三", "2) 四", "- 五", "+ 六", "> 七", "    八", "\t九", "=== 十",
                                  "* 十一", "<div>十二</div>", "[^1]: 十三", "|a|b|", "http://x.cn", "www.x.cn", "a@b.cn",
                                  "\\*十四\\*", "x_y_ _z_", "&amp; &#60;img&#62;", "!", "#", "`code`", "$x$", "~~删~~"])
def test_markdown_escapes_what_would_be_markup_at_the_start_of_a_line_and_inside_it(text):
    md = to_markdown(_every_place(text))
    tags, seen = html_shape(markdown_as_html(md))
    assert tags == html_shape(markdown_as_html(to_markdown(_every_place("文字"))))[0], md
    assert seen.count(text.strip()) == 7, (md, seen)
