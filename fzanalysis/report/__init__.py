"""The report draft (layer 5): the draft built from the year's figures and findings through Jinja2 templates
(``templates/``), every number with its cells (:mod:`~fzanalysis.report.model`), rendered as Markdown / HTML and
as .docx, and the ``report`` command's writer (:mod:`~fzanalysis.report.write`).

A sibling of :mod:`fzanalysis.check`: neither imports the other. Imports from core, ingest, store and analysis.
"""

__all__: list[str] = []
