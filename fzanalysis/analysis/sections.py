"""分析层：指标表 → 各章节的展示表（纯函数，DataFrame 进、DataFrame 出，无 I/O）。

Section notebooks call one function per cell.  Inputs follow docs/contracts.md: ``tidy`` is the
indicator table (year, org, area, indicator, code, section, value, unit, qualifier, source_file,
sheet, cell, raw_text), ``log`` the cleaning log (fzanalysis.ingest.log.LOG_COLUMNS).  A figure is cited
as ``source_file!sheet!cell``.  Nothing is ever filled with 0: a missing figure stays NaN and
the row says why (说明).

Display tables and their columns (Chinese, since analysts read them):

* :func:`section_table` — SECTION_COLUMNS: 指标, 填报单位, 本年（报告写法）, 本年, 计量单位, 上年（报告写法）,
  上年, 增减, 增减幅度（%）, 同比, 说明, 重复报送, 出处, 上年出处, 代码 (what an analyst reads first, first).
  A rate's change is in 百分点: its 增减 is the difference of the two rates, its 增减幅度（%） is empty, and
  同比 says 提高/下降 n 个百分点 (the report's words, ``settings.csv``).
* :func:`derived_rates` — RATE_COLUMNS: 指标, 填报单位, 比率（%）, 分子, 分母, 目标值, 预警线, 报告值,
  差异（百分点）, 说明, 计算方法 (分子指标 ÷ 分母指标), 分子出处, 分母出处, 报告值出处, 章节, 代码.
* :func:`town_comparison` — index 镇街 (catalog.towns() order), one column per indicator, then the
  check rows: 分项之和 (counts and amounts only), 各镇街平均（比率） (rates only, when there are any),
  合计（报送）, 差额（合计−分项之和）.
* :func:`quality_events` — QUALITY_COLUMNS: 事件, 填报单位, 镇街, 指标, 原因, 原文, 出处.
* :func:`submission_overview` — OVERVIEW_COLUMNS; :func:`ledger_table` — LEDGER_COLUMNS;
  :func:`rejections` — REJECTION_COLUMNS; :func:`unmapped_table` — UNMAPPED_COLUMNS.

:func:`yoy` is the machine-side merge behind section_table; it keeps the tidy columns and adds
``baseline_value, baseline_ref, change, pct_change, yoy_note``.
"""
from __future__ import annotations

import pandas as pd

from ..core import compute
from ..core.catalog import SECTIONS, Catalog, load_catalog
from ..core.cite import join_cites
from ..core.errors import ParameterError
from ..core.numbers import format_value, round_half_up
from ..core.settings import load_settings
from ..ingest.log import COUNT_COLUMNS, EVENTS
from .display import cite_texts

__all__ = ["CHECK_ROWS", "KEY", "LEDGER_COLUMNS", "LOG_VIEW_COLUMNS", "OVERVIEW_COLUMNS", "QUALITY_COLUMNS",
           "RATE_COLUMNS", "REJECTION_COLUMNS", "ROW_DIFF", "ROW_MEAN", "ROW_SUM", "ROW_TOTAL", "SECTION_COLUMNS",
           "SECTION_COUNT_COLUMNS", "UNMAPPED_COLUMNS", "derived_rates", "ledger_table", "quality_events",
           "rejections", "section_counts", "section_highlights", "section_table", "submission_overview",
           "town_comparison", "unmapped_table", "yoy"]

KEY = ["org", "code", "area"]
SECTION_COLUMNS = ["指标", "填报单位", "本年（报告写法）", "本年", "计量单位", "上年（报告写法）", "上年", "增减",
                   "增减幅度（%）", "同比", "说明", "重复报送", "出处", "上年出处", "代码"]
RATE_COLUMNS = ["指标", "填报单位", "比率（%）", "分子", "分母", "目标值", "预警线", "报告值", "差异（百分点）", "说明",
                "计算方法", "分子出处", "分母出处", "报告值出处", "章节", "代码"]
ROW_SUM, ROW_MEAN, ROW_TOTAL, ROW_DIFF = "分项之和", "各镇街平均（比率）", "合计（报送）", "差额（合计−分项之和）"
CHECK_ROWS = (ROW_SUM, ROW_MEAN, ROW_TOTAL, ROW_DIFF)
LOG_VIEW_COLUMNS = ["file", "sheet", "cell", "org", "area", "code", "event", "outcome", "reason",
                    "raw_text"]
