"""fzanalysis — 法治政府建设情况报告的数据清洗、分章节分析与问题诊断.

For analysts::

    import fzanalysis as fz
    df = fz.load(2023)                 # tidy indicator table (cleans when needed), from the project folder
    yr = fz.open_year(2023)            # table + baseline + log, for the section notebooks
    fz.analysis.section_table(yr.tidy, "s6", yr.baseline)

Submodules are imported lazily so that the command line starts fast.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_LAZY = {
    "load": ("store.data", "load"),
    "load_log": ("store.data", "load_log"),
    "load_unmapped": ("store.data", "load_unmapped"),
    "open_year": ("store.data", "open_year"),
    "open_years": ("store.years", "open_years"),
    "load_catalog": ("core.catalog", "load_catalog"),
    "parse_value": ("core.numbers", "parse_value"),
    "format_value": ("core.numbers", "format_value"),
    "run_clean": ("store.data", "run_clean"),
    "setup_display": ("analysis.display", "setup_display"),
    "init_project": ("store.project", "init_project"),
}
_SUBMODULES = {name: name for name in (
    "runner",)}
_SUBMODULES.update({name: f"loop.{name}" for name in ("feedback", "scorecard", "status", "template")})
_SUBMODULES.update({name: f"analysis.{name}" for name in ("diagnostics", "display", "trends")},
                   analysis="analysis.sections", plots="analysis.charts")
_SUBMODULES.update({name: f"store.{name}" for name in ("data", "folders", "outputs", "project", "years")})
_SUBMODULES.update({name: f"ingest.{name}" for name in ("clean", "log", "resubmission", "workbook")},
                   layout="ingest.tables", layout_a="ingest.indicator_list")
_SUBMODULES.update({name: f"core.{name}" for name in ("areas", "catalog", "errors", "numbers", "sanitize",
                                                      "vocabulary")}, checks="core.compute")

__all__ = sorted(_LAZY) + sorted(_SUBMODULES)


def __getattr__(name: str):
    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(importlib.import_module(f".{module}", __name__), attr)
    if name in _SUBMODULES:
        return importlib.import_module(f".{_SUBMODULES[name]}", __name__)
    raise AttributeError(f"module 'fzanalysis' has no attribute {name!r}")
