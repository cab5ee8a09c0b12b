"""``fzanalysis run`` end to end (DESIGN.md §4–§5): parameter checks, the diagnostics acceptance
test on workbooks the project has never seen, and a failing notebook.

Everything goes through the CLI as a subprocess, as a person (or CI) would call it.
"""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from openpyxl import load_workbook

from fzanalysis import runner
from fzanalysis.core.catalog import load_catalog
from fzanalysis.analysis.diagnostics import COLUMNS
from fzanalysis.core.errors import ParameterError
from fzanalysis.core.files import NOTEBOOKS
from fzanalysis.store.project import Project
from tests.xlsx_factory import layout_a_grid, layout_b_grid, make_layout_a, org_line, write_xlsx

ROOT = Path(__file__).resolve().parent.parent
DIAGNOSTICS_NB = NOTEBOOKS / "diagnostics.ipynb"  # as shipped in the package

YEAR, BASE = 2024, 2023
TOWNS = ("新山村街道", "跃进村街道", "九宫庙街道", "茄子溪街道", "春晖路街道", "八桥镇", "建胜镇", "跳磴镇")
TOWN_CASES = (46, 31, 58, 16, 40, 27, 19, 0)  # 跳磴镇 0 while the others have ≥ 16; sum 237
TOWN_TOTAL = 250  # the 合计 row: ≠ 237

GOV_SERVICE = f"{YEAR}/区政务服务办{YEAR}年法治政府建设数据.xlsx"
JUSTICE = f"{YEAR}/附件3-大渡口区司法局法治政府建设统计表（{YEAR}）.xlsx"
BAQIAO = f"{YEAR}/八桥镇法治政府建设统计表（{YEAR}年度）.xlsx"
MARKET = f"{YEAR}/区市场监管局{YEAR}年法治政府建设数据.xlsx"
MARKET_BASE = f"{BASE}/区市场监管局{BASE}年法治政府建设数据.xlsx"
GOV = f"{YEAR}/区政府法治政府建设数据（{YEAR}年）.xlsx"
GOV_OFFICE = f"{YEAR}/区政府办公室-{YEAR}年度政务公开数据.xlsx"
BAD = f"{YEAR}/bad.xlsx"
SENDERS = {"区政务服务管理办公室", "区司法局", "八桥镇", "区市场监管局", "区政府", "区政府办公室"}


def _header(year: int) -> tuple[str, ...]:
    return ("序号", "指标名称", "单位", f"{year}年", "备注")


def _title(year: int) -> str:
    return f"{year}年法治政府建设情况统计表"


def _layout_a(raw: Path, rel: str, org: str, rows, year: int = YEAR) -> Path:
    return make_layout_a(raw / rel, org_line(org, f"{year + 1}年1月15日"), rows, header=_header(year),
                         title=_title(year))