QUALITY_COLUMNS = ["事件", "填报单位", "镇街", "指标", "原因", "原文", "出处"]
REJECTION_COLUMNS = ["填报单位", "指标", "原文", "原因", "出处"]
UNMAPPED_COLUMNS = ["填报单位", "镇街", "原表名称", "数值", "计量单位", "原文", "原因", "出处"]
OVERVIEW_COLUMNS = ["填报单位", "单位类型", "应报送", "报送文件数", "读取单元格", "采用", "拒收", "搁置",
                    "重复报送", "状态"]
LEDGER_COLUMNS = ["文件", "填报单位", "读取单元格", "采用", "拒收", "搁置", "平衡"]
_COUNT_CN = dict(zip(COUNT_COLUMNS, ["读取单元格", "采用", "拒收", "搁置"]))


# -- helpers ------------------------------------------------------------------------------
def _cat(catalog: Catalog | None) -> Catalog:
    return catalog if catalog is not None else load_catalog()


def _check_section(section: str | None) -> None:
    if section is not None and section not in SECTIONS:
        raise ParameterError(f"未知章节 {section!r}，应为 {', '.join(SECTIONS)} 之一")


def _prep(tidy: pd.DataFrame, cat: Catalog | None = None) -> pd.DataFrame:
    return compute.prepare(tidy, _cat(cat))


def _ref(df: pd.DataFrame) -> pd.Series:
    return df["cite"]


def _order(df: pd.DataFrame, cat: Catalog, by: tuple[str, ...] = ("code", "org")) -> pd.DataFrame:
    """Catalog order: indicator row order, then org order of orgs.csv, then file and cell."""
    rank = {"code": dict(zip(cat.indicators["code"], range(len(cat.indicators)))),
            "org": dict(zip(cat.orgs["org"], range(len(cat.orgs))))}
    keys = {f"_k_{c}": df[c].map(rank[c]).fillna(len(rank[c])) for c in by}
    tmp = df.assign(**keys)
    cols = [*keys, *by, *[c for c in ("source_file", "cell") if c in df]]
    return tmp.sort_values(cols, kind="stable").drop(columns=list(keys)).reset_index(drop=True)


def _single(rows: pd.DataFrame) -> float:
    """The value of rows that should agree (duplicate submissions): NaN when they conflict."""
    return compute.settle(rows)[0]


def _fmt(value: float, unit: str, qualifier: str) -> str:
    return format_value(None if pd.isna(value) else float(value), unit, qualifier)


# -- year on year -------------------------------------------------------------------------
def _or_nan(x: float | None) -> float:
    return float("nan") if x is None else float(x)


def yoy(tidy: pd.DataFrame, baseline: pd.DataFrame | None) -> pd.DataFrame:
    """同比：本年各行按 (org, code, area) 对上年表；上年缺失或为 0 时不计算增幅（NaN + 说明）。"""
    df = _prep(tidy)
    base = _prep(baseline) if baseline is not None else _prep(tidy.iloc[0:0])
    grouped = base.groupby(KEY, sort=False)
    prev = pd.DataFrame([
        {**dict(zip(KEY, key)), "baseline_value": value, "baseline_unit": g["unit"].iloc[0],
         "baseline_qualifier": g["qualifier"].iloc[0], "baseline_ref": join_cites(g["cite"]),
         "_n_prev": 2 if problem else 1}
        for key, g in grouped for value, problem in [compute.settle(g)]
    ], columns=[*KEY, "baseline_value", "baseline_unit", "baseline_qualifier", "baseline_ref", "_n_prev"])
    prev["baseline_value"] = prev["baseline_value"].astype("float64")
    out = df.merge(prev, on=KEY, how="left")
    unit_ok = out["baseline_unit"].isna() | (out["baseline_unit"] == out["unit"])
    out.loc[~unit_ok, "baseline_value"] = float("nan")
    out["change"] = (out["value"] - out["baseline_value"]).round(6)
    out["pct_change"] = [float("nan") if pd.isna(o) or pd.isna(c) else _or_nan(compute.change(c, o, points=False))
                         for c, o in zip(out["value"], out["baseline_value"])]  # the one 同比 rule (compute.change)
    notes = pd.Series("", index=out.index)
    notes[out["baseline_ref"].isna()] = "无上年数据"
    notes[out["_n_prev"] > 1] = "上年重复报送且数值不一致，不作比较"
    notes[~unit_ok] = "上年计量单位不同，不作比较"
    notes[out["baseline_value"] == 0] = "上年为0，不计算增减幅度"
    out["yoy_note"] = notes
    out["baseline_ref"] = out["baseline_ref"].fillna("")
    out["baseline_qualifier"] = out["baseline_qualifier"].fillna("")
    return out.drop(columns=["baseline_unit", "_n_prev"])


