"""Re-execute the committed notebooks on the bundled data and strip what varies.

Run after a deliberate change to the library, the catalog or ``data/raw``:

    python scripts/refresh_notebooks.py            # all notebooks
    python scripts/refresh_notebooks.py s6_grassroots_disputes overview

Each notebook is executed in place by papermill with its default parameters (working directory
``notebooks/``), then execution timestamps and papermill's timing metadata are removed so that
the files change only when results change.  ``pytest --nbval notebooks/`` compares against them.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import papermill as pm

from fzanalysis.runner import KERNEL_QUIET

ROOT = Path(__file__).resolve().parent.parent
NB_DIR = ROOT / "notebooks"


def strip(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.metadata.pop("collapsed", None)
    return nb


def refresh(path: Path) -> None:
    pm.execute_notebook(str(path), str(path), cwd=str(NB_DIR), progress_bar=False, kernel_name="python3",
                        extra_arguments=KERNEL_QUIET)
    nb = strip(nbformat.read(str(path), as_version=4))
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    if errors:
        raise SystemExit(f"{path.name}: {errors[0].ename}: {errors[0].evalue}")
    nbformat.write(nb, str(path))
    print(f"refreshed notebooks/{path.name}")


def main(argv: list[str]) -> int:
    names = argv or sorted(p.stem for p in NB_DIR.glob("*.ipynb"))
    for name in names:
        refresh(NB_DIR / f"{Path(name).stem}.ipynb")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
