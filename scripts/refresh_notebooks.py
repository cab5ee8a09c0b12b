"""Execute the package's notebooks on the bundled data into ``notebooks/`` (the executed copies).

Run after a deliberate change to the notebooks' spec (``make_notebooks.py``), the library, the
catalog or ``data/raw``:

    python scripts/refresh_notebooks.py            # all notebooks
    python scripts/refresh_notebooks.py s6_grassroots_disputes overview

Each notebook of ``fzanalysis/notebooks/`` is executed by papermill with its default parameters
in a scratch project folder (``FZANALYSIS_HOME``: a copy of ``data/raw``), so the user's
``data/processed`` and ``reports`` are never touched; execution timestamps and papermill's timing
metadata are removed so that the files change only when results change.
``pytest --nbval notebooks/`` compares against them.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
import papermill as pm

from fzanalysis.core.files import NOTEBOOKS
from fzanalysis.store.project import HOME_ENV, RAW
from fzanalysis.runner import KERNEL_QUIET

ROOT = Path(__file__).resolve().parent.parent
EXECUTED = ROOT / "notebooks"


def strip(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.metadata.pop("collapsed", None)
    return nb


def refresh(name: str, home: Path) -> None:
    source, target = NOTEBOOKS / f"{name}.ipynb", EXECUTED / f"{name}.ipynb"
    pm.execute_notebook(str(source), str(target), cwd=str(home), progress_bar=False, kernel_name="python3",
                        extra_arguments=KERNEL_QUIET)
    nb = strip(nbformat.read(str(target), as_version=4))
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    if errors:
        raise SystemExit(f"{target.name}: {errors[0].ename}: {errors[0].evalue}")
    nbformat.write(nb, str(target))
    print(f"refreshed notebooks/{target.name}")


def main(argv: list[str]) -> int:
    names = [Path(n).stem for n in argv] or sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))
    EXECUTED.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="fzanalysis-refresh-") as tmp:
        home = Path(tmp)
        shutil.copytree(ROOT / RAW, home / RAW)
        os.environ[HOME_ENV] = str(home)  # the kernels inherit it
        for name in names:
            refresh(name, home)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
