"""Writing outputs: atomic, deterministic, safe to open in Excel.

- CSV files are UTF-8 with BOM (Excel opens them), ``\\n`` line ends, values written with
  up to 15 significant digits and no trailing ``.0``.
- Text that a spreadsheet program would run as a formula (starting with ``=``, ``+``, ``-``,
  ``@``, tab or CR and not a plain number) is neutralised with a leading apostrophe.
- Every file is written to a temporary file in the same folder, then renamed.
- No timestamps, absolute paths or unordered sets inside.
"""
from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..core.errors import ValueParseError
from ..core.numbers import parse_value
from ..ingest.clean import INDICATOR_COLUMNS, UNMAPPED_COLUMNS, CleanResult
from ..ingest.log import LOG_COLUMNS
from ..ingest.narrative import NARRATIVE_COLUMNS
from .folders import FILE_MODE, io_error, write_set

__all__ = ["OUTPUT_FILES", "PARQUET_TYPES", "atomic_write_bytes", "csv_bytes", "csv_bytes_columns", "neutralise",
           "parquet_bytes", "parquet_bytes_columns", "workbook_bytes", "write_csv", "write_parquet", "write_year"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(_FORMULA_START)


def neutralise(text: object) -> object:
    """Prefix formula-looking text with ``'`` so Excel shows it instead of running it."""
    if not isinstance(text, str) or not text.startswith(_FORMULA_START) or len(text) < 2:
        return text
    try:
        if parse_value(text).value is not None:
            return text  # a number such as -28% is data, not a formula
    except ValueParseError:
        pass
    return "'" + text


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write one file atomically (a temporary name in the same folder, then a rename), with the
    user's umask; a write error is a one-line :class:`~fzanalysis.core.errors.OutputError`."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.fchmod(fd, FILE_MODE)  # mkstemp makes 0600: colleagues could not read a shared folder
    except OSError as exc:
        raise io_error(exc, path.parent) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise io_error(exc, path) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _fmt_number(v: object) -> str:
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
        return ""
    if isinstance(v, float):
        return format(v, ".15g")
    return str(v)


def _cell(v: object) -> str:
    """One CSV field: numbers without float noise, text formula-safe, a missing value empty."""
    if type(v) is str:  # the common case first: a CSV of a year has tens of thousands of fields
        return neutralise(v) if v[:1] in _FORMULA_FIRST else v
    if type(v) is float:
        return "" if v != v else format(v, ".15g")
    if isinstance(v, str):
        return neutralise(v) if v.startswith(_FORMULA_START) else v
    return _fmt_number(v)


def _column(values: Iterable[object]) -> list:
    """One column's CSV fields (see :func:`_cell`); text that cannot start a formula passes as it is."""
    return [v if type(v) is str and v[:1] not in _FORMULA_FIRST else _cell(v) for v in values]


def csv_bytes_columns(names: Sequence[str], columns: Sequence[Sequence[object]]) -> bytes:
    """Columns (``columns[k]`` holds the values under ``names[k]``) as CSV bytes: BOM, ``\\n`` line
    ends, minimal quoting.  Formatted a column at a time: a year's log has tens of thousands of fields."""
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(names)
    writer.writerows(zip(*(_column(col) for col in columns)))
    return buf.getvalue().encode("utf-8")


def csv_bytes(df: pd.DataFrame) -> bytes:
    """A DataFrame as CSV bytes (see :func:`csv_bytes_columns`)."""
    return csv_bytes_columns([str(c) for c in df.columns], [df.iloc[:, k].tolist() for k in range(df.shape[1])])


def parquet_bytes_columns(columns: dict[str, list], types: dict[str, pa.DataType]) -> bytes:
    """Columns (name → values) as Parquet bytes; a column not in ``types`` is text."""
    table = pa.table({name: pa.array(values, type=types.get(name, pa.string())) for name, values in columns.items()})
    return _parquet(table)


def parquet_bytes(df: pd.DataFrame) -> bytes:
    return _parquet(pa.Table.from_pandas(df, preserve_index=False))


def _parquet(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    # a year's table is small: no column statistics or dictionary pages to build (smaller and faster)
    pq.write_table(table, sink, compression="zstd", use_dictionary=False, write_statistics=False)
    return sink.getvalue().to_pybytes()


def write_csv(df: pd.DataFrame, path: Path) -> None:
    atomic_write_bytes(path, csv_bytes(df))


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    atomic_write_bytes(path, parquet_bytes(df))


def workbook_bytes(wb, year: int) -> bytes:
    """An openpyxl workbook as bytes that do not depend on when it was written: fixed document
    timestamps and zip entry times."""
    stamp = datetime(year, 12, 1)
    wb.properties.created = wb.properties.modified = stamp
    wb.properties.creator = wb.properties.lastModifiedBy = "fzanalysis"
    buf = io.BytesIO()
    wb.save(buf)
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", lambda m: m.group(1) + iso, data)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type, entry.create_system, entry.external_attr = zipfile.ZIP_DEFLATED, 0, 0
            zout.writestr(entry, data)
    return out.getvalue()


# ------------------------------------------------------------------------------ the cleaner's outputs
OUTPUT_FILES = ("indicators.csv", "indicators.parquet", "cleaning_log.csv", "unmapped.csv", "narrative.csv")
PARQUET_TYPES = {"year": pa.int64(), "value": pa.float64()}  # the other columns are text


def write_year(result: CleanResult, out_dir: Path, raw_dir: Path) -> Path:
    """Write the §3 outputs of one year to ``<out_dir>/<year>/``, swapped in whole (under the lock
    of ``out_dir``: a reader sees the previous set or this one, never a mix; never into ``raw_dir``).
    Written from the rows, without building DataFrames: the per-year cost counts when many years are cleaned."""
    indicators = [[r[c] for r in result.rows] for c in INDICATOR_COLUMNS]
    log = [[result.year] * len(result.events)] + [[e.get(c, "") for e in result.events] for c in LOG_COLUMNS[1:]]
    files = {
        "indicators.csv": csv_bytes_columns(INDICATOR_COLUMNS, indicators),
        "indicators.parquet": parquet_bytes_columns(dict(zip(INDICATOR_COLUMNS, indicators)), PARQUET_TYPES),
        "cleaning_log.csv": csv_bytes_columns(LOG_COLUMNS, log),
        "unmapped.csv": csv_bytes_columns(UNMAPPED_COLUMNS, [[r[c] for r in result.unmapped_rows]
                                                             for c in UNMAPPED_COLUMNS]),
        "narrative.csv": csv_bytes_columns(NARRATIVE_COLUMNS, [[r[c] for r in result.narrative_rows]
                                                               for c in NARRATIVE_COLUMNS]),
    }
    return write_set(Path(out_dir) / str(result.year), files, raw=raw_dir)
