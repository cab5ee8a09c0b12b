"""Command line: ``fzanalysis clean | run | report | check-report | template | status | feedback | scorecard |
init | catalog`` (DESIGN.md §5).

The edge: arguments are parsed, the project's folders resolved once (:func:`fzanalysis.store.project.open_project`:
folders not given — ``--raw``, ``--processed``/``--out`` — are the project's: ``FZANALYSIS_HOME``, else the nearest
folder upwards from the working directory holding ``data/raw``), the command run (:mod:`fzanalysis.commands`: one
shell each) and its lines printed. Exit status 0 on success; non-zero with one line per problem on failure, never a
traceback for bad input.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__
from .core.errors import FzError
from .core.sanitize import MaskedStream, printable

__all__ = ["CATALOG_HEADINGS", "CATALOG_TERMINAL", "DEFAULT_MAX_REPORT_MB", "EXIT_FAILED", "EXIT_OK", "EXIT_USAGE",
           "LOOP_HANDLERS", "main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DEFAULT_MAX_REPORT_MB = 50  # ingest.document.DEFAULT_MAX_REPORT_BYTES, without importing the reader at start-up


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="fzanalysis", description="法治政府建设情况报告数据分析",
                                epilog="未指定的目录取项目文件夹中的：环境变量 FZANALYSIS_HOME，"
                                       "否则从当前目录向上第一个含 data/raw 的文件夹")
    p.add_argument("--version", action="version", version=f"fzanalysis {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("clean", help="清洗部门报送的工作簿，生成指标表和清洗日志")
    c.add_argument("--raw", type=Path, default=None, help="原始数据目录（含年份子目录；默认：项目的 data/raw）")
    c.add_argument("--out", type=Path, default=None, help="输出目录（默认：项目的 data/processed）")
    c.add_argument("--year", type=int, default=None, help="只清洗该年份（默认：全部年份目录）")
    c.add_argument("--max-uncompressed-mb", type=int, default=200, help="单个工作簿解压后大小上限（MB）")
    c.add_argument("--max-cells", type=int, default=2_000_000, help="单个工作表单元格数上限")
    c.add_argument("--quiet", action="store_true", help="不显示进度条")

    r = sub.add_parser("run", help="运行各章节分析笔记本（papermill），输出 HTML 报告和问题清单")
    r.add_argument("--year", type=int, required=True, help="分析年度")
    r.add_argument("--baseline-year", type=int, default=None, help="对比年度（默认：上一年，如有数据）")
    _add_folders(r, processed=True)
    r.add_argument("--jobs", type=int, default=2, help="同时运行的笔记本数（默认 2）")
    r.add_argument("--notebooks", type=Path, default=None, help="笔记本目录（默认：随软件安装的分析笔记本）")
    r.add_argument("--quiet", action="store_true", help="不显示进度（在终端中每完成一个笔记本显示一行）")

    i = sub.add_parser("init", help="新建项目文件夹（data/raw/<年度>、data/processed、reports、notebooks、说明）")
    i.add_argument("dir", type=Path, help="项目文件夹")
    i.add_argument("--year", type=int, default=None, help="第一个年度（默认：上一年）")

    k = sub.add_parser("catalog", help="显示指标目录（适合 80 列终端；--csv 输出全部列）")
    k.add_argument("--csv", action="store_true", help="以 CSV（UTF-8 BOM，Excel 可直接打开）输出全部列")
    _add_report_parsers(sub)
    _add_loop_parsers(sub)
    return p


def _add_folders(parser: argparse.ArgumentParser, processed: bool = True, out_help: str = "报告输出目录") -> None:
    parser.add_argument("--raw", type=Path, default=None, help="原始数据目录（默认：项目的 data/raw）")
    if processed:
        parser.add_argument("--processed", type=Path, default=None, help="清洗结果目录（默认：项目的 data/processed）")
    parser.add_argument("--out", dest="reports", metavar="OUT", type=Path, default=None,
                        help=f"{out_help}（默认：项目的 reports）")


def _add_report_parsers(sub) -> None:
    """``report`` and ``check-report`` (DESIGN.md §5)."""
    rp = sub.add_parser("report", help="生成报告初稿（.md/.docx/.html，每个数字注明出处）")
    rp.add_argument("--year", type=int, required=True, help="报告年度")
    rp.add_argument("--baseline-year", type=int, default=None, help="对比年度（默认：上一年，如有数据）")
    _add_folders(rp)
    rp.add_argument("--templates", type=Path, default=None, help="措辞模板目录，其中的同名文件覆盖自带模板")

    ck = sub.add_parser("check-report", help="核对成稿（.docx/.md/.txt）中的数字与数据是否一致")
    ck.add_argument("file", type=Path, help="成稿文件")
    ck.add_argument("--year", type=int, required=True, help="报告年度")
    ck.add_argument("--baseline-year", type=int, default=None, help="对比年度（默认：上一年，如有数据）")
    _add_folders(ck, out_help="输出目录（写 <out>/<年度>/report_check.csv）")
    ck.add_argument("--org", default="", help="只按该填报单位的数据核对（部门、镇街自己的总结）")
    ck.add_argument("--max-uncompressed-mb", type=int, default=DEFAULT_MAX_REPORT_MB,
                    help=f"成稿大小上限（MB）：.txt/.md 文件，.docx 解压后（默认 {DEFAULT_MAX_REPORT_MB}）")


def _add_loop_parsers(sub) -> None:
    """The yearly loop: ``template``, ``status``, ``feedback``, ``scorecard``."""
    t = sub.add_parser("template", help="按单位生成填报模板（.xlsx，每个应报单位一份）")
    t.add_argument("--year", type=int, required=True, help="填报年度")
    t.add_argument("--out", type=Path, required=True, help="模板输出目录")
    t.add_argument("--org", default="", help="只生成该单位的模板（单位名称或别名）")
    t.add_argument("--processed", type=Path, default=None, help="清洗结果目录（上年数据预填；默认：项目的 data/processed）")
    t.add_argument("--raw", type=Path, default=None, help="原始数据目录（默认：项目的 data/raw）")

    st = sub.add_parser("status", help="报送跟踪：每个应报单位是否报送、采用哪份文件、缺报哪些指标")
    st.add_argument("--year", type=int, required=True, help="年度")
    _add_folders(st, out_help="输出目录（写 <out>/<年度>/status.csv）")

    sc = sub.add_parser("scorecard", help="内部评分：各单位报送完整性、数据质量和目标达成（仅供内部使用）")
    sc.add_argument("--year", type=int, required=True, help="年度")
    sc.add_argument("--baseline-year", type=int, default=None, help="对比年度（默认：上一年，如有数据）")
    _add_folders(sc, out_help="输出目录（写 <out>/<年度>/scorecard.csv 和 scorecard_details.csv）")

    fb = sub.add_parser("feedback", help="给每个需要核对的单位生成核对反馈表（.xlsx）")
    fb.add_argument("--year", type=int, required=True, help="年度")
    fb.add_argument("--out", type=Path, required=True, help="反馈表输出目录")
    fb.add_argument("--baseline-year", type=int, default=None, help="对比年度（与报告一致；默认：上一年，如有数据）")
    fb.add_argument("--processed", type=Path, default=None, help="清洗结果目录（默认：项目的 data/processed）")
    fb.add_argument("--raw", type=Path, default=None, help="原始数据目录（默认：项目的 data/raw）")


def _print(outcome) -> int:
    """A command's lines on stdout, its warnings on stderr (each line masked, controls shown escaped); its status."""
    for line in outcome.lines:
        print(printable(line))
    for line in outcome.warnings:
        print(printable(line), file=sys.stderr)
    return EXIT_FAILED if outcome.failed else EXIT_OK