def section_table(tidy: pd.DataFrame, section: str, baseline: pd.DataFrame | None = None,
                  catalog: Catalog | None = None) -> pd.DataFrame:
    """本章节数字一览：本级数（area 为空）一行一数，附报告写法、上年数、增减与出处。

    重复报送的 (org, code) 两行都保留，``重复报送`` 为 True。比率（计量单位 %）的增减以百分点计：
    ``增减`` 为两年比率之差（按 rate_decimals 四舍五入），``增减幅度（%）`` 为空。
    """
    _check_section(section)
    cat = _cat(catalog)
    df = _prep(tidy)
    df = df[(df["section"] == section) & (df["area"] == "")]
    base = None if baseline is None else _prep(baseline).query("section == @section and area == ''")
    merged = _order(yoy(df, base), cat)
    dup = merged.duplicated(KEY, keep=False)
    points = pd.Series([compute.is_rate(cat, c, u) for c, u in zip(merged["code"], merged["unit"])],
                       index=merged.index, dtype=bool)
    nd = compute.rate_decimals(cat)
    change = merged["change"].where(~points, [round_half_up(c, nd) if pd.notna(c) else c for c in merged["change"]])
    pct = merged["pct_change"].round(2).where(~points)
    settings = load_settings(cat.folder)
    said = [settings.change_words(p if not pt else c, "%", bool(pt), prefix=False)
            if pd.notna(p if not pt else c) else "" for c, p, pt in zip(change, merged["pct_change"].round(nd), points)]
    return pd.DataFrame({
        "代码": merged["code"],
        "指标": merged["indicator"],
        "填报单位": merged["org"],
        "本年": merged["value"],
        "计量单位": merged["unit"],
        "本年（报告写法）": [_fmt(v, u, q) for v, u, q in
                        zip(merged["value"], merged["unit"], merged["qualifier"])],
        "上年": merged["baseline_value"],
        "上年（报告写法）": [_fmt(v, u, q) if pd.notna(v) else "" for v, u, q in
                        zip(merged["baseline_value"], merged["unit"], merged["baseline_qualifier"])],
        "增减": change,
        "增减幅度（%）": pct,
        "同比": said,
        "出处": _ref(merged),
        "上年出处": merged["baseline_ref"],
        "重复报送": dup,
        "说明": [("重复报送；" if d else "") + n for d, n in zip(dup, merged["yoy_note"])],
    }, columns=SECTION_COLUMNS)


# -- derived rates ------------------------------------------------------------------------
def _sum_of(cat: Catalog, codes: list[str]) -> str:
    names = "+".join(cat.indicator_name(c) for c in codes)
    return f"（{names}）" if len(codes) > 1 else names


