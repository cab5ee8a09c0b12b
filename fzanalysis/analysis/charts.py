"""图表（主题与中文字体只在这里设置一次）。

:func:`setup` registers the Noto Sans CJK font shipped by the ``noto-cjk-sans-otc`` package and
applies the seaborn theme with ``font=<that family>`` (without it seaborn resets the font list and
Chinese glyphs turn into boxes).  Every chart function returns a :class:`Chart`: a
:class:`matplotlib.figure.Figure` with an Agg canvas (so ``fig.canvas.draw()`` really renders, in
Jupyter and headless alike), its alt text (what the chart shows, in words: the exported HTML puts
it on the image), and the PNG written with deterministic metadata when ``save_to`` is given.  With
nothing to chart (no baseline, no 镇街 rows, no rates) the Chart is one line of text and no PNG is
written.

Rules every chart keeps: an axis fits its data; a chart showing a subset says which in its title
(同比变化最大的25项); a rate's change is in 百分点, never mixed with counts' 增减幅度（%）; a 镇街
that sent nothing is marked 未报; value labels stay clear of reference lines (a rate chart writes
its values in a column right of the axes).

Inputs are the display tables of :mod:`fzanalysis.analysis.sections` (section_table, derived_rates,
town_comparison).  Large amounts are shown in 万 (元 → 万元).
"""
from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import MaxNLocator

from ..core.catalog import Catalog, load_catalog
from ..core.compute import rate_decimals
from ..core.numbers import round_half_up
from .sections import CHECK_ROWS

__all__ = ["BLUE", "DPI", "GREY", "ORANGE", "SCREEN_DPI", "TOP", "Chart", "composition", "findings_chart", "finish",
           "new_figure", "no_chart", "rate_vs_target", "setup", "town_comparison_chart", "trend_lines", "yoy_bars"]

DPI = 150  # saved PNGs
SCREEN_DPI = 100  # shown in a notebook and its HTML
TOP = 25  # the year-on-year chart shows at most this many items per panel
BLUE, ORANGE, GREY = "#3b75af", "#d9822b", "#888888"
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


@dataclass
class Chart:
    """A chart as a notebook shows it: the PNG with its alt text, or — with nothing to chart — one line
    of text saying why (``note``) and no figure, no PNG."""

    title: str
    figure: Figure | None = None
    alt: str = ""
    note: str = ""
    path: Path | None = None

    def _repr_png_(self):
        if self.figure is None:
            return None
        buf = io.BytesIO()
        self.figure.savefig(buf, dpi=SCREEN_DPI, format="png", metadata={"Software": None})
        return buf.getvalue(), {"alt": self.alt}

    def _repr_markdown_(self):
        return None if self.figure is not None else self.note

    def __repr__(self) -> str:
        return f"图：{self.title}" if self.figure is not None else self.note


def setup() -> str:
    """Theme + Chinese font; idempotent.  Returns the font family in use."""
    if "family" not in _state:
        if os.environ.get("MPLBACKEND") is None and matplotlib.rcParams._get_backend_or_none() is None:
            matplotlib.use("Agg")  # nothing chosen yet (script, CI); Jupyter's inline stays
        _state["family"] = _font_family()
    import seaborn as sns

    sns.set_theme(style="whitegrid", font=_state["family"], rc={"axes.unicode_minus": False})
    return _state["family"]


def new_figure(width: float, height: float) -> Figure:
    """An empty figure with an Agg canvas, the theme and the Chinese font set (what every chart starts from)."""
    setup()
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def finish(fig: Figure, title: str, alt: str, save_to: Path | str | None) -> Chart:
    """The drawn figure as a :class:`Chart`, written as a PNG (deterministic metadata) when ``save_to`` is given."""
    path = None
    if save_to is not None:
        path = Path(save_to)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=DPI, format="png", metadata={"Software": None})
    return Chart(title, fig, alt, path=path)


def no_chart(title: str, why: str) -> Chart:
    """No chart: one line saying why (and no PNG, so no placeholder image ever reaches the reports)."""
    return Chart(title, note=f"{title}：{why}，不作图。")


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


