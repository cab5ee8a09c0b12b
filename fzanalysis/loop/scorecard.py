"""Internal scorecard (内部评分): completeness, data quality and target attainment per expected unit.

For the 司法局's own follow-up, never for the public report draft (no report module reads it). Every
point is explained by a row of :func:`scorecard` 's details: the findings, log lines and cells behind it.

- **完整性** — indicators answered (a value kept, or 无) of those the unit's form asks for
  (:func:`fzanalysis.loop.status.answered_codes`, :func:`fzanalysis.loop.forms.expected_codes`) × 100; a unit
  that sent nothing scores 0.
- **数据质量** — ``quality.full`` minus penalties (never below 0): each rejected or unmapped cell of its
  counting files; each ``conflicting_values`` / ``total_mismatch`` / ``rate_inconsistent`` /
  ``yoy_implausible`` finding that cites one of its cells (a conflict between two units counts for
  both); a duplicate submission left unresolved; each file a correction superseded; each file whose
  填报日期 is after the deadline. A unit that sent nothing has no quality score.
- **目标达成** — of its own figures with a catalog target (rates at 100%) and its derived rates with a
  target, the share that meets it × 100; none: no score.

The total is the weighted mean of the scores it has (weights renormalised); units are ranked by it.
Weights and penalties are ``scorecard.csv`` of the catalog folder (:func:`load_weights`).
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..analysis.diagnostics import missing_orgs
from ..core import compute
from ..core.catalog import Catalog, load_catalog
from ..core.cite import cite_text, join_cites, parse_cite, split_cites
from ..core.numbers import round_half_up
from ..core.settings import SCORECARD, Settings, load_settings, load_texts
from ..store.outputs import atomic_write_bytes, csv_bytes
from .forms import expected_codes
from .status import answered_codes, text_columns

if TYPE_CHECKING:
    from ..analysis.charts import Chart

__all__ = ["CARD_COLUMNS", "COMPONENTS", "DETAIL_COLUMNS", "FINDING_PENALTIES", "SCORECARD_FILES", "load_weights",
           "scorecard", "scorecard_chart", "scorecard_files", "weighted_shares", "write_scorecard"]

CARD_COLUMNS = ["名次", "填报单位", "单位类型", "完整性", "数据质量", "目标达成", "总分", "扣分与依据"]
DETAIL_COLUMNS = ["填报单位", "维度", "事项", "分值", "规则", "依据", "出处"]
COMPONENTS = {"completeness": "完整性", "quality": "数据质量", "targets": "目标达成"}
FINDING_PENALTIES = ("conflicting_values", "total_mismatch", "rate_inconsistent", "yoy_implausible")


def load_weights(catalog: Catalog | None = None) -> Settings:
    """Weights, penalties and labels: ``scorecard.csv`` of the catalog's folder."""
    return load_settings(catalog.folder if catalog is not None else None, SCORECARD)


