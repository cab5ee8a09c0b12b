"""图表（主题与中文字体只在这里设置一次）。

:func:`setup` registers the Noto Sans CJK font shipped by the ``noto-cjk-sans-otc`` package and
applies the seaborn theme with ``font=<that family>`` (without it seaborn resets the font list and
Chinese glyphs turn into boxes).  Every chart calls it, returns a :class:`matplotlib.figure.Figure`
with an Agg canvas (so ``fig.canvas.draw()`` really renders, in Jupyter and headless alike), and
writes a PNG with deterministic metadata when ``save_to`` is given.

Inputs are the display tables of :mod:`fzanalysis.analysis` (section_table, derived_rates,
town_comparison).  Large amounts are shown in 万 (元 → 万元).
"""
from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from .analysis import CHECK_ROWS
from .numbers import round_half_up

DPI = 150
_state: dict[str, str] = {}


def _font_family() -> str:
    """Register the CJK font file once; prefer its Simplified-Chinese face when the file has one."""
    import noto_cjk_sans_otc

    path = str(noto_cjk_sans_otc.FONT_PATH)
    font_manager.fontManager.addfont(path)
    family = FontProperties(fname=path).get_name()  # face 0 of the .ttc, e.g. Noto Sans CJK JP
    faces = [f.name for f in font_manager.fontManager.ttflist if f.fname == path]
    sc = [n for n in faces if n.endswith(" SC")]
    return sc[0] if sc else family


def _show_in_jupyter() -> None:
    """Our figures are built without pyplot, so Jupyter needs to be told how to show them:
    register the PNG formatter for Figure (what ``%matplotlib inline`` does) in a running kernel."""
    import sys

    if "IPython" not in sys.modules:
        return
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None and hasattr(shell, "display_formatter"):
        from IPython.core.pylabtools import select_figure_formats

        select_figure_formats(shell, {"png"}, dpi=100)


def setup_display() -> None:
    """Notebook tables in full: no truncated evidence or cell references, readable numbers."""
    pd.set_option("display.max_colwidth", None)
    pd.set_option("display.max_rows", 500)
    pd.set_option("display.max_columns", 50)
    pd.set_option("display.float_format", lambda x: f"{x:,.4f}".rstrip("0").rstrip("."))


def setup() -> str:
    """Theme + Chinese font; idempotent.  Returns the font family in use."""
    if "family" not in _state:
        if os.environ.get("MPLBACKEND") is None and matplotlib.rcParams._get_backend_or_none() is None:
            matplotlib.use("Agg")  # nothing chosen yet (script, CI); Jupyter's inline stays
        _state["family"] = _font_family()
        _show_in_jupyter()
    import seaborn as sns

    sns.set_theme(style="whitegrid", font=_state["family"], rc={"axes.unicode_minus": False})
    return _state["family"]


def _figure(width: float, height: float) -> Figure:
    setup()
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _finish(fig: Figure, save_to: Path | str | None) -> Figure:
    if save_to is not None:
        path = Path(save_to)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=DPI, format="png", metadata={"Software": None})
    return fig


def _message(title: str, text: str, save_to: Path | str | None) -> Figure:
    """A small figure that says why there is no chart (no baseline, no 镇街 rows, no rates)."""
    fig = _figure(8, 1.3)
    ax = fig.subplots()
    ax.set_axis_off()
    ax.text(0.5, 0.45, text, ha="center", va="center", fontsize=10, transform=ax.transAxes)
    ax.set_title(title)
    return _finish(fig, save_to)


def _scale(values: pd.Series, unit: str) -> tuple[float, str]:
    """(divisor, display unit): 元 and other large figures in 万."""
    peak = float(np.nanmax(np.abs(values))) if values.notna().any() else 0.0
    if unit == "%" or peak < (10_000 if unit == "元" else 100_000):
        return 1.0, unit
    return 10_000.0, f"万{unit}"


def _short(x: float) -> str:
    return "—" if pd.isna(x) else f"{x:,.2f}".rstrip("0").rstrip(".")


def _labels(df: pd.DataFrame) -> list[str]:
    """指标 names, with 填报单位 added where a name repeats (and #n for duplicate submissions)."""
    names = df["指标"].astype(str)
    labels = [f"{n}（{o}）" if c else n
              for n, o, c in zip(names, df["填报单位"], names.duplicated(keep=False))]
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} #{seen[label]}")
    return out


