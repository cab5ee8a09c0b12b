"""Command line: ``fzanalysis clean | run | catalog | report | check-report`` (DESIGN.md §5).

Exit status 0 on success; non-zero with one line per problem on failure, never a traceback
for bad input.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import FzError
from .sanitize import printable

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="fzanalysis", description="法治政府建设情况报告数据分析")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("clean", help="清洗部门报送的工作簿，生成指标表和清洗日志")
    c.add_argument("--raw", type=Path, default=Path("data/raw"), help="原始数据目录（含年份子目录）")
    c.add_argument("--out", type=Path, default=Path("data/processed"), help="输出目录")
    c.add_argument("--year", type=int, default=None, help="只清洗该年份（默认：全部年份目录）")
    c.add_argument("--max-uncompressed-mb", type=int, default=200, help="单个工作簿解压后大小上限（MB）")
    c.add_argument("--max-cells", type=int, default=2_000_000, help="单个工作表单元格数上限")
    c.add_argument("--quiet", action="store_true", help="不显示进度条")

    r = sub.add_parser("run", help="运行各章节分析笔记本（papermill），输出 HTML 报告和问题清单")
    r.add_argument("--year", type=int, required=True, help="分析年度")
    r.add_argument("--baseline-year", type=int, default=None, help="对比年度（默认：上一年，如有数据）")
    r.add_argument("--raw", type=Path, default=Path("data/raw"), help="原始数据目录")
    r.add_argument("--processed", type=Path, default=Path("data/processed"), help="清洗结果目录")
    r.add_argument("--out", type=Path, default=Path("reports"), help="报告输出目录")
    r.add_argument("--jobs", type=int, default=2, help="同时运行的笔记本数（默认 2）")
    r.add_argument("--notebooks", type=Path, default=None, help="笔记本目录（默认：项目的 notebooks/）")
    r.add_argument("--quiet", action="store_true", help="不显示进度条")

    sub.add_parser("catalog", help="显示指标目录")
    _add_report_parsers(sub)
    _add_loop_parsers(sub)
    return p


def _add_report_parsers(sub) -> None:
    """``report`` and ``check-report`` (DESIGN.md §5)."""
    rp = sub.add_parser("report", help="生成报告初稿（.md/.docx/.html，每个数字注明出处）")
    rp.add_argument("--year", type=int, required=True, help="报告年度")
    rp.add_argument("--baseline-year", type=int, default=None, help="对比年度（默认：上一年，如有数据）")
    rp.add_argument("--processed", type=Path, default=Path("data/processed"), help="清洗结果目录")
    rp.add_argument("--raw", type=Path, default=Path("data/raw"), help="原始数据目录（清洗结果过期时重新清洗）")
    rp.add_argument("--out", type=Path, default=Path("reports"), help="报告输出目录")
    rp.add_argument("--templates", type=Path, default=None, help="措辞模板目录，其中的同名文件覆盖自带模板")

    ck = sub.add_parser("check-report", help="核对成稿（.docx/.md/.txt）中的数字与数据是否一致")
    ck.add_argument("file", type=Path, help="成稿文件")
    ck.add_argument("--year", type=int, required=True, help="报告年度")
    ck.add_argument("--baseline-year", type=int, default=None, help="对比年度（默认：上一年，如有数据）")
    ck.add_argument("--processed", type=Path, default=Path("data/processed"), help="清洗结果目录")
    ck.add_argument("--raw", type=Path, default=Path("data/raw"), help="原始数据目录")
    ck.add_argument("--out", type=Path, default=Path("reports"), help="输出目录（写 <out>/<年度>/report_check.csv）")
    ck.add_argument("--org", default="", help="只按该填报单位的数据核对（部门、镇街自己的总结）")


def _add_loop_parsers(sub) -> None:
    """The yearly loop: ``template``, ``status``, ``feedback``, ``scorecard``."""
    t = sub.add_parser("template", help="按单位生成填报模板（.xlsx，每个应报单位一份）")
    t.add_argument("--year", type=int, required=True, help="填报年度")
    t.add_argument("--out", type=Path, required=True, help="模板输出目录")
    t.add_argument("--org", default="", help="只生成该单位的模板（单位名称或别名）")
    t.add_argument("--processed", type=Path, default=Path("data/processed"), help="清洗结果目录（上年数据预填）")
    t.add_argument("--raw", type=Path, default=Path("data/raw"), help="原始数据目录")

    st = sub.add_parser("status", help="报送跟踪：每个应报单位是否报送、采用哪份文件、缺报哪些指标")
    st.add_argument("--year", type=int, required=True, help="年度")
    st.add_argument("--processed", type=Path, default=Path("data/processed"), help="清洗结果目录")
    st.add_argument("--raw", type=Path, default=Path("data/raw"), help="原始数据目录")
    st.add_argument("--out", type=Path, default=Path("reports"), help="输出目录（写 <out>/<年度>/status.csv）")

    fb = sub.add_parser("feedback", help="给每个需要核对的单位生成核对反馈表（.xlsx）")
    fb.add_argument("--year", type=int, required=True, help="年度")
    fb.add_argument("--out", type=Path, required=True, help="反馈表输出目录")
    fb.add_argument("--processed", type=Path, default=Path("data/processed"), help="清洗结果目录")
    fb.add_argument("--raw", type=Path, default=Path("data/raw"), help="原始数据目录")


def _cmd_template(args: argparse.Namespace) -> int:
    from .template import write_templates

    paths = write_templates(args.year, args.out, args.org or None, args.processed, args.raw)
    for path in paths:
        print(printable(str(path)))
    print(f"{args.year}: {len(paths)} 份填报模板 → {args.out}")
    return EXIT_OK


def _cmd_status(args: argparse.Namespace) -> int:
    from .status import summary_lines, write_status

    status, path = write_status(args.year, args.processed, args.raw, args.out)
    print(printable("\n".join(summary_lines(status, args.year, path))))
    return EXIT_OK


def _cmd_feedback(args: argparse.Namespace) -> int:
    from .feedback import write_feedback

    paths = write_feedback(args.year, args.out, args.processed, args.raw)
    for path in paths:
        print(printable(str(path)))
    print(f"{args.year}: {len(paths)} 个单位有需要核对的问题 → {args.out}")
    return EXIT_OK


LOOP_HANDLERS = {"template": _cmd_template, "status": _cmd_status, "feedback": _cmd_feedback}


def _cmd_report(args: argparse.Namespace) -> int:
    from .report_run import summary_lines, write_report

    summary = write_report(args.year, args.baseline_year, args.processed, args.out, args.templates, args.raw)
    print("\n".join(summary_lines(summary)))
    return EXIT_OK


def _cmd_check_report(args: argparse.Namespace) -> int:
    from .check_report import WRONG, check_file, summary_lines

    df, out = check_file(args.file, args.year, args.baseline_year, args.processed, args.out, args.org, args.raw)
    print("\n".join(summary_lines(df, out)))
    return EXIT_FAILED if (df["status"] == WRONG).any() else EXIT_OK


def _cmd_clean(args: argparse.Namespace) -> int:
    from .clean import GRID_WARNING, run_clean
    from .workbook import Limits

    limits = Limits(max_uncompressed=args.max_uncompressed_mb * 1024 * 1024, max_cells=args.max_cells)
    results = run_clean(args.raw, args.out, args.year, limits=limits, progress=False if args.quiet else None)
    status = EXIT_OK
    for r in results:
        counts = r.outcomes()
        files = sum(e["event"] == "ledger" for e in r.events)
        print(printable(f"{r.year}: {files} 个文件，保留 {len(r.rows)} 个数值，"
                        f"拒收 {counts['rejected']}，搁置 {counts['set_aside']}，"
                        f"未匹配指标 {len(r.unmapped_rows)} → {Path(args.out) / str(r.year)}"))
        for e in r.events:
            if e["event"] == "skipped_sheet" and e["reason"].startswith(GRID_WARNING):
                print(printable(f"警告：{e['file']}!{e['sheet']}: {e['reason']}"), file=sys.stderr)
        for line in r.failed:
            print(printable(f"无法读取：{line}"), file=sys.stderr)
            status = EXIT_FAILED
    return status


def _cmd_run(args: argparse.Namespace) -> int:
    from .runner import run

    results = run(args.year, args.baseline_year, args.raw, args.processed, args.out, args.jobs,
                  args.notebooks, progress=False if args.quiet else None)
    failed = [r for r in results if r.status != "ok"]
    out = Path(args.out) / str(args.year)
    log_file = Path(args.processed) / str(args.year) / "cleaning_log.csv"
    if log_file.exists():  # a workbook that could not be read is a finding, not a failed run: warn, exit 0
        from .data import load_log

        log = load_log(args.year, args.processed)
        for row in log[log["event"].isin(["unreadable_workbook", "workbook_too_large", "outside_raw"])].itertuples():
            print(printable(f"警告：无法读取 {row.file}: {row.reason}"), file=sys.stderr)
    print(f"{args.year}: {len(results) - len(failed)}/{len(results)} 个笔记本运行成功 → {out}")
    for r in failed:
        print(printable(f"笔记本失败：{r.notebook}: {r.error}"), file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


CATALOG_HEADINGS = {"section": "章节", "code": "代码", "name": "指标", "org": "常规填报单位", "unit": "单位",
                    "kind": "类型", "direction": "方向", "target": "目标值", "framework_area": "纲要体系"}


def _cmd_catalog(args: argparse.Namespace) -> int:
    import pandas as pd

    from .catalog import load_catalog

    table = load_catalog().table()
    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                           "display.unicode.east_asian_width", True):
        shown = table.drop(columns=["aliases"]).astype(object).where(table.notna(), "")
        print(shown.rename(columns=CATALOG_HEADINGS).to_string(index=False))
    print(f"共 {len(table)} 个指标")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handlers = {"clean": _cmd_clean, "run": _cmd_run, "catalog": _cmd_catalog, "report": _cmd_report,
                "check-report": _cmd_check_report, **LOOP_HANDLERS}
    try:
        return handlers[args.command](args)
    except FzError as exc:
        print(printable(f"错误：{exc.one_line()}"), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
