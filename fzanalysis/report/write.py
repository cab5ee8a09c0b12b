"""``fzanalysis report``: load a year, build the draft and write its four files (报告生成).

``<out>/<year>/report.md``, ``report.html``, ``report.docx`` (a comment on every figure and a 数据来源
appendix) and ``report_public.docx`` (the same text, no comments, no appendix). The four are swapped
in together (:func:`fzanalysis.store.folders.write_set`) and are byte-identical for the same input.
:func:`report_step` is the last step of ``fzanalysis run``: it never raises, and its summary goes
into ``run.json``.
"""
from __future__ import annotations

from pathlib import Path

from ..analysis.diagnostics import year_findings
from ..core.catalog import load_catalog
from ..core.errors import FzError
from ..store.data import check_year, load, load_log, load_narrative, resolve_baseline
from ..store.folders import write_set
from ..store.project import folders
from .docx import to_docx
from .draft import build_draft
from .render import to_html, to_markdown

__all__ = ["REPORT_FILES", "report_step", "summary_lines", "write_report"]

REPORT_FILES = ("report.md", "report.html", "report.docx", "report_public.docx")


def write_report(year: int, baseline_year: int | None = None, processed_dir: str | Path | None = None,
                 out_dir: str | Path | None = None, templates_dir: str | Path | None = None,
                 raw_dir: str | Path | None = None) -> dict:
    """Build the draft of ``year`` and write its files; returns a summary (files, figures, placeholders).
    Folders not given are the project's."""
    year = check_year(year)
    f = folders(raw_dir, processed_dir, out_dir)
    raw_dir, processed_dir, out_dir = f.raw, f.processed, f.reports
    baseline_year = resolve_baseline(year, baseline_year, raw_dir, processed_dir)
    tidy = load(year, processed_dir, raw_dir)
    baseline = load(baseline_year, processed_dir, raw_dir) if baseline_year else None
    log = load_log(year, processed_dir) if (processed_dir / str(year) / "cleaning_log.csv").exists() else None
    catalog = load_catalog()
    findings = year_findings(tidy, log, baseline, baseline_year, raw_dir, processed_dir, catalog)
    narrative = load_narrative(year, processed_dir)
    draft = build_draft(tidy, year, baseline, baseline_year, findings, templates_dir, catalog, narrative=narrative)
    public = build_draft(tidy, year, baseline, baseline_year, findings, templates_dir, catalog, narrative=narrative,
                         public=True)  # part 二 and 三 without the names of 镇街 and units (report.public_names_units)
    target = Path(out_dir) / str(year)
    contents = {
        "report.md": to_markdown(draft).encode("utf-8"),
        "report.html": to_html(draft).encode("utf-8"),
        "report.docx": to_docx(draft),
        "report_public.docx": to_docx(public, comments=False, appendix=False),
    }
    write_set(target, contents, raw=raw_dir)  # the four together, under the lock: a run writing them waits
    unplaced = narrative[(narrative["outcome"] == "kept") & (narrative["section"] == "")]
    return {"status": "ok", "year": year, "baseline_year": baseline_year, "title": draft.title,
            "dir": str(target), "files": list(REPORT_FILES), "figures": len(draft.figures),
            "texts": len(draft.texts), "placeholders": [c.text for c in draft.placeholders],
            "todos": [c.text for c in draft.todos], "unplaced": len(unplaced)}


def summary_lines(summary: dict) -> list[str]:
    lines = [f"{summary['year']}: 报告初稿共 {summary['figures']} 个数字（均注明出处）、引用工作情况 {summary.get('texts', 0)} 段，"
             f"缺数 {len(summary['placeholders'])} 处，待补充 {len(summary.get('todos', []))} 处"
             f" → {summary['dir']}（{'、'.join(summary['files'])}）"]
    lines += [f"  缺数：{p}" for p in summary["placeholders"]]
    lines += [f"  待补充：{p}" for p in summary.get("todos", [])]
    if summary.get("unplaced"):
        lines.append(f"  另有 {summary['unplaced']} 段工作情况未能归入报告章节，未写入初稿（见 narrative.csv）")
    return lines


def report_step(year: int, baseline_year: int | None, raw_dir: str | Path, processed_dir: str | Path,
                out_dir: str | Path) -> dict:
    """The report as the last step of ``fzanalysis run``: a summary for run.json, never an exception."""
    try:
        summary = write_report(year, baseline_year, processed_dir, out_dir, raw_dir=raw_dir)
        return {k: v for k, v in summary.items() if k != "dir"}  # run.json sits in that folder
    except FzError as exc:
        return {"status": "failed", "error": exc.one_line()}
    except Exception as exc:  # the notebooks' results must still be recorded
        return {"status": "failed", "error": " ".join(f"{type(exc).__name__}: {exc}".split())[:300]}
