"""`clean` on the bundled data reproduces the published figures, deterministically and privately."""
from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from fzanalysis.ingest.clean import INDICATOR_COLUMNS
from fzanalysis.store.data import run_clean
from fzanalysis.store.outputs import OUTPUT_FILES
from fzanalysis.ingest.log import LOG_COLUMNS, check_ledger

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
    assert len(ledger) == len([p for p in (RAW / "2023").iterdir() if p.is_file()])  # 总结/ holds work texts
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
    run_clean(raw_dir=RAW, processed_dir=tmp_path / "a", progress=False)
    run_clean(raw_dir=RAW, processed_dir=tmp_path / "b", progress=False)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert sorted(p.name for p in (tmp_path / "a").iterdir() if p.name != ".fzanalysis.lock") == ["2021", "2022", "2023"]
    assert digest(RAW) == before
    # no absolute path of this machine inside any output
    for p in (tmp_path / "a").rglob("*.csv"):
        assert str(tmp_path) not in p.read_text(encoding="utf-8-sig")


def test_baseline_year_has_the_values_the_report_implies(tmp_path):
    (result,) = run_clean(raw_dir=RAW, processed_dir=tmp_path, year=2022, progress=False)
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
    from fzanalysis.ingest import clean as C

    raw = _two_value_workbook(tmp_path)
    (good,) = run_clean(raw_dir=raw, processed_dir=tmp_path / "good", progress=False)
    assert check_ledger(good.indicators, good.unmapped, good.log)["balanced"].all()

    record = C._FileCleaner._record

    def drop_d4(self, rec, money_unit):
        if rec.cell != "C4":
            record(self, rec, money_unit)

    monkeypatch.setattr(C._FileCleaner, "_record", drop_d4)
    (bad,) = run_clean(raw_dir=raw, processed_dir=tmp_path / "bad", progress=False)
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


# ------------------------------------------------------------------------------ one sheet per area
def _town_sheet(town: str, cases: object, fines: object) -> list[list[object]]:
    return [[f"{town}2023年市场监管执法情况"], [], ["指标名称", "单位", "2023年", "2022年", "备注"],
            ["行政处罚案件数", "件", cases, 50, None], ["罚款金额", "万元", fines, 40, "含没收违法所得"], [],
            ["注：按案发地统计。"], ["填表人：赵某", None, "联系电话：023-68881785"]]


def test_one_sheet_per_town_gives_each_value_its_town(tmp_path):
    from fzanalysis.core.catalog import load_catalog
    from fzanalysis.ingest.clean import clean_workbook
    from tests.xlsx_factory import write_xlsx

    path = write_xlsx(tmp_path / "区市场监管局分镇街统计.xlsx", {
        "八桥镇": _town_sheet("八桥镇", 69, 82.0),
        "跳磴镇人民政府": _town_sheet("跳磴镇", "五十二", "54.7万元"),
        "新山村街道": _town_sheet("新山村街道", "待统计", 87.3),
    })
    res = clean_workbook(path, path.name, 2023, load_catalog())
    assert res.org == "区市场监管局"  # from the file name: the titles naming the towns are not the unit
    got = sorted((r["sheet"], r["cell"], r["code"], r["area"], r["value"]) for r in res.rows)
    assert got == [("八桥镇", "C4", "market_penalty_cases", "八桥镇", 69.0),
                   ("八桥镇", "C5", "market_fines", "八桥镇", 820_000.0),
                   ("新山村街道", "C5", "market_fines", "新山村街道", 873_000.0),
                   ("跳磴镇人民政府", "C4", "market_penalty_cases", "跳磴镇", 52.0),
                   ("跳磴镇人民政府", "C5", "market_fines", "跳磴镇", 547_000.0)]
    rejected = [(e.sheet, e.cell, e.area) for e in res.events if e.event == "rejected"]
    assert rejected == [("新山村街道", "C4", "新山村街道")]
    aside = {(e.sheet, e.cell, e.reason) for e in res.events if e.outcome == "set_aside"}
    assert aside == {(s, c, "「2022年」列不是2023年数值列") for s in ("八桥镇", "跳磴镇人民政府", "新山村街道")
                     for c in ("D4", "D5")}
    assert res.unmapped == []


