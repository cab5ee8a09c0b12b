"""The committed notebooks guard the results: nbval passes on the bundled data and fails when a figure changes.

``notebooks/`` holds the executed copies of the notebooks shipped in ``fzanalysis/notebooks/`` (see
tests/test_project.py for the two staying the same)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MARKET = "区市场监管局2023年法治政府建设数据.xlsx"


def _copy_project(dst: Path) -> Path:
    shutil.copytree(ROOT / "notebooks", dst / "notebooks")
    shutil.copytree(ROOT / "data" / "raw", dst / "data" / "raw")
    return dst


def _patch_cached_value(xlsx: Path, old: str, new: str) -> None:
    """Change one cached cell value inside the workbook's XML (as if the department had typed 580)."""
    tmp = xlsx.with_suffix(".tmp")
    hits = 0
    with zipfile.ZipFile(xlsx) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/") and old.encode() in data:
                hits += data.count(old.encode())
                data = data.replace(old.encode(), new.encode())
            zout.writestr(info, data)
    tmp.replace(xlsx)
    assert hits == 1, f"expected one {old} in {xlsx.name}, found {hits}"


def _nbval(project: Path, notebook: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "FZANALYSIS_HOME": str(project)}  # the copy's data, not the session's scratch project
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", f"notebooks/{notebook}"],
        cwd=project, capture_output=True, text=True, timeout=300, env=env)


def test_committed_notebooks_have_parameters_and_no_errors():
    books = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert len(books) >= 8
    for path in books:
        nb = json.loads(path.read_text(encoding="utf-8"))
        tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, path.name
        params = "".join(tagged[0]["source"])
        assert "year = 2023" in params  # folders default to None: the project's, wherever papermill runs
        for name in ("raw_dir", "processed_dir", "output_dir"):
            assert f"{name} = None" in params, (path.name, name)
        text = json.dumps(nb, ensure_ascii=False)
        assert "参数见" not in text and "下一个单元格" not in text, path.name  # the HTML hides that cell
        assert "papermill" not in nb["metadata"], path.name  # timestamps stripped
        for cell in nb["cells"]:
            assert "execution" not in cell.get("metadata", {}), path.name
            for out in cell.get("outputs", []):
                assert out["output_type"] != "error", path.name
                assert "missing from font" not in json.dumps(out, ensure_ascii=False), path.name
            source = "".join(cell["source"])
            if cell["cell_type"] == "code" and ("fz.charts." in source or "fz.scorecard.scorecard_chart(" in source):
                data = {k: v for out in cell.get("outputs", []) for k, v in out.get("data", {}).items()}
                meta = {k: v for out in cell.get("outputs", []) for k, v in out.get("metadata", {}).items()}
                where = (path.name, "".join(cell["source"])[:60])
                if "image/png" in data:  # the chart, with what it shows in words
                    assert len(meta["image/png"]["alt"]) > 20, where
                else:  # nothing to chart: one line saying so, and no placeholder image
                    assert "".join(data["text/markdown"]).endswith("不作图。"), where


@pytest.mark.slow
def test_nbval_fails_when_one_figure_changes(tmp_path):
    project = _copy_project(tmp_path)
    ok = _nbval(project, "s4_enforcement.ipynb")
    assert ok.returncode == 0, ok.stdout[-2000:]
    _patch_cached_value(project / "data" / "raw" / "2023" / MARKET, "<v>579</v>", "<v>580</v>")
    changed = _nbval(project, "s4_enforcement.ipynb")
    assert changed.returncode != 0
    assert "580" in changed.stdout
