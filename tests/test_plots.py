"""Tests of fzanalysis.plots: every chart renders Chinese text with the Noto CJK font, no tofu."""
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

from fzanalysis import analysis as A
from fzanalysis import plots
from fzanalysis.catalog import load_catalog

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
        "yoy": plots.yoy_bars(s6, "行政复议与法律援助：本年与上年", save_to=save("yoy")),
        "yoy_no_base": plots.yoy_bars(s4.head(8), "行政执法（无上年数据）", save_to=save("yoy_no_base")),
        "composition": plots.composition(
            s4[s4["代码"].str.endswith("penalty_cases")].assign(指标=lambda d: d["填报单位"]),
            "行政处罚案件构成", save_to=save("composition")),
        "town_one": plots.town_comparison_chart(pivot[["镇街综合行政执法案件数"]], "镇街综合行政执法案件数",
                                                save_to=save("town_one")),
        "town_heatmap": plots.town_comparison_chart(pivot, "镇街综合行政执法对比", save_to=save("town_heatmap")),
        "town_empty": plots.town_comparison_chart(A.town_comparison(tidy, code="market_fines"), "无镇街数据"),
        "rates": plots.rate_vs_target(A.derived_rates(tidy), "派生比率与目标值（法律援助办结率−对照）",
                                      save_to=save("rates")),
    }


def _glyph_warnings(fig: Figure) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    return [str(w.message) for w in caught if any(k in str(w.message) for k in GLYPH_WORDS)]


def test_every_chart_draws_chinese_without_missing_glyphs(plot_tidy):
    family = plots.setup()
    assert family.startswith("Noto Sans CJK")
    for name, fig in _charts(plot_tidy).items():
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


def test_the_glyph_check_does_catch_tofu():
    """Control: the same check fails with a font that lacks CJK glyphs."""
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        fig = Figure()
        FigureCanvasAgg(fig)
        fig.subplots().set_title("法律援助办结率")
        assert _glyph_warnings(fig)


def test_setup_is_idempotent():
    first = plots.setup()
    n_fonts = len(font_manager.fontManager.ttflist)
    assert plots.setup() == first
    assert len(font_manager.fontManager.ttflist) == n_fonts
    assert matplotlib.rcParams["axes.unicode_minus"] is False
    assert matplotlib.rcParams["font.family"] == [first]


def test_saved_pngs_are_written_and_deterministic(plot_tidy, tmp_path):
    _charts(plot_tidy, tmp_path)
    first = {p.name: p.read_bytes() for p in (tmp_path / "figures").glob("*.png")}
    assert len(first) == 6 and all(b[:8] == b"\x89PNG\r\n\x1a\n" for b in first.values())
    assert all(b"Software" not in b[:200] for b in first.values())
    _charts(plot_tidy, tmp_path)
    assert {p.name: p.read_bytes() for p in (tmp_path / "figures").glob("*.png")} == first


def test_rate_chart_marks_target_and_missing_rate(plot_tidy):
    rates = A.derived_rates(plot_tidy[plot_tidy["code"] != "legal_aid_closed"], section="s6")
    fig = plots.rate_vs_target(rates, "派生比率")
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert any(t.startswith("无法计算：缺少输入") for t in texts)
    assert "100.0%" in texts  # 行政复议办结率 42 / (41 + 1)
    assert {"目标值", "预警线", "报告值"} <= set(ax.get_legend_handles_labels()[1])


def test_yoy_chart_shows_change_with_amounts_in_wan(plot_tidy):
    base = _tidy([("区司法局", "recon_accepted", 29, ""), ("区司法局", "legal_aid_losses_recovered", 2_000_000, "")],
                 2022)
    s6 = A.section_table(plot_tidy, "s6", base)
    fig = plots.yoy_bars(s6, "同比")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "同比增减幅度（%）"
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == ["+26.9%（200万元→253.7万元）", "+41.4%（29件→41件）"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["法律援助挽回经济损失", "行政复议受理数"]


def test_yoy_chart_without_baseline_says_so(plot_tidy):
    fig = plots.yoy_bars(A.section_table(plot_tidy, "s4"), "无上年")
    assert "无上年可比数据" in fig.axes[0].texts[0].get_text()




def test_charts_without_data_say_why(plot_tidy):
    empty_rates = A.derived_rates(plot_tidy, section="s1")
    assert empty_rates.empty
    for fig, phrase in ((plots.rate_vs_target(empty_rates, "派生比率"), "没有可由计数计算的派生比率"),
                        (plots.town_comparison_chart(A.town_comparison(plot_tidy, section="s1"), "镇街"), "无镇街分项数据")):
        assert phrase in fig.axes[0].texts[0].get_text()


def test_figures_display_in_jupyter():
    """Built without pyplot, so plots registers Figure's PNG formatter in a running IPython shell."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        plots._state.clear()
        fig = plots.rate_vs_target(A.derived_rates(_tidy([("区司法局", "legal_aid_accepted", 10, ""),
                                                          ("区司法局", "legal_aid_closed", 5, "")])), "办结率")
        data, _ = shell.display_formatter.format(fig)
        assert data["image/png"][:8] == b"\x89PNG\r\n\x1a\n" or data["image/png"].startswith("iVBOR")
    finally:
        InteractiveShell.clear_instance()
        plots._state.clear()


def test_setup_display_shows_tables_in_full():
    keys = ("display.max_colwidth", "display.max_rows", "display.float_format")
    before = {k: pd.get_option(k) for k in keys}
    try:
        plots.setup_display()
        long_text = "证据" * 80
        assert long_text in pd.DataFrame({"依据": [long_text]}).to_string()
        assert pd.DataFrame({"v": [2537000.0, 69.94]}).to_string().split() == ["v", "0", "2,537,000", "1", "69.94"]
    finally:
        for k, v in before.items():
            pd.set_option(k, v)
