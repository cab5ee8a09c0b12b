"""Writing outputs: atomic, deterministic, safe to open in Excel.

- CSV files are UTF-8 with BOM (Excel opens them), ``\\n`` line ends, values written with
  up to 15 significant digits and no trailing ``.0``.
- Text that a spreadsheet program would run as a formula (starting with ``=``, ``+``, ``-``,
  ``@``, tab or CR and not a plain number) is neutralised with a leading apostrophe.
- Every file is written to a temporary file in the same folder, then renamed.
- No timestamps, absolute paths or unordered sets inside.
"""
from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .errors import ValueParseError
from .numbers import parse_value

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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
    user's umask; a write error is a one-line :class:`~fzanalysis.errors.OutputError`."""
    from .folders import FILE_MODE, io_error

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


def csv_bytes(df: pd.DataFrame) -> bytes:
    """A DataFrame as CSV bytes: BOM, neutralised text, numbers without float noise."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]) or pd.api.types.is_integer_dtype(out[col]):
            out[col] = [_fmt_number(v) for v in out[col].tolist()]
        else:
            out[col] = ["" if v is None or v is pd.NA or (isinstance(v, float) and v != v)
                        else neutralise(v) if isinstance(v, str) and v.startswith(_FORMULA_START) else v
                        for v in out[col].tolist()]
    buf = io.StringIO()
    out.to_csv(buf, index=False, lineterminator="\n")
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def parquet_bytes(df: pd.DataFrame) -> bytes:
    table = pa.Table.from_pandas(df, preserve_index=False)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def write_csv(df: pd.DataFrame, path: Path) -> None:
    atomic_write_bytes(path, csv_bytes(df))


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    atomic_write_bytes(path, parquet_bytes(df))
