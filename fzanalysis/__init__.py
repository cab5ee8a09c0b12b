"""fzanalysis — 法治政府建设情况报告的数据清洗、分章节分析与问题诊断.

For analysts (what ``dir(fz)`` shows, and tab completion)::

    import fzanalysis as fz
    fz.setup_display()                              # tables as a reader sees them
    df = fz.load(2023)                              # the tidy indicator table (cleaned first when needed)
    yr = fz.open_year(2023)                         # table + baseline + log, for the section notebooks
    table = fz.sections.section_table(yr.tidy, "s6", yr.baseline)
    fz.charts.yoy_bars(table, "行政复议与法律援助：本年与上年")
    findings = fz.diagnostics.year_findings(yr)     # the problem list: this year, its baseline, the years before
    yrs = fz.open_years(2023, project=yr.project)   # every year up to 2023; fz.load_years([2021, 2022, 2023])
    fz.trends.trend_table(yrs.tidy, "s6")
    fz.status.submission_status(yr.tidy, yr.log)    # who sent what
    fz.scorecard.scorecard(yr.tidy, yr.log, findings)

The namespaces are modules of the library: ``sections``, ``charts``, ``diagnostics``, ``trends``
(:mod:`fzanalysis.analysis`), ``status`` and ``scorecard`` (:mod:`fzanalysis.loop`). The library itself is
layered in packages, each importing only from those below it: ``core`` → ``ingest`` → ``store`` →
``analysis`` → ``report`` / ``check`` → ``loop`` → ``runner``, ``cli``.

Nothing is imported until it is used, so that the command line starts fast and ``from fzanalysis import *``
binds names without loading the library: a namespace is loaded on its first attribute, a function when it is
first looked up.
"""
from __future__ import annotations

import importlib
import sys
from types import ModuleType

__version__ = "0.1.0"

_FUNCTIONS = {  # name → module that defines it
    "load": "store.data",
    "load_years": "store.data",
    "open_year": "store.data",
    "open_years": "store.years",
    "setup_display": "analysis.display",
}
_NAMESPACES = {  # name → module
    "charts": "analysis.charts",
    "diagnostics": "analysis.diagnostics",
    "scorecard": "loop.scorecard",
    "sections": "analysis.sections",
    "status": "loop.status",
    "trends": "analysis.trends",
}

__all__ = sorted([*_FUNCTIONS, *_NAMESPACES])


def __getattr__(name: str):
    if name in _FUNCTIONS:
        return getattr(importlib.import_module(f".{_FUNCTIONS[name]}", __name__), name)
    if name in _NAMESPACES:
        return _lazy_module(f"{__name__}.{_NAMESPACES[name]}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*__all__, "__version__"])


def _lazy_module(name: str) -> ModuleType:
    """The module ``name``, executed on its first attribute (``importlib.util.LazyLoader``) unless it is loaded."""
    if name in sys.modules:
        return sys.modules[name]
    import importlib.util  # here, not at the top: the command line imports this package and needs none of it

    parent = importlib.import_module(name.rpartition(".")[0])  # a package __init__: light
    spec = importlib.util.find_spec(name)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    setattr(parent, name.rpartition(".")[2], module)
    return module
