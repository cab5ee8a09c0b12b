"""The yearly loop (layer 6): what each unit is expected to send (forms), blank templates to fill, who sent what
(status), the cells each unit has to fix (feedback) and the internal scorecard.

Imports from every package below it (core, ingest, store, analysis); not from report or check.
"""

__all__: list[str] = []
