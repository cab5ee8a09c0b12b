"""Tests of fzanalysis.analysis.charts: every chart renders Chinese text with the Noto CJK font, no tofu; axes fit
their data; subsets, 百分点 and 未报 are said; nothing to chart is a line of text, never a PNG."""
from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib
import noto_cjk_sans_otc
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from fzanalysis.analysis import charts
from fzanalysis.analysis import sections as A
from fzanalysis.core.catalog import load_catalog

FIGURES = Path(__file__).parent / "data" / "figures_2023.csv"
GLYPH_WORDS = ("missing from font", "Glyph")


def _tidy(rows: list[tuple[str, str, float, str]], year: int = 2023) -> pd.DataFrame:
    """(org, code, value, area) → tidy table with the contract's columns."""
    cat = load_catalog()
    return pd.DataFrame([{
        "year": year, "org": org, "area": area, "indicator": cat.indicator(code)["name"], "code": code,
        "section": cat.indicator(code)["section"], "value": float(value),
        "unit": cat.indicator(code)["unit"], "qualifier": "", "source_file": f"{year}/{org}.xlsx",
        "sheet": "Sheet1", "cell": f"C{i + 2}", "raw_text": str(value),
    } for i, (org, code, value, area) in enumerate(rows)])


@pytest.fixture(scope="module")
def plot_tidy() -> pd.DataFrame:
    f = pd.read_csv(FIGURES, dtype=str, keep_default_na=False)
    towns = load_catalog().towns()
    area_rows = [("区司法局", "town_enforcement_cases", 10 + i, t) for i, t in enumerate(towns)]
    area_rows += [("区司法局", "town_enforcement_inspections", 100 - 5 * i, t) for i, t in enumerate(towns)]
    return _tidy([(o, c, float(v), "") for o, c, v in zip(f["org"], f["code"], f["value"])] + area_rows)


def _charts(tidy: pd.DataFrame, tmp: Path | None = None):
    base = _tidy([("区司法局", "recon_accepted", 29, ""), ("区司法局", "recon_concluded", 33, ""),
                  ("区司法局", "legal_aid_losses_recovered", 2_000_000, "")], 2022)
    s6 = A.section_table(tidy, "s6", base)
    s4 = A.section_table(tidy, "s4")
    pivot = A.town_comparison(tidy, section="s4")
    save = (lambda name: tmp / "figures" / f"{name}.png") if tmp else (lambda name: None)
    return {
        "yoy": charts.yoy_bars(s6, "行政复议与法律援助：本年与上年", save_to=save("yoy")),
        "yoy_no_base": charts.yoy_bars(s4.head(8), "行政执法（无上年数据）", save_to=save("yoy_no_base")),
        "composition": charts.composition(
            s4[s4["代码"].str.endswith("penalty_cases")].assign(指标=lambda d: d["填报单位"]),
            "行政处罚案件构成", save_to=save("composition")),
        "town_one": charts.town_comparison_chart(pivot[["镇街综合行政执法案件数"]], "镇街综合行政执法案件数",
                                                save_to=save("town_one")),
        "town_heatmap": charts.town_comparison_chart(pivot, "镇街综合行政执法对比", save_to=save("town_heatmap")),
        "town_empty": charts.town_comparison_chart(A.town_comparison(tidy, code="market_fines"), "无镇街数据",
                                                  save_to=save("town_empty")),
        "rates": charts.rate_vs_target(A.derived_rates(tidy), "派生比率与目标值（法律援助办结率−对照）",
                                      save_to=save("rates")),
    }


def _glyph_warnings(fig: Figure) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    return [str(w.message) for w in caught if any(k in str(w.message) for k in GLYPH_WORDS)]


