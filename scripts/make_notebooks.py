"""Write the analysis notebooks shipped in the package (``fzanalysis/notebooks/``) from one spec.

This spec is the one source of the notebooks.  The package holds them without outputs (what
``fzanalysis run``, papermill and ``fzanalysis init`` use: small, and no sample results in a
district's install); ``notebooks/`` holds the same cells executed on the bundled data, written by
``python scripts/refresh_notebooks.py``, for nbval and for reading the results in the repository.
The notebooks are thin: every code cell calls one library function and shows its result.
Run ``python scripts/make_notebooks.py`` after changing this spec, then ``refresh_notebooks.py``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NB_DIR = ROOT / "fzanalysis" / "notebooks"

PARAMS = '''year = 2023
baseline_year = None  # None：上一年（如有数据）
raw_dir = None  # None：项目文件夹的 data/raw（FZANALYSIS_HOME，否则从当前目录向上找含 data/raw 的文件夹）
processed_dir = None  # None：项目文件夹的 data/processed
output_dir = None  # None：项目文件夹的 reports'''

LOAD = '''import fzanalysis as fz

fz.setup_display()  # tables as a reader sees them: Chinese headings, 是/否, provenance last
yr = fz.open_year(year, baseline_year, raw_dir=raw_dir, processed_dir=processed_dir, output_dir=output_dir)
yr.summary()'''

SECTIONS = {
    "s1": ("s1_leadership", "（一）切实履行第一责任人职责",
           "党政主要负责人履行推进法治建设第一责任人职责：专题学习、法治讲座、述法全覆盖。"),
    "s2": ("s2_business_environment", "（二）法治化营商环境",
           "川渝通办、一件事一次办、电子证照、信用大渡口与信易贷等政务服务和信用监管数据。"),
    "s3": ("s3_rules_and_decisions", "（三）依法行政制度体系与行政决策",
           "行政规范性文件报备与清理、重大行政决策合法性审查、法律顾问作用发挥。"),
    "s4": ("s4_enforcement", "（四）行政执法",
           "各执法领域的处罚案件、罚款、移送公安、执法检查与隐患排查，以及镇街综合行政执法。"),
    "s5": ("s5_supervision", "（五）行政权力监督",
           "人大建议和政协提案办理、审计监督、司法和检察建议、行政应诉与政务公开。"),
    "s6": ("s6_grassroots_disputes", "（六）基层治理与矛盾纠纷化解",
           "公共法律服务与法律援助、行政复议受理审结与纠错、人民调解。"),
}


def md(text: str):
    return nbformat.v4.new_markdown_cell(text)


def code(text: str, tags: list[str] | None = None):
    cell = nbformat.v4.new_code_cell(text)
    if tags:
        cell.metadata["tags"] = tags
    return cell


def notebook(cells) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    return nb


def head(title: str, intro: str) -> list:
    return [
        md(f"# {title}\n\n{intro}"),
        code(PARAMS, ["parameters"]),
        code(LOAD),
    ]


def section_notebook(key: str, title: str, intro: str) -> nbformat.NotebookNode:
    return notebook(head(f"法治政府建设情况分析 · {title}", intro) + [
        md("## 一、本节要点\n\n可直接引用的几句话：数据条数、同比增减、增幅与降幅最大的指标、低于预警线的比率。"),
        code(f'table = fz.sections.section_table(yr.tidy, "{key}", yr.baseline)\n'
             f'rates = fz.sections.derived_rates(yr.tidy, section="{key}")\n'
             'fz.sections.section_highlights(table, rates)'),
        md("## 二、本节主要数据\n\n每个数值都注明出处（文件!工作表!单元格，鼠标悬停可见完整路径）；「本年（报告写法）」"
           "按报告的写法书写；有对比年度时给出同比，比率的变化以百分点计。"),
        code("table"),
        md("## 三、同比变化"),
        code(f'fz.charts.yoy_bars(table, "{title}：本年与上年", save_to=yr.figure_path("{key}_yoy"))'),
        md("## 四、派生比率\n\n按指标目录中的公式由原始计数计算（如 办结率 = 办结 / 受理），与报告值和目标值对照；"
           "与报告值的差异以百分点计。"),
        code("rates"),
        code(f'fz.charts.rate_vs_target(rates, "{title}：派生比率", save_to=yr.figure_path("{key}_rates"))'),
        md("## 五、镇街比较\n\n有镇街分项数据的指标按镇街列出，并核对合计与分项之和；比率不相加，"
           "给出各镇街的算术平均。"),
        code(f'towns = fz.sections.town_comparison(yr.tidy, section="{key}")\ntowns'),
        code(f'fz.charts.town_comparison_chart(towns, "{title}：镇街比较", save_to=yr.figure_path("{key}_towns"))'),
        md("## 六、数据质量\n\n清洗日志中与本节有关的事件（拒收、缺失、未匹配、换算等）。"),
        code(f'fz.sections.quality_events(yr.log, "{key}")'),
    ] + trend_cells(key, title))


def trend_cells(key: str, title: str) -> list:
    """多年趋势: every available year up to ``year``, small multiples, CAGR where meaningful."""
    return [
        md("## 七、多年趋势\n\n所有可用年度的本级数：计数和金额给出年均增长率（三年及以上），比率给出首末年变化（百分点）。"),
        code(f'yrs = fz.open_years(year, project=yr.project)\ntrends = fz.trends.trend_table(yrs.tidy, "{key}")\ntrends'),
        code(f'fz.charts.trend_lines(trends, "{title}：多年趋势", save_to=yr.figure_path("{key}_trends"))'),
    ]


def overview_loop_cells() -> list:
    """报送跟踪 and the years at a glance, at the end of the overview."""
    return [
        md("## 五、报送跟踪\n\n每个应报单位：是否报送、采用哪份文件（更正报送替代的文件）、应报与已报指标、数值处理结果、是否重复报送。"
           "`fzanalysis status` 给出同一张表，并写出只含单位和计数的 `status.csv`。"),
        code("fz.status.submission_status(yr.tidy, yr.log)"),
        md("## 六、多年概况\n\n所有可用年度的数据量和各指标的多年变化。"),
        code("yrs = fz.open_years(year, project=yr.project)\nyrs.summary()"),
        code("trends = fz.trends.trend_table(yrs.tidy)\ntrends"),
        code('fz.charts.trend_lines(trends, "主要指标多年趋势", save_to=yr.figure_path("overview_trends"))'),
    ]


def scorecard_notebook() -> nbformat.NotebookNode:
    return notebook(head("内部评分：各单位报送完整性、数据质量和目标达成",
                         "仅供内部使用，不进入报告初稿。每一分都对应问题清单中的问题、清洗日志和单元格出处；"
                         "权重和扣分标准见 `catalog_data/scorecard.csv`。") + [
        md("## 一、排名\n\n写出 `scorecard.csv`（排名）和 `scorecard_details.csv`（每一分的依据）。"),
        code("findings = fz.diagnostics.year_findings(yr)\n"
             "card, details = fz.scorecard.scorecard(yr.tidy, yr.log, findings)\n"
             "fz.scorecard.write_scorecard(card, details, yr.output_dir / str(yr.year))\ncard"),
        code('fz.scorecard.scorecard_chart(card, f"{year}年各单位得分", save_to=yr.figure_path("scorecard"))'),
        md("## 二、扣分与得分依据\n\n数据质量的每一项扣分、目标达成的每一项指标、完整性的缺报指标，均附规则和出处。"),
        code('details[details["维度"] != "目标达成"]'),
        code('details[details["维度"] == "目标达成"]'),
    ])


def overview_notebook() -> nbformat.NotebookNode:
    return notebook(head("法治政府建设数据概览：报送、清洗台账与数据质量",
                         "哪些单位报送了什么、缺了什么；清洗台账是否平衡；被拒收的数值和未匹配的指标名称。") + [
        md("## 一、报送情况\n\n按单位名录列出应报送单位的报送文件数和数值处理结果。"),
        code("fz.sections.submission_overview(yr.tidy, yr.log)"),
        md("## 二、清洗台账\n\n每个文件：读取单元格 = 采用 + 拒收 + 搁置。"),
        code("fz.sections.ledger_table(yr.log)"),
        md("## 三、各章节数值分布"),
        code("fz.sections.section_counts(yr.tidy)"),
        code('fz.charts.composition(fz.sections.section_counts(yr.tidy), "各章节指标数值条数", '
             'save_to=yr.figure_path("overview_sections"))'),
        md("## 四、拒收与未匹配\n\n被拒收的数值（不可能的值、无法识别的文字、公式无缓存值等）和指标目录中没有的名称。"),
        code("fz.sections.rejections(yr.log)"),
        code("fz.sections.unmapped_table(yr.unmapped)"),
    ] + overview_loop_cells())


def diagnostics_notebook() -> nbformat.NotebookNode:
    return notebook(head("存在的问题和不足：问题诊断",
                         "按规则从数据中找出问题：目标未达成、比率偏低、数据前后矛盾、镇街落后、未报送、同比异常、"
                         "数据质量。每条问题附数据依据、出处单元格和下一年度工作建议。") + [
        md("## 一、问题清单\n\n按严重程度（高/中/低）和章节排序；同时写出 `findings.csv`（Excel 可直接打开）和 `findings.json`。"),
        code("# 与上年及对比年度之前的历年数据比较（报告、反馈表、评分用的同一份问题清单）\n"
             "findings = fz.diagnostics.year_findings(yr)\n"
             "fz.diagnostics.write_findings(findings, yr.output_dir / str(yr.year))\n"
             "fz.diagnostics.findings_table(findings)"),
        md("## 二、按章节和严重程度汇总"),
        code("summary = fz.diagnostics.summary(findings)\nsummary"),
        code('fz.charts.findings_chart(summary, "问题数量：按章节和严重程度", save_to=yr.figure_path("findings"))'),
        md("## 三、按问题类别\n\n对应报告「存在的问题和不足」的几类问题，以及《法治政府建设实施纲要（2021—2025年）》的相关体系。"),
        code("fz.diagnostics.by_category(findings)"),
    ])


def build() -> dict[str, nbformat.NotebookNode]:
    books = {"overview": overview_notebook()}
    for key, (stem, title, intro) in SECTIONS.items():
        books[stem] = section_notebook(key, title, intro)
    books["diagnostics"] = diagnostics_notebook()
    books["scorecard"] = scorecard_notebook()
    return books


def main() -> int:
    NB_DIR.mkdir(exist_ok=True)
    for stem, nb in build().items():
        for i, cell in enumerate(nb.cells):  # stable ids, so regenerating changes nothing
            cell["id"] = f"{stem[:12]}-{i:02d}"
        nbformat.write(nb, str(NB_DIR / f"{stem}.ipynb"))
        print(f"wrote fzanalysis/notebooks/{stem}.ipynb")
    return 0


if __name__ == "__main__":
    sys.exit(main())
