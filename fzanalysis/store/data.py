"""Loading the processed data for analysts, notebooks and commands (数据加载).

``fz.load(2023)`` returns the tidy indicator table of a year, cleaning first when the processed table is
missing or older than the raw files.  ``fz.open_year`` bundles what a section notebook and every command
needs: a :class:`YearData` — the project it was opened in (:class:`fzanalysis.store.project.Project`: its
folders, resolved once, and its catalog), the year's table, the baseline year's table (or a note why there
is none), the cleaning log and unmapped labels, the longer history before the baseline, and where figures go.

The public entry points (:func:`load`, :func:`load_years`, :func:`open_year`, :func:`available_years`,
:func:`load_log`, :func:`load_unmapped`) take either an opened ``project=`` or the folders as keywords
(``raw_dir=, processed_dir=, output_dir=``: not given, the project's — :mod:`fzanalysis.store.project`), and
resolve them once; everything they call is handed the project.

Several years: :func:`load_years` stacks them (``fz.load(years=[2021, 2022, 2023])``), :func:`available_years`
lists those with raw or processed data; :mod:`fzanalysis.store.years` bundles them for the notebooks.
:func:`run_clean` cleans every year folder and writes it under the processed folder's lock.

One rule for a year's data (:func:`require_data`): the raw folder ``<raw>/<year>`` is the source and
is cleaned when newer than the processed table; without it, the processed table of the year is
used as it is; with neither, the error names both folders.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..core.catalog import Catalog
from ..core.errors import DataError, ParameterError
from ..ingest.clean import CleanResult, clean_year, discover
from ..ingest.log import check_ledger
from ..ingest.narrative import NARRATIVE_COLUMNS, load_work_words
from ..ingest.workbook import SPREADSHEET_SUFFIXES, Limits
from .folders import held, locked, recover
from .outputs import OUTPUT_FILES, write_year
from .project import ALL, Project, open_project

__all__ = ["READ_ONLY_ENV", "STAGE_ENV", "STAGE_FOR_ENV", "YEAR_RANGE", "YearData", "available_years", "check_year",
           "default_baseline", "ensure_clean", "has_data", "history_before", "is_stale", "load", "load_log",
           "load_narrative", "load_set", "load_unmapped", "load_years", "open_year", "project_of", "require_data",
           "resolve_baseline", "run_clean", "staged"]

# Set by ``fzanalysis run`` for its kernels: the run has cleaned already, under its lock, so the
# notebooks only read (and never wait on the run that started them).
READ_ONLY_ENV = "FZANALYSIS_READ_ONLY"
# Inside ``fzanalysis run``: the reports folder the notebooks are told (their parameter) and the staging
# folder their outputs go to until the run swaps it in — so an executed notebook names the real folder.
STAGE_FOR_ENV, STAGE_ENV = "FZANALYSIS_OUTPUT_FOR", "FZANALYSIS_OUTPUT_STAGE"

YEAR_RANGE = (2000, 2100)


def check_year(year: object, name: str = "year") -> int:
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} 应为年份（如 2023），收到：{year!r}") from None
    if not YEAR_RANGE[0] <= y <= YEAR_RANGE[1]:
        raise ParameterError(f"{name} 超出合理范围 {YEAR_RANGE[0]}–{YEAR_RANGE[1]}：{y}")
    return y


def _newest_raw_mtime(raw_year_dir: Path) -> float:
    times = [raw_year_dir.stat().st_mtime]
    times += [p.stat().st_mtime for p in raw_year_dir.iterdir() if p.suffix.lower() in SPREADSHEET_SUFFIXES]
    summaries = raw_year_dir / load_work_words().folder  # the work summaries (总结/): a new or changed one too
    if summaries.is_dir():
        times += [summaries.stat().st_mtime, *(p.stat().st_mtime for p in summaries.iterdir())]
    return max(times)


def is_stale(year: int, raw_dir: Path, processed_dir: Path) -> bool:
    """True when the processed table of ``year`` is missing or older than its raw files."""
    table = Path(processed_dir) / str(year) / "indicators.parquet"
    raw_year = Path(raw_dir) / str(year)
    if not table.exists():
        return True
    if not raw_year.is_dir():
        return False
    return _newest_raw_mtime(raw_year) > table.stat().st_mtime


def project_of(project: Project | None, raw_dir: str | Path | None = None, processed_dir: str | Path | None = None,
               output_dir: str | Path | None = None, need: tuple[str, ...] = ("raw", "processed")) -> Project:
    """``project`` when one was opened, else the project of the folders given (:func:`open_project`): what a public
    entry point does first, once."""
    if project is not None:
        return project
    return open_project(raw_dir=raw_dir, processed_dir=processed_dir, output_dir=output_dir, need=need)


def ensure_clean(project: Project, year: int, progress: bool | None = False) -> bool:
    """Clean ``year`` when needed, under the lock of the processed folder; returns True when it cleaned.
    A set a killed writer left half-swapped is put right first."""
    with locked(project.processed):
        recover(project.processed, str(year))
        if not is_stale(year, project.raw, project.processed):
            return False
        files = discover(project.raw, year, project.catalog)[year]
        write_year(clean_year(project.raw, year, files, project.catalog, progress=progress), project.processed,
                   project.raw)
    return True


def run_clean(project: Project | None = None, *, raw_dir: str | Path | None = None,
              processed_dir: str | Path | None = None, year: int | None = None, limits: Limits = Limits(),
              progress: bool | None = None) -> list[CleanResult]:
    """Clean every year folder of the project's raw folder (or just ``year``) with its catalog and write the
    outputs, holding the lock of the processed folder throughout (a second clean or run on it waits)."""
    project = project_of(project, raw_dir, processed_dir)
    years = discover(project.raw, year, project.catalog)
    results = []
    with locked(project.processed):
        for y, files in years.items():
            result = clean_year(project.raw, y, files, project.catalog, limits, progress)
            write_year(result, project.processed, project.raw)
            results.append(result)
    return results


def has_data(year: int, raw_dir: str | Path, processed_dir: str | Path) -> bool:
    return (Path(raw_dir) / str(year)).is_dir() or (Path(processed_dir) / str(year) / "indicators.parquet").exists()


def default_baseline(year: int, project: Project) -> int | None:
    """The year compared with when none is asked for: the year before, when it has data."""
    return year - 1 if has_data(year - 1, project.raw, project.processed) else None


def resolve_baseline(year: int, baseline_year: int | None, project: Project) -> int | None:
    """The year to compare with: the one asked for (its data must exist), else the year before when it has data."""
    if baseline_year is None:
        return default_baseline(year, project)
    baseline_year = check_year(baseline_year, "baseline-year")
    if baseline_year >= year:
        raise ParameterError(f"对比年度 {baseline_year} 应早于分析年度 {year}")
    if not has_data(baseline_year, project.raw, project.processed):
        raise ParameterError(f"没有对比年度 {baseline_year} 的数据")
    return baseline_year


def require_data(year: int, project: Project) -> bool:
    """The rule for a year's data: True when its raw folder exists (it is the source, cleaned when
    newer), False when only its processed table does (used as it is); neither is an error naming both."""
    raw_year, table = project.raw / str(year), project.processed / str(year) / "indicators.parquet"
    if raw_year.is_dir():
        return True
    if table.exists():
        return False
    raise ParameterError(f"没有 {year} 年的数据：原始数据目录不存在：{raw_year}；也没有清洗结果：{table.parent}"
                         f"{project.where()}")


def load(year: int | None = None, *, years: list[int] | None = None, raw_dir: str | Path | None = None,
         processed_dir: str | Path | None = None, project: Project | None = None) -> pd.DataFrame:
    """The tidy indicator table of ``year`` (cleaning first when it is missing or stale); with
    ``years=[2021, 2022, 2023]`` those years stacked (:func:`load_years`)."""
    project = project_of(project, raw_dir, processed_dir)
    if years is not None:
        return load_years(years, project=project)
    return load_set(project, year)[0]


def load_set(project: Project, year: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(table, log, unmapped) of ``year``, read under the shared lock and checked: the ledger of
    every file must balance against the table and the log, else the set is refused."""
    year = check_year(year)
    processed = project.processed
    # inside a run (its kernels, or the run itself holding the data open) the data were cleaned already
    read_only = os.environ.get(READ_ONLY_ENV) or held(processed) == "shared"
    if require_data(year, project) and not read_only:
        ensure_clean(project, year)
    folder = processed / str(year)
    with locked(processed, shared=True):
        missing = [name for name in OUTPUT_FILES if not (folder / name).exists()]
        if len(missing) == len(OUTPUT_FILES):
            require_data(year, project)  # read-only and never cleaned: say where data were looked for
        if missing:
            raise DataError(f"{year} 年的清洗结果不完整（缺少 {'、'.join(missing)}），请重新运行 fzanalysis clean",
                            file=str(folder))
        tidy, log, unmapped = pd.read_parquet(folder / "indicators.parquet"), _log(folder), _unmapped(folder)
    ledger = check_ledger(tidy, unmapped, log)
    bad = ledger.loc[~ledger["balanced"], "file"].tolist()
    if bad:
        raise DataError(f"{year} 年的清洗结果前后不一致（{'、'.join(bad[:3])}{'等' if len(bad) > 3 else ''} 台账不平），"
                        "请重新运行 fzanalysis clean", file=str(folder))
    return tidy, log, unmapped