def _fit(ax, values: np.ndarray) -> None:
    """An x axis that fits its values (and 0), then widened just enough for the value labels beside the bars."""
    lo, hi = min(0.0, float(np.min(values))), max(0.0, float(np.max(values)))
    pad = 0.03 * ((hi - lo) or 1.0)
    ax.set_xlim(lo - pad, hi + pad)
    renderer = ax.figure.canvas.get_renderer()
    for _ in range(4):  # widening the axis moves the labels with their bars: a few rounds settle it
        ax.figure.draw_without_rendering()
        box = ax.get_window_extent(renderer)
        extents = [t.get_window_extent(renderer) for t in ax.texts]
        over_left = max([box.x0 - e.x0 for e in extents] + [0.0])
        over_right = max([e.x1 - box.x1 for e in extents] + [0.0])
        if over_left < 1 and over_right < 1:
            return
        left, right = ax.get_xlim()
        per_pixel = (right - left) / box.width
        ax.set_xlim(left - 1.2 * over_left * per_pixel, right + 1.2 * over_right * per_pixel)


def _decimals(catalog: Catalog | None) -> int:
    """Decimals of a percentage on a chart: the catalog's ``rate_decimals``, as in the tables and the report."""
    return rate_decimals(catalog if catalog is not None else load_catalog())


def _yoy_panel(ax, df: pd.DataFrame, points: bool, top: int, nd: int) -> str:
    """One panel of the year-on-year chart: the items that moved, the ``top`` largest moves; returns what it
    leaves out, in words ('' when it shows every item)."""
    col = "增减" if points else "增减幅度（%）"
    values = df[col].astype(float)
    moved = values[values != 0]
    keep = moved.abs().sort_values(ascending=False, kind="stable").index[:top]
    part = df.loc[keep].assign(_v=values.loc[keep]).sort_values("_v", kind="stable")
    y = np.arange(len(part))
    ax.barh(y, part["_v"], color=[BLUE if v >= 0 else ORANGE for v in part["_v"]], height=0.6)
    for yi, v, now, prev, unit in zip(y, part["_v"], part["本年"], part["上年"], part["计量单位"]):
        size = f"{v:+g}个百分点" if points else f"{v:+.{nd}f}%"
        ax.annotate(f"{size}（{_value_text(prev, unit)}→{_value_text(now, unit)}）", (v, yi),
                    xytext=(3 if v >= 0 else -3, 0), textcoords="offset points", va="center",
                    ha="left" if v >= 0 else "right", fontsize=7)
    ax.axvline(0, color="#555555", linewidth=0.8)
    ax.set_yticks(y, part["_label"])
    _fit(ax, part["_v"].to_numpy())
    ax.set_xlabel("比率增减（百分点）" if points else "同比增减幅度（%）")
    notes = [f"同比变化最大的{top}项（共{len(moved)}项有变化）"] if len(moved) > top else []
    notes += [f"另有{len(df) - len(moved)}项与上年持平"] if len(moved) < len(df) else []
    return "；".join(notes)


def yoy_bars(section_table_df: pd.DataFrame, title: str, save_to: Path | str | None = None,
             top: int = TOP, catalog: Catalog | None = None) -> Chart:
    """同比横向条形图：计数、金额按增减幅度（%），比率按增减（百分点）分两栏；增长蓝色、下降橙色，标注「上年→本年」。

    每栏画有变化的项目，按变化绝对值取前 ``top`` 项；未画出的（持平的、超出前 ``top`` 的）在该栏标题中写明。
    没有可比数据或全部持平时不作图，只说明原因。
    """
    df = section_table_df.assign(_label=_labels(section_table_df))
    rate = df["计量单位"] == "%"
    counts = df[~rate & pd.to_numeric(df["增减幅度（%）"], errors="coerce").notna()]
    rates = df[rate & pd.to_numeric(df["增减"], errors="coerce").notna()]
    if counts.empty and rates.empty:
        return no_chart(title, "无上年可比数据，不做同比（本年数值见上表）")
    moved = [p[p[c].astype(float) != 0] for p, c in ((counts, "增减幅度（%）"), (rates, "增减"))]
    if all(m.empty for m in moved):
        return no_chart(title, f"可比的{len(counts) + len(rates)}项指标均与上年持平")
    panels = [(p, pts) for p, m, pts in ((counts, moved[0], False), (rates, moved[1], True)) if not m.empty]
    rows = [min(len(m), top) for m in moved if not m.empty]
    fig = new_figure(9, 1.0 + sum(0.32 * r + 0.9 for r in rows))
    axes = fig.subplots(len(panels), 1, squeeze=False, gridspec_kw={"height_ratios": [r + 2.5 for r in rows]})[:, 0]
    nd = _decimals(catalog)
    notes = [_yoy_panel(ax, p, pts, top, nd) for ax, (p, pts) in zip(axes, panels)]
    names = [title if i == 0 else "比率（以百分点计）" for i in range(len(panels))]
    if panels[0][1]:  # rates alone
        names[0] = f"{title}：比率（以百分点计）"
    for ax, name, note in zip(axes, names, notes):
        ax.set_title(f"{name}\n（{note}）" if note else name, fontsize=None if ax is axes[0] else 10)
    changes = pd.concat([counts["增减"], rates["增减"]]).astype(float)
    alt = (f"横向条形图，{title}：{len(counts)}项计数和金额的同比增减幅度（%）"
           + (f"、{len(rates)}项比率的增减（百分点）" if len(rates) else "")
           + f"，增长{int((changes > 0).sum())}项、下降{int((changes < 0).sum())}项、持平{int((changes == 0).sum())}项"
           + "".join(f"；{n}" for n in notes if n) + "。")
    if len(counts):
        pct = counts["增减幅度（%）"].astype(float)
        hi, lo = counts.loc[pct.idxmax()], counts.loc[pct.idxmin()]
        alt += f"增幅最大：{hi['_label']}（{pct.max():+.{nd}f}%）；降幅最大：{lo['_label']}（{pct.min():+.{nd}f}%）。"
    return finish(fig, title, alt, save_to)


