"""fzanalysis.report_render: report.md footnotes and report.html hover marks and 数据来源 table."""
from __future__ import annotations

from fzanalysis.report_model import Block, Cited, Draft
from fzanalysis.report_render import to_html, to_markdown

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