def _value_text(value: float, unit: str) -> str:
    """A value with its unit for a label: 元 from 1万 on in 万元."""
    if pd.isna(value):
        return "—"
    if unit == "元" and abs(value) >= 10_000:
        return f"{_short(value / 10_000)}万元"
    return f"{_short(value)}{unit}"


def yoy_bars(section_table_df: pd.DataFrame, title: str, save_to: Path | str | None = None,
             top: int = 25) -> Figure:
    """同比增减幅度（%）横向条形图：增长蓝色、下降橙色，标注「上年→本年」；按幅度绝对值取前 ``top`` 项。

    没有可比的上年数据时，画一张说明图（本年数值见表格）。
    """
    df = section_table_df.assign(_label=_labels(section_table_df))
    df = df[pd.to_numeric(df["增减幅度（%）"], errors="coerce").notna()]
    if df.empty:
        return _message(title, "无上年可比数据，不做同比（本年数值见上表）", save_to)
    pct = df["增减幅度（%）"].astype(float)
    keep = pct.abs().sort_values(ascending=False, kind="stable").index[:top]
    df = df.loc[keep].assign(_pct=pct.loc[keep]).sort_values("_pct", kind="stable")
    fig = _figure(9, 1.3 + 0.32 * len(df))
    ax = fig.subplots()
    y = np.arange(len(df))
    ax.barh(y, df["_pct"], color=["#3b75af" if v >= 0 else "#d9822b" for v in df["_pct"]], height=0.6)
    for yi, v, now, prev, unit in zip(y, df["_pct"], df["本年"], df["上年"], df["计量单位"]):
        ax.annotate(f"{v:+.1f}%（{_value_text(prev, unit)}→{_value_text(now, unit)}）", (v, yi),
                    xytext=(3 if v >= 0 else -3, 0), textcoords="offset points", va="center",
                    ha="left" if v >= 0 else "right", fontsize=7)
    ax.axvline(0, color="#555555", linewidth=0.8)
    ax.set_yticks(y, df["_label"])
    ax.margins(x=0.35)
    ax.set_xlabel("同比增减幅度（%）")
    ax.set_title(title)
    return _finish(fig, save_to)


def composition(df: pd.DataFrame | pd.Series, title: str, label: str | None = None,
                value: str | None = None, save_to: Path | str | None = None) -> Figure:
    """构成（占比）横向条形图。``df``：Series（索引为类别）或 DataFrame（默认 指标/本年 列）。"""
    if isinstance(df, pd.Series):
        series = df.dropna()
    else:
        label = label or df.attrs.get("label") or ("指标" if "指标" in df else df.select_dtypes(exclude="number").columns[0])
        value = value or df.attrs.get("value") or ("本年" if "本年" in df else df.select_dtypes("number").columns[0])
        series = df.set_index(label)[value].dropna()
    series = series[series > 0].sort_values(ascending=False)
    shares = series / series.sum() * 100 if len(series) else series
    fig = _figure(8, 1.2 + 0.45 * max(1, len(series)))
    ax = fig.subplots()
    y = np.arange(len(series))
    ax.barh(y, shares, color="#3b75af")
    for yi, s, v in zip(y, shares, series):
        ax.annotate(f"{s:.1f}%（{_short(v)}）", (s, yi), xytext=(3, 0), textcoords="offset points",
                    va="center", fontsize=8)
    ax.set_yticks(y, [str(i) for i in series.index])
    ax.invert_yaxis()
    ax.set_xlim(0, max(100.0, float(shares.max()) if len(shares) else 0) * 1.15)
    ax.set_xlabel("占比（%）")
    ax.set_title(title)
    return _finish(fig, save_to)