def derived_rates(tidy: pd.DataFrame, catalog: Catalog | None = None,
                  section: str | None = None) -> pd.DataFrame:
    """派生比率（:func:`fzanalysis.core.compute.derived_rates` 的阅读版）：分子指标之和 / 分母指标之和 × 100。

    比率按报告口径四舍五入（位数见 diagnostics.csv 的 rate_decimals）；缺少输入、重复报送数值冲突或
    分母为 0 时比率为 NaN，并在 ``说明`` 写明原因（从不记为 0）。``差异`` 为比率与报告值之差（百分点）。
    """
    _check_section(section)
    cat = _cat(catalog)
    nd = compute.rate_decimals(cat)
    rates = compute.derived_rates(tidy, cat, section)
    rows = []
    for x in rates.to_dict("records"):
        cites = {code: c for code, _, c in x["inputs"]}
        rate, reported = x["rate"], x["reported"]
        notes = list(x["problems"])
        if x["reported_agrees"] is False:
            notes.append("报告值与按计数计算的比率不一致")
        rows.append({
            "代码": x["code"], "指标": x["name"], "章节": x["section"], "填报单位": x["org"],
            "分子": x["numerator"], "分母": x["denominator"],
            "比率（%）": round_half_up(rate, nd) if pd.notna(rate) else float("nan"),
            "目标值": x["target"], "预警线": x["low_threshold"], "报告值": reported,
            "差异（百分点）": round_half_up(rate - reported, nd) if pd.notna(rate - reported) else float("nan"),
            "计算方法": f"{_sum_of(cat, x['num_codes'])} ÷ {_sum_of(cat, x['den_codes'])}",
            "分子出处": join_cites(c for code in x["num_codes"] for c in cites[code]),
            "分母出处": join_cites(c for code in x["den_codes"] for c in cites[code]),
            "报告值出处": x["reported_cite"],
            "说明": "；".join(notes),
        })
    return pd.DataFrame(rows, columns=RATE_COLUMNS)


# -- 镇街 comparison -----------------------------------------------------------------------
def town_comparison(tidy: pd.DataFrame, code: str | list[str] | None = None,
                    section: str | None = None, catalog: Catalog | None = None) -> pd.DataFrame:
    """镇街对比：分项行（area 非空）透视为 镇街 × 指标，末尾三行核对合计与分项之和。

    同一格有多行（重复报送）且数值不一致时为 NaN。列名为指标名，同名指标加注填报单位；
    ``attrs["units"]`` 给出各列的计量单位。只有两者都存在时才计算差额。比率不相加：其分项之和与差额为 NaN，
    另有一行「各镇街平均（比率）」给出报送镇街的算术平均（不加权），计数和金额在该行为 NaN。
    合计与分项是否相符由 :func:`fzanalysis.core.compute.total_checks` 判定（诊断规则 total_mismatch）。
    """
    _check_section(section)
    cat = _cat(catalog)
    df = _prep(tidy)
    if code is not None:
        df = df[df["code"].isin([code] if isinstance(code, str) else list(code))]
    if section is not None:
        df = df[df["section"] == section]
    parts = df[df["area"] != ""]
    if parts.empty:
        return pd.DataFrame(index=pd.Index([], name="镇街", dtype=str))
    groups = _order(parts.drop_duplicates(["org", "code"]), cat)[["org", "code", "indicator", "unit"]]
    clash = groups["indicator"].duplicated(keep=False)
    labels = [f"{i}（{o}）" if c else i for i, o, c in zip(groups["indicator"], groups["org"], clash)]
    towns = cat.towns()
    nd = compute.rate_decimals(cat)
    seen = list(dict.fromkeys(parts["area"]))
    areas = (towns if set(seen) & set(towns) else []) + [a for a in seen if a not in towns]
    table = pd.DataFrame(index=pd.Index(areas + list(CHECK_ROWS), name="镇街"))
    for (org, c), label in zip(zip(groups["org"], groups["code"]), labels):
        mine = parts[(parts["org"] == org) & (parts["code"] == c)]
        col = pd.Series({a: _single(g) for a, g in mine.groupby("area")}, dtype="float64").reindex(areas)
        total = _single(df[(df["org"] == org) & (df["code"] == c) & (df["area"] == "")])
        summable = compute.summable(cat, c, mine["unit"].iloc[0])
        summed = col.sum(min_count=1) if summable else float("nan")
        mean = float("nan") if summable or col.isna().all() else round_half_up(float(col.mean()), nd)
        diff = round(total - summed, 6) if pd.notna(total) and pd.notna(summed) else float("nan")
        table[label] = pd.concat([col, pd.Series([summed, mean, total, diff], index=list(CHECK_ROWS))])
    if table.loc[ROW_MEAN].isna().all():  # no rate here: no row of blanks
        table = table.drop(index=ROW_MEAN)
    table.columns.name = "指标"
    table.attrs["units"] = dict(zip(labels, groups["unit"]))
    return table