def composition(df: pd.DataFrame | pd.Series, title: str, label: str | None = None,
                value: str | None = None, save_to: Path | str | None = None, catalog: Catalog | None = None) -> Chart:
    """构成（占比）横向条形图。``df``：Series（索引为类别）或 DataFrame（默认 指标/本年 列）。"""
    if isinstance(df, pd.Series):
        series = df.dropna()
    else:
        label = label or df.attrs.get("label") or ("指标" if "指标" in df else df.select_dtypes(exclude="number").columns[0])
        value = value or df.attrs.get("value") or ("本年" if "本年" in df else df.select_dtypes("number").columns[0])
        series = df.set_index(label)[value].dropna()
    series = series[series > 0].sort_values(ascending=False)
    if series.empty:
        return no_chart(title, "没有大于0的数值")
    shares = series / series.sum() * 100
    nd = _decimals(catalog)
    fig = new_figure(8, 1.2 + 0.45 * len(series))
    ax = fig.subplots()
    y = np.arange(len(series))
    ax.barh(y, shares, color=BLUE)
    for yi, sh, v in zip(y, shares, series):
        ax.annotate(f"{sh:.{nd}f}%（{_short(v)}）", (sh, yi), xytext=(3, 0), textcoords="offset points",
                    va="center", fontsize=8)
    ax.set_yticks(y, [str(i) for i in series.index])
    ax.invert_yaxis()
    ax.set_xlim(0, float(shares.max()) * 1.3)
    ax.set_xlabel("占比（%）")
    ax.set_title(title)
    parts = "、".join(f"{i}{sh:.{nd}f}%" for i, sh in zip(series.index[:6], shares[:6]))
    alt = f"横向条形图，{title}：共{len(series)}项，占比依次为{parts}{'等' if len(series) > 6 else ''}。"
    return finish(fig, title, alt, save_to)


