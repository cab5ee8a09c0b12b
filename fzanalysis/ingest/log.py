"""Cleaning-log events and the per-file ledger (清洗日志与台账).

Every value cell read ends in exactly one of three places: kept (a row of the indicator
table), rejected (a log event with outcome ``rejected``) or set aside (outcome
``set_aside``: a missing marker, a blank, an unmapped label, a previous-year column …).
The ledger row written per file states ``cells_read = kept + rejected + set_aside``.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

import pandas as pd

from ..core.sanitize import clean_text

__all__ = ["COUNT_COLUMNS", "EVENTS", "KEPT", "LOG_COLUMNS", "REJECTED", "SET_ASIDE", "Event", "FileResult",
           "check_ledger", "events_frame", "ledger_event"]

LOG_COLUMNS = [
    "year", "file", "sheet", "cell", "org", "area", "code", "event", "outcome", "reason", "raw_text",
    "cells_read", "kept", "rejected", "set_aside",
]
COUNT_COLUMNS = ["cells_read", "kept", "rejected", "set_aside"]

# event → plain-words description used by notebooks and the CLI summary
EVENTS = {
    "unreadable_workbook": "文件无法读取",
    "outside_raw": "文件在原始数据目录之外，未读取",
    "skipped_file": "文件不是报送的工作簿（隐藏、临时或本程序写出的文件），未读取",
    "workbook_too_large": "文件超过大小上限",
    "skipped_sheet": "工作表未作为数据读取",
    "duplicate_submission": "同一单位重复报送",
    "superseded": "已被更正报送替代",
    "supersedes": "更正报送（替代此前报送）",
    "manifest_ignored": "更正清单中的一行未采用",
    "filing_date": "填报日期",
    "unknown_org": "报送单位不在名录中",
    "personal_data_removed": "个人信息已剔除",
    "coerced": "数值已换算",
    "label_from_group": "指标名称结合分组读取",
    "unit_from_catalog": "单位取自指标目录",
    "rejected": "数值被拒收",
    "missing": "缺失或空白",
    "set_aside": "数值已搁置",
    "unmapped": "指标名称未匹配",
    "total_mismatch": "合计不等于分项之和",
    "narrative": "工作情况（文字）读取台账",
    "narrative_unreadable": "工作总结无法读取",
    "ledger": "台账",
}

KEPT, REJECTED, SET_ASIDE = "kept", "rejected", "set_aside"


@dataclass
class Event:
    file: str
    event: str
    reason: str
    sheet: str = ""
    cell: str = ""
    outcome: str = ""
    code: str = ""
    org: str = ""
    area: str = ""
    raw_text: str = ""

    def __post_init__(self) -> None:
        if self.event not in EVENTS:
            raise ValueError(f"unknown log event {self.event!r}")
        # whatever a workbook wrote reaches the log only cleaned (personal data masked, no controls)
        for name in _TEXT_FIELDS:
            value = getattr(self, name)
            cleaned = clean_text(value)
            if cleaned is not value:
                setattr(self, name, cleaned)

    def as_row(self) -> dict:
        """The event as a plain row (what ``dataclasses.asdict`` gives, without its deep copies)."""
        return {name: getattr(self, name) for name in _EVENT_FIELDS}


@dataclass
class FileResult:
    """What one file gave: its rows, unmapped rows and events, and the counts its ledger row states."""

    file: str
    org: str
    rows: list[dict] = field(default_factory=list)
    unmapped: list[dict] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    readable: bool = True
    cells_read: int = 0  # value cells the scanner found, counted independently of their outcome
    rejected: int = 0
    set_aside: int = 0
    titles: list[str] = field(default_factory=list)  # title rows (a correction word may stand there)
    dates: list = field(default_factory=list)  # dates of its 填报单位 / 填报日期 lines
    superseded_by: list[str] = field(default_factory=list)  # files that replace it (a corrected resubmission)
    narrative: list[dict] = field(default_factory=list)  # rows of its 工作情况 sheets (ingest.narrative)


_EVENT_FIELDS = tuple(f.name for f in fields(Event))
_TEXT_FIELDS = ("file", "sheet", "reason", "org", "area", "raw_text")


def ledger_event(file: str, org: str, read: int, kept: int, rejected: int, set_aside: int) -> dict:
    """The ledger row of a file: ``read`` is counted when the sheets are scanned, the other three
    from the outcomes; :func:`check_ledger` finds a value cell that ended nowhere."""
    return {
        "file": file, "org": org, "event": "ledger", "outcome": "",
        "reason": f"读取 {read} = 保留 {kept} + 拒收 {rejected} + 搁置 {set_aside}",
        "cells_read": read, "kept": kept, "rejected": rejected, "set_aside": set_aside,
    }


def events_frame(year: int, events: list[Event | dict]) -> pd.DataFrame:
    """Events → the cleaning-log table with the contract's columns, in a stable order."""
    rows = [e.as_row() if isinstance(e, Event) else e for e in events]
    df = pd.DataFrame(rows, columns=[c for c in LOG_COLUMNS if c != "year"])
    df.insert(0, "year", year)
    for col in LOG_COLUMNS:
        if col in COUNT_COLUMNS:
            df[col] = df[col].astype("Int64")
        elif col != "year":
            df[col] = df[col].astype(object).where(df[col].notna(), "").astype(str)
    df["year"] = df["year"].astype("int64")
    return df[LOG_COLUMNS]


def check_ledger(indicators: pd.DataFrame, unmapped: pd.DataFrame, log: pd.DataFrame) -> pd.DataFrame:
    """Recount every file from the outputs and compare with its ledger row.

    Returns one row per file with the ledger's numbers, the recounted numbers and
    ``balanced`` (True when both agree and read = kept + rejected + set aside).
    """
    ledger = log[log["event"] == "ledger"].set_index("file")[COUNT_COLUMNS].astype("int64")
    kept = indicators.groupby("source_file").size()
    rejected = log[log["outcome"] == REJECTED].groupby("file").size()
    aside = log[log["outcome"] == SET_ASIDE].groupby("file").size()
    out = ledger.copy()
    out["kept_recount"] = kept.reindex(out.index, fill_value=0)
    out["rejected_recount"] = rejected.reindex(out.index, fill_value=0)
    out["set_aside_recount"] = aside.reindex(out.index, fill_value=0)
    out["balanced"] = (
        (out["cells_read"] == out["kept"] + out["rejected"] + out["set_aside"])
        & (out["kept"] == out["kept_recount"])
        & (out["rejected"] == out["rejected_recount"])
        & (out["set_aside"] == out["set_aside_recount"])
    )
    return out.reset_index()
