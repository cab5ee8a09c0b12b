"""Tests of fzanalysis.cli: exit codes, one-line errors, no tracebacks."""
from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from fzanalysis import cli
from fzanalysis.catalog import load_catalog
from fzanalysis.clean import OUTPUT_FILES
from tests.xlsx_factory import make_good_market, truncate, write_xlsx

ROOT = Path(__file__).resolve().parent.parent


def fz(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fzanalysis.cli", *args], capture_output=True, text=True,
                          timeout=60, cwd=cwd)


@pytest.fixture
def raw_with_corrupt(tmp_path) -> Path:
    raw = tmp_path / "raw"
    make_good_market(raw / "2023" / "区市场监管局统计表.xlsx")
    broken = write_xlsx(tmp_path / "x.xlsx", {"S": [["指标", "2023年"], ["案件数", 1]]})
    truncate(broken, raw / "2023" / "区司法局统计表.xlsx")
    return raw


def test_catalog_lists_every_code_and_the_count():
    proc = fz("catalog")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    codes = load_catalog().indicators["code"].tolist()
    for code in codes:
        assert code in proc.stdout
    assert proc.stdout.rstrip().splitlines()[-1] == f"共 {len(codes)} 个指标"
    assert "行政复议受理数" in proc.stdout


def test_clean_with_a_missing_raw_dir_exits_2_with_one_line(tmp_path):
    proc = fz("clean", "--raw", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误：") and "nope" in lines[0]
    assert not (tmp_path / "out").exists()


def test_clean_for_a_year_without_folder_exits_2(tmp_path):
    raw = tmp_path / "raw"
    make_good_market(raw / "2023" / "区市场监管局统计表.xlsx")
    proc = fz("clean", "--raw", str(raw), "--out", str(tmp_path / "out"), "--year", "2021")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误：") and "2021" in lines[0]
    assert proc.stdout == ""


def test_clean_with_a_corrupt_workbook_exits_1_and_keeps_the_rest(raw_with_corrupt, tmp_path):
    out = tmp_path / "out"
    proc = fz("clean", "--raw", str(raw_with_corrupt), "--out", str(out), "--quiet")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    err = proc.stderr.splitlines()
    assert len(err) == 1, proc.stderr
    assert err[0].startswith("无法读取：2023/区司法局统计表.xlsx: ")
    reason = err[0].split(": ", 1)[1]
    assert reason and any("\u4e00" <= ch <= "\u9fff" for ch in reason)
    lines = proc.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("2023: 2 个文件，保留 3 个数值，拒收 0")
    assert lines[0].endswith(str(out / "2023"))
    assert sorted(p.name for p in (out / "2023").iterdir()) == sorted(OUTPUT_FILES)
    ind = pd.read_csv(out / "2023" / "indicators.csv", encoding="utf-8-sig")
    assert sorted(ind["code"]) == ["market_fines", "market_penalty_cases", "market_police_transfers"]
    log = pd.read_csv(out / "2023" / "cleaning_log.csv", encoding="utf-8-sig", keep_default_na=False)
    bad = log[log["event"] == "unreadable_workbook"]
    assert bad["file"].tolist() == ["2023/区司法局统计表.xlsx"]
    assert bad["reason"].tolist() == [reason]


class _Terminal(io.StringIO):
    """A stderr that says it is a terminal, so tqdm would draw its bar."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("quiet", [False, True])
def test_quiet_prints_no_progress_bar(tmp_path, monkeypatch, capsys, quiet):
    raw = tmp_path / "raw"
    make_good_market(raw / "2023" / "区市场监管局统计表.xlsx")
    err = _Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    args = ["clean", "--raw", str(raw), "--out", str(tmp_path / "out")] + (["--quiet"] if quiet else [])
    assert cli.main(args) == 0
    assert capsys.readouterr().out.startswith("2023: 1 个文件，保留 3 个数值")
    if quiet:
        assert err.getvalue() == ""
    else:  # the control: on a terminal, without --quiet, the bar is drawn
        assert "清洗 2023 年" in err.getvalue()


def test_no_subcommand_is_a_usage_error():
    proc = fz()
    assert proc.returncode == 2
    assert "usage: fzanalysis" in proc.stderr
    assert "Traceback" not in proc.stderr
    with pytest.raises(SystemExit) as info:
        cli.main(["bogus"])
    assert info.value.code == 2
