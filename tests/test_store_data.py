"""Tests of fzanalysis.store.data: year checks, cached cleaning and the year bundle of the notebooks."""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from fzanalysis.store import data
from fzanalysis.store.data import check_year, is_stale, load, open_year
from fzanalysis.core.errors import ParameterError
from tests.xlsx_factory import org_line, write_xlsx

JUDICIAL = "重庆市大渡口区司法局"


def _workbook(raw: Path, year: int, accepted: object, concluded: object = 30) -> Path:
    grid = [[f"{year}年法治政府建设情况统计表"], [org_line(JUDICIAL)], ["指标名称", "单位", f"{year}年"],
            ["行政复议受理数", "件", accepted], ["行政复议审结数", "件", concluded]]
    return write_xlsx(raw / str(year) / "区司法局统计表.xlsx", {"Sheet1": grid})


@pytest.fixture
def dirs(tmp_path) -> tuple[Path, Path, Path]:
    raw, processed, reports = tmp_path / "raw", tmp_path / "processed", tmp_path / "reports"
    _workbook(raw, 2023, 33, 35)
    return raw, processed, reports


def _table(processed: Path, year: int) -> Path:
    return processed / str(year) / "indicators.parquet"


def _values(df: pd.DataFrame) -> dict[str, float]:
    return df.set_index("code")["value"].to_dict()


# ------------------------------------------------------------------------------ check_year
@pytest.mark.parametrize("value", [2023, "2023", " 2023", 2000, 2100])
def test_check_year_accepts(value):
    assert check_year(value) == int(value)


@pytest.mark.parametrize("value", [1800, 3000, "abc", None, "2023年", 20.23])
def test_check_year_refuses_with_a_chinese_reason(value):
    with pytest.raises(ParameterError) as info:
        check_year(value)
    assert "year" in info.value.reason
    assert any("\u4e00" <= ch <= "\u9fff" for ch in info.value.reason)
    assert "\n" not in info.value.reason


def test_check_year_names_the_parameter():
    with pytest.raises(ParameterError) as info:
        check_year("x", "baseline_year")
    assert info.value.reason.startswith("baseline_year")


# ------------------------------------------------------------------------------ load
def test_load_cleans_when_the_table_is_missing(dirs):
    raw, processed, _ = dirs
    assert not _table(processed, 2023).exists()
    df = load(2023, processed_dir=processed, raw_dir=raw)
    assert _table(processed, 2023).exists()
    assert _values(df) == {"recon_accepted": 33.0, "recon_concluded": 35.0}
    assert set(df["org"]) == {"区司法局"}
    assert sorted(p.name for p in (processed / "2023").iterdir()) == [
        "cleaning_log.csv", "indicators.csv", "indicators.parquet", "narrative.csv", "unmapped.csv"]


def test_load_does_not_clean_again_when_fresh(dirs, monkeypatch):
    raw, processed, _ = dirs
    load(2023, processed_dir=processed, raw_dir=raw)
    before = _table(processed, 2023).stat()
    assert not is_stale(2023, raw, processed)

    def no_clean(*args, **kwargs):
        raise AssertionError("cleaned a fresh table again")

    monkeypatch.setattr(data, "clean_year", no_clean)
    df = load(2023, processed_dir=processed, raw_dir=raw)
    after = _table(processed, 2023).stat()
    assert (after.st_mtime_ns, after.st_ino) == (before.st_mtime_ns, before.st_ino)
    assert _values(df)["recon_accepted"] == 33.0


def test_load_cleans_again_after_a_raw_file_changes(dirs):
    raw, processed, _ = dirs
    load(2023, processed_dir=processed, raw_dir=raw)
    table = _table(processed, 2023)
    # make the table an hour old, then the department sends a corrected workbook (newer than the table)
    old = table.stat().st_mtime - 3600
    os.utime(table, (old, old))
    book = _workbook(raw, 2023, 34, 35)
    os.utime(book, (old + 60, old + 60))
    os.utime(book.parent, (old, old))
    assert is_stale(2023, raw, processed)
    df = load(2023, processed_dir=processed, raw_dir=raw)
    assert _values(df)["recon_accepted"] == 34.0
    assert table.stat().st_mtime > old + 60
    assert not is_stale(2023, raw, processed)


def test_touching_a_raw_file_alone_makes_the_table_stale(dirs):
    raw, processed, _ = dirs
    load(2023, processed_dir=processed, raw_dir=raw)
    table = _table(processed, 2023)
    stamp = table.stat().st_mtime
    old = stamp - 3600
    os.utime(table, (old, old))
    os.utime(raw / "2023", (old - 10, old - 10))
    os.utime(raw / "2023" / "区司法局统计表.xlsx", (old - 10, old - 10))
    assert not is_stale(2023, raw, processed)  # everything older than the table
    os.utime(raw / "2023" / "区司法局统计表.xlsx", (old + 10, old + 10))  # touched newer
    assert is_stale(2023, raw, processed)
    load(2023, processed_dir=processed, raw_dir=raw)
    assert table.stat().st_mtime > old + 10