# -- data quality and submissions ---------------------------------------------------------
def _log(log: pd.DataFrame) -> pd.DataFrame:
    df = log.copy()
    for col in LOG_VIEW_COLUMNS:
        df[col] = df[col].fillna("").astype(str) if col in df else ""
    for col in COUNT_COLUMNS:
        df[col] = pd.to_numeric(df[col], errors="coerce").astype(float) if col in df else float("nan")
    return df


def quality_events(log: pd.DataFrame, section: str, catalog: Catalog | None = None) -> pd.DataFrame:
    """触及本章节的清洗事件：按指标代码归属章节；无代码的事件按其文件的填报单位是否填报本章节指标。"""
    _check_section(section)
    cat = _cat(catalog)
    df = _log(log)
    df = df[~df["event"].isin(("ledger", "filing_date", "narrative"))]  # bookkeeping, not a quality event
    code_section = dict(zip(cat.indicators["code"], cat.indicators["section"]))
    ev_section = df["code"].map(code_section)
    file_org = df[df["org"] != ""].drop_duplicates("file").set_index("file")["org"]
    org = df["org"].where(df["org"] != "", df["file"].map(file_org)).fillna("")
    section_orgs = set(cat.indicators.loc[cat.indicators["section"] == section, "org"])
    section_orgs |= set(df.loc[ev_section == section, "org"])
    hit = (ev_section == section) | ((df["code"] == "") & org.isin(section_orgs - {""}))
    out = df.loc[hit].reset_index(drop=True)
    personal = out["event"] == "personal_data_removed"  # never show personal data
    return pd.DataFrame({
        "事件": [EVENTS.get(e, e) for e in out["event"]],
        "填报单位": out["org"],
        "镇街": out["area"],
        "指标": [cat.indicator_name(c) if c else "" for c in out["code"]],
        "原因": out["reason"],
        "原文": out["raw_text"].where(~personal, ""),
        "出处": cite_texts(out["file"], out["sheet"], out["cell"]),
    }, columns=QUALITY_COLUMNS)


def ledger_table(log: pd.DataFrame) -> pd.DataFrame:
    """逐文件台账：读取单元格 = 采用 + 拒收 + 搁置，``平衡`` 为核对结果。"""
    df = _log(log)
    led = df[df["event"] == "ledger"].sort_values("file", kind="stable")
    out = led.rename(columns={"file": "文件", "org": "填报单位", **_COUNT_CN})
    out["平衡"] = led["cells_read"] == led["kept"] + led["rejected"] + led["set_aside"]
    out = out.astype({c: "Int64" for c in _COUNT_CN.values()})
    return out[LEDGER_COLUMNS].reset_index(drop=True)


def submission_overview(tidy: pd.DataFrame, log: pd.DataFrame,
                        catalog: Catalog | None = None) -> pd.DataFrame:
    """报送情况：应报单位及实际出现的其他单位，逐一给出文件数、采用/拒收/搁置数与 已报送/未报送。"""
    cat = _cat(catalog)
    df, lg = _prep(tidy), _log(log)
    ledger = lg[lg["event"] == "ledger"]
    present = [o for o in list(df["org"]) + list(lg["org"]) if o]
    orgs = list(dict.fromkeys(cat.expected_orgs() + _order(
        pd.DataFrame({"org": list(dict.fromkeys(present))}), cat, ("org",))["org"].tolist()))
    dup_orgs = set(lg.loc[lg["event"] == "duplicate_submission", "org"])
    rows = []
    for org in orgs:
        mine = ledger[ledger["org"] == org]
        files = set(mine["file"]) | set(df.loc[df["org"] == org, "source_file"])
        counts = {_COUNT_CN[c]: int(mine[c].sum()) if len(mine) else 0 for c in COUNT_COLUMNS}
        rows.append({
            "填报单位": org, "单位类型": cat.org_kind(org) or "未登记",
            "应报送": org in cat.expected_orgs(), "报送文件数": len(files), **counts,
            "重复报送": len(files) > 1 or org in dup_orgs,
            "状态": "已报送" if files else "未报送",
        })
    return pd.DataFrame(rows, columns=OVERVIEW_COLUMNS)


# ---------------------------------------------------------------------------- overview views
SECTION_COUNT_COLUMNS = ["章节", "章节名称", "数值条数", "指标数", "填报单位数"]


