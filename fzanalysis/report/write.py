"""The draft's files (报告生成): ``report.md``, ``report.html``, ``report.docx`` (a comment on every figure and a
数据来源 appendix) and ``report_public.docx`` (the same text, no comments, no appendix), byte-identical for the same
input. ``fzanalysis report`` (:func:`fzanalysis.commands.report`) writes them swapped in together under the folder's
lock; ``fzanalysis run`` writes them into its staging folder as its last step.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..core.settings import load_settings
from ..store.data import YearData
from .docx import to_docx
from .draft import build_draft
from .render import to_html, to_markdown

__all__ = ["REPORT_FILES", "report_files"]

REPORT_FILES = ("report.md", "report.html", "report.docx", "report_public.docx")


def report_files(yr: YearData, findings: pd.DataFrame | None,
                 templates_dir: str | Path | None = None) -> tuple[dict[str, bytes], dict]:
    """The draft of the year ``yr`` (its problems: ``findings``; its departments' work texts: ``yr.narrative``) as its
    four files' bytes, and a summary (files, figures, texts cited, placeholders, 待补充, unplaced texts) for the
    command's lines and run.json. ``report_public.docx`` is a draft of its own: part 二 and 三 name no 镇街 or unit
    (``report.public_names_units``), and it has no comments or appendix."""
    narrative = yr.narrative
    draft, public = (build_draft(yr.tidy, yr.year, yr.baseline, yr.baseline_year, findings, templates_dir, yr.catalog,
                                 narrative=narrative, public=p) for p in (False, True))
    settings = load_settings(yr.catalog.folder)
    contents = {
        "report.md": to_markdown(draft).encode("utf-8"),
        "report.html": to_html(draft, settings).encode("utf-8"),
        "report.docx": to_docx(draft, settings=settings),
        "report_public.docx": to_docx(public, comments=False, appendix=False, settings=settings),
    }
    unplaced = narrative[(narrative["outcome"] == "kept") & (narrative["section"] == "")]
    return contents, {"status": "ok", "year": yr.year, "baseline_year": yr.baseline_year, "title": draft.title,
                      "files": list(REPORT_FILES), "figures": len(draft.figures), "texts": len(draft.texts),
                      "placeholders": [c.text for c in draft.placeholders], "todos": [c.text for c in draft.todos],
                      "unplaced": len(unplaced)}
