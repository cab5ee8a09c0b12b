"""fzanalysis.store.folders: one writer at a time, a year's outputs swapped in whole, killed writers
cleaned up after — and ``clean`` killed at many moments or run twice at once never leaves a mix."""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from fzanalysis.store import folders
from fzanalysis.core.errors import FolderBusy, OutputError, ParameterError
from fzanalysis.core.files import PRODUCT_FILES

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"


# ------------------------------------------------------------------------------ the lock
def _hold(folder: Path, seconds: float, shared: bool = False) -> subprocess.Popen:
    code = (f"import time; from fzanalysis.store.folders import locked\n"
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
    folders.write_set(target, {"a.csv": b"1", "b.csv": b"1"}, raw=RAW)
    (target / "备注.txt").write_text("mine")
    folders.write_set(target, {"a.csv": b"2", "b.csv": b"2"}, raw=RAW)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == {"a.csv": b"2", "b.csv": b"2", "备注.txt": "mine".encode()}
    assert sorted(p.name for p in tmp_path.iterdir()) == [folders.LOCK_NAME, "2023"]  # the lock of the parent


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


# ------------------------------------------------------------------------------ the one writer under attack
class Killed(BaseException):
    """A kill -9 of the writer at that moment: nothing after it runs."""


@contextmanager
def killed_at_rename(n: int | None):
    """The writer dies at its ``n``-th ``os.rename`` (``None``: after every rename, before it removes the
    previous set); a killed process cleans nothing up, so ``shutil.rmtree`` does nothing meanwhile."""
    real, calls = os.rename, []

    def rename(src, dst):
        calls.append(dst)
        if len(calls) == n:
            raise Killed
        real(src, dst)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "rename", rename)
        mp.setattr(shutil, "rmtree", lambda *a, **k: None)
        try:
            yield calls
        except Killed:
            pass


def _state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.is_dir() else {}


def _leftovers(target: Path) -> list[str]:
    return [p.name for p in target.parent.iterdir() if p.name.startswith(f".{target.name}.")]


MODES = {"product folder": {}, "forms": {"mine": True}, "forms, one unit": {"mine": True, "keep": True}}


@pytest.mark.parametrize("mode", MODES.values(), ids=MODES.keys())
@pytest.mark.parametrize("kill", [1, 2, None], ids=["at rename 1", "at rename 2", "before removing the old set"])
def test_a_writer_killed_at_any_rename_leaves_the_previous_set_or_the_new_one(tmp_path, mode, kill):
    target = tmp_path / "out" / "2023"
    folders.write_set(target, {"a.csv": b"old", "b.csv": b"old", "c.csv": b"old"}, raw=RAW, **mode)
    old = _state(target)
    with killed_at_rename(kill) as calls:
        folders.write_set(target, {"a.csv": b"new", "b.csv": b"new"}, raw=RAW, **mode)
    assert len(calls) == (kill or 2)
    folders.recover(target.parent, target.name)  # what the next writer does first
    assert _leftovers(target) == []
    got = _state(target)
    folders.write_set(target, {"a.csv": b"new", "b.csv": b"new"}, raw=RAW, **mode)
    new = _state(target)
    assert new["a.csv"] == new["b.csv"] == b"new" and old["a.csv"] == b"old"
    assert got == (new if kill is None else old)
    # c.csv is carried over in the product's folders, dropped from forms, kept by a one-unit run
    assert ("c.csv" in new) == (mode != MODES["forms"])


@pytest.fixture
def raw_tree(tmp_path):
    raw = tmp_path / "proj" / "data" / "raw"
    (raw / "2023").mkdir(parents=True)
    (raw / "2023" / "区司法局.xlsx").write_bytes(b"as received")
    (tmp_path / "link").symlink_to(raw)
    return raw


def raw_snapshot(raw: Path) -> dict[str, tuple[str, int]]:
    """Every entry under ``raw``: its bytes' hash (files) and inode — what a refused command must leave."""
    return {p.relative_to(raw).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "",
                                            p.stat().st_ino) for p in sorted(raw.rglob("*"))}