def _project(args: argparse.Namespace, need: tuple[str, ...] = ("raw", "processed", "reports")):
    """The project of the folders given (not given: the project's), resolved once, here at the edge."""
    from .store.project import open_project

    return open_project(raw_dir=args.raw, processed_dir=getattr(args, "processed", None),
                        output_dir=getattr(args, "reports", None), need=need)


def _cmd_template(args: argparse.Namespace) -> int:
    from . import commands

    return _print(commands.template(_project(args, ("raw", "processed")), args.year, args.out, org=args.org or None))


def _cmd_status(args: argparse.Namespace) -> int:
    from . import commands

    return _print(commands.status(_project(args), args.year))


def _cmd_feedback(args: argparse.Namespace) -> int:
    from . import commands

    return _print(commands.feedback(_project(args, ("raw", "processed")), args.year, args.out,
                                    baseline_year=args.baseline_year))


def _cmd_scorecard(args: argparse.Namespace) -> int:
    from . import commands

    return _print(commands.scorecard(_project(args), args.year, baseline_year=args.baseline_year))


LOOP_HANDLERS = {"template": _cmd_template, "status": _cmd_status, "feedback": _cmd_feedback,
                 "scorecard": _cmd_scorecard}


def _cmd_report(args: argparse.Namespace) -> int:
    from . import commands

    return _print(commands.report(_project(args), args.year, baseline_year=args.baseline_year,
                                  templates_dir=args.templates))


