"""Several years at once (多年数据): ``fz.open_years(…)``.

Each year is loaded as :func:`fzanalysis.store.data.load` loads one (cleaned first when its processed
table is missing or older than its raw files; refused when its ledger does not balance); the tables are
stacked (:func:`fzanalysis.store.data.load_years`, also ``fz.load(years=[…])``), ``year`` telling them apart.
:func:`fzanalysis.store.data.available_years` lists the years that have raw or processed data, so notebooks
show every year there is.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..core.catalog import Catalog
from ..core.errors import ParameterError
from .data import load_set, available_years, check_year, project_of
from .project import Project

__all__ = ["YearsData", "open_years"]


@dataclass
class YearsData:
    """Every available year up to the year of the report: one stacked table and each year's log."""

    year: int
    years: list[int]
    tidy: pd.DataFrame  # all years stacked
    logs: dict[int, pd.DataFrame] = field(repr=False)
    catalog: Catalog = field(repr=False)

    def of(self, year: int) -> pd.DataFrame:
        return self.tidy[self.tidy["year"] == year].reset_index(drop=True)

    def history(self) -> pd.DataFrame:
        """The years before the year before ``year``: what the diagnostics read as the longer history."""
        return self.tidy[self.tidy["year"] < self.year - 1].reset_index(drop=True)

    def summary(self) -> pd.DataFrame:
        rows = [(str(y), int((self.tidy["year"] == y).sum()), int(self.tidy.loc[self.tidy["year"] == y, "org"].nunique()))
                for y in self.years]
        return pd.DataFrame(rows, columns=["年度", "指标数值（条）", "报送单位（个）"])


def open_years(year: int | None = None, *, years: list[int] | None = None, raw_dir: str | Path | None = None,
               processed_dir: str | Path | None = None, project: Project | None = None) -> YearsData:
    """Every available year up to ``year`` (default: the latest), or exactly ``years`` — in ``project`` (a notebook
    passes ``yr.project``), or in the project of the folders given."""
    project = project_of(project, raw_dir, processed_dir)
    chosen = sorted({check_year(y) for y in years}) if years else available_years(
        None if year is None else check_year(year), project=project)
    if not chosen:
        raise ParameterError(f"没有任何年度的数据：{project.raw} 与 {project.processed} 下都没有年份目录")
    sets = {y: load_set(project, y) for y in chosen}
    tidy = pd.concat([sets[y][0] for y in chosen], ignore_index=True)
    return YearsData(year or chosen[-1], chosen, tidy, {y: sets[y][1] for y in chosen}, project.catalog)