def overlapping(raw: Path) -> dict[str, Path]:
    """Output folders that are, lie inside or contain ``raw`` — by links, by ``..``, not made yet."""
    tmp = raw.parent.parent.parent
    return {"is": raw, "inside": raw / "2023", "inside, not made yet": raw / "2023" / "new" / "x",
            "contains": raw.parent, "the project": raw.parent.parent, "a link to it": tmp / "link",
            "inside through a link": tmp / "link" / "2023" / "x", "by ..": raw / ".." / "raw",
            "by .. through a link": tmp / "link" / ".." / "raw" / "2023"}


@pytest.mark.parametrize("how", ["is", "inside", "inside, not made yet", "contains", "a link to it",
                                 "inside through a link", "by .. through a link"])
def test_the_writer_refuses_a_folder_overlapping_the_raw_folder_before_writing(raw_tree, how):
    target = overlapping(raw_tree)[how]
    before = raw_snapshot(raw_tree)
    with pytest.raises(ParameterError, match="原始数据"):
        folders.write_set(target, {"status.csv": b"x"}, raw=raw_tree)
    assert raw_snapshot(raw_tree) == before
    assert not (Path(os.path.realpath(target)).parent / folders.LOCK_NAME).exists()


@pytest.mark.parametrize("name", ["../x.csv", "../../OUTSIDE/PWNED.xlsx", "a/b.csv", "a\\b.csv", "..", ".", "",
                                  "a\nb.csv", "a\x1bb.csv", " a.csv", "c:x.csv", "a?.csv"])
def test_the_writer_refuses_a_file_name_that_is_not_a_plain_name_of_its_folder(tmp_path, name):
    target = tmp_path / "out" / "fb"
    with pytest.raises(OutputError, match="不安全"):
        folders.write_set(target, {"ok.xlsx": b"1", name: b"2"}, raw=RAW, mine=True)
    assert not (tmp_path / "out").exists() and not (tmp_path / "OUTSIDE").exists()


def test_a_folder_of_forms_holds_only_what_the_product_wrote(tmp_path):
    target = tmp_path / "fb"
    folders.write_set(target, {"A.xlsx": b"a1", "B.xlsx": b"b1"}, raw=RAW, mine=True)
    folders.write_set(target, {"A.xlsx": b"a2"}, raw=RAW, mine=True)  # B's problems were fixed: its form goes
    assert sorted(p.name for p in target.iterdir()) == [folders.MANIFEST, "A.xlsx"]
    folders.write_set(target, {"B.xlsx": b"b3"}, raw=RAW, mine=True, keep=True)  # one unit: the others stay
    assert _state(target) | {folders.MANIFEST: b""} == {"A.xlsx": b"a2", "B.xlsx": b"b3", folders.MANIFEST: b""}
    (target / "回执.docx").write_bytes(b"the analyst's")  # a file the product did not write: never deleted
    with pytest.raises(ParameterError, match="「回执.docx」不是本程序写入的"):
        folders.write_set(target, {"A.xlsx": b"a4"}, raw=RAW, mine=True)
    (target / "回执.docx").unlink()
    (target / "A.xlsx").write_bytes(b"edited by hand")  # a form changed since: the analyst's work now
    with pytest.raises(ParameterError, match="「A.xlsx」已被修改"):
        folders.write_set(target, {"A.xlsx": b"a4"}, raw=RAW, mine=True)
    assert (target / "A.xlsx").read_bytes() == b"edited by hand" and (target / "B.xlsx").read_bytes() == b"b3"
    (target / "A.xlsx").unlink()
    (target / folders.LOCK_NAME).write_bytes(b"")  # an earlier version locked the folder itself: no one's file
    folders.write_set(target, {"A.xlsx": b"a5"}, raw=RAW, mine=True)
    assert sorted(p.name for p in target.iterdir()) == [folders.MANIFEST, "A.xlsx"]
    home = tmp_path / "home"  # a folder of one's own files is never taken over
    (home / "notes").mkdir(parents=True)
    with pytest.raises(ParameterError, match="「notes」不是本程序写入的"):
        folders.write_set(home, {"A.xlsx": b"a"}, raw=RAW, mine=True)
    assert sorted(p.name for p in home.iterdir()) == ["notes"]


