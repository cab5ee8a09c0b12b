"""Reading what units send (layer 2): workbooks read within bounds, the tables of each sheet found (a grid of
cells, Layout A indicator lists, Layout B unit matrices), the cleaning log and its ledger, corrected
resubmissions, the text of a document (.docx / .md / .txt: a finished report, a department's work summary), and
the cleaner — workbooks in, a :class:`~fzanalysis.ingest.clean.CleanResult` out.

Imports only from :mod:`fzanalysis.core`; writing the result is :mod:`fzanalysis.store`'s job.
"""

__all__: list[str] = []
