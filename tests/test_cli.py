"""Tests of fzanalysis.cli: exit codes, one-line errors, no tracebacks."""
from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from fzanalysis import cli
from fzanalysis.core.catalog import load_catalog
from fzanalysis.store.outputs import OUTPUT_FILES
from fzanalysis.core.errors import FzError
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


def test_catalog_lists_every_code_and_the_count_within_80_columns():
    from fzanalysis.analysis.display import text_width

    proc = fz("catalog")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    codes = load_catalog().indicators["code"].tolist()
    for code in codes:
        assert code in proc.stdout
    lines = proc.stdout.rstrip().splitlines()
    assert f"共 {len(codes)} 个指标" in lines and "行政复议受理数" in proc.stdout
    assert max(text_width(line) for line in lines) <= 79, max(lines, key=text_width)  # no line wraps


def test_catalog_csv_is_the_full_table_for_excel():
    proc = subprocess.run([sys.executable, "-m", "fzanalysis.cli", "catalog", "--csv"], capture_output=True, timeout=60,
                          cwd=ROOT)
    assert proc.returncode == 0 and proc.stdout.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(io.BytesIO(proc.stdout), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(table.columns) == ["章节", "代码", "指标", "常规填报单位", "单位", "类型", "方向", "目标值", "纲要体系", "别名"]
    assert len(table) == len(load_catalog().indicators)


def test_version():
    import fzanalysis

    proc = fz("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"fzanalysis {fzanalysis.__version__}"


def test_init_lays_out_a_project_folder(tmp_path):
    proc = fz("init", str(tmp_path / "新区"), "--year", "2024", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "新区" / "data" / "raw" / "2024").is_dir() and (tmp_path / "新区" / "README.md").is_file()
    assert "fzanalysis run --year 2024" in proc.stdout


def test_commands_find_the_project_from_a_sub_folder(tmp_path):
    project = tmp_path / "proj"
    make_good_market(project / "data" / "raw" / "2023" / "区市场监管局统计表.xlsx")
    (project / "notebooks").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "FZANALYSIS_HOME"}
    proc = subprocess.run([sys.executable, "-m", "fzanalysis.cli", "clean", "--quiet"], cwd=project / "notebooks",
                          capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr
    assert (project / "data" / "processed" / "2023" / "indicators.csv").is_file()


def test_outside_a_project_the_error_says_where_it_looked_and_how_to_point_elsewhere(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "FZANALYSIS_HOME"}
    proc = subprocess.run([sys.executable, "-m", "fzanalysis.cli", "run", "--year", "2023"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and str(tmp_path) in lines[0] and "FZANALYSIS_HOME" in lines[0] and "--raw" in lines[0]


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


# ------------------------------------------------------------------------------ inputs under attack
@pytest.mark.parametrize("flag, value", [("--max-cells", "0"), ("--max-cells", "-5"), ("--max-uncompressed-mb", "0")])
def test_limits_must_be_positive(tmp_path, flag, value):
    raw = tmp_path / "raw"
    make_good_market(raw / "2023" / "区市场监管局统计表.xlsx")
    proc = fz("clean", "--raw", str(raw), "--out", str(tmp_path / "out"), flag, value)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [f"错误：{flag} 须为正整数，收到 {int(value) * (1024 * 1024 if 'mb' in flag else 1)}"]
    assert not (tmp_path / "out" / "2023").exists()


def test_a_symlink_out_of_the_raw_folder_is_refused_and_logged(tmp_path):
    raw = tmp_path / "raw"
    make_good_market(raw / "2023" / "区市场监管局统计表.xlsx")
    secret = tmp_path / "outside.csv"
    secret.write_text("指标,2023年\n机密：root:x:0:0,1\n", encoding="utf-8")
    (raw / "2023" / "passwd.csv").symlink_to(secret)
    proc = fz("clean", "--raw", str(raw), "--out", str(tmp_path / "out"))
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == ["无法读取：2023/passwd.csv: 文件指向原始数据目录之外（符号链接），未读取"]
    out = tmp_path / "out" / "2023"
    text = "".join(p.read_text(encoding="utf-8-sig") for p in out.glob("*.csv"))
    assert "机密" not in text and "root" not in text
    log = pd.read_csv(out / "cleaning_log.csv", dtype=str, keep_default_na=False)
    assert log.loc[log["file"] == "2023/passwd.csv", "event"].tolist() == ["outside_raw", "ledger"]


def test_a_file_name_with_terminal_codes_is_printed_escaped(tmp_path):
    raw = tmp_path / "raw"
    make_good_market(raw / "2023" / "区市场监管局统计表.xlsx")
    (raw / "2023" / "\x1b[2J\x1b[31m坏文件.xlsx").write_bytes(b"not a workbook")
    proc = fz("clean", "--raw", str(raw), "--out", str(tmp_path / "out"))
    assert proc.returncode == 1
    assert "\x1b" not in proc.stderr + proc.stdout
    assert proc.stderr.splitlines()[0].startswith("无法读取：2023/[2J[31m坏文件~")


def test_an_unwritable_output_folder_is_one_line_not_a_traceback(tmp_path):
    raw = tmp_path / "raw"
    make_good_market(raw / "2023" / "区市场监管局统计表.xlsx")
    blocker = tmp_path / "out"
    blocker.write_text("a file where the output folder should be")
    for args in (("clean", "--raw", str(raw), "--out", str(blocker)),
                 ("run", "--year", "2023", "--raw", str(raw), "--processed", str(blocker / "p"), "--out",
                  str(blocker / "r"))):
        proc = fz(*args)
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr and len(proc.stderr.splitlines()) == 1
        assert proc.stderr.startswith("错误：") and str(blocker) in proc.stderr


def test_a_reader_that_stops_early_is_no_error():
    """`fzanalysis catalog | head -1`: the pipe closes under the command; no traceback, exit 0."""
    proc = subprocess.Popen([sys.executable, "-m", "fzanalysis.cli", "catalog"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, bufsize=0)
    assert proc.stdout.read(1)  # like head: one bit, then hang up
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=60) == 0 and err == ""


# ------------------------------------------------------------------------------ the raw folder is never written
@pytest.fixture
def project(tmp_path) -> Path:
    """``tmp/p/data/raw/2023`` with two workbooks, a link ``tmp/link`` to the raw folder, a draft to check."""
    raw = tmp_path / "p" / "data" / "raw"
    make_good_market(raw / "2023" / "区市场监管局统计表.xlsx")
    make_good_market(raw / "2022" / "区市场监管局统计表.xlsx")
    (tmp_path / "link").symlink_to(raw)
    (tmp_path / "draft.md").write_text("全年办理行政处罚案件579件。\n", encoding="utf-8")
    return raw


def tree(folder: Path) -> dict[str, tuple[str, int]]:
    """Every entry under ``folder`` (links not followed): its bytes' hash and its inode."""
    out = {}
    for p in sorted(folder.rglob("*")):
        data = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() and not p.is_symlink() else ""
        out[p.relative_to(folder).as_posix()] = (data, p.lstat().st_ino)
    return out


def writing_commands(raw: Path, bad: str) -> dict[str, list[str]]:
    tmp = raw.parent.parent.parent
    r, p, o = str(raw), str(tmp / "processed"), str(tmp / "reports")
    year = ["--year", "2023", "--raw", r]
    return {
        "clean --out": ["clean", "--raw", r, "--out", bad],
        "run --processed": ["run", *year, "--processed", bad, "--out", o],
        "run --out": ["run", *year, "--processed", p, "--out", bad],
        "report --out": ["report", *year, "--processed", p, "--out", bad],
        "report --processed": ["report", *year, "--processed", bad, "--out", o],
        "check-report --out": ["check-report", str(tmp / "draft.md"), *year, "--processed", p, "--out", bad],
        "status --out": ["status", *year, "--processed", p, "--out", bad],
        "scorecard --out": ["scorecard", *year, "--processed", p, "--out", bad],
        "feedback --out": ["feedback", *year, "--processed", p, "--out", bad],
        "template --out": ["template", "--year", "2024", "--raw", r, "--processed", p, "--out", bad],
    }


BAD_OUT = {"the raw folder": "p/data/raw", "inside it, not made yet": "p/data/raw/2023/x",
           "containing it": "p/data", "a link to it": "link", "back into it by ..": "p/data/raw/2023/../../raw/2022"}


@pytest.mark.parametrize("bad", BAD_OUT.values(), ids=BAD_OUT.keys())
def test_every_command_refuses_an_output_folder_overlapping_raw_and_writes_nothing(project, bad, capsys):
    tmp = project.parent.parent.parent
    before = tree(tmp)
    for name, args in writing_commands(project, str(tmp / bad)).items():
        assert cli.main(args) == 2, name
        err = capsys.readouterr().err.splitlines()
        assert len(err) == 1 and err[0].startswith("错误：输出目录") and "原始数据目录" in err[0], (name, err)
        assert tree(tmp) == before, name  # raw files' bytes and inodes, and nothing new anywhere


def test_the_library_entry_points_refuse_it_too(project):
    import fzanalysis as fz
    from fzanalysis import commands
    from fzanalysis.store.data import run_clean
    from fzanalysis.store.project import open_project

    tmp = project.parent.parent.parent
    before = tree(tmp)
    ok = open_project(raw_dir=project, processed_dir=tmp / "processed", output_dir=tmp / "reports")
    calls = [lambda: fz.load(2023, processed_dir=project / "2023" / "p", raw_dir=project),
             lambda: run_clean(raw_dir=project, processed_dir=tmp / "link" / "2023"),
             lambda: fz.open_year(2023, raw_dir=project, processed_dir=tmp / "processed", output_dir=project.parent),
             lambda: open_project(raw_dir=project, processed_dir=tmp / "processed", output_dir=tmp / "link"),
             lambda: commands.feedback(ok, 2023, project / "2023"),
             lambda: commands.template(ok, 2024, tmp / "link" / "forms")]
    for call in calls:
        with pytest.raises(FzError, match="原始数据目录"):
            call()
    assert tree(tmp) == before


def test_clean_into_raw_is_exit_2_and_one_line(project):
    tmp = project.parent.parent.parent
    before = tree(tmp)
    proc = fz("clean", "--raw", str(project), "--out", str(project))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [f"错误：输出目录 {project} 就是原始数据目录（{project}）："
                                        "原始数据只读，输出不能写入、覆盖或包含它，请另选输出目录"]
    assert tree(tmp) == before
