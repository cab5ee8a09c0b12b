"""``fzanalysis run``: execute the analysis notebooks with papermill (批量运行).

Parameters are validated before any kernel starts.  The year (and its baseline) are cleaned
once when needed, under the lock of the processed folder; then, holding the reports folder's
lock (and a shared lock on the processed data, so no clean can change it under the notebooks),
every notebook shipped in the package (``fzanalysis/notebooks/``, or ``--notebooks DIR``) runs
with papermill, ``jobs`` at a time, into a staging folder beside ``<out>/<year>/``, and is
exported to HTML without input cells (``html_template/``: Chinese page, alt text on every chart,
long tables collapsed).  The kernels only read (``FZANALYSIS_READ_ONLY``); each is shut down when
its notebook ends, and the worker processes die with the run.  In a terminal one line per
finished notebook goes to stderr (not under ``--quiet``, cron or a pipe); nothing is cached: a
run always recomputes.  ``run.json`` (notebooks, the charts written, the report) is written last,
then the staged folder is swapped in whole: a killed run leaves the previous reports as they were.
A failed notebook is kept with its error (papermill marks the failing cell) and the others still run.
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
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from .analysis.display import HTML_CSS
from .core.errors import ParameterError
from .core.files import HTML_TEMPLATE, NOTEBOOKS
from .analysis.diagnostics import year_findings
from .core.errors import FzError
from .report.write import REPORT_FILES, report_files
from .store.data import (READ_ONLY_ENV, STAGE_ENV, STAGE_FOR_ENV, available_years, check_year, ensure_clean,
                         open_year, require_data, resolve_baseline)
from .store.folders import locked, recover, staging, swap_in, write_set
from .store.outputs import atomic_write_bytes
from .store.project import Project

__all__ = ["KERNEL_QUIET", "SOCKETS_PREFIX", "TIMINGS", "NotebookResult", "RunResult", "find_notebooks",
           "progress_line", "run", "sweep_socket_folders", "validate"]

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


@dataclass
class RunResult:
    notebooks: list[NotebookResult]
    report: dict  # the report step's summary, as in run.json: status ok / failed (with its error)

    @property
    def failed(self) -> list[NotebookResult]:
        return [r for r in self.notebooks if r.status != "ok"]


def find_notebooks(notebooks_dir: Path) -> list[Path]:
    books = sorted(p for p in Path(notebooks_dir).glob("*.ipynb") if not p.name.startswith("."))
    if not books:
        raise ParameterError(f"没有找到分析笔记本：{notebooks_dir}")
    # the overview first, diagnostics last, sections in between: a stable, readable order
    order = {"overview": 0, "diagnostics": 2}
    return sorted(books, key=lambda p: (order.get(p.stem, 1), p.name))


def _execute(nb_path: str, out_dir: str, params: dict) -> NotebookResult:
    """Run one notebook with papermill and export it to HTML (runs in a worker process)."""
    import logging

    import papermill as pm

    logging.getLogger("papermill").setLevel(logging.WARNING)
    name = Path(nb_path).name
    out_nb = Path(out_dir) / name
    start = time.perf_counter()
    status, error = "ok", ""
    try:
        with tempfile.TemporaryDirectory(prefix=f"{SOCKETS_PREFIX}{os.getpid()}-") as sockets:
            km = _kernel_manager(sockets)
            try:
                pm.execute_notebook(nb_path, str(out_nb), parameters=params, cwd=out_dir, progress_bar=False,
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
        nb = _finish_notebook(out_nb, Path(params["output_dir"]) / str(params["year"]) / name)
        try:
            html = _export_html(out_nb, nb)
        except Exception as exc:  # HTML export must not hide the notebook's own status
            error = error or f"HTML 导出失败：{type(exc).__name__}: {exc}"[:300]
            status = "failed"
    return NotebookResult(name, status, round(time.perf_counter() - start, 2), error, html)


def _worker_init(parent: int, out_dir: str, stage: str) -> None:
    """In each worker: die with the run (a killed run must not leave workers and kernels behind),
    let the kernels only read the processed data, and send what they write for ``out_dir`` to the stage."""
    os.environ[READ_ONLY_ENV] = "1"
    os.environ[STAGE_FOR_ENV], os.environ[STAGE_ENV] = out_dir, stage
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the parent check below still helps
            pass
    if os.getppid() != parent:  # the run died before this worker started
        os._exit(1)


SOCKETS_PREFIX = "fzanalysis-kernel-"  # + the worker's pid: a later run knows whose folder it was


def sweep_socket_folders(tmp: str | Path | None = None) -> list[str]:
    """Remove the kernel socket folders that workers of a killed run left in the temporary folder
    (a killed worker cannot clean up): this user's, of processes no longer alive.  Returns their names."""
    if sys.platform == "win32":
        return []
    removed = []
    for p in sorted(Path(tmp or tempfile.gettempdir()).glob(SOCKETS_PREFIX + "*")):
        pid = p.name[len(SOCKETS_PREFIX):].split("-", 1)[0]
        try:
            mine = p.is_dir() and not p.is_symlink() and p.stat().st_uid == os.getuid()
        except OSError:
            continue
        if mine and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p.name)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # somebody else's process has that pid now
        return True
    try:  # a killed worker its new parent has not reaped yet (a zombie) no longer runs
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _kernel_manager(socket_dir: str):
    """A kernel on Unix sockets in a private folder: kernels started side by side cannot collide
    on TCP ports (seen under load: 'Address already in use' → 'Kernel died before replying')."""
    from jupyter_client.manager import KernelManager

    if sys.platform == "win32":
        return KernelManager(kernel_name="python3")
    # its connection file (which holds the kernel's key) in the same folder: one folder to remove
    return KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(socket_dir, "k"),
                         connection_file=os.path.join(socket_dir, "kernel.json"))


