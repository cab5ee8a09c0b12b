"""fzanalysis.folders: one writer at a time, a year's outputs swapped in whole, killed writers
cleaned up after — and ``clean`` killed at many moments or run twice at once never leaves a mix."""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fzanalysis import folders
from fzanalysis.errors import FolderBusy

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"


# ------------------------------------------------------------------------------ the lock
def _hold(folder: Path, seconds: float, shared: bool = False) -> subprocess.Popen:
    code = (f"import time; from fzanalysis.folders import locked\n"
            f"with locked({str(folder)!r}, shared={shared}):\n    print('held', flush=True); time.sleep({seconds})")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_writer_waits_then_fails_with_one_line(tmp_path):
    holder = _hold(tmp_path, 30)
    try:
        start = time.monotonic()
        with pytest.raises(FolderBusy) as info:
            with folders.locked(tmp_path, wait=0.3):
                pass
        assert time.monotonic() - start >= 0.3
        assert info.value.file == str(tmp_path) and "另一个 fzanalysis 进程" in info.value.reason
    finally:
        holder.kill()
        holder.wait()
    with folders.locked(tmp_path, wait=5):  # released when its holder died
        pass


def test_readers_share_the_lock_and_keep_writers_out(tmp_path):
    reader = _hold(tmp_path, 30, shared=True)
    try:
        with folders.locked(tmp_path, shared=True, wait=0.2):
            pass
        with pytest.raises(FolderBusy):
            with folders.locked(tmp_path, wait=0.2):
                pass
    finally:
        reader.kill()
        reader.wait()


def test_the_lock_is_reentrant_within_a_process(tmp_path):
    with folders.locked(tmp_path):
        with folders.locked(tmp_path, wait=0):
            with folders.locked(tmp_path, shared=True, wait=0):
                pass


# ------------------------------------------------------------------------------ sets swapped in whole
def test_write_set_replaces_the_whole_set_and_keeps_the_analysts_own_files(tmp_path):
    target = tmp_path / "2023"
    folders.write_set(target, {"a.csv": b"1", "b.csv": b"1"})
    (target / "备注.txt").write_text("mine")
    folders.write_set(target, {"a.csv": b"2", "b.csv": b"2"})
    assert {p.name: p.read_bytes() for p in target.iterdir()} == {"a.csv": b"2", "b.csv": b"2", "备注.txt": "mine".encode()}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2023"]


def test_swap_in_carries_over_old_entries_but_never_the_fresh_names(tmp_path):
    """A run's set decides its report files: a report step that failed leaves none, not the previous one's."""
    target = tmp_path / "2023"
    target.mkdir()
    for name in ("report.md", "old_page.html", "备注.txt"):
        (target / name).write_text("previous")
    staged = folders.staging(tmp_path, "2023")
    (staged / "page.html").write_text("new")
    folders.swap_in(staged, target, fresh=("report.md", "report.docx"))
    assert {p.name: p.read_text() for p in target.iterdir()} == {"page.html": "new", "old_page.html": "previous",
                                                                 "备注.txt": "previous"}


def test_recover_puts_back_the_previous_set_of_a_writer_killed_between_the_renames(tmp_path):
    old = tmp_path / ".2023.old-abc"
    old.mkdir()
    (old / "a.csv").write_bytes(b"previous")
    (tmp_path / ".2023.new-xyz").mkdir()
    folders.recover(tmp_path, "2023")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2023"]
    assert (tmp_path / "2023" / "a.csv").read_bytes() == b"previous"


def test_recover_removes_leftovers_beside_a_whole_set(tmp_path):
    (tmp_path / "2023").mkdir()
    (tmp_path / ".2023.old-abc").mkdir()
    (tmp_path / ".2023.new-run").mkdir()
    (tmp_path / ".2022.new-x").mkdir()  # another year's: not touched
    folders.recover(tmp_path, "2023")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".2022.new-x", "2023"]


def test_folders_take_the_umask(tmp_path):
    stage = folders.staging(tmp_path, "2023")
    assert stage.stat().st_mode & 0o777 == folders.DIR_MODE


# ------------------------------------------------------------------------------ clean under attack
def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def _clean(raw: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "fzanalysis.cli", "clean", "--raw", str(raw), "--out", str(out),
                             "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def two_raws(tmp_path_factory):
    """Raw folders A (the bundled data) and B (one workbook fewer), with their complete outputs."""
    base = tmp_path_factory.mktemp("raws")
    a, b = base / "a", base / "b"
    shutil.copytree(RAW, a)
    shutil.copytree(RAW, b)
    next((b / "2023").glob("区城市管理局*")).unlink()
    sets = {}
    for name, raw in (("a", a), ("b", b)):
        out = base / f"out_{name}"
        assert _clean(raw, out).wait(timeout=120) == 0
        sets[name] = {y: _digest(out / y) for y in ("2022", "2023")}
    assert sets["a"]["2023"] != sets["b"]["2023"]
    return a, b, sets


def _assert_whole(out: Path, sets: dict) -> None:
    for year in ("2022", "2023"):
        folders.recover(out, year)  # what the next writer does first
        assert _digest(out / year) in (sets["a"][year], sets["b"][year]), year


def test_clean_killed_at_many_moments_leaves_the_previous_set_or_the_new_one(tmp_path, two_raws):
    a, b, sets = two_raws
    out = tmp_path / "out"
    assert _clean(a, out).wait(timeout=120) == 0
    for delay in (0.05, 0.3, 0.6, 0.9, 1.2, 1.5, 1.8, 2.2, 2.6, 3.0):
        proc = _clean(b if delay * 10 % 2 else a, out)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        _assert_whole(out, sets)


def test_two_cleans_at_once_on_one_folder_never_mix(tmp_path, two_raws):
    a, b, sets = two_raws
    out = tmp_path / "out"
    for _ in range(4):
        first, second = _clean(a, out), _clean(b, out)
        assert (first.wait(timeout=300), second.wait(timeout=300)) == (0, 0), first.stderr.read() + second.stderr.read()
        _assert_whole(out, sets)