def town_comparison_chart(pivot: pd.DataFrame, title: str, save_to: Path | str | None = None) -> Figure:
    """镇街对比：一个指标画条形图，多个指标画热力图（颜色按各列最大值归一，格内为原值）。"""
    table = pivot.drop(index=[r for r in CHECK_ROWS if r in pivot.index]).astype(float)
    units = pivot.attrs.get("units", {})
    if table.empty:
        return _message(title, "无镇街分项数据", save_to)
    if table.shape[1] == 1:
        col = table.columns[0]
        div, shown = _scale(table[col], units.get(col, ""))
        fig = _figure(9, 4.5)
        ax = fig.subplots()
        x = np.arange(len(table))
        ax.bar(x, table[col] / div, color="#3b75af")
        for xi, v in zip(x, table[col] / div):
            ax.annotate(_short(v), (xi, 0 if pd.isna(v) else v), xytext=(0, 3),
                        textcoords="offset points", ha="center", fontsize=8)
        ax.set_xticks(x, table.index, rotation=30, ha="right")
        ax.set_ylabel(f"{col}（{shown}）" if shown else str(col))
        ax.set_xlabel("镇街")
    else:
        import seaborn as sns

        fig = _figure(1.6 + 1.3 * table.shape[1], 1.5 + 0.45 * len(table))
        ax = fig.subplots()
        peak = table.abs().max().replace(0, np.nan)
        sns.heatmap(table / peak, ax=ax, cmap="Blues", vmin=0, vmax=1, cbar=False, linewidths=0.5,
                    annot=table.apply(lambda c: c.map(lambda v: _value_text(v, units.get(c.name, "")))),
                    fmt="", annot_kws={"fontsize": 8})
        ax.set_xlabel("指标（颜色：占该列最大值的比例）")
        ax.set_ylabel("镇街")
        ax.tick_params(axis="x", labelrotation=30)
    ax.set_title(title)
    return _finish(fig, save_to)


def rate_vs_target(rates_df: pd.DataFrame, title: str, save_to: Path | str | None = None) -> Figure:
    """派生比率与目标值：横向条形为比率，红色竖线为目标值，橙色虚线为预警线，菱形为报告值。"""
    df = rates_df.reset_index(drop=True)
    if df.empty:
        return _message(title, "本节没有可由计数计算的派生比率", save_to)
    labels = [f"{n}（{o}）" if c else n for n, o, c in
              zip(df["指标"], df["填报单位"], df["指标"].duplicated(keep=False))]
    fig = _figure(9, 1.4 + 0.55 * max(1, len(df)))
    ax = fig.subplots()
    y = np.arange(len(df))
    ax.barh(y, df["比率（%）"].fillna(0), color="#3b75af", label="比率")
    for col, color, style in (("目标值", "#d62728", "-"), ("预警线", "#ff7f0e", "--")):
        has = df[col].notna()
        if has.any():
            ax.vlines(df.loc[has, col], y[has] - 0.4, y[has] + 0.4, colors=color, linestyles=style,
                      linewidth=2, label=col)
    if df["报告值"].notna().any():
        ax.scatter(df["报告值"], y, marker="D", color="#2ca02c", zorder=3, label="报告值")
    for yi, v, note in zip(y, df["比率（%）"], df["说明"]):
        text = f"{round_half_up(v, 1):.1f}%" if pd.notna(v) else f"无法计算：{note}"
        ax.annotate(text, (0 if pd.isna(v) else v, yi), xytext=(3, 0), textcoords="offset points",
                    va="center", fontsize=8)
    ax.axvline(100, color="#999999", linewidth=0.8)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 115)
    ax.set_xlabel("比率（%）")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(title)
    return _finish(fig, save_to)


def findings_chart(summary: pd.DataFrame, title: str, save_to: Path | str | None = None) -> Figure:
    """问题数量：按章节（行）和严重程度（列：高/中/低）堆叠的横向条形图。"""
    data = summary.drop(columns=["合计"], errors="ignore")
    fig = _figure(8, 1.4 + 0.45 * max(1, len(data)))
    ax = fig.subplots()
    colors = {"高": "#c0392b", "中": "#e67e22", "低": "#95a5a6"}
    left = np.zeros(len(data))
    y = np.arange(len(data))
    for sev in [c for c in ("高", "中", "低") if c in data]:
        vals = data[sev].to_numpy(dtype=float)
        ax.barh(y, vals, left=left, color=colors[sev], label=f"{sev}")
        left += vals
    ax.set_yticks(y, [str(i) for i in data.index])
    ax.invert_yaxis()
    ax.set_xlabel("问题数（条）")
    ax.set_title(title)
    if len(data):
        ax.legend(title="严重程度", fontsize=8)
    return _finish(fig, save_to)