def test_every_chart_draws_chinese_without_missing_glyphs(plot_tidy):
    family = charts.setup()
    assert family.startswith("Noto Sans CJK")
    drawn = _charts(plot_tidy)
    assert {n for n, c in drawn.items() if c.figure is None} == {"yoy_no_base", "town_empty"}
    for name, chart in drawn.items():
        if chart.figure is None:
            continue
        fig = chart.figure
        assert isinstance(fig, Figure), name
        assert _glyph_warnings(fig) == [], name
        title = fig.axes[0].title
        assert any("\u4e00" <= ch <= "\u9fff" for ch in title.get_text()), name
        path = font_manager.fontManager.findfont(title.get_fontproperties(), fallback_to_default=False)
        assert Path(path).name == noto_cjk_sans_otc.FONT_FILE, name
        assert title.get_fontproperties().get_family() == [family]
        labels = [t.get_text() for ax in fig.axes
                  for t in ax.get_yticklabels() + ax.get_xticklabels() + ax.texts]
        assert any("\u4e00" <= ch <= "\u9fff" for t in labels for ch in t), name
        assert chart.alt.startswith(("横向条形图，", "柱状图，", "热力图，")) and chart.title in chart.alt, name


def test_the_glyph_check_does_catch_tofu():
    """Control: the same check fails with a font that lacks CJK glyphs."""
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        fig = Figure()
        FigureCanvasAgg(fig)
        fig.subplots().set_title("法律援助办结率")
        assert _glyph_warnings(fig)


def test_setup_is_idempotent():
    first = charts.setup()
    n_fonts = len(font_manager.fontManager.ttflist)
    assert charts.setup() == first
    assert len(font_manager.fontManager.ttflist) == n_fonts
    assert matplotlib.rcParams["axes.unicode_minus"] is False
    assert matplotlib.rcParams["font.family"] == [first]


def test_saved_pngs_are_written_and_deterministic(plot_tidy, tmp_path):
    _charts(plot_tidy, tmp_path)
    first = {p.name: p.read_bytes() for p in (tmp_path / "figures").glob("*.png")}
    # nothing to chart, no PNG: no placeholder image ever reaches the reports
    assert sorted(first) == ["composition.png", "rates.png", "town_heatmap.png", "town_one.png", "yoy.png"]
    assert all(b[:8] == b"\x89PNG\r\n\x1a\n" for b in first.values())
    assert all(b"Software" not in b[:200] for b in first.values())
    _charts(plot_tidy, tmp_path)
    assert {p.name: p.read_bytes() for p in (tmp_path / "figures").glob("*.png")} == first


def test_rate_chart_marks_target_and_missing_rate_with_labels_clear_of_the_lines(plot_tidy):
    rates = A.derived_rates(plot_tidy[plot_tidy["code"] != "legal_aid_closed"], section="s6")
    chart = charts.rate_vs_target(rates, "派生比率")
    ax = chart.figure.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert "无法计算" in texts and "法律援助办结率无法计算（缺少输入" in chart.alt  # the reason: 说明 and alt
    assert "100.0%" in texts  # 行政复议办结率 42 / (41 + 1)
    assert {"目标值", "预警线", "报告值"} <= set(ax.get_legend_handles_labels()[1])
    # every value label sits in a column right of the axes, where no target or warning line runs
    assert all(t.xycoords == ("axes fraction", "data") and t.xy[0] == 1.0 for t in ax.texts)
    assert ax.get_xlim()[1] == pytest.approx(105.0)  # the target at 100 stays inside
    assert "100.0%" in chart.alt


def test_rate_chart_axis_fits_small_rates_without_targets():
    rates = A.derived_rates(_tidy([("区市场监管局", "market_penalty_cases", 579, ""),
                                   ("区市场监管局", "market_police_transfers", 16, "")]), section="s4")
    chart = charts.rate_vs_target(rates.dropna(subset=["比率（%）"]), "派生比率")
    assert chart.figure.axes[0].get_xlim()[1] < 5 and not chart.figure.legends  # 2.8%: no 0–100 axis, no lone key


def _yoy_base(rows):
    return _tidy([("区司法局", c, v, "") for c, v in rows], 2022)