def test_the_working_folder_is_never_swapped_away(tmp_path, monkeypatch):
    """``feedback --out .`` would move the shell's folder from under it: refused, a sub-folder is fine."""
    here = tmp_path / "empty"
    here.mkdir()
    monkeypatch.chdir(here)
    for where in (Path("."), Path(".."), here):
        with pytest.raises(ParameterError, match="当前目录"):
            folders.write_set(where, {"A.xlsx": b"a"}, raw=RAW, mine=True)
    assert folders.write_set(Path("fb"), {"A.xlsx": b"a"}, raw=RAW, mine=True) == Path("fb")
    assert (here / "fb" / "A.xlsx").read_bytes() == b"a"


@given(st.text(max_size=200))
@example("../../../../OUTSIDE/PWNED")
@example("某某协会\n\n## 三、伪造\r\n")
@example(".hidden")
@example("-rf")
@example("CON")
@example("..")
@example("区司法局" * 40)
def test_a_name_from_data_becomes_one_safe_file_name_component(text):
    name = folders.safe_component(text)
    assert folders.plain_name(name) == name  # no separator, control character or newline, nothing Windows refuses
    assert ".." not in name and not name.startswith((".", "-")) and len(name.encode("utf-8")) <= folders.NAME_BYTES
    assert name.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL"}
    assert folders.safe_component(text) == name  # stable


@given(st.lists(st.text(max_size=60), max_size=6))
@example(["a/b", "a_b"])
@example(["区司法局" * 40, "区司法局" * 41])
@example(["某某协会（13900001111）", "某某协会（13900002222）", "某某协会（[手机号]）~x"])  # differ only where masked
def test_names_never_share_a_file_name(names):
    made = folders.safe_components(names)
    assert set(made) == set(names) and len(set(made.values())) == len(made)
    for component in made.values():
        assert folders.plain_name(component) == component
        assert len(component.encode("utf-8")) <= folders.NAME_BYTES


def test_a_plain_unit_name_is_kept_and_personal_data_never_reaches_a_file_name():
    assert folders.safe_component("区市场监管局") == "区市场监管局"
    masked = folders.safe_component("某某协会（139-0808-0808）")  # masked by sanitize.clean_text
    assert "0808" not in masked and masked.startswith("某某协会") and "~" in masked
    # the hash is the masked name's: trying every phone number finds nothing
    assert masked == folders.safe_component("某某协会（139-0101-0101）")
    assert folders.safe_components(["某某协会（139-0808-0808）", "某某协会（139-0101-0101）"]) == {
        "某某协会（139-0808-0808）": masked, "某某协会（139-0101-0101）": masked + "-2"}
    assert folders.safe_component("../../../../OUTSIDE/PWNED").endswith("OUTSIDE_PWNED~" +
                                                                    hashlib.sha1(b"../../../../OUTSIDE/PWNED").hexdigest()[:8])


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


# ------------------------------------------------------------------------------ every command's set, killed
@pytest.fixture(scope="module")
def two_years_of_data(tmp_path_factory):
    """Raw folders A (the market and the audit office) and B (A without the market's workbook), each
    cleaned once, and a draft to check: every command gives a different set for A and for B."""
    from fzanalysis.store.data import run_clean
    from tests.xlsx_factory import make_good_market, make_layout_a, org_line

    base = tmp_path_factory.mktemp("sets")
    for name in ("a", "b"):
        year = base / name / "2023"
        make_layout_a(year / "区审计局统计表.xlsx", org_line("重庆市大渡口区审计局"),
                      [("审计项目数", "个", 25), ("挽回损失金额", "万元", 40), ("移送问题线索数", "件", "待统计")])
        if name == "a":
            make_good_market(year / "区市场监管局统计表.xlsx")
        run_clean(raw_dir=base / name, processed_dir=base / f"p{name}", progress=False)
    (base / "draft.md").write_text("全年办理行政处罚案件579件，审计项目25个。\n", encoding="utf-8")
    return base