def test_a_town_sheet_named_after_itself_or_a_village_and_csv_files(tmp_path):
    from fzanalysis.core.catalog import load_catalog
    from fzanalysis.ingest.clean import clean_workbook
    from tests.xlsx_factory import make_csv, org_line, write_xlsx

    cat = load_catalog()
    own = [[org_line("大渡口区八桥镇人民政府")], ["指标", "单位", "本年"], ["镇街综合行政执法案件数", "件", 27]]
    village = [["指标", "单位", "本年"], ["成功调解矛盾纠纷数", "件", 120]]
    path = write_xlsx(tmp_path / "八桥镇.xlsx", {"八桥镇": own, "长江村": village, "跳磴镇": village})
    res = clean_workbook(path, path.name, 2023, cat)
    assert res.org == "八桥镇"
    got = sorted((r["sheet"], r["area"], r["value"]) for r in res.rows)
    # its own sheet and another 镇街's name carry no area (a 镇街 reports no 镇街); its 村 does
    assert got == [("八桥镇", "", 27.0), ("跳磴镇", "", 120.0), ("长江村", "长江村", 120.0)]
    csv_path = make_csv(tmp_path / "区司法局跳磴镇数据.csv", [["填报单位：重庆市大渡口区司法局"], ["指标", "本年"],
                                                          ["法律援助受理数", "28"]])
    res = clean_workbook(csv_path, csv_path.name, 2023, cat)
    assert [(r["area"], r["value"]) for r in res.rows] == [("", 28.0)]  # a CSV's sheet name is its file name


def test_a_unit_with_many_files_names_a_few_in_each_duplicate_reason(tmp_path):
    """The log grows linearly with the files: each reason names at most three others and the count."""
    from tests.xlsx_factory import make_good_market

    raw = tmp_path / "raw"
    for i in range(6):
        make_good_market(raw / "2023" / f"区市场监管局统计表{i}.xlsx")
    (result,) = run_clean(raw_dir=raw, processed_dir=tmp_path / "out", progress=False)
    reasons = [e["reason"] for e in result.events if e["event"] == "duplicate_submission"]
    assert len(reasons) == 6
    assert reasons[0] == ("区市场监管局 本年度报送了 6 份文件（另见 2023/区市场监管局统计表1.xlsx、"
                          "2023/区市场监管局统计表2.xlsx、2023/区市场监管局统计表3.xlsx 等 5 份），均保留，请核对")
    assert all(r.count(".xlsx") == 3 for r in reasons)


def test_control_and_bidi_characters_never_reach_an_output_and_are_logged(tmp_path):
    from tests.xlsx_factory import make_csv, org_line, write_xlsx

    raw = tmp_path / "raw"
    write_xlsx(raw / "2023" / "区司法局.xlsx", {"表1": [
        [org_line("重庆市大渡口区司法局")], ["指标名称", "单位", "2023年"],
        ["法律援助\u202e受理数", "件", 316], ["不明指标\u200b", "件", "12\u2066"]]})
    make_csv(raw / "2023" / "区民政局.csv", [["填报单位：重庆市大渡口区民政局"], ["指标", "本年"],
                                          ["撤销登记社会组织数\x07", "6\x1b"]])
    (result,) = run_clean(raw_dir=raw, processed_dir=tmp_path / "out", progress=False)
    text = "".join(p.read_text(encoding="utf-8-sig") for p in (tmp_path / "out" / "2023").glob("*.csv"))
    assert not any(ch in text for ch in "\u202e\u2066\u200b\x07\x1b")
    assert sorted(r["value"] for r in result.rows) == [6.0, 316.0]
    assert result.unmapped_rows[0]["label"] == "不明指标"
    logged = sorted((e["file"], e["cell"]) for e in result.events if e["event"] == "coerced" and "控制字符" in e["reason"])
    assert logged == [("2023/区司法局.xlsx", "C3"), ("2023/区司法局.xlsx", "C4"), ("2023/区民政局.csv", "B3")]


