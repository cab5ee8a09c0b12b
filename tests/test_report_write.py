"""fzanalysis.report.write and ``fzanalysis report``: the four files, their summary, identical bytes for the
same input, the public copy, the round trip through check-report, and the step at the end of ``run``."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import nbformat
import pytest
from docx import Document

from fzanalysis import commands
from fzanalysis.report.write import REPORT_FILES
from fzanalysis.store.project import open_project
from tests.report_fixtures import RAW, ROOT, drafts, processed, strip_comments  # noqa: F401


def test_four_files_and_the_summary(drafts):
    out, summary = drafts[2023]
    assert sorted(p.name for p in out.iterdir()) == sorted(REPORT_FILES)
    assert summary["title"] == "大渡口区2023年法治政府建设情况报告" and summary["baseline_year"] == 2022
    assert summary["figures"] >= 109 and summary["placeholders"] == []


def test_same_input_same_bytes(drafts, processed, tmp_path):
    out, _ = drafts[2023]
    commands.report(open_project(raw_dir=RAW, processed_dir=processed, output_dir=tmp_path), 2023)
    for name in REPORT_FILES:
        assert (tmp_path / "2023" / name).read_bytes() == (out / name).read_bytes(), name


def test_public_copy_same_text_without_comments_appendix_or_file_names(drafts):
    out, _ = drafts[2023]
    internal, public = Document(str(out / "report.docx")), Document(str(out / "report_public.docx"))
    assert len(list(public.comments)) == 0 and public.tables == []
    texts, inner = [p.text for p in public.paragraphs], [p.text for p in internal.paragraphs]
    part2 = texts.index("二、存在的问题和不足")
    assert texts[:part2] == inner[:part2]  # 一 the same; 二 and 三 differ only by the names of units
    assert len(texts) == inner.index("数据来源") - 1  # no page break, no appendix
    assert not any(".xlsx" in t for t in texts)


def test_the_public_copy_names_no_unit_in_its_problems_and_plans(drafts):
    """Issue 18 point 4: 镇街 and units are named in the internal copy only (report.public_names_units 否)."""
    from fzanalysis.core.catalog import load_catalog

    out, _ = drafts[2023]
    cat = load_catalog()
    names = set(cat.orgs["org"]) | set(cat.towns())
    part = {}
    for name in ("report.docx", "report_public.docx"):
        texts = [p.text for p in Document(str(out / name)).paragraphs]
        part[name] = "".join(texts[texts.index("二、存在的问题和不足"):texts.index("中共重庆市大渡口区委")])
    assert {"建胜镇", "茄子溪街道", "跳磴镇"} <= {n for n in names if n in part["report.docx"]}
    assert {n for n in names if n in part["report_public.docx"]} == set()
    assert "有的镇街执法全过程记录率为94.7%" in part["report_public.docx"]


@pytest.mark.parametrize("name", ["report.docx", "report.md"])
def test_round_trip_the_draft_checks_clean(drafts, processed, tmp_path, name):
    out, summary = drafts[2023]
    src = out / name
    if name.endswith(".docx"):
        src = strip_comments(src, tmp_path / "report_no_comments.docx")
        assert len(list(Document(str(src)).comments)) == 0
    df, _ = commands.check_report(open_project(raw_dir=RAW, processed_dir=processed, output_dir=tmp_path), src,
                                  2023).value
    assert df["status"].value_counts().to_dict() == {"一致": summary["figures"]}


def test_round_trip_2021_without_baseline(drafts, processed, tmp_path):
    out, summary = drafts[2021]
    df, _ = commands.check_report(open_project(raw_dir=RAW, processed_dir=processed, output_dir=tmp_path),
                                  out / "report.md", 2021).value
    assert df["status"].value_counts().to_dict() == {"一致": summary["figures"]}


def test_cli_report_prints_the_summary_and_placeholders(processed, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "fzanalysis.cli", "report", "--year", "2021", "--processed",
                           str(processed), "--raw", str(RAW), "--out", str(tmp_path)], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "缺数 3 处" in proc.stdout
    assert "缺数：【缺数：行政复议受理同比增长率（区司法局）】" in proc.stdout


def test_cli_report_bad_templates_dir_is_one_line(processed, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "fzanalysis.cli", "report", "--year", "2023", "--processed",
                           str(processed), "--raw", str(RAW), "--out", str(tmp_path), "--templates",
                           str(tmp_path / "无此目录")], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "模板目录不存在" in proc.stderr


@pytest.mark.slow
def test_run_writes_the_report_last_and_lists_it_in_run_json(processed, tmp_path):
    from fzanalysis.runner import run

    books = tmp_path / "notebooks"
    books.mkdir()
    cell = nbformat.v4.new_code_cell("year = 2023", metadata={"tags": ["parameters"]})
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), str(books / "overview.ipynb"))
    run(open_project(raw_dir=RAW, processed_dir=processed, output_dir=tmp_path / "reports"), 2023, jobs=1,
        notebooks_dir=books, progress=False)
    record = json.loads((tmp_path / "reports" / "2023" / "run.json").read_text(encoding="utf-8"))
    assert record["report"]["status"] == "ok" and record["report"]["files"] == list(REPORT_FILES)
    assert record["report"]["figures"] >= 109 and record["report"]["placeholders"] == []
    for name in REPORT_FILES:
        assert (tmp_path / "reports" / "2023" / name).exists()


def test_cli_report_template_error_is_one_line_with_file_and_line(processed, tmp_path):
    templates = tmp_path / "模板"
    templates.mkdir()
    (templates / "s2.j2").write_text("### （二）测试。\n全年{{ fig('chuanyu_tongban_handled') }}，\n{{ 1//0 }}\n",
                                     encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "fzanalysis.cli", "report", "--year", "2023", "--processed",
                           str(processed), "--raw", str(RAW), "--out", str(tmp_path / "out"), "--templates",
                           str(templates)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and str(templates / "s2.j2") in proc.stderr and "第3行" in proc.stderr
    assert not (tmp_path / "out" / "2023").exists()


def test_run_whose_report_fails_exits_1_says_so_and_keeps_no_previous_report(processed, tmp_path, monkeypatch, capsys):
    """The notebooks' pages are kept, the report's failure is one line and the exit status; the previous
    run's report.* do not stay beside the new pages as if they were current (the analyst's own files do)."""
    from fzanalysis import cli, runner
    from fzanalysis.report import draft

    out = tmp_path / "reports"
    (out / "2023").mkdir(parents=True)
    for name in REPORT_FILES:
        (out / "2023" / name).write_text("上一次运行的报告", encoding="utf-8")
    (out / "2023" / "备注.txt").write_text("分析员自己的文件", encoding="utf-8")
    books = tmp_path / "notebooks"
    books.mkdir()
    (books / "overview.ipynb").write_text("{}", encoding="utf-8")

    def notebooks(books, stage, year, *rest):
        (stage / str(year)).mkdir(parents=True)
        (stage / str(year) / "overview.html").write_text("本次运行的页面", encoding="utf-8")
        return [runner.NotebookResult("overview.ipynb", "ok", 0.5, html="overview.html")]

    broken = tmp_path / "templates"
    broken.mkdir()
    (broken / "report.j2").write_text("# 题目\n{{ 1//0 }}\n", encoding="utf-8")
    monkeypatch.setattr(runner, "_run_notebooks", notebooks)
    monkeypatch.setattr(draft, "REPORT_TEMPLATES", broken)
    code = cli.main(["run", "--year", "2023", "--raw", str(tmp_path / "raw"), "--processed", str(processed),
                     "--out", str(out), "--notebooks", str(books), "--quiet"])
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    failed = [line for line in err if line.startswith("报告初稿生成失败：")]
    assert len(failed) == 1 and str(broken / "report.j2") in failed[0] and "第2行" in failed[0], err
    assert sorted(p.name for p in (out / "2023").iterdir()) == ["overview.html", "run.json", "备注.txt"]
    record = json.loads((out / "2023" / "run.json").read_text(encoding="utf-8"))
    assert record["report"]["status"] == "failed" and "第2行" in record["report"]["error"]
    assert record["notebooks"]["overview.ipynb"]["status"] == "ok"


def test_run_prints_the_reports_line_with_its_todos_and_gaps(processed, tmp_path, monkeypatch, capsys):
    """Issue 18 point 5: ``fzanalysis run`` names the draft — its files, figures cited, 待补充 and 缺数 — not only
    in run.json."""
    from fzanalysis import cli, runner

    books = tmp_path / "notebooks"
    books.mkdir()
    (books / "overview.ipynb").write_text("{}", encoding="utf-8")

    def notebooks(books, stage, year, *rest):
        (stage / str(year)).mkdir(parents=True)
        return [runner.NotebookResult("overview.ipynb", "ok", 0.5)]

    monkeypatch.setattr(runner, "_run_notebooks", notebooks)
    out = tmp_path / "reports"
    code = cli.main(["run", "--year", "2021", "--raw", str(tmp_path / "raw"), "--processed", str(processed),
                     "--out", str(out), "--notebooks", str(books), "--quiet"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    line = next(x for x in lines if "报告初稿共" in x)
    assert "缺数 3 处" in line and "待补充 4 处" in line and "report_public.docx" in line and str(out / "2021") in line
    assert "  缺数：【缺数：行政复议受理同比增长率（区司法局）】" in lines
    assert "  待补充：【待补充：成文日期】" in lines


def test_a_summary_dropped_into_the_year_appears_cited_its_wrong_figure_is_a_finding(tmp_path):
    """Issue 18, done when: a department 总结 (.docx) dropped into data/raw/2023/总结/ appears under the right
    section, cited by file and paragraph; a figure in it that disagrees with the unit's workbook is a finding; a
    paragraph no section takes is listed."""
    from docx import Document as NewDocument

    from fzanalysis.analysis.diagnostics import year_findings
    from fzanalysis.store.data import load_narrative, open_year, run_clean
    from tests.xlsx_factory import copy_bundled_year

    raw = copy_bundled_year(tmp_path)
    shutil.copytree(RAW / "2022", raw / "2022")
    doc = NewDocument()
    for text in ("大渡口区应急管理局2023年法治工作总结",
                 "聚焦危险化学品和工贸企业开展安全生产执法检查，推行执法检查与帮扶指导同步进行。",
                 "全年共排查安全隐患450处，全部督促整改到位。",
                 "机关食堂完成升级改造，干部职工就餐环境明显改善。"):
        doc.add_paragraph(text)
    name = "应急局2023年工作总结.docx"
    doc.save(str(raw / "2023" / "总结" / name))
    processed, out = tmp_path / "processed", tmp_path / "reports"
    project = open_project(raw_dir=raw, processed_dir=processed, output_dir=out)
    run_clean(project, progress=False)
    outcome = commands.report(project, 2023)
    summary = outcome.value
    md = (out / "2023" / "report.md").read_text(encoding="utf-8")
    part4 = md.split("**（四）")[1].split("**（五）")[0]
    n = next(int(k) for k, src in re.findall(r"^\[\^(\d+)\]: (.*)$", md, flags=re.M) if src == f"2023/总结/{name}!段落2")
    assert f"推行执法检查与帮扶指导同步进行。[^{n}]" in part4  # under （四）, cited by file and paragraph
    assert "450处" not in md and "机关食堂" not in md  # the wrong figure's sentence and the unplaced paragraph
    assert summary["unplaced"] == 2  # this one and the bundled 区司法局 summary's
    listed = load_narrative(2023, project=project)
    row = listed[(listed["source_file"] == f"2023/总结/{name}") & (listed["where"] == "段落4")].iloc[0]
    assert (row["outcome"], row["section"]) == ("kept", "") and row["reason"].startswith("未能归入报告章节")
    findings = year_findings(open_year(2023, 2022, project=project))
    hit = findings[findings["rule"] == "narrative_figure"]
    assert hit["org"].tolist() == ["区应急管理局"] and "450处" in hit["evidence"].item() and "441处" in hit["evidence"].item()
    assert hit["cells"].item().startswith(f"2023/总结/{name}!段落3;")
    lines = outcome.lines
    assert any("另有 2 段工作情况未能归入报告章节" in line for line in lines)
