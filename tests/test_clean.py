"""`clean` on the bundled data reproduces the published figures, deterministically and privately."""
from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from fzanalysis.clean import INDICATOR_COLUMNS, OUTPUT_FILES, run_clean
from fzanalysis.log import LOG_COLUMNS, check_ledger

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
SEED = pd.read_csv(Path(__file__).parent / "data" / "figures_2023.csv", dtype=str, keep_default_na=False)


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("processed")
    proc = subprocess.run([sys.executable, "-m", "fzanalysis.cli", "clean", "--raw", str(RAW), "--out", str(out),
                           "--year", "2023"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return out / "2023"


def test_outputs_exist_with_contract_columns(cleaned):
    assert sorted(p.name for p in cleaned.iterdir()) == sorted(OUTPUT_FILES)
    assert list(read(cleaned / "indicators.csv").columns) == INDICATOR_COLUMNS
    assert list(read(cleaned / "cleaning_log.csv").columns) == LOG_COLUMNS
    assert (cleaned / "indicators.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    parquet = pd.read_parquet(cleaned / "indicators.parquet")
    assert list(parquet.columns) == INDICATOR_COLUMNS
    assert parquet["year"].dtype == "int64" and parquet["value"].dtype == "float64"


def test_reproduces_every_published_figure_once(cleaned):
    ind = read(cleaned / "indicators.csv")
    top = ind[ind["area"] == ""]
    missing = []
    for fig in SEED.itertuples():
        hit = top[(top["org"] == fig.org) & (top["code"] == fig.code)]
        if len(hit) != 1:
            missing.append((fig.id, fig.code, len(hit)))
            continue
        row = hit.iloc[0]
        assert float(row["value"]) == float(fig.value), fig.id
        assert (row["unit"], row["qualifier"], row["indicator"]) == (fig.unit, fig.qualifier, fig.indicator), fig.id
        assert re.fullmatch(r"[A-Z]+[0-9]+", row["cell"]) and row["source_file"].startswith("2023/")
    assert missing == []
    assert len(SEED) == 109


def test_every_value_cites_a_real_cell(cleaned):
    from python_calamine import CalamineWorkbook

    ind = read(cleaned / "indicators.csv")
    xlsx = ind[ind["source_file"].str.endswith(".xlsx")].head(60)
    for row in xlsx.itertuples():
        sheet = CalamineWorkbook.from_path(str(RAW / row.source_file)).get_sheet_by_name(row.sheet)
        grid = sheet.to_python(skip_empty_area=False)
        col = sum((ord(c) - 64) * 26 ** i for i, c in enumerate(reversed(re.match(r"[A-Z]+", row.cell).group())))
        r = int(re.search(r"\d+", row.cell).group())
        cell = grid[r - 1][col - 1]
        assert str(cell).strip() != "", row


def test_ledger_balances_and_nothing_is_rejected(cleaned):
    ind, log, unmapped = (read(cleaned / f) for f in ("indicators.csv", "cleaning_log.csv", "unmapped.csv"))
    for col in ("cells_read", "kept", "rejected", "set_aside"):
        log[col] = pd.to_numeric(log[col].replace("", None))
    ledger = check_ledger(ind, unmapped, log)
    assert ledger["balanced"].all(), ledger[~ledger["balanced"]]
    assert len(ledger) == len(list((RAW / "2023").iterdir()))
    assert (log["outcome"] == "rejected").sum() == 0
    assert unmapped.empty
    # the hidden 历史数据 sheet is set aside, never read
    assert ((log["event"] == "skipped_sheet") & (log["sheet"] == "历史数据")).sum() == 1
    assert not (ind["sheet"] == "历史数据").any()


def test_no_personal_data_in_any_output(cleaned):
    text = "".join(p.read_bytes().decode("utf-8", errors="ignore") for p in cleaned.iterdir() if p.suffix == ".csv")
    assert "某某" not in text and "填表人：" not in text
    assert not re.search(r"(?<!\d)(1[3-9]\d{9}|0\d{2,3}-\d{7,8})(?!\d)", text)
    log = read(cleaned / "cleaning_log.csv")
    assert (log["event"] == "personal_data_removed").sum() >= 10


def test_two_cleans_are_byte_identical_and_raw_untouched(tmp_path):
    before = digest(RAW)
    run_clean(RAW, tmp_path / "a", progress=False)
    run_clean(RAW, tmp_path / "b", progress=False)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert sorted(p.name for p in (tmp_path / "a").iterdir() if p.name != ".fzanalysis.lock") == ["2022", "2023"]
    assert digest(RAW) == before
    # no absolute path of this machine inside any output
    for p in (tmp_path / "a").rglob("*.csv"):
        assert str(tmp_path) not in p.read_text(encoding="utf-8-sig")


def test_baseline_year_has_the_values_the_report_implies(tmp_path):
    (result,) = run_clean(RAW, tmp_path, 2022, progress=False)
    top = result.indicators[result.indicators["area"] == ""].set_index("code")["value"]
    assert top["recon_accepted"] == 29 and top["recon_concluded"] == 33
    assert result.failed == []


# ------------------------------------------------------------------------------ the ledger can fail
def _two_value_workbook(tmp_path: Path) -> Path:
    from tests.xlsx_factory import org_line, write_xlsx

    raw = tmp_path / "raw"
    write_xlsx(raw / "2023" / "区司法局.xlsx", {"表1": [
        [org_line("重庆市大渡口区司法局")], ["指标名称", "单位", "2023年"],
        ["法律援助受理数", "件", 316], ["法律援助办结数", "件", 221]]})
    return raw


def test_a_value_cell_dropped_without_an_event_unbalances_the_ledger(tmp_path, monkeypatch):
    """cells_read is counted when the sheet is scanned, not derived from the outcomes: a cell that
    ends nowhere shows."""
    from fzanalysis import clean as C

    raw = _two_value_workbook(tmp_path)
    (good,) = run_clean(raw, tmp_path / "good", progress=False)
    assert check_ledger(good.indicators, good.unmapped, good.log)["balanced"].all()

    record = C._FileCleaner._record

    def drop_d4(self, rec, money_unit):
        if rec.cell != "C4":
            record(self, rec, money_unit)

    monkeypatch.setattr(C._FileCleaner, "_record", drop_d4)
    (bad,) = run_clean(raw, tmp_path / "bad", progress=False)
    ledger = check_ledger(bad.indicators, bad.unmapped, bad.log).set_index("file")
    assert ledger.loc["2023/区司法局.xlsx", "cells_read"] == 2
    assert ledger.loc["2023/区司法局.xlsx", "kept"] == 1
    assert not ledger.loc["2023/区司法局.xlsx", "balanced"]


def test_a_sheet_of_numbers_without_a_table_is_a_warning(tmp_path):
    from tests.xlsx_factory import org_line, write_xlsx

    raw = tmp_path / "raw"
    write_xlsx(raw / "2023" / "区司法局.xlsx", {"表1": [
        [org_line("重庆市大渡口区司法局")], ["法律援助", "受理", "办结"], ["本年", 316, 221], ["上年", 300, 200]]})
    proc = subprocess.run([sys.executable, "-m", "fzanalysis.cli", "clean", "--raw", str(raw), "--out",
                           str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0
    assert proc.stderr.strip() == ("警告：2023/区司法局.xlsx!表1: 未找到数据表，但工作表中有 4 个数值："
                                   "请检查表头（指标/项目、镇街等）是否齐全")
