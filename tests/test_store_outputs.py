"""Tests of fzanalysis.store.outputs: safe, deterministic, atomic output files."""
from __future__ import annotations

import io
import math
import os

import pandas as pd
import pytest

from fzanalysis.store import outputs
from fzanalysis.core.errors import OutputError
from fzanalysis.store.outputs import atomic_write_bytes, csv_bytes, neutralise, parquet_bytes, write_csv

BOM = b"\xef\xbb\xbf"


# ------------------------------------------------------------------------------ neutralise
@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "@x", "-x", "=HYPERLINK(\"http://x\",\"点击\")",
                                  "\tcmd", "\rcmd", "-2+3", "+ 5", "@SUM(A1:A2)"])
def test_formula_looking_text_is_prefixed(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["-28%", "-5", "+3", "-0.5", "-", "+", "=", "", "行政处罚案件数", "a=b",
                                  "579件", " =1"])
def test_numbers_short_and_plain_text_untouched(text):
    assert neutralise(text) == text


@pytest.mark.parametrize("value", [5, -5, -2.5, None, True, pd.NA])
def test_non_strings_untouched(value):
    assert neutralise(value) is value


# ------------------------------------------------------------------------------ csv
def _csv_lines(data: bytes) -> list[str]:
    assert data.startswith(BOM)
    return data[len(BOM):].decode("utf-8").split("\n")


def test_csv_bytes_bom_numbers_and_neutralised_text():
    df = pd.DataFrame({
        "org": ["区市场监管局", "=1+1", None],
        "value": [5662000.0, 99.5, float("nan")],
        "noise": [0.1 + 0.2, 1e-7, 123456789012.0],
        "count": pd.array([3, None, 0], dtype="Int64"),
        "raw_text": ["-28%", "@x", "566.2万元"],
    })
    data = csv_bytes(df)
    assert data.startswith(BOM)
    assert b"\r\n" not in data
    lines = _csv_lines(data)
    assert lines == [
        "org,value,noise,count,raw_text",
        "区市场监管局,5662000,0.3,3,-28%",
        "'=1+1,99.5,1e-07,,'@x",
        ",,123456789012,0,566.2万元",
        "",
    ]
    assert df["org"].tolist()[1] == "=1+1"  # the caller's frame is not changed


def test_csv_bytes_round_trips_through_pandas():
    df = pd.DataFrame({"year": pd.array([2023, 2023], dtype="int64"), "value": [579.0, 5662000.0],
                       "org": ["区市场监管局", "区生态环境局"]})
    back = pd.read_csv(io.BytesIO(csv_bytes(df)), encoding="utf-8-sig")
    assert back["year"].tolist() == [2023, 2023]
    assert back["value"].tolist() == [579.0, 5662000.0]
    assert back["org"].tolist() == ["区市场监管局", "区生态环境局"]


def test_csv_bytes_of_an_empty_frame_is_the_header():
    assert csv_bytes(pd.DataFrame(columns=["a", "b"])) == BOM + b"a,b\n"


# ------------------------------------------------------------------------------ atomic writes
def test_atomic_write_leaves_no_temp_file(tmp_path):
    target = tmp_path / "sub" / "indicators.csv"
    atomic_write_bytes(target, b"first")
    atomic_write_bytes(target, b"second")
    assert target.read_bytes() == b"second"
    assert sorted(p.name for p in target.parent.iterdir()) == ["indicators.csv"]


def test_failed_write_keeps_the_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "indicators.csv"
    atomic_write_bytes(target, b"old content")

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outputs.os, "replace", boom)
    with pytest.raises(OutputError, match="No space left"):
        atomic_write_bytes(target, b"new content that never lands")
    monkeypatch.undo()
    assert target.read_bytes() == b"old content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["indicators.csv"]
    assert not list(tmp_path.glob("*.tmp"))


def test_write_interrupted_before_the_rename_keeps_the_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "log.csv"
    write_csv(pd.DataFrame({"a": [1]}), target)
    before = target.read_bytes()
    real_fdopen = os.fdopen

    class Half:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            self.fh.write(data[: len(data) // 2])
            raise KeyboardInterrupt

    monkeypatch.setattr(outputs.os, "fdopen", lambda fd, mode: Half(real_fdopen(fd, mode)))
    with pytest.raises(KeyboardInterrupt):
        write_csv(pd.DataFrame({"a": [2, 3, 4]}), target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["log.csv"]


def test_unwritable_output_folder_is_an_output_error(tmp_path):
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("x")
    with pytest.raises(OutputError) as info:
        atomic_write_bytes(blocker / "2023" / "indicators.csv", b"x")
    assert "无法写入" in info.value.reason and info.value.file == str(blocker / "2023")


def test_files_take_the_users_umask(tmp_path):
    target = tmp_path / "indicators.csv"
    old = os.umask(0o022)
    try:
        from fzanalysis.store import folders
        atomic_write_bytes(target, b"x")
        assert (target.stat().st_mode & 0o777) == folders.FILE_MODE
    finally:
        os.umask(old)


# ------------------------------------------------------------------------------ parquet
def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "year": pd.array([2023, 2023, 2023], dtype="int64"),
        "org": ["区市场监管局", "区司法局", "八桥镇"],
        "code": ["market_fines", "recon_accepted", "town_cases"],
        "value": [5662000.0, 29.0, 0.5],
        "qualifier": ["", "余", ""],
    })


def test_parquet_bytes_is_deterministic():
    first = parquet_bytes(_frame())
    assert parquet_bytes(_frame()) == first
    assert parquet_bytes(_frame().copy()) == first
    assert first[:4] == b"PAR1" and first[-4:] == b"PAR1"
    changed = _frame()
    changed.loc[0, "value"] = 5662001.0
    assert parquet_bytes(changed) != first


def test_parquet_bytes_round_trips():
    df = _frame()
    back = pd.read_parquet(io.BytesIO(parquet_bytes(df)))
    pd.testing.assert_frame_equal(back, df)
    assert back["year"].dtype == "int64" and back["value"].dtype == "float64"
    assert not math.isnan(back["value"].sum())


def test_parquet_written_atomically(tmp_path):
    path = tmp_path / "2023" / "indicators.parquet"
    outputs.write_parquet(_frame(), path)
    pd.testing.assert_frame_equal(pd.read_parquet(path), _frame())
    assert [p.name for p in path.parent.iterdir()] == ["indicators.parquet"]