def town_comparison_chart(pivot: pd.DataFrame, title: str, save_to: Path | str | None = None) -> Chart:
    """镇街对比：一个指标画条形图，多个指标画热力图（颜色按各列最大值归一，格内为原值；未报的格为灰色并写「未报」）。"""
    table = pivot.drop(index=[r for r in CHECK_ROWS if r in pivot.index]).astype(float)
    units = pivot.attrs.get("units", {})
    if table.empty or table.shape[1] == 0:
        return no_chart(title, "本节没有镇街分项数据")
    missing = int(table.isna().sum().sum())
    if table.shape[1] == 1:
        col = table.columns[0]
        div, shown = _scale(table[col], units.get(col, ""))
        fig = new_figure(9, 4.5)
        ax = fig.subplots()
        x = np.arange(len(table))
        values = table[col] / div
        ax.bar(x, values.fillna(0), color=BLUE)
        for xi, v in zip(x, values):
            ax.annotate("未报" if pd.isna(v) else _short(v), (xi, 0 if pd.isna(v) else v), xytext=(0, 3),
                        textcoords="offset points", ha="center", fontsize=8, color=GREY if pd.isna(v) else "black")
        ax.set_ylim(0, max(float(values.max()) if values.notna().any() else 0, 1) * 1.15)
        ax.set_xticks(x, table.index, rotation=30, ha="right")
        ax.set_ylabel(f"{col}（{shown}）" if shown else str(col))
        ax.set_xlabel("镇街")
        best, worst = values.idxmax(), values.idxmin()
        alt = (f"柱状图，{title}：{len(table)}个镇街的{col}，最高{best}（{_short(values.max())}{shown}），"
               f"最低{worst}（{_short(values.min())}{shown}）" + (f"，{missing}个镇街未报" if missing else "") + "。")
    else:
        import seaborn as sns

        fig = new_figure(1.8 + 1.3 * table.shape[1], 1.5 + 0.45 * len(table))
        ax = fig.subplots()
        ax.set_facecolor("#eeeeee")  # a cell nobody reported: grey, no grid through it
        peak = table.abs().max().replace(0, np.nan)
        # masked (unreported) cells get no annotation from seaborn: 未报 is written on them below
        annot = table.apply(lambda c: c.map(lambda v: _value_text(v, units.get(c.name, ""))))
        sns.heatmap((table / peak).fillna(0), mask=table.isna().to_numpy(), ax=ax, cmap="Blues", vmin=0, vmax=1,
                    cbar=False, linewidths=0.5, linecolor="white", annot=annot, fmt="", annot_kws={"fontsize": 8})
        for (yi, xi), v in np.ndenumerate(table.to_numpy()):
            if np.isnan(v):
                ax.text(xi + 0.5, yi + 0.5, "未报", ha="center", va="center", fontsize=8, color=GREY)
        ax.grid(False)
        ax.set_xlabel("指标（颜色：占该列最大值的比例；灰色：未报）")
        ax.set_ylabel("镇街")
        for label in ax.get_xticklabels():  # long names slant from their column, not across the next one
            label.set(rotation=30, ha="right", rotation_mode="anchor")
        alt = (f"热力图，{title}：{len(table)}个镇街×{table.shape[1]}项指标（{'、'.join(map(str, table.columns))}），"
               f"颜色深浅为占该列最大值的比例" + (f"；{missing}格未报" if missing else "") + "。")
    ax.set_title(title)
    return finish(fig, title, alt, save_to)


def rate_vs_target(rates_df: pd.DataFrame, title: str, save_to: Path | str | None = None,
                   catalog: Catalog | None = None) -> Chart:
    """派生比率与目标值：横向条形为比率，红色竖线为目标值，橙色虚线为预警线，菱形为报告值；
    各项比率写在图右侧一栏，不与参考线重叠。"""
    df = rates_df.reset_index(drop=True)
    if df.empty:
        return no_chart(title, "本节没有可由计数计算的派生比率")
    labels = [f"{n}（{o}）" if c else n for n, o, c in
              zip(df["指标"], df["填报单位"], df["指标"].duplicated(keep=False))]
    fig = new_figure(9, 2.4 + 0.55 * len(df))
    ax = fig.subplots()
    y = np.arange(len(df))
    ax.barh(y, df["比率（%）"].fillna(0), color=BLUE, label="比率")
    for col, color, style in (("目标值", "#d62728", "-"), ("预警线", "#ff7f0e", "--")):
        has = df[col].notna()
        if has.any():
            ax.vlines(df.loc[has, col], y[has] - 0.4, y[has] + 0.4, colors=color, linestyles=style,
                      linewidth=2, label=col)
    if df["报告值"].notna().any():
        ax.scatter(df["报告值"], y, marker="D", color="#2ca02c", zorder=3, label="报告值")
    nd = _decimals(catalog)
    texts = [f"{round_half_up(v, nd):.{nd}f}%" if pd.notna(v) else "无法计算" for v in df["比率（%）"]]  # why: 说明
    for yi, text in zip(y, texts):  # a column right of the axes: never under a reference line
        ax.annotate(text, xy=(1.0, yi), xycoords=("axes fraction", "data"), xytext=(6, 0),
                    textcoords="offset points", va="center", fontsize=8, annotation_clip=False)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    peak = max([float(df[c].max()) for c in ("比率（%）", "目标值", "预警线", "报告值") if df[c].notna().any()] + [1.0])
    ax.set_xlim(0, peak * 1.05)  # fits the rates and their references (a target at 100 stays inside)
    ax.set_xlabel("比率（%）")
    handles, names = ax.get_legend_handles_labels()
    if len(names) > 1:  # a key only when there is more than the bars
        fig.legend(handles, names, loc="outside lower center", ncols=len(names), fontsize=8)
    ax.set_title(title)
    below = [f"{n}{t}" for n, t, v, f in zip(labels, texts, df["比率（%）"], df["预警线"])
             if pd.notna(v) and pd.notna(f) and v < f]
    alt = (f"横向条形图，{title}：{len(df)}个派生比率与目标值、预警线对照："
           + "；".join(f"{n}{t}" + (f"（{note}）" if pd.isna(v) and note else "")
                      for n, t, v, note in zip(labels, texts, df["比率（%）"], df["说明"])) + "。"
           + (f"低于预警线：{'、'.join(below)}。" if below else ""))
    return finish(fig, title, alt, save_to)