def _cli(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fzanalysis.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def _notebook_dir(tmp_path: Path, *extra: tuple[str, nbformat.NotebookNode]) -> Path:
    nb_dir = tmp_path / "nb"
    nb_dir.mkdir(parents=True)
    shutil.copyfile(DIAGNOSTICS_NB, nb_dir / DIAGNOSTICS_NB.name)
    for name, nb in extra:
        nbformat.write(nb, str(nb_dir / name))
    return nb_dir


# ------------------------------------------------------------------------------ 1. parameters
BAD_PARAMETERS = {  # case → what the one stderr line must name
    "year_out_of_range": "1800",
    "raw_missing": "原始数据目录不存在",  # and no processed data either: see the rule below
    "jobs_zero": "--jobs",
    "baseline_not_before": "对比年度 2024 应早于分析年度 2024",
    "baseline_without_data": "没有对比年度 2019 的数据",
}


@pytest.mark.parametrize("case", list(BAD_PARAMETERS))
def test_run_rejects_bad_parameters_before_any_kernel(tmp_path, case):
    expect = BAD_PARAMETERS[case]
    raw = tmp_path / "raw"
    _layout_a(raw, MARKET, "重庆市大渡口区市场监督管理局", [("行政处罚案件数", "件", 300)])
    args = {"year": "2024", "raw": str(raw), "jobs": "2", "baseline": None}
    if case == "year_out_of_range":
        args["year"] = "1800"
    elif case == "raw_missing":
        args["raw"] = str(tmp_path / "no_such_dir")
    elif case == "jobs_zero":
        args["jobs"] = "0"
    else:
        args["baseline"] = "2024" if case == "baseline_not_before" else "2019"
    out = tmp_path / "reports"
    cmd = ["run", "--year", args["year"], "--raw", args["raw"], "--processed", str(tmp_path / "processed"),
           "--out", str(out), "--jobs", args["jobs"], "--notebooks", str(_notebook_dir(tmp_path)), "--quiet"]
    if args["baseline"]:
        cmd += ["--baseline-year", args["baseline"]]
    start = time.perf_counter()
    res = _cli(*cmd, cwd=tmp_path, timeout=60)
    elapsed = time.perf_counter() - start
    assert res.returncode == 2, (res.stdout, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("错误：") and expect in lines[0], lines[0]
    if case == "raw_missing":
        assert "no_such_dir" in lines[0]
    assert "Traceback" not in res.stderr + res.stdout
    assert elapsed < 10, f"{elapsed:.1f} s: a kernel was probably started"
    assert not list(out.rglob("*.ipynb")) and not list(out.rglob("run.json"))  # nothing ran
    assert not (tmp_path / "processed" / "2024").exists()  # nothing was cleaned either


def test_one_rule_a_missing_raw_folder_with_processed_data_runs_on_them(tmp_path):
    """``run --raw /nope`` and a missing ``data/raw/2023`` are the same case: the processed table is used
    (with a notice saying so); with neither, the error names both folders."""
    processed = tmp_path / "processed"
    (processed / "2024").mkdir(parents=True)
    (processed / "2024" / "indicators.parquet").write_bytes(b"")
    f = Project(tmp_path / "nope", processed, tmp_path / "reports")
    year, base, notices = runner.validate(2024, None, f, 2)
    assert (year, base) == (2024, None)
    assert notices == [f"提示：没有原始数据目录 {tmp_path / 'nope' / '2024'}，使用已有的清洗结果 {processed / '2024'}"]
    with pytest.raises(ParameterError) as info:
        runner.validate(2022, None, f, 2)
    assert str(tmp_path / "nope" / "2022") in info.value.reason and str(processed / "2022") in info.value.reason


def _fake_execute(nb_path: str, out_dir: str, params: dict) -> runner.NotebookResult:
    return runner.NotebookResult(Path(nb_path).name, "failed" if "b" in Path(nb_path).stem else "ok", 1.25)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("progress, terminal, lines", [(None, True, 2), (None, False, 0), (False, True, 0),
                                                        (True, False, 2)])
def test_one_progress_line_per_finished_notebook_in_a_terminal_only(tmp_path, monkeypatch, progress, terminal, lines):
    monkeypatch.setattr(runner, "_execute", _fake_execute)
    err = _Terminal() if terminal else io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    books = [tmp_path / "a.ipynb", tmp_path / "b.ipynb"]
    results = runner._run_notebooks(books, tmp_path / "stage", 2024, None, tmp_path, tmp_path, tmp_path / "reports", 2,
                                     progress)
    assert [r.notebook for r in results] == ["a.ipynb", "b.ipynb"]
    shown = err.getvalue().splitlines()
    assert len(shown) == lines
    if lines:  # in the order they finish
        assert [line.split(" ", 1)[0] for line in shown] == ["[1/2]", "[2/2]"]
        assert sorted(line.split(" ", 1)[1] for line in shown) == ["a.ipynb 完成（1.2 秒）", "b.ipynb 失败（1.2 秒）"]


# ------------------------------------------------------------------------------ 2. acceptance
def build_problem_year(raw: Path) -> None:
    """2024 workbooks with one or two planted problems of each kind, and a small 2023 baseline."""
    # target shortfall (渝快办满意率 95% < 100) and a rejected cell (待统计)
    _layout_a(raw, GOV_SERVICE, "重庆市大渡口区政务服务管理办公室",
              [("渝快办满意率", "%", "95%"), ("渝快办评价率", "%", "待统计"), ("川渝通办事项办理数", "件", 1200)])
    # 区司法局: low derived rate (50/100), rate ≠ counts (8/(10+0) = 80% vs 100% reported),
    # a Layout B sheet whose 合计 ≠ sum, with 跳磴镇 at 0
    sfj = org_line("重庆市大渡口区司法局", f"{YEAR + 1}年1月14日")
    write_xlsx(raw / JUSTICE, {
        "公共法律服务": layout_a_grid(sfj, [("法律援助受理数", "件", 100), ("法律援助办结数", "件", 50)],
                                  header=_header(YEAR), title=_title(YEAR)),
        "行政复议": layout_a_grid(None, [("行政复议受理数", "件", 10), ("行政复议上年结转数", "件", 0),
                                     ("行政复议审结数", "件", 8), ("行政复议办结率", "%", "100%")],
                              header=_header(YEAR), title="行政复议工作情况"),
        "镇街综合行政执法": layout_b_grid(None, ["镇街", "镇街综合行政执法案件数（件）"],
                                    list(zip(TOWNS, TOWN_CASES)), total=[TOWN_TOTAL],
                                    title=f"{YEAR}年镇街综合行政执法情况统计表"),
    })
    # the same figure twice: 八桥镇's own workbook (30) vs its row in the 区司法局 matrix (27) …
    _layout_a(raw, BAQIAO, "大渡口区八桥镇人民政府", [("综合行政执法案件数", "件", 30)])
    # … and a uniquely named indicator sent by two departments (120 vs 118)
    _layout_a(raw, GOV, "重庆市大渡口区人民政府", [("人大建议办理数", "件", 120)])
    _layout_a(raw, GOV_OFFICE, "重庆市大渡口区人民政府办公室",
              [("人大建议办理数", "件", 118), ("主动公开政府信息条数", "条", 3500)])
    # adverse move 579 → 300 and implausible jump 50万元 → 900万元
    _layout_a(raw, MARKET, "重庆市大渡口区市场监督管理局", [("行政处罚案件数", "件", 300), ("罚款金额", "万元", 900)])
    _layout_a(raw, MARKET_BASE, "重庆市大渡口区市场监督管理局",
              [("行政处罚案件数", "件", 579), ("罚款金额", "万元", 50)], year=BASE)
    # a corrupt workbook; and no 区审计局 file at all
    (raw / BAD).write_bytes(b"PK\x03\x04" + b"\x00junk, not a workbook\xff" * 40)


def _one(findings: pd.DataFrame, rule: str, org: str, area: str = "", codes: set[str] | None = None) -> pd.Series:
    hit = findings[(findings["rule"] == rule) & (findings["org"] == org) & (findings["area"] == area)]
    if codes is not None:
        hit = hit[[set(filter(None, c.split(";"))) == codes for c in hit["codes"]]]
    assert len(hit) == 1, (rule, org, area, codes, findings[["rule", "org", "area", "codes"]].to_string())
    return hit.iloc[0]


def _cite(rel: str, sheet: str, cell: str) -> str:
    return f"{rel}!{sheet}!{cell}"


@pytest.mark.slow
def test_run_finds_every_planted_problem(tmp_path):
    raw, processed, out = tmp_path / "raw", tmp_path / "processed", tmp_path / "reports"
    build_problem_year(raw)
    nb_dir = _notebook_dir(tmp_path)
    res = _cli("run", "--year", str(YEAR), "--raw", str(raw), "--processed", str(processed), "--out", str(out),
               "--notebooks", str(nb_dir), cwd=tmp_path)
    # a corrupt workbook is a logged problem (a data_quality finding), not a failed run
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    # the unreadable workbook is a finding, not a failed run, but the run says so in one line
    assert [ln for ln in res.stderr.splitlines() if ln.startswith("警告：")] == [
        ln for ln in res.stderr.splitlines() if "bad.xlsx" in ln and ln.startswith("警告：无法读取 2024/bad.xlsx")]
    assert "警告：无法读取 2024/bad.xlsx" in res.stderr
    year_out = out / str(YEAR)
    run = json.loads((year_out / "run.json").read_text(encoding="utf-8"))
    assert run["baseline_year"] == BASE  # picked up automatically: raw/2023 exists
    assert run["notebooks"]["diagnostics.ipynb"]["status"] == "ok"
    assert (year_out / "diagnostics.html").is_file()

    csv_path, json_path = year_out / "findings.csv", year_out / "findings.json"
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")
    f = pd.read_csv(csv_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(f.columns) == COLUMNS
    assert json.loads(json_path.read_text(encoding="utf-8")) == f.to_dict(orient="records")
    with pd.option_context("display.width", 250, "display.max_colwidth", 90, "display.max_rows", 200):
        print(f[["rule", "severity", "org", "area", "codes", "evidence"]].to_string())

    # target shortfall
    t = _one(f, "target_shortfall", "区政务服务管理办公室", codes={"yukuaiban_satisfaction_rate"})
    assert t["cells"] == _cite(GOV_SERVICE, "Sheet1", "D4") and "95%" in t["evidence"]
    assert (f["rule"] == "target_shortfall").sum() == 1
    # low derived rates: 50/100 < 80 (法律援助) and 8/(10+0) = 80% < 90 (行政复议)
    la = _one(f, "low_derived_rate", "区司法局", codes={"legal_aid_closed", "legal_aid_accepted"})
    assert "50%" in la["evidence"] and "80%的预警线" in la["evidence"]
    rc = _one(f, "low_derived_rate", "区司法局", codes={"recon_concluded", "recon_accepted", "recon_carried_over"})
    assert "80%" in rc["evidence"] and "90%的预警线" in rc["evidence"]
    # reported 行政复议办结率 100% vs 80% from its counts
    ri = _one(f, "rate_inconsistent", "区司法局",
              codes={"recon_closure_rate", "recon_concluded", "recon_accepted", "recon_carried_over"})
    assert ri["cells"].split(";")[0] == _cite(JUSTICE, "行政复议", "D6") and "80%" in ri["evidence"]
    # 合计 250 ≠ 237
    tm = _one(f, "total_mismatch", "区司法局", codes={"town_enforcement_cases"})
    assert "250" in tm["evidence"] and "237" in tm["evidence"]
    assert tm["cells"].split(";")[0] == _cite(JUSTICE, "镇街综合行政执法", "B11")
    # the same figure reported twice with different values
    cv = _one(f, "conflicting_values", "区司法局", area="八桥镇", codes={"town_enforcement_cases"})
    assert set(cv["cells"].split(";")) == {_cite(BAQIAO, "Sheet1", "D4"), _cite(JUSTICE, "镇街综合行政执法", "B8")}
    cv2 = _one(f, "conflicting_values", "区政府", codes={"npc_suggestions_handled"})  # the catalog's owner
    assert set(cv2["cells"].split(";")) == {_cite(GOV, "Sheet1", "D4"), _cite(GOV_OFFICE, "Sheet1", "D4")}
    assert cv["category"] == cv2["category"] == "统筹协调"  # between units
    assert (f["rule"] == "conflicting_values").sum() == 2
    # 跳磴镇 at 0 while the other seven have ≥ 16: the only town flagged
    tz = _one(f, "town_zero_or_lagging", "区司法局", area="跳磴镇", codes={"town_enforcement_cases"})
    assert tz["severity"] == "高" and tz["cells"].split(";")[0] == _cite(JUSTICE, "镇街综合行政执法", "B10")
    assert (f["rule"] == "town_zero_or_lagging").sum() == 1
    # no 区审计局 workbook: its catalog codes are listed; exactly the expected units that sent nothing
    cat = load_catalog()
    audit_codes = set(cat.indicators.loc[cat.indicators["org"] == "区审计局", "code"])
    assert "audit_projects" in audit_codes
    ms = _one(f, "missing_submission", "区审计局", codes=audit_codes)
    assert ms["severity"] == "高" and ms["cells"] == ""
    missing = set(f.loc[f["rule"] == "missing_submission", "org"])
    assert missing == set(cat.expected_orgs()) - SENDERS
    # year on year: 579 → 300 adverse; 50万元 → 900万元 implausible (and not also "adverse")
    ya = _one(f, "yoy_adverse", "区市场监管局", codes={"market_penalty_cases"})
    assert "579" in ya["evidence"] and "300" in ya["evidence"]
    assert set(ya["cells"].split(";")) == {_cite(MARKET, "Sheet1", "D4"), _cite(MARKET_BASE, "Sheet1", "D4")}
    yi = _one(f, "yoy_implausible", "区市场监管局", codes={"market_fines"})
    assert "18倍" in yi["evidence"]
    assert set(f.loc[f["rule"] == "yoy_adverse", "codes"]) == {"market_penalty_cases"}
    # data quality: the corrupt workbook (file only) and the rejected 待统计 cell
    bad = _one(f, "data_quality", "", codes=set())
    assert BAD in bad["evidence"] and bad["cells"] == "" and bad["severity"] == "高"
    rej = _one(f, "data_quality", "区政务服务管理办公室", codes=set())
    assert rej["cells"] == _cite(GOV_SERVICE, "Sheet1", "D5") and "待统计" in rej["evidence"]

    # every cited cell is in a file of RAW (source_file is relative to it) and holds a value
    books: dict[str, object] = {}
    for row in f.itertuples():
        for cite in filter(None, row.cells.split(";")):
            rel, sheet, cell = cite.rsplit("!", 2)
            assert (raw / rel).is_file(), (row.rule, cite)
            if rel not in books:
                books[rel] = load_workbook(raw / rel, read_only=False)
            assert books[rel][sheet][cell].value not in (None, ""), (row.rule, cite)
        if row.rule == "data_quality" and not row.cells:  # an unreadable file: cited by name only
            assert BAD in row.evidence and (raw / BAD).is_file()


# ------------------------------------------------------------------------------ 3. a failing notebook
def _failing_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('year = 2023\nbaseline_year = None\nraw_dir = ""\nprocessed_dir = ""\n'
                                       'output_dir = ""')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell('raise ValueError("测试")')]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


@pytest.mark.slow
def test_failed_notebook_is_kept_and_the_run_exits_1(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "reports"
    _layout_a(raw, MARKET, "重庆市大渡口区市场监督管理局", [("行政处罚案件数", "件", 300)])
    nb_dir = _notebook_dir(tmp_path, ("fails.ipynb", _failing_notebook()))
    res = _cli("run", "--year", str(YEAR), "--raw", str(raw), "--processed", str(tmp_path / "processed"),
               "--out", str(out), "--notebooks", str(nb_dir), "--jobs", "2", "--quiet", cwd=tmp_path)
    assert res.returncode == 1, (res.stdout, res.stderr)
    named = [line for line in res.stderr.splitlines() if "fails.ipynb" in line]
    assert len(named) == 1 and named[0].startswith("笔记本失败：fails.ipynb") and "ValueError: 测试" in named[0]
    assert "diagnostics.ipynb" not in res.stderr and "Traceback" not in res.stderr
    assert "1/2" in res.stdout

    year_out = out / str(YEAR)
    kept = nbformat.read(str(year_out / "fails.ipynb"), as_version=4)
    errors = [o for c in kept.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert [(e["ename"], e["evalue"]) for e in errors] == [("ValueError", "测试")]
    assert (year_out / "fails.html").is_file()  # exported too, so the error can be read in a browser
    assert (year_out / "diagnostics.ipynb").is_file() and (year_out / "diagnostics.html").is_file()
    assert (year_out / "findings.csv").is_file()

    run = json.loads((year_out / "run.json").read_text(encoding="utf-8"))["notebooks"]
    assert run["fails.ipynb"]["status"] == "failed" and "ValueError: 测试" in run["fails.ipynb"]["error"]
    assert run["diagnostics.ipynb"]["status"] == "ok" and run["diagnostics.ipynb"]["error"] == ""
    assert run["diagnostics.ipynb"]["html"] == "diagnostics.html"


@pytest.mark.slow
def test_full_run_on_the_bundled_data(tmp_path):
    """The acceptance run of the notebooks issue: every notebook, HTML, ≥ 6 charts, no error, no missing glyph."""
    processed, out = tmp_path / "processed", tmp_path / "reports"
    res = _cli("run", "--year", "2023", "--raw", str(ROOT / "data" / "raw"), "--processed", str(processed),
               "--out", str(out), "--quiet", cwd=ROOT, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    assert res.stderr == ""  # quiet under cron: no kernel chatter, no warnings
    year_dir = out / "2023"
    books = sorted(p.stem for p in year_dir.glob("*.ipynb"))
    assert len(books) >= 7 and books == sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))
    assert sorted(p.stem for p in year_dir.glob("*.html") if p.stem != "report") == books  # report.html: issue 8
    for name in books:  # pages for readers: charts with alt text, Chinese tables without index, no hidden-cell talk
        html = (year_dir / f"{name}.html").read_text(encoding="utf-8")
        assert 'lang="zh"' in html and "参数见" not in html and "No description" not in html, name
        assert all(alt.strip() for alt in re.findall(r'<img [^>]*alt="([^"]*)"', html)), name
        assert "&lt;Figure size" not in html and "<Figure size" not in html, name  # every chart drawn, none as its repr
        assert not re.findall(r"""(?:src|href)=["']?(?:https?:)?//""", html), name  # nothing fetched from the network
        notebook = (year_dir / f"{name}.ipynb").read_text(encoding="utf-8")
        assert "new-run" not in notebook and "new-run" not in html, name  # the staging folder is never named …
        assert f'output_dir = \\"{out.resolve()}\\"' in notebook, name  # … the parameter is the reports folder
        assert html.count("<img") == len(re.findall(r'<img [^>]*alt="', html)), name
        tables = re.findall(r'<table [^>]*class="fz-table.*?</table>', html, re.S)
        assert tables and html.count("<table") == len(tables), name  # every table is a reader's table
        for table in tables:
            heads = re.findall(r"<th\s[^>]*>(.*?)</th>", table, re.S)
            assert heads and all(re.search("[\u4e00-\u9fff]", h) for h in heads), (name, heads)
            assert "row_heading" not in table and ">True<" not in table and ">False<" not in table, name
    record = json.loads((year_dir / "run.json").read_text(encoding="utf-8"))
    pngs = sorted(p.relative_to(year_dir).as_posix() for p in (year_dir / "figures").glob("*.png"))
    assert len(pngs) >= 6 and record["figures"] == pngs  # the run lists the charts it wrote …
    assert "figures/s1_towns.png" not in pngs and "figures/s1_rates.png" not in pngs  # … and no placeholder
    assert {"figures/s4_trends.png", "figures/scorecard.png"} <= set(pngs)  # trends and scores are charts too
    for name in books:
        nb = nbformat.read(str(year_dir / f"{name}.ipynb"), as_version=4)
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
        assert not [o for o in outputs if o.output_type == "error"], name
        text = json.dumps(outputs, ensure_ascii=False)
        assert "missing from font" not in text and "Glyph" not in text, name
    assert record["baseline_year"] == 2022
    assert {v["status"] for v in record["notebooks"].values()} == {"ok"}
    findings = pd.read_csv(year_dir / "findings.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert {"legal_aid_closed;legal_aid_accepted", "criminal_legal_aid_closed;criminal_legal_aid_assigned"} <= set(
        findings.loc[findings["rule"] == "low_derived_rate", "codes"])


# ------------------------------------------------------------------------------ 5. runs under attack
def _descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (read from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.add(child)
            todo.append(child)
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _reports_digest(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _run_args(raw: Path, tmp_path: Path, nb_dir: Path) -> list[str]:
    return [sys.executable, "-m", "fzanalysis.cli", "run", "--year", str(YEAR), "--raw", str(raw), "--processed",
            str(tmp_path / "processed"), "--out", str(tmp_path / "reports"), "--notebooks", str(nb_dir), "--quiet"]


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc")
def test_a_killed_run_leaves_no_process_and_the_previous_reports_whole(tmp_path):
    raw = tmp_path / "raw"
    _layout_a(raw, MARKET, "重庆市大渡口区市场监督管理局", [("行政处罚案件数", "件", 300)])
    nb_dir = _notebook_dir(tmp_path, ("slow.ipynb", _sleeping_notebook(20)))
    first = subprocess.run(_run_args(raw, tmp_path, _notebook_dir(tmp_path / "one")), capture_output=True, text=True,
                           timeout=300)
    assert first.returncode == 0, first.stderr
    before = _reports_digest(tmp_path / "reports" / str(YEAR))
    # a temporary folder of this test's own, with a short path (the kernels' sockets live there)
    env = {**os.environ, "TMPDIR": tempfile.mkdtemp(prefix="fzk", dir="/tmp")}
    for moment in ("starting", "kernels running"):
        proc = subprocess.Popen(_run_args(raw, tmp_path, nb_dir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=env)
        seen: set[int] = set()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            seen |= _descendants(proc.pid)
            kernels = [p for p in seen if _alive(p) and "ipykernel" in Path(f"/proc/{p}/cmdline").read_text(errors="replace")]
            if moment == "starting" and seen or moment == "kernels running" and kernels:
                break
            time.sleep(0.2)
        assert seen, "the run started no worker"
        proc.kill()
        proc.wait()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_alive(p) for p in seen):
            time.sleep(0.3)
        assert [p for p in seen if _alive(p)] == [], moment
        assert _reports_digest(tmp_path / "reports" / str(YEAR)) == before, moment
    again = subprocess.run(_run_args(raw, tmp_path, _notebook_dir(tmp_path / "two")), capture_output=True, text=True,
                           timeout=300, env=env)
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == [".fzanalysis.lock", str(YEAR)]  # leftovers gone
    assert sorted(p.name for p in Path(env["TMPDIR"]).iterdir()) == []  # the killed workers' socket folders too
    os.rmdir(env["TMPDIR"])


def _sleeping_notebook(seconds: int) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(f"import time\ntime.sleep({seconds})")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


@pytest.mark.slow
def test_two_runs_on_one_folder_wait_for_each_other(tmp_path):
    raw = tmp_path / "raw"
    _layout_a(raw, MARKET, "重庆市大渡口区市场监督管理局", [("行政处罚案件数", "件", 300)])
    a = _notebook_dir(tmp_path / "a", ("a.ipynb", _sleeping_notebook(3)))
    b = _notebook_dir(tmp_path / "b", ("b.ipynb", _sleeping_notebook(3)))
    procs = [subprocess.Popen(_run_args(raw, tmp_path, nb), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for nb in (a, b)]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    year_out = tmp_path / "reports" / str(YEAR)
    record = json.loads((year_out / "run.json").read_text(encoding="utf-8"))
    last = set(record["notebooks"])
    assert last in ({"diagnostics.ipynb", "a.ipynb"}, {"diagnostics.ipynb", "b.ipynb"})
    # the earlier run's own notebook is carried over whole; the later run's run.json tells what it ran
    assert {"a.ipynb", "b.ipynb", "a.html", "b.html"} <= {p.name for p in year_out.iterdir()}
    assert not [p for p in (tmp_path / "reports").iterdir() if p.name.startswith(".2024.")]


def test_socket_folders_of_dead_workers_are_swept_and_no_others(tmp_path):
    """A killed worker leaves its kernel socket folder behind; the next run removes it, never the
    folder of a live process, nor anything else in the temporary folder."""
    from fzanalysis.runner import SOCKETS_PREFIX, sweep_socket_folders

    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(done.stdout)
    for name in (f"{SOCKETS_PREFIX}{dead}-abc123", f"{SOCKETS_PREFIX}{os.getpid()}-def456",
                 f"{SOCKETS_PREFIX}old9xyz", "someone-elses-folder"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "k-1").write_text("")
    assert sweep_socket_folders(tmp_path) == [f"{SOCKETS_PREFIX}{dead}-abc123"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"{SOCKETS_PREFIX}{os.getpid()}-def456", f"{SOCKETS_PREFIX}old9xyz", "someone-elses-folder"]


@pytest.mark.slow
def test_the_same_data_give_the_same_notebooks_and_pages(tmp_path):
    """Two runs on the same data: every file byte for byte the same but run.json (which records the
    seconds each notebook took) — no timings or random cell ids in the executed notebooks or pages."""
    raw = tmp_path / "raw"
    _layout_a(raw, MARKET, "重庆市大渡口区市场监督管理局", [("行政处罚案件数", "件", 300)])
    args = _run_args(raw, tmp_path, _notebook_dir(tmp_path))
    digests = []
    for _ in range(2):
        res = subprocess.run(args, capture_output=True, text=True, timeout=300)
        assert res.returncode == 0, res.stderr
        digests.append({k: v for k, v in _reports_digest(tmp_path / "reports" / str(YEAR)).items() if k != "run.json"})
    assert sorted(digests[0]) == ["diagnostics.html", "diagnostics.ipynb", "figures/findings.png", "findings.csv",
                                  "findings.json", "report.docx", "report.html", "report.md", "report_public.docx"]
    assert digests[0] == digests[1]
    nb = nbformat.reads(digests[0]["diagnostics.ipynb"].decode("utf-8"), as_version=4)
    assert "start_time" not in json.dumps(nb.metadata) and "injected-parameters" in [c.get("id") for c in nb.cells]
