"""Tests of fzanalysis.store.project: one rule for where data live, the new project folder, the shipped notebooks."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import fzanalysis
from fzanalysis.core.errors import ParameterError
from fzanalysis.core.files import NOTEBOOKS, PRODUCT_FILES
from fzanalysis.store.project import HOME_ENV, check_output, find_root, init_project, open_project

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def nowhere(tmp_path, monkeypatch) -> Path:
    """A working directory with no project above it, and no FZANALYSIS_HOME."""
    monkeypatch.delenv(HOME_ENV, raising=False)
    folder = tmp_path / "nowhere"
    folder.mkdir()
    monkeypatch.chdir(folder)
    if find_root(folder) is not None:  # pragma: no cover - a data/raw above the temp folder
        pytest.skip("a project folder lies above the temporary folder")
    return folder


@pytest.fixture
def proj(tmp_path) -> Path:
    root = tmp_path / "区司法局数据"
    (root / "data" / "raw" / "2023").mkdir(parents=True)
    (root / "notebooks" / "sub").mkdir(parents=True)
    return root


def test_the_project_is_found_upwards_from_a_sub_folder(proj, monkeypatch):
    monkeypatch.delenv(HOME_ENV, raising=False)
    monkeypatch.chdir(proj / "notebooks" / "sub")
    f = open_project()
    assert (f.raw, f.processed, f.reports) == (proj / "data" / "raw", proj / "data" / "processed", proj / "reports")
    assert f.root == proj and str(proj / "notebooks" / "sub") in f.found_by


def test_fzanalysis_home_wins_over_the_working_directory(proj, tmp_path, monkeypatch):
    other = tmp_path / "other"
    (other / "data" / "raw").mkdir(parents=True)
    monkeypatch.chdir(proj)
    monkeypatch.setenv(HOME_ENV, str(other))
    assert open_project().raw == other / "data" / "raw"


def test_explicit_folders_win_and_need_no_project(nowhere, tmp_path):
    f = open_project(raw_dir=tmp_path / "R", processed_dir=tmp_path / "P", output_dir=tmp_path / "O")
    assert (f.raw, f.processed, f.reports, f.root) == (tmp_path / "R", tmp_path / "P", tmp_path / "O", None)
    assert open_project(raw_dir=tmp_path / "R", processed_dir=tmp_path / "P",
                        need=("raw", "processed")).processed == tmp_path / "P"


def test_no_project_is_one_line_naming_where_it_looked_and_how_to_point_elsewhere(nowhere):
    with pytest.raises(ParameterError) as info:
        open_project(raw_dir=nowhere / "R")  # processed and reports still needed
    reason = info.value.reason
    assert str(nowhere) in reason and HOME_ENV in reason and "--raw" in reason and "\n" not in reason


def test_a_missing_home_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "无此目录"))
    with pytest.raises(ParameterError, match="无此目录"):
        open_project()


@pytest.fixture
def raw_link(tmp_path) -> Path:
    raw = tmp_path / "p" / "data" / "raw"
    (raw / "2023").mkdir(parents=True)
    (tmp_path / "link").symlink_to(raw)
    (tmp_path / "p" / "reports").mkdir()
    return raw


@pytest.mark.parametrize("out, how", [
    ("p/data/raw", "就是"), ("link", "就是"), ("p/data/raw/../raw", "就是"), ("p/reports/../data/raw", "就是"),
    ("p/data/raw/2023", "位于"), ("p/data/raw/2023/x/y", "位于"), ("link/2023/new", "位于"),
    ("link/../raw/2023", "位于"), ("p/data", "包含"), ("p", "包含"), ("p/reports/..", "包含"),
])
def test_an_output_folder_that_is_lies_inside_or_contains_raw_is_refused(raw_link, out, how):
    folder = raw_link.parent.parent.parent / out
    with pytest.raises(ParameterError) as info:
        check_output(folder, raw_link)
    assert f"{how}原始数据目录" in info.value.reason and "\n" not in info.value.one_line()
    with pytest.raises(ParameterError):  # either way round: the raw folder given through the link
        check_output(folder, raw_link.parent.parent.parent / "link")


@pytest.mark.parametrize("out", ["p/data/processed", "p/reports/2023", "p/data/raw2", "elsewhere/x", "p/data/rawx/2023"])
def test_a_folder_beside_raw_is_fine(raw_link, out):
    folder = raw_link.parent.parent.parent / out
    assert check_output(folder, raw_link) == folder


def test_the_same_folder_reached_another_way_is_caught_by_identity(raw_link, monkeypatch):
    """A bind mount or a case-insensitive disk gives a second path that no link resolves: the folders'
    identity on disk (device, inode) is compared too."""
    monkeypatch.setattr(os.path, "realpath", os.path.abspath)  # links no longer resolved by name
    link = raw_link.parent.parent.parent / "link"
    for folder, how in ((link, "就是"), (link / "2023" / "new", "位于")):
        with pytest.raises(ParameterError, match=how):
            check_output(folder, raw_link)


def test_the_project_checks_every_output_folder_against_raw(raw_link):
    tmp = raw_link.parent.parent.parent
    with pytest.raises(ParameterError, match="位于原始数据目录"):
        open_project(raw_dir=raw_link, processed_dir=raw_link / "2023", output_dir=tmp / "r")
    with pytest.raises(ParameterError, match="包含原始数据目录"):
        open_project(raw_dir=raw_link, processed_dir=tmp / "pr", output_dir=tmp / "p")
    with pytest.raises(ParameterError, match="就是原始数据目录"):
        open_project(raw_dir=tmp / "link", processed_dir=raw_link, need=("raw", "processed"))
    f = open_project(raw_dir=raw_link, processed_dir=tmp / "p" / "data" / "processed", output_dir=tmp / "p" / "reports")
    assert f.reports == tmp / "p" / "reports"
    with pytest.raises(ParameterError, match="位于原始数据目录"):  # a folder the user names for forms
        f.output(raw_link / "2023" / "forms")
    assert f.output(tmp / "forms") == tmp / "forms"
    # raw unknown: a reader's call
    assert open_project(processed_dir=raw_link, need=("processed",)).processed == raw_link


def test_every_file_the_commands_write_is_a_product_file():
    """The cleaner sets these names aside in raw folders: every name a writer uses must be one."""
    from fzanalysis.check.check import CHECK_FILE
    from fzanalysis.store.outputs import OUTPUT_FILES
    from fzanalysis.report.write import REPORT_FILES
    from fzanalysis.loop.scorecard import SCORECARD_FILES
    from fzanalysis.loop.status import STATUS_FILE

    written = {*OUTPUT_FILES, *REPORT_FILES, *SCORECARD_FILES, STATUS_FILE, CHECK_FILE, "findings.csv",
               "findings.json", "run.json"}
    assert written <= PRODUCT_FILES


def test_init_lays_out_a_project_and_never_overwrites(tmp_path, monkeypatch):
    root = tmp_path / "新项目"
    made = init_project(root, 2024)
    for sub in ("data/raw/2024", "data/processed", "reports", "notebooks"):
        assert (root / sub).is_dir(), sub
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "data/raw/2024/" in readme and "FZANALYSIS_HOME" in readme and "原样存放" in readme
    assert sorted(p.name for p in (root / "notebooks").glob("*.ipynb")) == sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    assert root / "README.md" in made
    (root / "README.md").write_text("我们自己的说明", encoding="utf-8")
    assert init_project(root, 2024) == []
    assert (root / "README.md").read_text(encoding="utf-8") == "我们自己的说明"
    monkeypatch.delenv(HOME_ENV, raising=False)
    monkeypatch.chdir(root / "notebooks")
    assert open_project().root == root.resolve()  # the new folder is a project at once


def test_init_refuses_a_file(tmp_path):
    (tmp_path / "x").write_text("", encoding="utf-8")
    with pytest.raises(ParameterError, match="不是文件夹"):
        init_project(tmp_path / "x", 2023)


def test_the_shipped_notebooks_are_clean_and_match_the_executed_copies():
    """One source (scripts/make_notebooks.py): the package holds the notebooks without outputs, notebooks/
    the same cells executed on the bundled data (nbval)."""
    import nbformat

    shipped = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    assert shipped == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb")) and len(shipped) >= 8
    for name in shipped:
        clean = nbformat.read(str(NOTEBOOKS / name), as_version=4)
        run = nbformat.read(str(ROOT / "notebooks" / name), as_version=4)
        assert [c.source for c in clean.cells] == [c.source for c in run.cells], name
        assert not any(c.get("outputs") for c in clean.cells if c.cell_type == "code"), name


@pytest.mark.slow
def test_the_wheel_carries_the_notebooks_and_data_files(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ROOT / "fzanalysis", src / "fzanalysis", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(ROOT / name, src / name)
    res = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(src),
                          "-w", str(tmp_path / "dist")], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    wheel = next((tmp_path / "dist").glob("fzanalysis-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for nb in NOTEBOOKS.glob("*.ipynb"):
        assert f"fzanalysis/notebooks/{nb.name}" in names
    assert {"fzanalysis/html_template/fz.html.j2", "fzanalysis/project_template/README.md",
            "fzanalysis/catalog_data/indicators.csv", "fzanalysis/report/templates/report.j2"} <= names
    assert wheel.name.startswith(f"fzanalysis-{fzanalysis.__version__}-")  # the version has one source