def _cmd_check_report(args: argparse.Namespace) -> int:
    from . import commands
    from .ingest.workbook import Limits

    limits = Limits(max_uncompressed=args.max_uncompressed_mb * 1024 * 1024)
    return _print(commands.check_report(_project(args), args.file, args.year, baseline_year=args.baseline_year,
                                        org=args.org, limits=limits))


def _cmd_clean(args: argparse.Namespace) -> int:
    from . import commands
    from .ingest.workbook import Limits

    args.processed = args.out  # clean's --out is the processed folder
    limits = Limits(max_uncompressed=args.max_uncompressed_mb * 1024 * 1024, max_cells=args.max_cells)
    return _print(commands.clean(_project(args, ("raw", "processed")), year=args.year, limits=limits,
                                 progress=False if args.quiet else None))


def _cmd_run(args: argparse.Namespace) -> int:
    from . import commands

    return _print(commands.run(_project(args), args.year, baseline_year=args.baseline_year, jobs=args.jobs,
                               notebooks_dir=args.notebooks, progress=False if args.quiet else None))


CATALOG_HEADINGS = {"section": "章节", "code": "代码", "name": "指标", "org": "常规填报单位", "unit": "单位",
                    "kind": "类型", "direction": "方向", "target": "目标值", "framework_area": "纲要体系", "aliases": "别名"}
CATALOG_TERMINAL = ["section", "code", "name", "unit"]  # what fits an 80-column terminal


def _cmd_catalog(args: argparse.Namespace) -> int:
    import shutil

    from .core.catalog import load_catalog
    from .analysis.display import text_table
    from .store.outputs import csv_bytes

    table = load_catalog().table()
    if args.csv:
        sys.stdout.flush()
        sys.stdout.buffer.write(csv_bytes(table.rename(columns=CATALOG_HEADINGS)))
        sys.stdout.buffer.flush()
        return EXIT_OK
    shown = table[CATALOG_TERMINAL].rename(columns=CATALOG_HEADINGS)
    width = shutil.get_terminal_size((80, 24)).columns if sys.stdout.isatty() else 80
    print("\n".join(text_table(shown, width, whole=(CATALOG_HEADINGS["code"],))))
    print(f"共 {len(table)} 个指标")
    print("全部列（填报单位、类型、目标值、体系、别名）：")
    print("  fzanalysis catalog --csv > 指标目录.csv")
    return EXIT_OK


def _cmd_init(args: argparse.Namespace) -> int:
    import datetime

    from .store.data import check_year
    from .store.project import RAW, init_project

    year = check_year(args.year if args.year is not None else datetime.date.today().year - 1)
    made = init_project(args.dir, year)
    print(printable(f"项目文件夹 {args.dir}：新建 {len(made)} 项" + ("" if made else "（已全部存在，未改动）")))
    print(printable(f"把 {year} 年各单位报送的工作簿原样放入 {args.dir / RAW / str(year)}，"
                    f"然后在该文件夹中运行：fzanalysis run --year {year}"))
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """The command line.  Everything any command prints, on stdout or stderr (summaries, errors,
    warnings, argparse's messages, progress), passes the masker on its way out (:class:`MaskedStream`)."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = MaskedStream(out), MaskedStream(err)
    try:
        return _main(argv)
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a closed pipe: nothing more can be said
                pass
        sys.stdout, sys.stderr = out, err


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    handlers = {"clean": _cmd_clean, "run": _cmd_run, "catalog": _cmd_catalog, "report": _cmd_report,
                "check-report": _cmd_check_report, "init": _cmd_init, **LOOP_HANDLERS}
    try:
        return handlers[args.command](args)
    except FzError as exc:
        print(printable(f"错误：{exc.one_line()}"), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `fzanalysis status | head`: the reader stopped listening, not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