def available_years(until: int | None = None, *, raw_dir: str | Path | None = None,
                    processed_dir: str | Path | None = None, project: Project | None = None) -> list[int]:
    """Years with a raw folder or a processed table, ascending (up to ``until`` when given)."""
    project = project_of(project, raw_dir, processed_dir)
    found = set()
    for base, need in ((project.raw, None), (project.processed, "indicators.parquet")):
        if base.is_dir():
            for p in base.iterdir():
                if p.is_dir() and re.fullmatch(r"(19|20)\d\d", p.name) and (need is None or (p / need).exists()):
                    found.add(int(p.name))
    return sorted(y for y in found if until is None or y <= until)


def load_years(years: list[int] | None = None, *, raw_dir: str | Path | None = None,
               processed_dir: str | Path | None = None, project: Project | None = None) -> pd.DataFrame:
    """The tidy tables of ``years`` (default: every available year) stacked, oldest first."""
    project = project_of(project, raw_dir, processed_dir)
    years = sorted({check_year(y) for y in years}) if years else available_years(project=project)
    if not years:
        raise ParameterError(f"没有任何年度的数据：{project.raw} 与 {project.processed} 下都没有年份目录")
    return pd.concat([load_set(project, y)[0] for y in years], ignore_index=True)


def history_before(project: Project, baseline_year: int | None) -> pd.DataFrame | None:
    """The stacked tables of the available years before ``baseline_year`` (None when there are none): the longer
    history :func:`fzanalysis.analysis.diagnostics.find_problems` reads."""
    if baseline_year is None:
        return None
    years = [y for y in available_years(project=project) if y < baseline_year]
    return load_years(years, project=project) if years else None


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def load_log(year: int, *, processed_dir: str | Path | None = None, project: Project | None = None) -> pd.DataFrame:
    """The cleaning log of ``year`` as written (counts as integers)."""
    return _log(project_of(project, processed_dir=processed_dir, need=("processed",)).processed / str(year))


