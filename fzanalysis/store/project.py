"""Where a project's data live (项目文件夹): one rule for the library, the notebooks and the commands.

A project folder holds ``data/raw/<year>/`` (workbooks as received), ``data/processed/`` (what
``fzanalysis clean`` writes) and ``reports/`` (what ``fzanalysis run`` writes).  Each folder is

1. the one given explicitly (``--raw/--processed/--out``, or the ``raw_dir``/``processed_dir``/
   ``output_dir`` arguments and notebook parameters), else
2. under ``$FZANALYSIS_HOME``, else
3. under the nearest folder upwards from the working directory that holds ``data/raw``.

So ``fz.load(2023)`` in ``notebooks/``, papermill started from the project root or from
``notebooks/``, Airflow with ``FZANALYSIS_HOME`` set, and ``fzanalysis run`` in a sub-folder all
read the same data.  When no project is found the error names the folder searched from and how
to point elsewhere.  :func:`init_project` lays out a new project folder.

The folders are resolved once, at the edge — a command line, a notebook's first cell (``fz.open_year``),
papermill's parameters — by :func:`open_project`, into a :class:`Project` that everything below is handed:
its three folders, how they were found, and its catalog folder (the package's own unless one is given; the
catalog and every settings file are read from it, :attr:`Project.catalog`).

The raw folder is read only: :func:`check_output` refuses an output folder that is, contains or lies
inside it (after resolving links and ``..``, also before the output folder exists).  :func:`open_project`
applies it to the processed and reports folders it returns (:meth:`Project.output` to a folder the user names for
forms), and :func:`fzanalysis.store.folders.write_set` to every set it writes, so no command and no library entry
point writes into or over raw data.
:data:`fzanalysis.core.files.PRODUCT_FILES` are the names the product writes: the cleaner never reads them as
submissions.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..core.catalog import Catalog, load_catalog
from ..core.errors import ParameterError
from ..core.files import NOTEBOOKS, PROJECT_README
from ..core.sanitize import use_catalog_folder

__all__ = ["ALL", "HOME_ENV", "PROCESSED", "RAW", "REPORTS", "Project", "check_output", "find_root", "init_project",
           "open_project", "project_root"]

HOME_ENV = "FZANALYSIS_HOME"
RAW, PROCESSED, REPORTS = Path("data", "raw"), Path("data", "processed"), Path("reports")
ALL = ("raw", "processed", "reports")


@dataclass(frozen=True)
class Project:
    """A project as a command or a notebook opened it: its three folders (the processed and reports folders checked
    against the raw one), how the project folder was found (for messages), and its catalog folder."""

    raw: Path
    processed: Path
    reports: Path
    root: Path | None = None
    found_by: str = ""
    catalog_dir: Path | None = None  # None: the catalog shipped with the package

    @cached_property
    def catalog(self) -> Catalog:
        """The catalog of :attr:`catalog_dir`, loaded once; every settings file is read from its folder."""
        return load_catalog(self.catalog_dir)

    def where(self) -> str:
        """How to read the folders in an error: the project folder and how it was found, and how to point elsewhere."""
        if self.root is None:
            return ""
        return f"（项目文件夹 {self.root}，{self.found_by}；可设置 {HOME_ENV} 或指定目录参数改用别处）"

    def output(self, folder: str | Path) -> Path:
        """A folder the user names for a command's files (forms, templates), checked against the raw folder."""
        return check_output(folder, self.raw)


def find_root(start: str | Path | None = None) -> Path | None:
    """The nearest folder from ``start`` (default: the working directory) upwards holding ``data/raw``."""
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / RAW).is_dir():
            return folder
    return None


def project_root() -> tuple[Path, str]:
    """(root, how it was found): ``$FZANALYSIS_HOME``, else the nearest project folder upwards."""
    home = os.environ.get(HOME_ENV, "").strip()
    if home:
        root = Path(home).expanduser()
        if not root.is_dir():
            raise ParameterError(f"环境变量 {HOME_ENV} 指向的项目文件夹不存在：{root}；"
                                 f"请改正 {HOME_ENV}，或用 --raw/--processed/--out 指定目录")
        return root.resolve(), f"{HOME_ENV}={root}"
    cwd = Path.cwd()
    root = find_root(cwd)
    if root is None:
        raise ParameterError(f"找不到项目文件夹：从 {cwd} 向上没有含 {RAW.as_posix()} 的文件夹；请在项目文件夹中运行"
                             f"（fzanalysis init 目录 可新建），或设置环境变量 {HOME_ENV}=项目文件夹，"
                             "或用 --raw/--processed/--out（笔记本参数 raw_dir/processed_dir/output_dir）指定目录")
    return root, f"从 {cwd} 向上查找"


