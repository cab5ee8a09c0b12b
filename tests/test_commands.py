"""fzanalysis.commands: one shell per command — the project resolved once at the edge, the year opened once,
one writer, the lines the command prints."""
from __future__ import annotations

import pytest

import fzanalysis.store.data
import fzanalysis.store.project
from fzanalysis import cli, commands
from fzanalysis.store.project import open_project
from tests.report_fixtures import RAW, drafts, processed  # noqa: F401


@pytest.fixture
def resolutions(monkeypatch) -> list[str]:
    """Every resolution of the project's folders (open_project, under each name it is called by) and every climb
    up the folders looking for the project (project_root), in order."""
    seen: list[str] = []
    real_open, real_root = fzanalysis.store.project.open_project, fzanalysis.store.project.project_root

    def counted_open(**kw):
        seen.append("open")
        return real_open(**kw)

    def counted_root():
        seen.append("climb")
        return real_root()

    for module in (fzanalysis.store.project, fzanalysis.store.data):
        monkeypatch.setattr(module, "open_project", counted_open)
    monkeypatch.setattr(fzanalysis.store.project, "project_root", counted_root)
    return seen


@pytest.mark.parametrize("command", ["report", "check-report", "status", "scorecard", "feedback", "template"])
def test_a_command_resolves_the_project_once(command, processed, tmp_path, resolutions, capsys):
    args = {"report": ["report", "--year", "2023"],
            "check-report": ["check-report", str(RAW.parent.parent / "tests" / "data" / "dadukou_2023_report.txt"),
                             "--year", "2023"],
            "status": ["status", "--year", "2023"], "scorecard": ["scorecard", "--year", "2023"],
            "feedback": ["feedback", "--year", "2023", "--out", str(tmp_path / "fb")],
            "template": ["template", "--year", "2024", "--out", str(tmp_path / "forms")]}[command]
    reports = [] if command in ("feedback", "template") else ["--out", str(tmp_path / "reports")]
    assert cli.main([*args, "--raw", str(RAW), "--processed", str(processed), *reports]) == 0
    assert resolutions == ["open"]  # the edge, once; folders given: no climb
    assert capsys.readouterr().out.strip()


def test_a_command_outside_a_project_climbs_once(processed, tmp_path, resolutions, monkeypatch, capsys):
    project = tmp_path / "proj"
    (project / "data").mkdir(parents=True)
    (project / "data" / "raw").symlink_to(RAW)
    (project / "sub").mkdir()
    monkeypatch.delenv(fzanalysis.store.project.HOME_ENV, raising=False)
    monkeypatch.chdir(project / "sub")
    assert cli.main(["status", "--year", "2023", "--processed", str(processed)]) == 0
    assert resolutions == ["open", "climb"]
    assert str(project.resolve() / "reports" / "2023" / "status.csv") in capsys.readouterr().out


def test_a_notebook_opens_its_year_once_and_hands_it_on(processed, tmp_path, resolutions):
    """What the notebooks' cells do: open the year (the edge: papermill's parameters), then the years, the
    problem list and its history from the year opened — no second resolution."""
    import fzanalysis as fz

    yr = fz.open_year(2023, raw_dir=RAW, processed_dir=processed, output_dir=tmp_path)
    yrs = fz.open_years(2023, project=yr.project)
    findings = fz.diagnostics.year_findings(yr)
    assert resolutions == ["open"]
    assert yrs.years == [2021, 2022, 2023] and yr.baseline_year == 2022 and len(findings) > 0
    assert yr.history() is yr.history() and set(yr.history()["year"]) == {2021}  # read once
    assert yr.catalog is yr.project.catalog


def test_the_outcome_holds_the_value_and_the_lines(processed, tmp_path):
    project = open_project(raw_dir=RAW, processed_dir=processed, output_dir=tmp_path)
    out = commands.status(project, 2023)
    table, path = out.value
    assert path == tmp_path / "2023" / "status.csv" and path.exists()
    assert out.lines[0].startswith("2023: 应报 19 个单位，已报送 19，未报送 0 → ") and len(out.lines) == 1 + len(table)
    assert not out.failed and out.warnings == []
    card = commands.scorecard(project, 2023)
    assert card.lines[0].startswith("2023: 19 个应报单位评分（仅供内部使用） → ")
    assert [p.name for p in card.value[2]] == ["scorecard.csv", "scorecard_details.csv"]


def test_check_report_fails_on_a_wrong_figure_and_still_writes(processed, tmp_path):
    project = open_project(raw_dir=RAW, processed_dir=processed, output_dir=tmp_path)
    text = tmp_path / "稿.txt"
    text.write_text("（六）基层治理\n全年受理法律援助案件999件。\n", encoding="utf-8")
    out = commands.check_report(project, text, 2023)
    df, written = out.value
    assert out.failed and written.exists() and "不一致" in set(df["status"])
    assert any("不一致：第2段「999件」" in line for line in out.lines)
