"""Where data live and how they are written (layer 3): the project's folders, the lock / staging / swap of an
output folder, deterministic output bytes (CSV, Parquet, .xlsx) and the cleaner's outputs, loading a year (cleaned
first when stale) or several years.

Imports from :mod:`fzanalysis.core` and :mod:`fzanalysis.ingest` only.
"""

__all__: list[str] = []