def open_project(*, raw_dir: str | Path | None = None, processed_dir: str | Path | None = None,
                 output_dir: str | Path | None = None, catalog_dir: str | Path | None = None,
                 need: tuple[str, ...] = ALL) -> Project:
    """The project, resolved once: each folder given wins; the others come from the project folder, which is
    looked for only when a folder in ``need`` was not given (a folder neither given nor needed is ``.``).
    When the raw folder is known, the processed and reports folders (given or needed) are checked against it
    (:func:`check_output`): an overlap is a one-line :class:`ParameterError`.  The masker of personal data reads
    the words of ``catalog_dir`` from here on (:func:`fzanalysis.core.sanitize.use_catalog_folder`)."""
    given = {"raw": raw_dir, "processed": processed_dir, "reports": output_dir}
    catalog = Path(catalog_dir) if catalog_dir is not None else None
    if all(given[k] is not None for k in need):
        p = Project(*(Path(v) if v is not None else Path() for v in given.values()), catalog_dir=catalog)
    else:
        root, how = project_root()
        defaults = {"raw": root / RAW, "processed": root / PROCESSED, "reports": root / REPORTS}
        p = Project(*(Path(v) if v is not None else defaults[k] for k, v in given.items()), root=root,
                    found_by=how, catalog_dir=catalog)
    if raw_dir is not None or "raw" in need:
        for key in ("processed", "reports"):
            if given[key] is not None or key in need:
                check_output(getattr(p, key), p.raw)
    use_catalog_folder(catalog)
    return p


def check_output(folder: str | Path, raw: str | Path) -> Path:
    """``folder`` when it may be written: a folder that is, contains or lies inside the raw folder is
    refused with a one-line :class:`ParameterError` — compared after resolving links and ``..`` (a folder
    not made yet by its nearest existing parent), and by identity of the folders on disk, so a second
    way to the same folder (a bind mount, a case-insensitive disk) is caught too."""
    out, src = Path(os.path.realpath(folder)), Path(os.path.realpath(raw))
    if out == src or _on_disk(src, [out]):
        how = "就是原始数据目录"
    elif src in out.parents or _on_disk(src, out.parents):
        how = "位于原始数据目录之内"
    elif out in src.parents or _on_disk(out, src.parents):
        how = "包含原始数据目录"
    else:
        return Path(folder)
    raise ParameterError(f"输出目录 {folder} {how}（{raw}）：原始数据只读，输出不能写入、覆盖或包含它，请另选输出目录")


def _on_disk(folder: Path, candidates) -> bool:
    """True when ``folder`` exists and is, on disk, one of the ``candidates`` that exist."""
    try:
        ident = os.stat(folder)
    except OSError:
        return False
    for c in candidates:
        try:
            st = os.stat(c)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) == (ident.st_dev, ident.st_ino):
            return True
    return False


def init_project(folder: str | Path, year: int) -> list[Path]:
    """Lay out a new project folder (data/raw/<year>, data/processed, reports, notebooks, README.md);
    existing files are never overwritten.  Returns what was created."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ParameterError(f"不是文件夹：{folder}")
    made: list[Path] = []
    try:
        for sub in (RAW / str(year), PROCESSED, REPORTS, Path("notebooks")):
            path = folder / sub
            if not path.is_dir():
                path.mkdir(parents=True)
                made.append(path)
        readme = folder / "README.md"
        if not readme.exists():
            readme.write_text(PROJECT_README.read_text(encoding="utf-8").replace("{year}", str(year)),
                              encoding="utf-8")
            made.append(readme)
        for nb in sorted(NOTEBOOKS.glob("*.ipynb")):
            target = folder / "notebooks" / nb.name
            if not target.exists():
                shutil.copyfile(nb, target)
                made.append(target)
    except OSError as exc:
        raise ParameterError(f"无法创建项目文件夹 {folder}：{exc.strerror or exc}") from None
    return made