def test_a_year_folder_linked_from_elsewhere_is_refused_file_by_file(tmp_path):
    """The raw folder's year may itself be a link out of it: each of its files is refused and logged;
    a link inside the raw folder to another of its files is read."""
    from tests.xlsx_factory import make_good_market

    elsewhere = tmp_path / "elsewhere"
    make_good_market(elsewhere / "区市场监管局统计表.xlsx")
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "2022").symlink_to(elsewhere, target_is_directory=True)
    make_good_market(raw / "2023" / "区市场监管局统计表.xlsx")
    (raw / "2023" / "副本.xlsx").symlink_to(raw / "2023" / "区市场监管局统计表.xlsx")
    r2022, r2023 = run_clean(raw_dir=raw, processed_dir=tmp_path / "out", progress=False)
    assert [(e["file"], e["event"]) for e in r2022.events if e["event"] != "ledger"] == [
        ("2022/区市场监管局统计表.xlsx", "outside_raw")]
    assert r2022.rows == []
    assert sorted({r["source_file"] for r in r2023.rows}) == ["2023/副本.xlsx", "2023/区市场监管局统计表.xlsx"]


def test_files_the_product_wrote_in_a_raw_year_folder_are_never_read_as_submissions(tmp_path, capsys):
    """Outputs left in a raw year folder (an old version wrote them there, or they were copied in) are
    set aside by name and logged — the next clean reads the workbooks alone, as before."""
    import shutil

    from fzanalysis.cli import main
    from tests.xlsx_factory import make_good_market

    raw = tmp_path / "raw"
    make_good_market(raw / "2023" / "区市场监管局统计表.xlsx")
    (before,) = run_clean(raw_dir=raw, processed_dir=tmp_path / "first", progress=False)
    year = raw / "2023"
    for name in OUTPUT_FILES:  # the whole processed set, beside the workbook
        shutil.copy(tmp_path / "first" / "2023" / name, year / name)
    for name in ("status.csv", "report_check.csv", "scorecard.csv", "scorecard_details.csv"):
        (year / name).write_text("填报单位,状态\n区司法局,12\n", encoding="utf-8-sig")
    shutil.copy(year / "区市场监管局统计表.xlsx", year / "2023年统计数据核对反馈表（区司法局）.xlsx")  # a feedback form
    shutil.copy(year / "区市场监管局统计表.xlsx", year / "~$区市场监管局统计表.xlsx")  # Excel's owner file
    (year / ".fzanalysis.lock").write_bytes(b"")
    (year / ".2023.new-abc").mkdir()  # a staging folder
    shutil.copy(tmp_path / "first" / "2023" / "indicators.csv", year / ".2023.new-abc" / "indicators.csv")

    assert main(["clean", "--raw", str(raw), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    (after,) = run_clean(raw_dir=raw, processed_dir=tmp_path / "again", progress=False)
    assert after.rows == before.rows and after.unmapped_rows == before.unmapped_rows
    skipped = {e["file"]: e["reason"] for e in after.events if e["event"] == "skipped_file"}
    product = {f"2023/{n}" for n in (*[n for n in OUTPUT_FILES if n.endswith(".csv")], "status.csv", "report_check.csv", "scorecard.csv",
                                     "scorecard_details.csv", "2023年统计数据核对反馈表（区司法局）.xlsx")}
    assert set(skipped) == product | {"2023/~$区市场监管局统计表.xlsx"}
    assert all("本程序写出的文件" in skipped[f] for f in product)
    ledger = [e["file"] for e in after.events if e["event"] == "ledger"]
    assert ledger == ["2023/区市场监管局统计表.xlsx"]  # the only submission
    assert check_ledger(after.indicators, after.unmapped, after.log)["balanced"].all()
    err = capsys.readouterr().err.splitlines()
    assert sum("本程序写出的文件" in line for line in err) == len(product)