def test_yoy_chart_shows_change_with_amounts_in_wan(plot_tidy):
    base = _yoy_base([("recon_accepted", 29), ("legal_aid_losses_recovered", 2_000_000)])
    s6 = A.section_table(plot_tidy, "s6", base)
    chart = charts.yoy_bars(s6, "同比")
    ax = chart.figure.axes[0]
    assert ax.get_xlabel() == "同比增减幅度（%）" and ax.get_title() == "同比"  # all shown: no subset note
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == ["+26.9%（200万元→253.7万元）", "+41.4%（29件→41件）"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["法律援助挽回经济损失", "行政复议受理数"]
    lo, hi = ax.get_xlim()
    assert lo <= 0 < 41.4 < hi <= 41.4 * 2  # the axis fits its data, with just the room its labels need
    box = ax.get_window_extent()
    assert all(box.x0 - 1 <= t.get_window_extent().x0 and t.get_window_extent().x1 <= box.x1 + 1 for t in ax.texts)
    assert "增幅最大：行政复议受理数（+41.4%）" in chart.alt


def test_yoy_chart_puts_rates_in_points_on_their_own_axis(plot_tidy):
    base = _yoy_base([("recon_accepted", 29), ("village_notary_coverage", 96.4)])
    chart = charts.yoy_bars(A.section_table(plot_tidy, "s6", base), "同比")
    counts, rates = chart.figure.axes
    assert rates.get_xlabel() == "比率增减（百分点）"
    assert [t.get_text() for t in rates.texts] == ["+3.6个百分点（96.4%→100%）"]
    assert not any("个百分点" in t.get_text() for t in counts.texts)


def test_yoy_chart_of_a_subset_says_which():
    rows = [("区司法局", c, 10 + i, "") for i, c in enumerate(
        ["recon_accepted", "recon_concluded", "recon_corrected", "legal_aid_accepted", "legal_aid_closed"])]
    base = _tidy([(o, c, v + (i + 1), a) for i, (o, c, v, a) in enumerate(rows)], 2022)
    chart = charts.yoy_bars(A.section_table(_tidy(rows), "s6", base), "（六）", top=3)
    assert chart.figure.axes[0].get_title() == "（六）\n（同比变化最大的3项（共5项有变化））"
    assert len(chart.figure.axes[0].get_yticklabels()) == 3


def test_yoy_chart_leaves_out_what_did_not_move_and_says_so():
    rows = [("区司法局", "recon_accepted", 41, ""), ("区司法局", "recon_concluded", 33, "")]
    chart = charts.yoy_bars(A.section_table(_tidy(rows), "s6", _yoy_base([("recon_accepted", 29), ("recon_concluded", 33)])),
                           "（六）")
    ax = chart.figure.axes[0]
    assert ax.get_title() == "（六）\n（另有1项与上年持平）"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["行政复议受理数"]
    assert "持平1项" in chart.alt


def test_yoy_chart_without_baseline_or_change_is_a_line_of_text(plot_tidy, tmp_path):
    none = charts.yoy_bars(A.section_table(plot_tidy, "s4"), "无上年", save_to=tmp_path / "a.png")
    assert none.figure is None and "无上年可比数据" in none.note and not (tmp_path / "a.png").exists()
    flat = _tidy([("区司法局", "recon_accepted", 41, "")])
    chart = charts.yoy_bars(A.section_table(flat, "s6", _yoy_base([("recon_accepted", 41)])), "（一）")
    assert chart.figure is None and chart.note == "（一）：可比的1项指标均与上年持平，不作图。"


def test_charts_without_data_say_why(plot_tidy):
    empty_rates = A.derived_rates(plot_tidy, section="s1")
    assert empty_rates.empty
    for chart, phrase in ((charts.rate_vs_target(empty_rates, "派生比率"), "没有可由计数计算的派生比率"),
                          (charts.town_comparison_chart(A.town_comparison(plot_tidy, section="s1"), "镇街"),
                           "没有镇街分项数据")):
        assert chart.figure is None and phrase in chart.note and repr(chart) == chart.note
        assert chart._repr_png_() is None and chart._repr_markdown_() == chart.note


def test_composition_axis_fits_the_largest_share():
    chart = charts.composition(pd.Series({"甲": 51.0, "乙": 49.0}), "构成")
    assert chart.figure.axes[0].get_xlim() == (0, pytest.approx(51.0 * 1.3))


def test_heatmap_marks_towns_that_sent_nothing(plot_tidy):
    tidy = plot_tidy[~((plot_tidy["area"] == "跳磴镇") & (plot_tidy["code"] == "town_enforcement_inspections"))]
    chart = charts.town_comparison_chart(A.town_comparison(tidy, section="s4"), "镇街")
    ax = chart.figure.axes[0]
    assert [t.get_text() for t in ax.texts].count("未报") == 1
    assert not any(line.get_visible() for line in ax.get_xgridlines() + ax.get_ygridlines())  # no grid through it
    assert "1格未报" in chart.alt


def test_charts_display_in_jupyter_with_their_alt_text():
    """The notebook shows the PNG with the alt text as output metadata (the HTML export writes it on <img>)."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        chart = charts.rate_vs_target(A.derived_rates(_tidy([("区司法局", "legal_aid_accepted", 10, ""),
                                                            ("区司法局", "legal_aid_closed", 5, "")])), "办结率")
        data, metadata = shell.display_formatter.format(chart)
        assert data["image/png"][:8] == b"\x89PNG\r\n\x1a\n" or data["image/png"].startswith("iVBOR")
        assert metadata["image/png"]["alt"] == chart.alt and "法律援助办结率50.0%" in chart.alt
        assert data["text/plain"] == "图：办结率"
    finally:
        InteractiveShell.clear_instance()


def _trends(rows: list[tuple[str, str, dict[int, float]]]) -> pd.DataFrame:
    """(org, code, {year: value}) → the trend table of those figures."""
    from fzanalysis.analysis.trends import trend_table

    return trend_table(pd.concat([_tidy([(org, code, v, "")], year=y) for org, code, by_year in rows
                                  for y, v in by_year.items()]))


def test_trend_lines_draw_each_figure_with_two_years_and_say_how_many_are_shown(tmp_path):
    t = _trends([("区司法局", "legal_aid_accepted", {2021: 287, 2022: 298, 2023: 316}),
                 ("区司法局", "legal_aid_closed", {2021: 251, 2022: 236, 2023: 221}),
                 ("区司法局", "recon_accepted", {2022: 29, 2023: 41}),
                 ("区市场监管局", "market_fines", {2022: 6_350_000, 2023: 5_662_000}),
                 ("区司法局", "recon_concluded", {2023: 40})])  # one year: not drawn
    chart = charts.trend_lines(t, "多年趋势", save_to=tmp_path / "t.png", limit=3)
    fig = chart.figure
    assert len(fig.axes) == 3 and fig._suptitle.get_text() == "多年趋势（共4项，显示前3项）"
    assert (tmp_path / "t.png").stat().st_size > 10_000 and _glyph_warnings(fig) == []
    assert chart.alt == ("折线小图，多年趋势（共4项，显示前3项）：罚款金额（区市场监管局）2022年635万元至2023年566.2万元；"
                         "法律援助受理数（区司法局）2021年287件至2023年316件；法律援助办结数（区司法局）2021年251件至2023年221件。")
    assert fig.axes[1].get_title() == "法律援助受理数（件）\n年均+4.9%"  # catalog order; two years: no CAGR
    assert fig.axes[0].get_title() == "罚款金额（万元）"
    two = _trends([("区市场监管局", "market_fines", {2022: 1, 2023: 2}), ("区生态环境局", "eco_fines", {2022: 3, 2023: 4})])
    assert [ax.get_title() for ax in charts.trend_lines(two, "罚款").figure.axes] == [
        "罚款金额（区市场监管局，元）", "罚款金额（区生态环境局，元）"]  # one name, two units: each says whose
    flat = charts.trend_lines(_trends([("区司法局", "recon_accepted", {2021: 3, 2022: 3, 2023: 3})]), "持平").figure
    assert all(float(t).is_integer() for t in flat.axes[0].get_yticks())  # a count of 3 件 has no 2.95 tick
    amounts = charts.trend_lines(t[t["代码"] == "market_fines"], "罚款").figure
    assert amounts.axes[0].get_title() == "罚款金额（万元）"
    ys = list(amounts.axes[0].lines[0].get_ydata())  # the table's years: 2021 (none for this figure), 2022, 2023
    assert pd.isna(ys[0]) and ys[1:] == [635.0, 566.2]


def test_trend_lines_with_one_year_only_are_a_line_of_text(tmp_path):
    chart = charts.trend_lines(_trends([("区司法局", "recon_concluded", {2023: 40})]), "多年趋势", save_to=tmp_path / "t.png")
    assert chart.figure is None and chart.note == "多年趋势：没有两年以上的数据可比较，不作图。"
    assert not (tmp_path / "t.png").exists()
