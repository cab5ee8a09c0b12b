"""Submission tracking (报送跟踪): who sent what, which file counts, what is missing.

:func:`submission_status` extends :func:`fzanalysis.analysis.sections.submission_overview` (files and value
counts per unit) with what the yearly loop needs: the file that counts and the files a correction
superseded, the indicators the unit's form asks for against those it sent, and the state of every
expected unit. Who is missing is :func:`fzanalysis.analysis.diagnostics.missing_orgs` — the same list the
``missing_submission`` findings come from.

``fzanalysis status --year 2023`` prints the table and writes ``<out>/<year>/status.csv``: units and
counts only (no file names, no contact details).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..analysis.diagnostics import missing_orgs
from ..analysis.sections import submission_overview
from ..core.catalog import Catalog, load_catalog
from ..store.outputs import csv_bytes
from .forms import expected_codes

__all__ = ["CORRECTED", "CSV_COLUMNS", "MISSING", "RECEIVED", "STATUS_COLUMNS", "STATUS_FILE", "answered_codes",
           "status_csv_table", "status_files", "submission_status", "text_columns"]

RECEIVED, CORRECTED, MISSING = "已报送", "已报送（有更正）", "未报送"
STATUS_FILE = "status.csv"
STATUS_COLUMNS = ["填报单位", "单位类型", "应报送", "状态", "报送文件数", "采用文件", "被替代文件", "应报指标",
                  "已报指标", "缺报指标", "读取单元格", "采用", "拒收", "搁置", "重复报送", "缺报指标名称"]
CSV_COLUMNS = ["填报单位", "单位类型", "应报送", "状态", "报送文件数", "被替代文件数", "应报指标", "已报指标",
               "缺报指标", "读取单元格", "采用", "拒收", "搁置", "重复报送"]


def _files(log: pd.DataFrame) -> tuple[dict[str, list[str]], set[str], set[str]]:
    """org → its files (ledger order), the files a correction superseded, the orgs flagged duplicate."""
    lg = text_columns(log, ["file", "org", "event", "cell"])
    ledger = lg[lg["event"] == "ledger"]
    by_org: dict[str, list[str]] = {}
    for org, file in zip(ledger["org"], ledger["file"]):
        by_org.setdefault(org, []).append(file)
    superseded = set(lg.loc[(lg["event"] == "superseded") & (lg["cell"] == ""), "file"])
    duplicates = set(lg.loc[lg["event"] == "duplicate_submission", "org"])
    return by_org, superseded, duplicates


def text_columns(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``columns`` of a log or table as text, never NaN."""
    return pd.DataFrame({c: df[c].astype(object).where(df[c].notna(), "").astype(str) if c in df else ""
                         for c in columns}, index=df.index)


def answered_codes(tidy: pd.DataFrame, log: pd.DataFrame, org: str) -> set[str]:
    """The indicators a unit answered this year: a value kept, or a missing marker written (``无`` means
    it had none, a complete answer); a blank, a rejection or an absent row is no answer. Files a
    correction superseded do not count."""
    lg = text_columns(log, ["file", "org", "event", "cell", "code", "raw_text", "outcome"])
    gone = set(lg.loc[(lg["event"] == "superseded") & (lg["cell"] == ""), "file"])
    marked = lg[(lg["org"] == org) & (lg["event"] == "missing") & (lg["raw_text"] != "") & ~lg["file"].isin(gone)]
    return set(tidy.loc[tidy["org"] == org, "code"]) | set(marked["code"]) - {""}


def submission_status(tidy: pd.DataFrame, log: pd.DataFrame, catalog: Catalog | None = None) -> pd.DataFrame:
    """报送跟踪：每个应报单位（及实际报送的其他单位）一行：状态、采用文件与被替代文件、应报/已报/缺报指标数、
    数值处理结果、是否重复报送（更正报送不算重复）。"""
    cat = catalog or load_catalog()
    overview = submission_overview(tidy, log, cat)
    by_org, superseded, duplicates = _files(log)
    missing = set(missing_orgs(tidy, cat, log))
    rows = []
    for r in overview.to_dict("records"):
        org = r["填报单位"]
        files = by_org.get(org, [])
        counting = [f for f in files if f not in superseded]
        expected = expected_codes(cat, org) if org in set(cat.orgs["org"]) else []
        sent = answered_codes(tidy, log, org)
        lacking = [c for c in expected if c not in sent]
        state = MISSING if org in missing else (CORRECTED if len(counting) < len(files) else RECEIVED)
        rows.append({
            **{k: r[k] for k in ("填报单位", "单位类型", "应报送", "读取单元格", "采用", "拒收", "搁置")},
            "状态": state, "报送文件数": len(files),
            "采用文件": "；".join(Path(f).name for f in counting),
            "被替代文件": "；".join(Path(f).name for f in files if f in superseded),
            "应报指标": len(expected), "已报指标": len(expected) - len(lacking), "缺报指标": len(lacking),  # 无 answers
            "重复报送": org in duplicates,
            "缺报指标名称": "、".join(cat.indicator_name(c) for c in lacking),
        })
    return pd.DataFrame(rows, columns=STATUS_COLUMNS)


def status_csv_table(status: pd.DataFrame) -> pd.DataFrame:
    """The CSV view: units and counts only (file and indicator names stay in the terminal and notebook)."""
    out = status.assign(被替代文件数=[len([f for f in s.split("；") if f]) for s in status["被替代文件"]])
    out = out[CSV_COLUMNS].copy()
    for col in ("应报送", "重复报送"):
        out[col] = out[col].map({True: "是", False: "否"})
    return out


def status_files(status: pd.DataFrame) -> dict[str, bytes]:
    """``status.csv``: :func:`status_csv_table` as CSV bytes."""
    return {STATUS_FILE: csv_bytes(status_csv_table(status))}
