"""The package's own files, and the names of the files the product writes (one place for each).

Package data (``pyproject.toml``'s package-data lists the same folders): the catalog data, the analysis
notebooks, the HTML template of ``fzanalysis run``, the report's Jinja2 templates and the README of a new
project. :data:`PRODUCT_FILES` are the names the product writes into a year folder of its own: the
cleaner never reads a file of that name as a submission.
"""
from __future__ import annotations

from pathlib import Path

__all__ = ["DATA_DIR", "HTML_TEMPLATE", "NOTEBOOKS", "PACKAGE_DIR", "PRODUCT_FILES", "PROJECT_README",
           "REPORT_TEMPLATES"]

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PACKAGE_DIR / "catalog_data"  # indicators, orgs, vocabulary, settings … (CSV)
NOTEBOOKS = PACKAGE_DIR / "notebooks"  # the analysis notebooks, shipped as package data
HTML_TEMPLATE = PACKAGE_DIR / "html_template" / "fz.html.j2"
REPORT_TEMPLATES = PACKAGE_DIR / "report" / "templates"
PROJECT_README = PACKAGE_DIR / "project_template" / "README.md"

# Every file name the product writes into a year folder of its own (processed/<year>, reports/<year>):
# a file of that name in a raw year folder (left by an old version, or copied there) is never read
# as a submission.  tests/test_store_project.py checks each writer's names are here.
PRODUCT_FILES = frozenset({
    "indicators.csv", "indicators.parquet", "cleaning_log.csv", "unmapped.csv", "narrative.csv",  # clean
    "findings.csv", "findings.json", "run.json",  # run
    "report.md", "report.html", "report.docx", "report_public.docx",  # report
    "report_check.csv", "status.csv", "scorecard.csv", "scorecard_details.csv",  # check-report, status, scorecard
})