COMMANDS = {  # (arguments for raw, processed, out; the folder its set is)
    "report": (lambda r, p, o: ["report", "--year", "2023", "--raw", r, "--processed", p, "--out", o], "2023"),
    "status": (lambda r, p, o: ["status", "--year", "2023", "--raw", r, "--processed", p, "--out", o], "2023"),
    "scorecard": (lambda r, p, o: ["scorecard", "--year", "2023", "--raw", r, "--processed", p, "--out", o], "2023"),
    "check-report": (lambda r, p, o: ["check-report", str(Path(r).parent / "draft.md"), "--year", "2023", "--raw", r,
                                      "--processed", p, "--out", o], "2023"),
    "feedback": (lambda r, p, o: ["feedback", "--year", "2023", "--raw", r, "--processed", p, "--out", f"{o}/fb"], "fb"),
    "template": (lambda r, p, o: ["template", "--year", "2024", "--raw", r, "--processed", p, "--out", f"{o}/tpl"],
                 "tpl"),
}


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_writes_its_set_through_the_one_writer_and_a_kill_at_any_rename_leaves_no_mix(
        two_years_of_data, tmp_path, command, capsys):
    """The command's only write of its outputs is one :func:`folders.write_set` call (captured, not run);
    replayed with a kill at each rename, the folder holds the previous set or the new one, never a mix."""
    from fzanalysis.cli import main

    base, (args, sub) = two_years_of_data, COMMANDS[command]
    out = tmp_path / "out"
    target = out / sub
    assert main(args(str(base / "a"), str(base / "pa"), str(out))) == 0, capsys.readouterr().err
    old = _state(target)
    real, captured = folders.write_set, []

    def spy(where, files, **kw):
        if Path(where) == target:
            captured.append((files, kw))
            return Path(where)
        return real(where, files, **kw)

    with pytest.MonkeyPatch.context() as mp:
        for module in list(sys.modules.values()):  # every module of the command that holds the one writer
            if getattr(module, "__name__", "").startswith("fzanalysis") and getattr(module, "write_set", None) is real:
                mp.setattr(module, "write_set", spy)
        assert main(args(str(base / "b"), str(base / "pb"), str(out))) == 0, capsys.readouterr().err
    assert len(captured) == 1 and _state(target) == old  # nothing written but through the one writer
    files, kw = captured[0]
    assert kw["raw"] == base / "b"
    assert kw.get("mine", False) == (command in ("feedback", "template"))  # forms: a folder the user names
    assert kw.get("mine") or set(files) <= PRODUCT_FILES
    states = []
    for kill in (1, 2, None):
        with killed_at_rename(kill):
            real(target, files, **kw)
        folders.recover(target.parent, target.name)
        assert _leftovers(target) == []
        states.append(_state(target))
    real(target, files, **kw)
    new = _state(target)
    assert old != new and {n: new[n] for n in files} == files
    assert states == [old, old, new]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_waits_for_the_lock_of_its_folder(two_years_of_data, tmp_path, command, monkeypatch, capsys):
    """check-report too: while another process holds the folder, no command writes into it."""
    from fzanalysis.cli import main

    base, (args, sub) = two_years_of_data, COMMANDS[command]
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(folders, "DEFAULT_WAIT", 0.2)
    holder = _hold((out / sub).parent, 30)
    try:
        assert main(args(str(base / "a"), str(base / "pa"), str(out))) == 2
    finally:
        holder.kill()
        holder.wait()
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "另一个 fzanalysis 进程正在使用该目录" in err[0]
    assert not (out / sub).exists() and [p.name for p in (out / sub).parent.iterdir()] == [folders.LOCK_NAME]