def load_unmapped(year: int, *, processed_dir: str | Path | None = None,
                  project: Project | None = None) -> pd.DataFrame:
    """The unmapped labels of ``year`` as written (values as numbers)."""
    return _unmapped(project_of(project, processed_dir=processed_dir, need=("processed",)).processed / str(year))


def _log(folder: Path) -> pd.DataFrame:
    log = _read_csv(folder / "cleaning_log.csv")
    for col in ("cells_read", "kept", "rejected", "set_aside"):
        log[col] = pd.to_numeric(log[col].replace("", None)).astype("Int64")
    log["year"] = log["year"].astype("int64")
    return log


def load_narrative(year: int, *, processed_dir: str | Path | None = None,
                   project: Project | None = None) -> pd.DataFrame:
    """The work texts of ``year`` (``narrative.csv``; DESIGN.md §2b), every row read — kept and set aside; an
    empty table with its columns when the year's set has none."""
    return _narrative(project_of(project, processed_dir=processed_dir, need=("processed",)).processed / str(year))


def _narrative(folder: Path) -> pd.DataFrame:
    path = folder / "narrative.csv"
    if not path.exists():
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "year" else object) for c in NARRATIVE_COLUMNS})
    df = _read_csv(path)
    df["year"] = df["year"].astype("int64")
    return df


