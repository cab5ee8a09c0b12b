"""One shell per command (命令): open → compute → write one set under the lock → the lines a person reads.

Every command of :mod:`fzanalysis.cli` is a function here taking the :class:`~fzanalysis.store.project.Project`
the command line opened (its folders resolved once and checked against the raw folder, its catalog): it opens
the year it needs once (:func:`fzanalysis.store.data.open_year`: table, log, unmapped labels, baseline, history),
hands it to the pure computations of the packages below, writes what they made with the one all-or-nothing
writer (:func:`fzanalysis.store.folders.write_set`, under the folder's lock; ``clean`` and ``run`` hold their
folders' locks themselves), and returns an :class:`Outcome`: the value for a caller in Python and the lines the
command prints — every summary line of every command is written here, nowhere else.

The modules of the commands are imported when a command runs, not when the command line starts
(``fzanalysis --version`` and ``catalog`` need none of them).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .core.cite import cite_text
from .store.project import Project

__all__ = ["Outcome", "check_report", "clean", "feedback", "report", "run", "scorecard", "status", "template"]


@dataclass
class Outcome:
    """What a command did: ``value`` for a caller in Python, ``lines`` for stdout, ``warnings`` for stderr, and
    ``failed`` when it should exit with status 1 (its outputs are written all the same)."""

    value: object = None
    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failed: bool = False


def _year(project: Project, year: int, baseline_year: int | None):
    """The year opened once, with the baseline asked for (it must have data) or the year before when it has data."""
    from .store.data import check_year, open_year, resolve_baseline

    year = check_year(year)
    return open_year(year, resolve_baseline(year, baseline_year, project), project=project)


def _write(project: Project, folder: Path, files: dict[str, bytes], **how) -> Path:
    from .store.folders import write_set

    return write_set(folder, files, raw=project.raw, **how)  # the set swapped in whole, under the folder's lock


# ------------------------------------------------------------------------------ clean and run
def clean(project: Project, *, year: int | None = None, limits=None, progress: bool | None = None) -> Outcome:
    """``fzanalysis clean``: every year folder (or ``year``) cleaned and written under the processed folder's lock."""
    from .ingest.clean import GRID_WARNING
    from .ingest.workbook import Limits
    from .store.data import run_clean

    results = run_clean(project, year=year, limits=limits or Limits(), progress=progress)
    out = Outcome(results)
    for r in results:
        counts = r.outcomes()
        files = sum(e["event"] == "ledger" for e in r.events)
        out.lines.append(f"{r.year}: {files} 个文件，保留 {len(r.rows)} 个数值，拒收 {counts['rejected']}，"
                         f"搁置 {counts['set_aside']}，未匹配指标 {len(r.unmapped_rows)} → {project.processed / str(r.year)}")
        if r.narrative_rows:  # the work texts (narrative.csv): what the draft can cite, what no section took
            kept = [n for n in r.narrative_rows if n["outcome"] == "kept"]
            out.lines.append(f"{r.year}: 工作情况 {len(r.narrative_rows)} 段，采用 {len(kept)}，"
                             f"搁置 {len(r.narrative_rows) - len(kept)}，未归入章节 {sum(not n['section'] for n in kept)}"
                             " → narrative.csv")
        for e in r.events:
            if e["event"] == "skipped_sheet" and e["reason"].startswith(GRID_WARNING):
                out.warnings.append(f"警告：{cite_text(e['file'], e['sheet'])}: {e['reason']}")
            elif e["event"] == "skipped_file":
                out.warnings.append(f"警告：{e['file']}: {e['reason']}")
        out.warnings += [f"无法读取：{line}" for line in r.failed]
        out.failed = out.failed or bool(r.failed)
    return out


def run(project: Project, year: int, *, baseline_year: int | None = None, jobs: int = 2,
        notebooks_dir: str | Path | None = None, progress: bool | None = None) -> Outcome:
    """``fzanalysis run``: the notebooks and the draft (:func:`fzanalysis.runner.run`); a failed notebook or draft
    fails the command, the other outputs kept."""
    from .runner import run as run_notebooks
    from .store.data import load_log

    result = run_notebooks(project, year, baseline_year=baseline_year, jobs=jobs, notebooks_dir=notebooks_dir,
                           progress=progress)
    out = Outcome(result)
    if (project.processed / str(year) / "cleaning_log.csv").exists():  # an unreadable workbook: a finding, exit 0
        log = load_log(year, project=project)
        for row in log[log["event"].isin(["unreadable_workbook", "workbook_too_large", "outside_raw"])].itertuples():
            out.warnings.append(f"警告：无法读取 {row.file}: {row.reason}")
    books, failed = result.notebooks, result.failed
    out.lines.append(f"{year}: {len(books) - len(failed)}/{len(books)} 个笔记本运行成功 → {project.reports / str(year)}")
    out.warnings += [f"笔记本失败：{r.notebook}: {r.error}" for r in failed]
    report_failed = result.report.get("status") != "ok"
    if report_failed:  # the pages are kept; the draft is missing, not stale
        out.warnings.append(f"报告初稿生成失败：{result.report.get('error', '')}")
    else:
        out.lines += report_lines(result.report, project.reports / str(year))
    out.failed = bool(failed) or report_failed
    return out