def _deadline(year: int, catalog: Catalog) -> dt.date | None:
    text = load_texts(catalog.folder).text("template.deadline", next_year=year + 1)
    m = re.search(r"(\d{4})年(\d{1,2})月(\d{1,2})日", text)
    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def scorecard(tidy: pd.DataFrame, log: pd.DataFrame, findings: pd.DataFrame, catalog: Catalog | None = None,
              year: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(ranked card, details): one card row per expected unit, one detail row per point given or taken."""
    cat = catalog or load_catalog()
    w = load_weights(cat)
    lg = text_columns(log, ["file", "sheet", "cell", "org", "code", "event", "outcome", "reason", "raw_text"])
    year = year or int(pd.to_numeric(log["year"]).mode().iloc[0])
    gone = set(lg.loc[(lg["event"] == "superseded") & (lg["cell"] == ""), "file"])
    file_org = dict(zip(lg.loc[lg["event"] == "ledger", "file"], lg.loc[lg["event"] == "ledger", "org"]))
    missing = set(missing_orgs(tidy, cat, log))
    details: list[dict] = []

    def add(org, comp, item, points, rule="", why="", cells=()):
        details.append({"填报单位": org, "维度": COMPONENTS[comp], "事项": item, "分值": points, "规则": rule,
                        "依据": why, "出处": join_cites(cells)})

    # data quality: what the log says of each counting file, and the findings citing the unit's cells
    live = lg[~lg["file"].isin(gone)]
    for kind, event in (("rejected", None), ("unmapped", "unmapped")):
        rows = live[live["outcome"] == "rejected"] if event is None else live[live["event"] == event]
        for r in rows.to_dict("records"):
            add(r["org"] or file_org.get(r["file"], ""), "quality", w["label." + kind], -w.num("penalty." + kind),
                r["event"], r["reason"], [cite_text(r["file"], r["sheet"], r["cell"])])
    for f in findings[findings["rule"].isin(FINDING_PENALTIES)].to_dict("records"):
        cells = split_cites(f["cells"])
        files = [parse_cite(c).file for c in cells]
        owners = {file_org[file] for file in files if file in file_org} or {f["org"]}
        for org in sorted(owners):
            add(org, "quality", w["label." + f["rule"]], -w.num("penalty." + f["rule"]), f["rule"], f["evidence"], cells)
    dq = findings[findings["rule"] == "data_quality"]
    for org in sorted(set(live.loc[live["event"] == "duplicate_submission", "org"])):
        hit = dq[(dq["org"] == org) & dq["evidence"].str.contains("重复报送")]
        why = hit["evidence"].iloc[0] if len(hit) else "；".join(live.loc[(live["event"] == "duplicate_submission")
                                                                          & (live["org"] == org), "reason"])
        add(org, "quality", w["label.duplicate_submission"], -w.num("penalty.duplicate_submission"),
            "data_quality" if len(hit) else "duplicate_submission", why,
            [cite_text(file) for file in sorted(set(live.loc[(live["event"] == "duplicate_submission")
                                                              & (live["org"] == org), "file"]))])
    for r in lg[(lg["event"] == "superseded") & (lg["cell"] == "")].to_dict("records"):
        add(r["org"], "quality", w["label.superseded"], -w.num("penalty.superseded"), "superseded", r["reason"],
            [cite_text(r["file"])])
    deadline = _deadline(year, cat)
    for r in lg[lg["event"] == "filing_date"].to_dict("records"):
        if deadline and r["raw_text"] and dt.date.fromisoformat(r["raw_text"]) > deadline:
            add(r["org"], "quality", w["label.late"], -w.num("penalty.late"), "filing_date",
                f"{r['reason']}，晚于截止日期 {deadline:%Y年%m月%d日}", [cite_text(r["file"])])

    # target attainment: own figures with a catalog target, derived rates with a target
    own = compute.prepare(tidy, cat)
    own = own[(own["area"] == "") & own["value"].notna()]
    targets = cat.indicators[cat.indicators["target"].notna()].set_index("code")
    for r in own[own["code"].isin(targets.index)].to_dict("records"):
        t, lower = float(targets.loc[r["code"], "target"]), targets.loc[r["code"], "direction"] == "lower"
        met = r["value"] <= t if lower else r["value"] >= t
        add(r["org"], "targets", f"{r['indicator']}{'达到' if met else '未达到'}{t:g}{r['unit']}", 1 if met else 0,
            "target", f"{r['indicator']}为{r['raw_text']}", [r["cite"]])
    rates = compute.derived_rates(tidy, cat)
    for x in rates[rates["rate"].notna() & rates["target"].notna()].to_dict("records"):
        met = x["rate"] <= x["target"] if x["direction"] == "lower" else x["rate"] >= x["target"]
        nd = compute.rate_decimals(cat)
        cells = [c for _, _, cs in x["inputs"] for c in cs]
        add(x["org"], "targets", f"{x['name']}{'达到' if met else '未达到'}{x['target']:g}%", 1 if met else 0,
            "derived_rate", f"{x['name']}为{round_half_up(x['rate'], nd):g}%", cells)

    card = []
    for org in cat.expected_orgs():
        codes = expected_codes(cat, org)
        if org in missing:
            completeness = 0.0
            add(org, "completeness", "未报送", 0, "missing_submission", f"{org}未报送{year}年度统计数据")
        else:
            answered = answered_codes(tidy, log, org) & set(codes)
            completeness = 100.0 * len(answered) / len(codes) if codes else float("nan")
            lacking = [cat.indicator_name(c) for c in codes if c not in answered]
            add(org, "completeness", f"已报{len(answered)}/{len(codes)}项指标", round_half_up(completeness, 1),
                "completeness", "缺报：" + "、".join(lacking) if lacking else "应报指标均已报送")
        mine = [d for d in details if d["填报单位"] == org]
        taken = [d for d in mine if d["维度"] == COMPONENTS["quality"]]
        quality = float("nan") if org in missing else max(0.0, w.num("quality.full") + sum(d["分值"] for d in taken))
        goals = [d for d in mine if d["维度"] == COMPONENTS["targets"]]
        targets_score = 100.0 * sum(d["分值"] for d in goals) / len(goals) if goals else float("nan")
        parts = {"completeness": completeness, "quality": quality, "targets": targets_score}
        have = {k: v for k, v in parts.items() if pd.notna(v)}
        weight = sum(w.num(f"weight.{k}") for k in have)
        total = sum(w.num(f"weight.{k}") * v for k, v in have.items()) / weight if weight else float("nan")
        summary = "；".join(f"{d['事项']} {d['分值']:g}（{d['规则']}）" for d in taken)
        card.append({"填报单位": org, "单位类型": cat.org_kind(org),
                     **{COMPONENTS[k]: round_half_up(v, 1) if pd.notna(v) else float("nan") for k, v in parts.items()},
                     "总分": round_half_up(total, 1) if pd.notna(total) else float("nan"), "扣分与依据": summary})
    out = pd.DataFrame(card)
    order = {o: i for i, o in enumerate(cat.expected_orgs())}
    out["_o"] = out["填报单位"].map(order)
    out = out.sort_values(["总分", "完整性", "_o"], ascending=[False, False, True], kind="stable").drop(columns="_o")
    out.insert(0, "名次", out["总分"].rank(method="min", ascending=False).astype("Int64"))
    detail = pd.DataFrame([d for d in details if d["填报单位"] in order], columns=DETAIL_COLUMNS)
    detail["_o"] = detail["填报单位"].map(order)
    detail = detail.sort_values(["_o", "维度"], kind="stable").drop(columns="_o").reset_index(drop=True)
    return out[CARD_COLUMNS].reset_index(drop=True), detail


SCORECARD_FILES = ("scorecard.csv", "scorecard_details.csv")


def scorecard_files(card: pd.DataFrame, details: pd.DataFrame) -> dict[str, bytes]:
    """``scorecard.csv`` (ranked) and ``scorecard_details.csv`` (every point with its findings and cells)."""
    return dict(zip(SCORECARD_FILES, (csv_bytes(card), csv_bytes(details))))


def write_scorecard(card: pd.DataFrame, details: pd.DataFrame, out_dir: str | Path) -> tuple[Path, Path]:
    """Both files written into ``out_dir`` (the scorecard notebook: inside ``fzanalysis run`` its folder is
    the run's staging folder, swapped in whole with the run; the command uses :func:`scorecard_files` and writes them swapped in together, :func:`fzanalysis.commands.scorecard`)."""
    out_dir = Path(out_dir)
    for name, data in scorecard_files(card, details).items():
        atomic_write_bytes(out_dir / name, data)
    return out_dir / SCORECARD_FILES[0], out_dir / SCORECARD_FILES[1]


def weighted_shares(card: pd.DataFrame, catalog: Catalog | None = None) -> pd.DataFrame:
    """Each unit's points per dimension as they enter its total (score × weight ÷ the weights of the scores
    it has), one column per dimension in :data:`COMPONENTS` order; a dimension without a score gives 0.
    The row sums are the totals (before rounding)."""
    w = load_weights(catalog)
    labels = list(COMPONENTS.values())
    present = card[labels].notna()
    weight = sum(present[label] * w.num(f"weight.{k}") for k, label in COMPONENTS.items()).replace(0, float("nan"))
    return pd.DataFrame({label: (card[label].fillna(0) * w.num(f"weight.{k}") / weight).fillna(0)
                         for k, label in COMPONENTS.items()}, index=card.index)


def scorecard_chart(card: pd.DataFrame, title: str, save_to: Path | str | None = None,
                    catalog: Catalog | None = None) -> Chart:
    """各单位得分：横向堆叠条形，完整性、数据质量、目标达成各按权重折算，总分写在条右，第一名在上。"""
    from ..analysis.charts import BLUE, finish, new_figure, no_chart  # matplotlib: only this chart needs it

    if card.empty:
        return no_chart(title, "没有应报单位")
    rows = card.iloc[::-1]
    shares = weighted_shares(rows, catalog)
    fig = new_figure(9, 0.32 * len(rows) + 1.4)
    ax = fig.subplots()
    left = np.zeros(len(rows))
    for label, color in zip(shares.columns, (BLUE, "#55a868", "#c44e52")):
        ax.barh(rows["填报单位"], shares[label], left=left, color=color, label=label)
        left += shares[label].to_numpy()
    for y, total in enumerate(rows["总分"]):
        ax.text((0 if pd.isna(total) else total) + 1, y, "—" if pd.isna(total) else f"{total:g}", va="center", fontsize=8)
    ax.set_xlim(0, 110)
    ax.set_xlabel("总分（各维度按权重折算）")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    ranked = [f"{o}{'—' if pd.isna(t) else f'{t:g}分'}" for o, t in zip(card["填报单位"], card["总分"])]
    alt = f"横向堆叠条形图，{title}：{len(card)}个单位按总分排列：" + "、".join(ranked) + "。"
    return finish(fig, title, alt, save_to)