def _unmapped(folder: Path) -> pd.DataFrame:
    df = _read_csv(folder / "unmapped.csv")
    df["value"] = pd.to_numeric(df["value"].replace("", None)).astype("float64")
    return df


@dataclass
class YearData:
    """A year as a notebook and every command read it, opened once in its project."""

    year: int
    tidy: pd.DataFrame
    log: pd.DataFrame
    unmapped: pd.DataFrame
    baseline_year: int | None
    baseline: pd.DataFrame | None
    baseline_note: str
    output_dir: Path
    project: Project = field(repr=False)
    _history: object = field(default=None, init=False, repr=False, compare=False)
    _narrative: pd.DataFrame | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def catalog(self) -> Catalog:
        """The project's catalog: every settings file is read from its folder."""
        return self.project.catalog

    @property
    def figures_dir(self) -> Path:
        return self.output_dir / str(self.year) / "figures"

    def figure_path(self, name: str) -> Path:
        return self.figures_dir / f"{name}.png"

    @property
    def narrative(self) -> pd.DataFrame:
        """The year's work texts (``narrative.csv``), read once."""
        if self._narrative is None:
            self._narrative = _narrative(self.project.processed / str(self.year))
        return self._narrative

    def history(self) -> pd.DataFrame | None:
        """The years before the baseline year, stacked (None when there are none), read once: the longer history
        the year-on-year rule reads (:func:`history_before`)."""
        if self._history is None:
            self._history = (history_before(self.project, self.baseline_year),)
        return self._history[0]

    def summary(self) -> pd.DataFrame:
        """A small 概况 table: what was loaded."""
        rows = [
            ("年度", str(self.year)),
            ("指标数值（条）", str(len(self.tidy))),
            ("报送单位（个）", str(self.tidy["org"].nunique())),
            ("报送文件（个）", str(int((self.log["event"] == "ledger").sum()))),
            ("对比年度", str(self.baseline_year) if self.baseline is not None else "无"),
            ("说明", self.baseline_note),
        ]
        return pd.DataFrame(rows, columns=["项目", "内容"])


def open_year(year: int, baseline_year: int | None = None, *, raw_dir: str | Path | None = None,
              processed_dir: str | Path | None = None, output_dir: str | Path | None = None,
              project: Project | None = None) -> YearData:
    """Load a year and its baseline (default: the year before, when its data exist) — in ``project``, or in the
    project of the folders given (not given: the project's, :mod:`fzanalysis.store.project`)."""
    year = check_year(year)
    project = project_of(project, raw_dir, processed_dir, output_dir, need=ALL)
    tidy, log, unmapped = load_set(project, year)
    baseline, note = None, ""
    if baseline_year is None:
        baseline_year = default_baseline(year, project)
    else:
        baseline_year = check_year(baseline_year, "baseline_year")
    if baseline_year is None:
        note = f"没有 {year - 1} 年数据，不做同比分析"
    elif not has_data(baseline_year, project.raw, project.processed):
        note = f"没有 {baseline_year} 年数据，不做同比分析"
        baseline_year = None
    else:
        baseline = load_set(project, baseline_year)[0]
        note = f"同比对象：{baseline_year} 年"
    return YearData(year, tidy, log, unmapped, baseline_year, baseline, note, staged(project.reports), project)


def staged(output_dir: str | Path) -> Path:
    """Where outputs meant for ``output_dir`` are written: the run's staging folder while
    ``fzanalysis run`` executes the notebooks for that folder, else ``output_dir`` itself."""
    output_dir = Path(output_dir)
    meant, stage = os.environ.get(STAGE_FOR_ENV), os.environ.get(STAGE_ENV)
    if meant and stage and output_dir.resolve() == Path(meant):
        return Path(stage)
    return output_dir