# ------------------------------------------------------------------------------ the report and its check
def report(project: Project, year: int, *, baseline_year: int | None = None,
           templates_dir: str | Path | None = None) -> Outcome:
    """``fzanalysis report``: the draft's four files, swapped in together; the value is the summary run.json keeps."""
    from .analysis.diagnostics import year_findings
    from .report.write import report_files

    yr = _year(project, year, baseline_year)
    files, summary = report_files(yr, year_findings(yr), templates_dir)
    target = _write(project, project.reports / str(yr.year), files)
    summary["dir"] = str(target)
    return Outcome(summary, report_lines(summary, target))


def report_lines(summary: dict, target: Path) -> list[str]:
    """What ``report`` and ``run`` say of the draft: its files, figures, texts cited, every 缺数 and 待补充."""
    lines = [f"{summary['year']}: 报告初稿共 {summary['figures']} 个数字（均注明出处）、引用工作情况 {summary.get('texts', 0)} 段，"
             f"缺数 {len(summary['placeholders'])} 处，待补充 {len(summary.get('todos', []))} 处"
             f" → {target}（{'、'.join(summary['files'])}）"]
    lines += [f"  缺数：{p}" for p in summary["placeholders"]]
    lines += [f"  待补充：{p}" for p in summary.get("todos", [])]
    if summary.get("unplaced"):
        lines.append(f"  另有 {summary['unplaced']} 段工作情况未能归入报告章节，未写入初稿（见 narrative.csv）")
    return lines


def check_report(project: Project, path: str | Path, year: int, *, baseline_year: int | None = None, org: str = "",
                 limits=None) -> Outcome:
    """``fzanalysis check-report``: a finished report's figures against the year's data, ``report_check.csv``
    written; fails when a figure is 不一致. The value is (the table, the file written)."""
    import pandas as pd

    from .check.check import CHECK_FILE, NO_SOURCE, STATUSES, UNSURE, WRONG, Tables, check_paragraphs
    from .ingest.document import read_paragraphs
    from .core.errors import ParameterError, ReportError
    from .core.settings import load_settings
    from .store.data import check_year
    from .store.outputs import csv_bytes

    year = check_year(year)
    catalog = project.catalog
    paragraphs = read_paragraphs(path, limits, load_settings(catalog.folder))
    if org and org not in set(catalog.orgs["org"]):
        resolved = catalog.resolve_org(org)
        if resolved is None:
            raise ParameterError(f"--org 不是已知的填报单位：{org}")
        org = resolved
    yr = _year(project, year, baseline_year)
    tidy, base = yr.tidy, yr.baseline
    if org:
        tidy = tidy[tidy["org"] == org]
        base = None if base is None else base[base["org"] == org]
    try:
        df = check_paragraphs(paragraphs, Tables(tidy, base, yr.year, yr.baseline_year, catalog), catalog, org=org)
    except ReportError as exc:
        raise ReportError(exc.reason, file=str(path)) from None
    written = _write(project, project.reports / str(yr.year), {CHECK_FILE: csv_bytes(df)}) / CHECK_FILE
    counts = df["status"].value_counts() if len(df) else pd.Series(dtype=int)
    lines = [f"{written}：共 {len(df)} 个数字，" + "，".join(f"{s} {int(counts.get(s, 0))}" for s in STATUSES)]
    for r in df[df["status"].isin([WRONG, UNSURE, NO_SOURCE])].head(20).itertuples():
        lines.append(f"  {r.status}：第{r.paragraph}段「{r.figure_text}」"
                     + (f" 数据为 {r.table_value}（{r.cell}）" if r.table_value else "") + (f" {r.note}" if r.note else ""))
    return Outcome((df, written), lines, failed=bool((df["status"] == WRONG).any()))