def test_load_without_any_data_is_a_parameter_error_naming_both_folders(tmp_path):
    with pytest.raises(ParameterError) as info:
        load(2019, processed_dir=tmp_path / "processed", raw_dir=tmp_path / "raw")
    reason = info.value.reason
    assert "没有 2019 年的数据" in reason and str(tmp_path / "raw" / "2019") in reason
    assert str(tmp_path / "processed" / "2019") in reason


def test_one_rule_for_a_year_raw_is_the_source_processed_alone_is_used_as_it_is(dirs, tmp_path):
    from fzanalysis.store.data import require_data
    from fzanalysis.store.project import Project

    raw, processed, reports = dirs
    assert require_data(2023, Project(raw, processed, reports)) is True  # raw: cleaned when newer
    load(2023, processed_dir=processed, raw_dir=raw)
    assert require_data(2023, Project(tmp_path / "nope", processed, reports)) is False  # processed alone: read
    with pytest.raises(ParameterError, match="原始数据目录不存在"):
        require_data(2021, Project(raw, processed, reports))


def test_load_finds_the_project_from_a_notebooks_folder(dirs, monkeypatch):
    """fz.load(2023) in a notebook opened anywhere in the project (JupyterLab starts kernels there)."""
    raw, processed, _ = dirs
    project = raw.parent / "proj"
    (project / "notebooks").mkdir(parents=True)
    (project / "data").mkdir()
    raw.rename(project / "data" / "raw")
    monkeypatch.delenv("FZANALYSIS_HOME", raising=False)
    monkeypatch.chdir(project / "notebooks")
    assert _values(load(2023))["recon_accepted"] == 33.0
    assert _table(project / "data" / "processed", 2023).exists()
    yd = open_year(2023)
    assert yd.figures_dir == project.resolve() / "reports" / "2023" / "figures"


def test_load_reads_a_processed_table_without_raw_folder(dirs, tmp_path):
    raw, processed, _ = dirs
    load(2023, processed_dir=processed, raw_dir=raw)
    df = load(2023, processed_dir=processed, raw_dir=tmp_path / "elsewhere")
    assert _values(df)["recon_accepted"] == 33.0


# ------------------------------------------------------------------------------ open_year
def test_open_year_uses_the_previous_year_as_baseline(dirs):
    raw, processed, reports = dirs
    _workbook(raw, 2022, 29, 33)
    yd = open_year(2023, raw_dir=raw, processed_dir=processed, output_dir=reports)
    assert yd.year == 2023 and yd.baseline_year == 2022
    assert _values(yd.tidy)["recon_accepted"] == 33.0
    assert _values(yd.baseline) == {"recon_accepted": 29.0, "recon_concluded": 33.0}
    assert "2022" in yd.baseline_note and "不做同比" not in yd.baseline_note
    assert _table(processed, 2022).exists()
    assert list(yd.log.columns)[:3] == ["year", "file", "sheet"]
    assert (yd.log["event"] == "ledger").sum() == 1
    assert yd.figure_path("s6_yoy") == reports / "2023" / "figures" / "s6_yoy.png"
    summary = dict(zip(yd.summary()["项目"], yd.summary()["内容"]))
    assert summary["对比年度"] == "2022" and summary["指标数值（条）"] == "2"


def test_inside_a_run_outputs_for_the_reports_folder_go_to_the_runs_stage(dirs, tmp_path, monkeypatch):
    raw, processed, reports = dirs
    _workbook(raw, 2022, 29, 33)
    stage = tmp_path / ".2023.new-run"
    monkeypatch.setenv(data.STAGE_FOR_ENV, str(reports.resolve()))
    monkeypatch.setenv(data.STAGE_ENV, str(stage))
    yd = open_year(2023, raw_dir=raw, processed_dir=processed, output_dir=reports)
    assert yd.figure_path("s6_yoy") == stage / "2023" / "figures" / "s6_yoy.png"
    other = open_year(2023, raw_dir=raw, processed_dir=processed, output_dir=tmp_path / "mine")
    assert other.output_dir == tmp_path / "mine"  # a folder the run was not told about is left alone
    monkeypatch.delenv(data.STAGE_ENV)
    assert open_year(2023, raw_dir=raw, processed_dir=processed, output_dir=reports).output_dir == reports


def test_open_year_without_baseline_data(dirs):
    raw, processed, reports = dirs
    yd = open_year(2023, raw_dir=raw, processed_dir=processed, output_dir=reports)
    assert yd.baseline is None and yd.baseline_year is None
    assert yd.baseline_note == "没有 2022 年数据，不做同比分析"
    assert dict(zip(yd.summary()["项目"], yd.summary()["内容"]))["对比年度"] == "无"


def test_open_year_with_an_explicit_baseline_that_has_no_data(dirs):
    raw, processed, reports = dirs
    _workbook(raw, 2022, 29, 33)
    yd = open_year(2023, baseline_year=2021, raw_dir=raw, processed_dir=processed, output_dir=reports)
    assert yd.baseline is None and yd.baseline_year is None
    assert yd.baseline_note == "没有 2021 年数据，不做同比分析"
    with pytest.raises(ParameterError):
        open_year(2023, baseline_year="前年", raw_dir=raw, processed_dir=processed, output_dir=reports)
