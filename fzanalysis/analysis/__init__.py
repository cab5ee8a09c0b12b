"""What the figures say (layer 4): a section's tables (figures with year-on-year change, derived rates, 镇街
comparisons, data-quality events), multi-year trends, the diagnostics (findings: rules over the table), the
charts, how tables are shown in a notebook, and the figures stated in prose (found and matched to indicators by
the words around them: what ``check-report`` checks, and what the department work texts are checked with).

Imports from :mod:`fzanalysis.core`, :mod:`fzanalysis.ingest` and :mod:`fzanalysis.store` only.
"""

__all__: list[str] = []
