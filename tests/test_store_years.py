"""Several years at once: fz.load(years=…), fz.open_years, the history before a baseline."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import fzanalysis as fz
from fzanalysis.core.errors import ParameterError
from fzanalysis.store.data import available_years, history_before
from fzanalysis.store.project import open_project
from fzanalysis.store.years import open_years

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    base = tmp_path_factory.mktemp("years")
    shutil.copytree(ROOT / "data" / "raw", base / "raw")
    return base / "raw", base / "processed"


def test_load_years_stacks_each_year(dirs):
    raw, processed = dirs
    both = fz.load(years=[2023, 2022], processed_dir=processed, raw_dir=raw)
    assert both["year"].value_counts().to_dict() == {2023: 233, 2022: 236}
    assert both["year"].is_monotonic_increasing
    assert len(fz.load(2023, processed_dir=processed, raw_dir=raw)) == 233  # one year as before


def test_open_years_up_to_a_year(dirs):
    raw, processed = dirs
    assert available_years(raw_dir=raw, processed_dir=processed) == [2021, 2022, 2023]
    yrs = open_years(2022, raw_dir=raw, processed_dir=processed)
    assert (yrs.year, yrs.years) == (2022, [2021, 2022]) and sorted(yrs.logs) == [2021, 2022]
    assert yrs.summary()["年度"].tolist() == ["2021", "2022"]
    assert set(open_years(2023, raw_dir=raw, processed_dir=processed).history()["year"]) == {2021}


def test_history_before_a_baseline(dirs):
    project = open_project(raw_dir=dirs[0], processed_dir=dirs[1], need=("raw", "processed"))
    assert set(history_before(project, 2022)["year"]) == {2021}
    assert history_before(project, 2021) is None and history_before(project, None) is None


def test_no_year_at_all_is_one_line(tmp_path):
    with pytest.raises(ParameterError, match="没有任何年度的数据"):
        open_years(None, raw_dir=tmp_path / "raw", processed_dir=tmp_path / "processed")