def findings_chart(summary: pd.DataFrame, title: str, save_to: Path | str | None = None) -> Chart:
    """问题数量：按章节（行）和严重程度（列：高/中/低）堆叠的横向条形图。"""
    data = summary.drop(columns=["合计"], errors="ignore")
    total = int(data.to_numpy().sum()) if len(data) else 0
    if total == 0:
        return no_chart(title, "没有发现问题")
    fig = new_figure(8, 1.4 + 0.45 * len(data))
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
    ax.set_xlim(0, float(left.max()) * 1.1)
    ax.set_xlabel("问题数（条）")
    ax.set_title(title)
    ax.legend(title="严重程度", fontsize=8)
    per = "、".join(f"{sev}{int(data[sev].sum())}条" for sev in ("高", "中", "低") if sev in data)
    most = data.sum(axis=1).idxmax()
    alt = f"堆叠条形图，{title}：共{total}条问题，其中{per}；最多的是{most}（{int(data.sum(axis=1).max())}条）。"
    return finish(fig, title, alt, save_to)


def trend_lines(trends: pd.DataFrame, title: str, save_to: Path | str | None = None, limit: int = 16) -> Chart:
    """多年趋势小图：:func:`fzanalysis.analysis.trends.trend_table` 中有两年以上数据的前 ``limit`` 项各一张折线小图，
    标题写明共几项、显示几项；金额以万元计，计数和金额注明年均增长率。"""
    years = trends.attrs.get("years") or [int(c[:-1]) for c in trends.columns if c.endswith("年") and c[:-1].isdigit()]
    cols = [f"{y}年" for y in years]
    drawn = trends[trends[cols].notna().sum(axis=1) >= 2] if len(trends) and cols else trends.iloc[0:0]
    if drawn.empty:
        return no_chart(title, "没有两年以上的数据可比较")
    shown = drawn.head(limit)
    suffix = f"（共{len(drawn)}项，显示前{len(shown)}项）" if len(shown) < len(drawn) else f"（{len(shown)}项）"
    ncols = min(4, len(shown))
    nrows = int(np.ceil(len(shown) / ncols))
    fig = new_figure(3.2 * ncols, 2.4 * nrows + 0.6)
    fig.suptitle(title + suffix)
    described = []
    twice = shown["指标"].duplicated(keep=False).tolist()
    for k, r in enumerate(shown.to_dict("records")):
        ax = fig.add_subplot(nrows, ncols, k + 1)
        values = pd.Series([r[c] for c in cols], dtype="float64")
        div, unit = _scale(values, r["计量单位"])
        ax.plot(years, values / div, marker="o", color=BLUE)
        ax.set_xticks(years, [str(y) for y in years])
        label = r["指标"] if len(r["指标"]) <= 12 else r["指标"][:12] + "…"
        whose = f"{r['填报单位']}，" if twice[k] else ""  # one name for two units' figures: say whose
        growth = r["年均增长率（%）"]
        ax.set_title(f"{label}（{whose}{unit}）" + (f"\n年均{growth:+g}%" if pd.notna(growth) else ""), fontsize=9)
        ax.tick_params(labelsize=7)
        ax.margins(y=0.2)
        if div == 1.0 and unit != "%":  # a count of 件, 个 …: whole-number ticks, at least one on each side
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            low, high = np.nanmin(values), np.nanmax(values)
            if high - low < 2:
                ax.set_ylim(low - 1, high + 1)
        have = [(y, v) for y, v in zip(years, values) if pd.notna(v)]
        described.append(f"{r['指标']}（{r['填报单位']}）{have[0][0]}年{_value_text(have[0][1], r['计量单位'])}"
                         f"至{have[-1][0]}年{_value_text(have[-1][1], r['计量单位'])}")
    alt = f"折线小图，{title}{suffix}：" + "；".join(described) + "。"
    return finish(fig, title, alt, save_to)
