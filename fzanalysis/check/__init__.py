"""Checking a finished report (layer 5): its text read (.docx / .md / .txt, :mod:`fzanalysis.ingest.document`), the
figures in it found and each matched to an indicator by the words around it (:mod:`fzanalysis.analysis.text_figures`,
:mod:`fzanalysis.analysis.text_match`), and compared with the data (``check-report``).

A sibling of :mod:`fzanalysis.report`: neither imports the other. Imports from core, ingest, store and analysis.
"""

__all__: list[str] = []