# ------------------------------------------------------------------------------ the yearly loop
def template(project: Project, year: int, out_dir: str | Path, *, org: str | None = None) -> Outcome:
    """``fzanalysis template``: the templates of every expected unit (or ``org``) into ``out_dir``, swapped in at once;
    last year's values prefilled from the processed data of ``year - 1`` when it has data. The folder may hold only
    templates this command wrote (``mine``); one unit's template keeps the others'."""
    from .loop.template import template_files, template_orgs
    from .store.data import check_year, default_baseline, load

    year = check_year(year)
    folder = project.output(out_dir)  # before anything is read or cleaned
    orgs = template_orgs(project.catalog, org)
    last = default_baseline(year, project)
    previous = load(last, project=project) if last else None
    files = template_files(year, orgs, previous, project.catalog)
    folder = _write(project, folder, files, mine=True, keep=bool(org))
    paths = [folder / name for name in files]
    return Outcome(paths, [str(p) for p in paths] + [f"{year}: {len(paths)} 份填报模板 → {out_dir}"])


def status(project: Project, year: int) -> Outcome:
    """``fzanalysis status``: who sent what; ``status.csv`` (units and counts only) written. The value is (the table,
    the file written)."""
    from .loop.status import MISSING, STATUS_FILE, status_files, submission_status
    from .store.data import check_year, load_set

    year = check_year(year)
    tidy, log, _ = load_set(project, year)  # no baseline: who sent what this year
    table = submission_status(tidy, log, project.catalog)
    path = _write(project, project.reports / str(year), status_files(table)) / STATUS_FILE
    expected = table[table["应报送"]]
    lines = [f"{year}: 应报 {len(expected)} 个单位，已报送 {int((expected['状态'] != MISSING).sum())}，"
             f"未报送 {int((expected['状态'] == MISSING).sum())} → {path}"]
    for r in table.to_dict("records"):
        files = r["采用文件"] + (f"（替代 {r['被替代文件']}）" if r["被替代文件"] else "")
        dup = "\t重复报送" if r["重复报送"] else ""
        lines.append(f"{r['填报单位']}\t{r['状态']}\t指标 {r['已报指标']}/{r['应报指标']}\t采用 {r['采用']} 拒收 {r['拒收']} "
                     f"搁置 {r['搁置']}{dup}\t{files}")
    return Outcome((table, path), lines)


def feedback(project: Project, year: int, out_dir: str | Path, *, baseline_year: int | None = None) -> Outcome:
    """``fzanalysis feedback``: a 核对反馈表 per unit with anything to fix — the whole content of ``out_dir``, swapped
    in at once (a unit whose problems were fixed has no form left from before; a file the command did not write is
    never deleted: it refuses). The problems are the report's for the same baseline year."""
    from .analysis.diagnostics import year_findings
    from .loop.feedback import feedback_files

    folder = project.output(out_dir)  # before anything is read or cleaned
    yr = _year(project, year, baseline_year)
    files = feedback_files(yr, year_findings(yr))
    folder = _write(project, folder, files, mine=True)
    paths = [folder / name for name in files]
    return Outcome(paths, [str(p) for p in paths] + [f"{yr.year}: {len(paths)} 个单位有需要核对的问题 → {out_dir}"])


def scorecard(project: Project, year: int, *, baseline_year: int | None = None) -> Outcome:
    """``fzanalysis scorecard``: every expected unit scored on the problem list the report and the feedback forms
    read; both files swapped in together. The value is (card, details, the two files)."""
    import pandas as pd

    from .analysis.diagnostics import year_findings
    from .loop.scorecard import SCORECARD_FILES, scorecard as score, scorecard_files

    yr = _year(project, year, baseline_year)
    card, details = score(yr.tidy, yr.log, year_findings(yr), yr.catalog, yr.year)
    folder = _write(project, project.reports / str(yr.year), scorecard_files(card, details))
    paths = tuple(folder / name for name in SCORECARD_FILES)
    show = lambda v: "—" if pd.isna(v) else f"{v:g}"  # noqa: E731  a dimension without a score
    lines = [f"{yr.year}: {len(card)} 个应报单位评分（仅供内部使用） → {paths[0]}"]
    lines += [f"{r['名次']}\t{r['填报单位']}\t总分 {show(r['总分'])}（完整性 {show(r['完整性'])}，数据质量 "
              f"{show(r['数据质量'])}，目标达成 {show(r['目标达成'])}）" for r in card.to_dict("records")]
    return Outcome((card, details, paths), lines)