TIMINGS = ("start_time", "end_time", "duration")  # papermill's, per notebook and per cell


def _finish_notebook(nb_file: Path, final: Path):
    """The executed notebook as it is kept: where it will be read (papermill recorded the run's stage),
    and nothing that changes from run to run on the same data — no timings (papermill's, nbclient's
    ``execution`` stamps), a fixed id for the parameters cell papermill inserts with a random one — so
    the same data give the same notebook and HTML bytes.  Returns the notebook (the HTML export reads
    it from here, not from the file again)."""
    import nbformat

    nb = nbformat.read(str(nb_file), as_version=4)
    record = nb.metadata.setdefault("papermill", {})
    record["output_path"] = str(final)
    for cell in [nb, *nb.cells]:
        for key in TIMINGS:
            cell.metadata.get("papermill", {}).pop(key, None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []) and "id" in cell:
            cell.id = "injected-parameters"
    atomic_write_bytes(nb_file, nbformat.writes(nb).encode("utf-8"))
    return nb


def _export_html(nb_file: Path, nb) -> str:
    """The notebook as a page for readers: no code, Chinese page language, the chart's alt text
    (``html_template/fz.html.j2``), long tables collapsed (:data:`fzanalysis.analysis.display.HTML_CSS`)."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", template_file=str(HTML_TEMPLATE), exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                            language_code="zh")
    body, _ = exporter.from_notebook_node(nb, resources={"fz_css": HTML_CSS})
    html = nb_file.with_suffix(".html")
    atomic_write_bytes(html, body.encode("utf-8"))
    return html.name


def validate(year, baseline_year, project: Project, jobs) -> tuple[int, int | None, list[str]]:
    """Check the parameters before any kernel starts; returns (year, baseline year, notices)."""
    year = check_year(year)
    baseline_year = resolve_baseline(year, baseline_year, project)
    notices = []
    if not require_data(year, project):
        notices.append(f"提示：没有原始数据目录 {project.raw / str(year)}，使用已有的清洗结果 "
                       f"{project.processed / str(year)}")
    if jobs < 1:
        raise ParameterError(f"--jobs 至少为 1，收到 {jobs}")
    for d in (project.processed, project.reports):
        try:
            Path(d).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ParameterError(f"无法创建目录 {d}：{exc.strerror}") from None
    return year, baseline_year, notices


def run(project: Project, year: int, *, baseline_year: int | None = None, jobs: int = 2,
        notebooks_dir: str | Path | None = None, progress: bool | None = None) -> RunResult:
    """Clean when needed, execute every notebook, draft the report, write ``run.json``; returns the
    notebooks' results and the report's summary.  The report files are this run's or none: a failed
    report step does not leave the previous run's beside the new pages.
    ``progress`` None: lines on stderr when it is a terminal."""
    year, baseline_year, notices = validate(year, baseline_year, project, jobs)
    notebooks = find_notebooks(Path(notebooks_dir) if notebooks_dir else NOTEBOOKS)
    for line in notices:
        print(line, file=sys.stderr)
    project = replace(project, raw=project.raw.resolve(), processed=project.processed.resolve(),
                      reports=project.reports.resolve())  # the kernels' working folder is the stage
    raw_dir, processed_dir, out_dir = project.raw, project.processed, project.reports
    with locked(processed_dir):  # clean once, before any kernel starts
        for y in sorted({year, baseline_year, *available_years(year, project=project)} - {None}):
            if (raw_dir / str(y)).is_dir():  # every year up to ``year``: the notebooks show the trends
                ensure_clean(project, y, progress=False)
    with locked(out_dir), locked(processed_dir, shared=True):
        recover(out_dir, str(year))
        sweep_socket_folders()
        stage = staging(out_dir, str(year), tag="run")
        try:
            results = _run_notebooks(notebooks, stage, year, baseline_year, raw_dir, processed_dir, out_dir, jobs,
                                     progress)
            year_out = stage / str(year)
            report = _report_step(project, year, baseline_year, stage)
            record = {"year": year, "baseline_year": baseline_year,
                      "notebooks": {r.notebook: {k: v for k, v in asdict(r).items() if k != "notebook"}
                                    for r in results},
                      "figures": sorted(p.relative_to(year_out).as_posix() for p in year_out.glob("figures/*.png")),
                      "report": report}
            atomic_write_bytes(year_out / "run.json",  # last: it tells what this run left
                               (json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8"))
            swap_in(year_out, out_dir / str(year), fresh=REPORT_FILES)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
    return RunResult(results, report)


def progress_line(done: int, total: int, result: NotebookResult) -> str:
    """One line per finished notebook: ``[3/8] s4_enforcement.ipynb 完成（4.2 秒）``."""
    status = "完成" if result.status == "ok" else "失败"
    return f"[{done}/{total}] {result.notebook} {status}（{result.seconds:.1f} 秒）"


def _shows_progress(progress: bool | None, stream) -> bool:
    if progress is not None:
        return progress
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream: say nothing
        return False


def _run_notebooks(notebooks: list[Path], stage: Path, year: int, baseline_year: int | None, raw_dir: Path,
                   processed_dir: Path, out_dir: Path, jobs: int, progress: bool | None) -> list[NotebookResult]:
    """Execute the notebooks into ``stage/<year>/``: their ``output_dir`` parameter names the reports
    folder, and :func:`fzanalysis.store.data.staged` sends their outputs to ``stage`` until the swap."""
    year_out = stage / str(year)
    year_out.mkdir(parents=True, exist_ok=True)
    params = dict(year=year, baseline_year=baseline_year, raw_dir=str(raw_dir),
                  processed_dir=str(processed_dir), output_dir=str(out_dir))
    results: list[NotebookResult] = []
    show = _shows_progress(progress, sys.stderr)
    ctx = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(notebooks)), mp_context=ctx, initializer=_worker_init,
                             initargs=(os.getpid(), str(out_dir), str(stage))) as pool:
        futures = [pool.submit(_execute, str(nb), str(year_out), params) for nb in notebooks]
        for fut in as_completed(futures):
            results.append(fut.result())
            if show:
                print(progress_line(len(results), len(futures), results[-1]), file=sys.stderr, flush=True)
    results.sort(key=lambda r: [nb.name for nb in notebooks].index(r.notebook))
    return results


def _report_step(project: Project, year: int, baseline_year: int | None, stage: Path) -> dict:
    """The draft report, last step of a run, written into the stage: its summary for run.json, never an exception
    (the notebooks' results must still be recorded)."""
    try:
        yr = open_year(year, baseline_year, project=project)  # read only: the run holds the data open
        files, summary = report_files(yr, year_findings(yr))
        write_set(stage / str(year), files, raw=project.raw)
        return summary
    except FzError as exc:
        return {"status": "failed", "error": exc.one_line()}
    except Exception as exc:
        return {"status": "failed", "error": " ".join(f"{type(exc).__name__}: {exc}".split())[:300]}
