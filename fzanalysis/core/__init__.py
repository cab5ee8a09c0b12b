"""The bottom layer: what every other part reads by — errors, the package's files, short texts, the
vocabulary, numbers (parse and write), areas, the catalog, settings and words, masking of personal data,
and the computation core (agreement of figures, derived rates, totals, change).

Imports nothing of the packages above it (ingest, store, analysis, report, check, loop).
"""

__all__: list[str] = []
