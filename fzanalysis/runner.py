"""``fzanalysis run``: execute the analysis notebooks with papermill (批量运行).

Parameters are validated before any kernel starts.  The year (and its baseline) are cleaned
once when needed, under the lock of the processed folder; then, holding the reports folder's
lock (and a shared lock on the processed data, so no clean can change it under the notebooks),
every notebook of ``notebooks/`` runs with papermill, ``jobs`` at a time, into a staging folder
beside ``<out>/<year>/``, and is exported to HTML without input cells.  The kernels only read
(``FZANALYSIS_READ_ONLY``); each is shut down when its notebook ends, and the worker processes
die with the run.  ``run.json`` is written last, then the staged folder is swapped in whole: a
killed run leaves the previous reports as they were.  A failed notebook is kept with its error
(papermill marks the failing cell) and the others still run.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path

from .data import READ_ONLY_ENV, check_year, ensure_clean, has_data
from .years import available_years
from .errors import ParameterError
from .folders import locked, recover, staging, swap_in
from .outputs import atomic_write_bytes

PACKAGE_NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
# the kernel's own start-up chatter (transport warnings) is noise under cron: cell errors still
# reach the executed notebook and run.json
KERNEL_QUIET = ["--IPKernelApp.log_level=CRITICAL"]


@dataclass
class NotebookResult:
    notebook: str
    status: str  # ok / failed
    seconds: float
    error: str = ""
    html: str = ""


def find_notebooks(notebooks_dir: Path) -> list[Path]:
    books = sorted(p for p in Path(notebooks_dir).glob("*.ipynb") if not p.name.startswith("."))
    if not books:
        raise ParameterError(f"没有找到分析笔记本：{notebooks_dir}")
    # the overview first, diagnostics last, sections in between: a stable, readable order
    order = {"overview": 0, "diagnostics": 2}
    return sorted(books, key=lambda p: (order.get(p.stem, 1), p.name))


def _execute(nb_path: str, out_dir: str, params: dict, cwd: str) -> NotebookResult:
    """Run one notebook with papermill and export it to HTML (runs in a worker process)."""
    import logging

    import papermill as pm

    logging.getLogger("papermill").setLevel(logging.WARNING)
    name = Path(nb_path).name
    out_nb = Path(out_dir) / name
    start = time.perf_counter()
    status, error = "ok", ""
    try:
        with tempfile.TemporaryDirectory(prefix="fzanalysis-kernel-") as sockets:
            km = _kernel_manager(sockets)
            try:
                pm.execute_notebook(nb_path, str(out_nb), parameters=params, cwd=cwd, progress_bar=False,
                                    log_output=False, kernel_name="python3", extra_arguments=KERNEL_QUIET, km=km)
            finally:  # nbclient leaves a kernel it did not create running: shut it down now
                if km.has_kernel:
                    km.shutdown_kernel(now=True)
    except pm.PapermillExecutionError as exc:
        status, error = "failed", f"{exc.ename}: {exc.evalue}".strip()[:300]
    except Exception as exc:  # a kernel that dies, a notebook that is not JSON …
        status, error = "failed", f"{type(exc).__name__}: {exc}".strip()[:300]
    html = ""
    if out_nb.exists():
        try:
            html = _export_html(out_nb)
        except Exception as exc:  # HTML export must not hide the notebook's own status
            error = error or f"HTML 导出失败：{type(exc).__name__}: {exc}"[:300]
            status = "failed"
    return NotebookResult(name, status, round(time.perf_counter() - start, 2), error, html)


def _worker_init(parent: int) -> None:
    """In each worker: die with the run (a killed run must not leave workers and kernels behind),
    and let the kernels only read the processed data."""
    os.environ[READ_ONLY_ENV] = "1"
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the parent check below still helps
            pass
    if os.getppid() != parent:  # the run died before this worker started
        os._exit(1)


def _kernel_manager(socket_dir: str):
    """A kernel on Unix sockets in a private folder: kernels started side by side cannot collide
    on TCP ports (seen under load: 'Address already in use' → 'Kernel died before replying')."""
    from jupyter_client.manager import KernelManager

    if sys.platform == "win32":
        return KernelManager(kernel_name="python3")
    return KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(socket_dir, "k"))


# Chinese names break between any two characters by default, so narrow columns (指标, 填报单位)
# were squeezed to two characters a line beside the long provenance columns: keep words whole,
# wrap at punctuation, and let a wide table scroll sideways instead.
_TABLE_CSS = ("<style>table.dataframe td, table.dataframe th { word-break: keep-all; overflow-wrap: break-word; }"
              "</style>")


def _export_html(nb_file: Path) -> str:
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(nb_file), as_version=4)
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    body = body.replace("</head>", _TABLE_CSS + "</head>", 1)
    html = nb_file.with_suffix(".html")
    atomic_write_bytes(html, body.encode("utf-8"))
    return html.name


def validate(year, baseline_year, raw_dir, processed_dir, out_dir, jobs) -> tuple[int, int | None]:
    year = check_year(year)
    if baseline_year is not None:
        baseline_year = check_year(baseline_year, "baseline-year")
        if baseline_year >= year:
            raise ParameterError(f"对比年度 {baseline_year} 应早于分析年度 {year}")
    if not Path(raw_dir).is_dir():
        raise ParameterError(f"原始数据目录不存在：{raw_dir}")
    if not (Path(raw_dir) / str(year)).is_dir() and not (Path(processed_dir) / str(year) / "indicators.parquet").exists():
        raise ParameterError(f"没有 {year} 年的数据：{Path(raw_dir) / str(year)} 不存在")
    if jobs < 1:
        raise ParameterError(f"--jobs 至少为 1，收到 {jobs}")
    for d in (processed_dir, out_dir):
        try:
            Path(d).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ParameterError(f"无法创建目录 {d}：{exc.strerror}") from None
    if baseline_year is None and has_data(year - 1, raw_dir, processed_dir):
        baseline_year = year - 1
    return year, baseline_year


def run(year: int, baseline_year: int | None = None, raw_dir: str | Path = "data/raw",
        processed_dir: str | Path = "data/processed", out_dir: str | Path = "reports", jobs: int = 2,
        notebooks_dir: str | Path | None = None, progress: bool | None = None) -> list[NotebookResult]:
    """Clean when needed, execute every notebook, write ``run.json``; returns the results."""
    year, baseline_year = validate(year, baseline_year, raw_dir, processed_dir, out_dir, jobs)
    notebooks = find_notebooks(Path(notebooks_dir) if notebooks_dir else PACKAGE_NOTEBOOKS)
    raw_dir, processed_dir, out_dir = (Path(p).resolve() for p in (raw_dir, processed_dir, out_dir))
    with locked(processed_dir):  # clean once, before any kernel starts
        for y in sorted({year, baseline_year, *available_years(raw_dir, processed_dir, until=year)} - {None}):
            if (raw_dir / str(y)).is_dir():  # every year up to ``year``: the notebooks show the trends
                ensure_clean(y, raw_dir, processed_dir, progress=False)
    with locked(out_dir), locked(processed_dir, shared=True):
        recover(out_dir, str(year))
        stage = staging(out_dir, str(year), tag="run")
        try:
            results = _run_notebooks(notebooks, stage, year, baseline_year, raw_dir, processed_dir, jobs, progress)
            record = {"year": year, "baseline_year": baseline_year,
                      "notebooks": {r.notebook: {k: v for k, v in asdict(r).items() if k != "notebook"}
                                    for r in results},
                      "report": _report_step(year, baseline_year, raw_dir, processed_dir, stage)}
            atomic_write_bytes(stage / str(year) / "run.json",  # last: it tells what this run left
                               (json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8"))
            swap_in(stage / str(year), out_dir / str(year))
        finally:
            shutil.rmtree(stage, ignore_errors=True)
    return results


def _run_notebooks(notebooks: list[Path], stage: Path, year: int, baseline_year: int | None, raw_dir: Path,
                   processed_dir: Path, jobs: int, progress: bool | None) -> list[NotebookResult]:
    """Execute the notebooks into ``stage/<year>/`` (the notebooks' ``output_dir`` is ``stage``)."""
    from tqdm import tqdm

    year_out = stage / str(year)
    year_out.mkdir(parents=True, exist_ok=True)
    params = dict(year=year, baseline_year=baseline_year, raw_dir=str(raw_dir),
                  processed_dir=str(processed_dir), output_dir=str(stage))
    results: list[NotebookResult] = []
    ctx = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(notebooks)), mp_context=ctx, initializer=_worker_init,
                             initargs=(os.getpid(),)) as pool:
        futures = [pool.submit(_execute, str(nb), str(year_out), params, str(nb.parent)) for nb in notebooks]
        for fut in tqdm(as_completed(futures), total=len(futures), desc=f"运行 {year} 年笔记本", unit="本",
                        disable=None if progress is None else not progress):
            results.append(fut.result())
    results.sort(key=lambda r: [nb.name for nb in notebooks].index(r.notebook))
    return results


def _report_step(year, baseline_year, raw_dir, processed_dir, out_dir) -> dict:
    """The draft report (issue 8), last step of a run: its summary goes into run.json."""
    from .report_run import report_step

    return report_step(year, baseline_year, raw_dir, processed_dir, out_dir)
