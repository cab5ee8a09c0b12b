"""Tests of fzanalysis.ingest.log: cleaning-log events and the per-file ledger."""
from __future__ import annotations

import warnings

import pandas as pd
import pytest

from fzanalysis.ingest.log import COUNT_COLUMNS, EVENTS, LOG_COLUMNS, Event, check_ledger, events_frame, ledger_event

A, B = "2023/区司法局统计表.xlsx", "2023/区民政局.csv"


def test_event_refuses_an_unknown_event_name():
    with pytest.raises(ValueError, match="bogus"):
        Event(A, "bogus", "原因")
    for name in EVENTS:  # every contract event is accepted
        assert Event(A, name, "原因").event == name


def test_contract_event_names_and_columns():
    assert set(EVENTS) == {
        "unreadable_workbook", "workbook_too_large", "outside_raw", "skipped_sheet", "duplicate_submission",
        "unknown_org", "personal_data_removed", "coerced", "label_from_group", "unit_from_catalog", "rejected",
        "missing", "set_aside", "unmapped", "total_mismatch", "ledger", "superseded", "supersedes", "manifest_ignored",
        "filing_date", "skipped_file", "narrative", "narrative_unreadable",
    }
    assert LOG_COLUMNS == ["year", "file", "sheet", "cell", "org", "area", "code", "event", "outcome", "reason",
                           "raw_text", "cells_read", "kept", "rejected", "set_aside"]


def test_ledger_event_states_the_balance():
    row = ledger_event(A, "区司法局", read=8, kept=5, rejected=2, set_aside=1)
    assert (row["cells_read"], row["kept"], row["rejected"], row["set_aside"]) == (8, 5, 2, 1)
    assert row["event"] == "ledger" and row["outcome"] == ""
    assert row["reason"] == "读取 8 = 保留 5 + 拒收 2 + 搁置 1"


def _events() -> list:
    return [
        Event(A, "rejected", "计数不能为负数", sheet="Sheet1", cell="D7", outcome="rejected", code="recon_accepted",
              org="区司法局", raw_text="-3"),
        Event(A, "missing", "缺失标记“—”", sheet="Sheet1", cell="D8", outcome="set_aside", org="区司法局",
              raw_text="—"),
        {"file": A, "event": "coerced", "reason": "万元 → 元", "sheet": "Sheet1", "cell": "D9", "org": "区司法局",
         "code": "legal_aid_losses_recovered", "raw_text": "12.5万元"},  # a plain dict with missing keys
        ledger_event(A, "区司法局", read=4, kept=2, rejected=1, set_aside=1),
        ledger_event(B, "区民政局", read=1, kept=1, rejected=0, set_aside=0),
    ]


def test_events_frame_columns_dtypes_and_no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = events_frame(2023, _events())
        empty = events_frame(2023, [])
    assert list(df.columns) == LOG_COLUMNS
    assert df["year"].dtype == "int64" and df["year"].tolist() == [2023] * 5
    for col in COUNT_COLUMNS:
        assert str(df[col].dtype) == "Int64", col
    ledger = df["event"] == "ledger"
    assert df.loc[ledger, "cells_read"].tolist() == [4, 1]
    assert df.loc[ledger, "kept"].tolist() == [2, 1]
    assert df.loc[~ledger, COUNT_COLUMNS].isna().all().all()  # counts only on ledger rows
    # text columns: no None / NaN, empty strings instead
    text = [c for c in LOG_COLUMNS if c not in COUNT_COLUMNS and c != "year"]
    assert not df[text].isna().any().any()
    assert df.loc[2, "outcome"] == "" and df.loc[2, "area"] == ""
    assert df.loc[0, "cell"] == "D7" and df.loc[0, "raw_text"] == "-3"
    assert df["event"].tolist() == ["rejected", "missing", "coerced", "ledger", "ledger"]
    assert list(empty.columns) == LOG_COLUMNS and len(empty) == 0
    assert str(empty["kept"].dtype) == "Int64" and empty["year"].dtype == "int64"


# ------------------------------------------------------------------------------ check_ledger
def _indicators(kept_a: int = 2, kept_b: int = 1) -> pd.DataFrame:
    rows = [{"source_file": A, "code": f"c{i}", "value": float(i)} for i in range(kept_a)]
    rows += [{"source_file": B, "code": f"d{i}", "value": float(i)} for i in range(kept_b)]
    return pd.DataFrame(rows, columns=["source_file", "code", "value"])


def _unmapped() -> pd.DataFrame:
    return pd.DataFrame(columns=["source_file", "label", "value"])


def _balanced(result: pd.DataFrame) -> dict[str, bool]:
    return dict(zip(result["file"], result["balanced"].tolist()))


def test_check_ledger_balanced():
    result = check_ledger(_indicators(), _unmapped(), events_frame(2023, _events()))
    assert _balanced(result) == {A: True, B: True}
    row = result.set_index("file").loc[A]
    assert (row["kept_recount"], row["rejected_recount"], row["set_aside_recount"]) == (2, 1, 1)


def test_check_ledger_catches_a_removed_kept_row():
    result = check_ledger(_indicators(kept_a=1), _unmapped(), events_frame(2023, _events()))
    assert _balanced(result) == {A: False, B: True}
    assert result.set_index("file").loc[A, "kept_recount"] == 1


def test_check_ledger_catches_a_removed_rejected_event():
    events = [e for e in _events() if not (isinstance(e, Event) and e.outcome == "rejected")]
    result = check_ledger(_indicators(), _unmapped(), events_frame(2023, events))
    assert _balanced(result) == {A: False, B: True}
    assert result.set_index("file").loc[A, "rejected_recount"] == 0


def test_check_ledger_catches_a_removed_set_aside_event_and_a_wrong_total():
    events = [e for e in _events() if not (isinstance(e, Event) and e.outcome == "set_aside")]
    assert _balanced(check_ledger(_indicators(), _unmapped(), events_frame(2023, events))) == {A: False, B: True}
    log = events_frame(2023, _events())
    log.loc[(log["event"] == "ledger") & (log["file"] == B), "cells_read"] = 2  # read ≠ kept + rejected + aside
    assert _balanced(check_ledger(_indicators(), _unmapped(), log)) == {A: True, B: False}


def test_check_ledger_catches_a_kept_row_too_many():
    assert _balanced(check_ledger(_indicators(kept_b=2), _unmapped(), events_frame(2023, _events()))) == {
        A: True, B: False}
