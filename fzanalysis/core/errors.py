"""Exception hierarchy of fzanalysis.

Every error that can be caused by input (a workbook, a parameter, a catalog file) is a
:class:`FzError` with structured fields, so the CLI can print one line per problem
(``file!sheet!cell: reason``) and exit non-zero without a traceback.
"""
from __future__ import annotations

from .cite import cite_text

__all__ = ["CatalogError", "DataError", "FolderBusy", "FzError", "OutputError", "ParameterError", "ReportError",
           "RunError", "ValueParseError", "WorkbookError", "WorkbookTooLarge"]


class FzError(Exception):
    """Base class: an input problem a person can fix.  Fields may be empty."""

    def __init__(self, reason: str, *, file: str = "", sheet: str = "", cell: str = ""):
        self.reason = reason
        self.file = file
        self.sheet = sheet
        self.cell = cell
        super().__init__(self.one_line())

    @property
    def location(self) -> str:
        return cite_text(self.file, self.sheet, self.cell)

    def one_line(self) -> str:
        loc = self.location
        return f"{loc}: {self.reason}" if loc else self.reason


class ValueParseError(FzError, ValueError):
    """A cell's text cannot be read as a number (e.g. ``待统计``)."""


class WorkbookError(FzError):
    """A workbook cannot be read at all (corrupt, truncated, not a spreadsheet, empty)."""


class WorkbookTooLarge(WorkbookError):
    """A workbook passes the configured size bound (uncompressed bytes or cells)."""


class CatalogError(FzError):
    """The indicator or org catalog files are inconsistent."""


class ParameterError(FzError):
    """A command parameter is invalid (year out of range, missing directory …)."""


class OutputError(FzError):
    """An output cannot be written (a read-only folder, a full disk …)."""


class FolderBusy(FzError):
    """Another fzanalysis process holds the output folder's lock."""


class DataError(FzError):
    """Processed data that cannot be trusted (missing files, a ledger that does not balance)."""


class RunError(FzError):
    """One or more notebooks failed during ``fzanalysis run``."""


class ReportError(FzError):
    """A report draft or a finished report cannot be built or read (a template error, a file that is
    not a .docx, a missing file)."""