def section_counts(tidy: pd.DataFrame) -> pd.DataFrame:
    """各章节的数值条数、指标数和填报单位数（章节顺序 s1–s6）。"""
    df = _prep(tidy)
    rows = []
    for key, name in SECTIONS.items():
        part = df[df["section"] == key]
        rows.append((key, name, len(part), part["code"].nunique(), part["org"].nunique()))
    out = pd.DataFrame(rows, columns=SECTION_COUNT_COLUMNS)
    out.attrs["label"], out.attrs["value"] = "章节名称", "数值条数"
    return out


def rejections(log: pd.DataFrame, catalog: Catalog | None = None) -> pd.DataFrame:
    """被拒收的数值单元格：填报单位、指标、原文、原因和出处（文件!工作表!单元格）。"""
    cat = _cat(catalog)
    df = _log(log)
    out = df[df["outcome"] == "rejected"].reset_index(drop=True)
    return pd.DataFrame({"填报单位": out["org"], "指标": [cat.indicator_name(c) if c else "" for c in out["code"]],
                         "原文": out["raw_text"], "原因": out["reason"],
                         "出处": cite_texts(out["file"], out["sheet"], out["cell"])},
                        columns=REJECTION_COLUMNS)


def unmapped_table(unmapped: pd.DataFrame) -> pd.DataFrame:
    """指标目录中没有的名称（unmapped.csv 的阅读版）：原表中的名称、数值和出处。"""
    df = unmapped.fillna("")
    return pd.DataFrame({
        "填报单位": df["org"], "镇街": df["area"], "原表名称": df["label"],
        "数值": pd.to_numeric(df["value"], errors="coerce"), "计量单位": df["unit"], "原文": df["raw_text"],
        "原因": df["reason"],
        "出处": cite_texts(df["source_file"], df["sheet"], df["cell"]),
    }, columns=UNMAPPED_COLUMNS).reset_index(drop=True)


# ---------------------------------------------------------------------------- highlights
def section_highlights(table: pd.DataFrame, rates: pd.DataFrame | None = None) -> pd.DataFrame:
    """本节要点：几句可直接引用的中文（数据条数、同比增减、最大增幅与降幅、未达预警线的比率）。

    ``table`` 为 :func:`section_table` 的结果，``rates`` 为 :func:`derived_rates` 的结果。
    """
    points = [f"本节共有本级数据{len(table)}项，来自{table['填报单位'].nunique()}个填报单位。"]
    comparable = table[table["同比"] != ""]
    counts = comparable[comparable["增减幅度（%）"].notna()]
    if comparable.empty:
        points.append("没有可比的上年数据，不做同比。")
    else:
        up, down = int((comparable["增减"] > 0).sum()), int((comparable["增减"] < 0).sum())
        points.append(f"与上年可比的{len(comparable)}项中，增长（提高）{up}项、下降{down}项、"
                      f"持平{len(comparable) - up - down}项。")
    if not counts.empty:
        for label, row in (("增幅最大", counts.loc[counts["增减幅度（%）"].idxmax()]),
                           ("降幅最大", counts.loc[counts["增减幅度（%）"].idxmin()])):
            pct = row["增减幅度（%）"]
            if (label == "增幅最大" and pct > 0) or (label == "降幅最大" and pct < 0):
                points.append(f"{label}：{row['指标']}（{row['填报单位']}），由{row['上年（报告写法）']}"
                              f"到{row['本年（报告写法）']}，{row['同比']}。")
    moved = comparable[comparable["增减幅度（%）"].isna() & (comparable["增减"] != 0)]
    if not moved.empty:  # rates: their change in 百分点
        row = moved.loc[moved["增减"].abs().idxmax()]
        points.append(f"比率变化最大：{row['指标']}（{row['填报单位']}），由{row['上年（报告写法）']}"
                      f"到{row['本年（报告写法）']}，{row['同比']}。")
    for row in ([] if rates is None else rates.to_dict("records")):
        rate, floor = row["比率（%）"], row["预警线"]
        if pd.notna(rate) and pd.notna(floor) and rate < floor:
            points.append(f"{row['指标']}为{rate:g}%（{row['分子']:g}/{row['分母']:g}），"  # rounded by derived_rates
                          f"低于{floor:g}%的预警线。")
    return pd.DataFrame({"要点": points})
