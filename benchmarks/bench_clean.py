"""Benchmark: cost per additional workbook of ``fzanalysis clean`` vs. plain readers.

Not a test — a report.  Two corpora are generated in a temporary folder by copying the bytes of
the real workbooks of ``data/raw/2023`` and ``data/raw/2022`` under new names, ``PER_YEAR`` to a
year folder, so a larger corpus spans more years (220 workbooks: 22 years from 2000) and the
per-year cost of writing a year's outputs counts in the cost per workbook (a file under
``2003/`` is cleaned as 2003: fine for timing).  For each
corpus size it measures, median of ``--repeat`` runs:

  (a) ``fzanalysis.store.data.run_clean(raw_dir=raw, processed_dir=out, progress=False)`` in-process (outputs written);
  (b) ``pandas.read_excel(path, engine="openpyxl", sheet_name=None)`` (CSV: ``pd.read_csv``);
  (c) python-calamine: ``from_path`` + ``get_sheet_by_name(s).to_python()`` for every sheet
      (CSV: read the bytes).

The machine is shared and noisy, so the figure of merit is the SLOPE — the cost per additional
workbook, (t_large − t_small) / (n_large − n_small) — which cancels fixed costs (imports,
catalog load, output writing per year), and the RATIOS of slopes measured in the same run.
Goals: clean ≤ 0.25 × openpyxl and ≤ 8 × raw calamine per workbook.

The fixed start-up of the command line is reported separately: ``fzanalysis clean`` as a
subprocess on a one-workbook raw dir and on the small corpus, and ``python -c "import
fzanalysis.cli"``.

    python benchmarks/bench_clean.py                 # --small 45 --large 220 --repeat 5
    python benchmarks/bench_clean.py --strict        # exit 1 when a goal is missed
"""
from __future__ import annotations

import argparse
import gc
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, fzanalysis_cmd, scratch_dir, timed_cmd  # noqa: E402
SOURCE_YEARS = ("2023", "2022")
FIRST_YEAR, PER_YEAR = 2000, 10  # workbooks per year folder
GOAL_VS_OPENPYXL = 0.25
GOAL_VS_CALAMINE = 8.0


# ------------------------------------------------------------------------------ corpora
def templates(raw_root: Path) -> list[Path]:
    from fzanalysis.ingest.workbook import SPREADSHEET_SUFFIXES

    files = []
    for y in SOURCE_YEARS:
        files += sorted(p for p in (raw_root / y).iterdir()
                        if p.is_file() and p.suffix.lower() in SPREADSHEET_SUFFIXES and not p.name.startswith(("~$", ".")))
    if not files:
        sys.exit(f"no workbooks under {raw_root}/{{{','.join(SOURCE_YEARS)}}}")
    return files


def build_corpus(dest: Path, n: int, tpl: list[Path]) -> list[Path]:
    """n byte copies of the templates, round-robin over the templates, PER_YEAR to a year folder."""
    out = []
    for i in range(n):
        src = tpl[i % len(tpl)]
        year = FIRST_YEAR + i // PER_YEAR
        target = dest / str(year) / f"{i:04d}_{src.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
        out.append(target)
    return sorted(out)


# ------------------------------------------------------------------------------ measured work
def do_clean(raw: Path, scratch: Path) -> None:
    from fzanalysis.store.data import run_clean

    out = Path(tempfile.mkdtemp(prefix="out_", dir=scratch))
    run_clean(raw_dir=raw, processed_dir=out, progress=False)
    shutil.rmtree(out, ignore_errors=True)


def do_openpyxl(files: list[Path]) -> None:
    import pandas as pd

    for p in files:
        if p.suffix.lower() == ".csv":
            try:
                pd.read_csv(p, encoding="utf-8-sig", header=None)
            except UnicodeDecodeError:
                pd.read_csv(p, encoding="gb18030", header=None)
        else:
            pd.read_excel(p, engine="openpyxl", sheet_name=None)


def do_calamine(files: list[Path]) -> None:
    from python_calamine import CalamineWorkbook

    for p in files:
        if p.suffix.lower() == ".csv":
            p.read_bytes()
            continue
        book = CalamineWorkbook.from_path(str(p))
        try:
            for s in book.sheet_names:
                book.get_sheet_by_name(s).to_python()
        finally:
            book.close()


def timed(fn, *args) -> float:
    gc.collect()
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


# ------------------------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--small", type=int, default=45, help="workbooks in the small corpus (default 45)")
    ap.add_argument("--large", type=int, default=220, help="workbooks in the large corpus (default 220)")
    ap.add_argument("--repeat", type=int, default=5, help="repeats; the median is reported (default 5)")
    ap.add_argument("--raw", type=Path, default=ROOT / "data" / "raw", help="where the template years live")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    ap.add_argument("--keep", action="store_true", help="keep the temporary corpora (path is printed)")
    args = ap.parse_args(argv)
    if args.large <= args.small:
        ap.error("--large must be greater than --small")

    tpl = templates(args.raw)
    with scratch_dir("fz_bench_clean_", args.keep) as scratch:
        sizes = {"small": args.small, "large": args.large}
        corpora = {k: scratch / k for k in sizes}
        files = {k: build_corpus(corpora[k], n, tpl) for k, n in sizes.items()}
        tiny = scratch / "tiny"
        smallest = min((p for p in tpl if p.suffix.lower() != ".csv"), key=lambda p: p.stat().st_size)
        (tiny / "2023").mkdir(parents=True)
        shutil.copyfile(smallest, tiny / "2023" / smallest.name)
        n_csv = {k: sum(p.suffix.lower() == ".csv" for p in v) for k, v in files.items()}
        print(f"templates: {len(tpl)} files from {', '.join(SOURCE_YEARS)}; corpora in {scratch}")
        print(f"  small: {sizes['small']} workbooks ({n_csv['small']} CSV), large: {sizes['large']} "
              f"({n_csv['large']} CSV), {PER_YEAR} to a year folder ({FIRST_YEAR}–{FIRST_YEAR + (sizes['large'] - 1) // PER_YEAR}); "
              f"repeat={args.repeat} (median)")

        # warm-up: imports, catalog (lru_cache), page cache of every file, first-call costs
        do_clean(tiny, scratch)
        do_openpyxl(files["small"][:3])
        do_calamine(files["small"])
        do_calamine(files["large"])

        methods = {"clean": lambda k: timed(do_clean, corpora[k], scratch),
                   "openpyxl": lambda k: timed(do_openpyxl, files[k]),
                   "calamine": lambda k: timed(do_calamine, files[k])}
        times: dict[tuple[str, str], list[float]] = {(m, k): [] for m in methods for k in sizes}
        for r in range(args.repeat):
            # interleaved, so a noisy neighbour hits every method and both sizes alike
            for k in sizes:
                for m, fn in methods.items():
                    times[(m, k)].append(fn(k))
            print(f"  repeat {r + 1}/{args.repeat}: " + ", ".join(
                f"{m} {times[(m, 'small')][-1]:.2f}/{times[(m, 'large')][-1]:.2f}s" for m in methods))

        med = {key: statistics.median(v) for key, v in times.items()}
        dn = sizes["large"] - sizes["small"]
        slope = {m: (med[(m, "large")] - med[(m, "small")]) / dn * 1000 for m in methods}
        # per-repeat slopes: how stable the estimate is on this machine
        per_rep = {m: [(times[(m, "large")][i] - times[(m, "small")][i]) / dn * 1000 for i in range(args.repeat)]
                   for m in methods}

        # ---- fixed start-up of the command line
        cmd = fzanalysis_cmd()
        cli = {"tiny": [], "small": []}
        imp, bare = [], []
        timed_cmd([sys.executable, "-c", "pass"], ROOT)  # warm the interpreter files
        for _ in range(args.repeat):
            bare.append(timed_cmd([sys.executable, "-c", "pass"], ROOT))
            imp.append(timed_cmd([sys.executable, "-c", "import fzanalysis.cli"], ROOT))
            for k, raw in (("tiny", tiny), ("small", corpora["small"])):
                out = Path(tempfile.mkdtemp(prefix="cli_out_", dir=scratch))
                cli[k].append(timed_cmd([*cmd, "clean", "--raw", str(raw), "--out", str(out), "--quiet"], ROOT, ok=(0, 1)))
                shutil.rmtree(out, ignore_errors=True)
        cli_med = {k: statistics.median(v) for k, v in cli.items()}
        # the fixed cost of one CLI call = CLI wall time − in-process time for the same corpus
        fixed_small = cli_med["small"] - med[("clean", "small")]

        # ---- report
        print()
        print(f"{'':12}{'t(' + str(sizes['small']) + ') s':>12}{'t(' + str(sizes['large']) + ') s':>12}"
              f"{'ms/workbook':>14}{'per-repeat slopes (ms)':>30}")
        for m in methods:
            reps = " ".join(f"{s:.2f}" for s in per_rep[m])
            print(f"{m:12}{med[(m, 'small')]:12.3f}{med[(m, 'large')]:12.3f}{slope[m]:14.2f}{reps:>30}")
        r_opx = slope["clean"] / slope["openpyxl"] if slope["openpyxl"] > 0 else float("inf")
        r_cal = slope["clean"] / slope["calamine"] if slope["calamine"] > 0 else float("inf")
        print()
        print(f"clean / openpyxl  (per workbook) = {r_opx:.3f}   goal ≤ {GOAL_VS_OPENPYXL}")
        print(f"clean / calamine  (per workbook) = {r_cal:.2f}    goal ≤ {GOAL_VS_CALAMINE}")
        # each repeat's own ratios (the methods ran side by side): how far the machine's noise moves them
        for other in ("openpyxl", "calamine"):
            paired = sorted(c / o for c, o in zip(per_rep["clean"], per_rep[other]) if o > 0)
            print(f"  per-repeat clean / {other}: " + " ".join(f"{x:.2f}" for x in paired))
        print()
        print("command-line start-up (median, s):")
        print(f"  python -c pass                         {statistics.median(bare):.3f}")
        print(f"  python -c 'import fzanalysis.cli'      {statistics.median(imp):.3f}")
        print(f"  fzanalysis clean, 1 workbook           {cli_med['tiny']:.3f}")
        print(f"  fzanalysis clean, {sizes['small']} workbooks          {cli_med['small']:.3f}"
              f"   (in-process {med[('clean', 'small')]:.3f} → fixed CLI cost ≈ {fixed_small:.3f})")
        print()
        ok_opx = r_opx <= GOAL_VS_OPENPYXL
        ok_cal = r_cal <= GOAL_VS_CALAMINE
        print(f"{'PASS' if ok_opx else 'FAIL'}: clean ≤ {GOAL_VS_OPENPYXL}× openpyxl per workbook ({r_opx:.3f}×)")
        print(f"{'PASS' if ok_cal else 'FAIL'}: clean ≤ {GOAL_VS_CALAMINE}× raw calamine per workbook ({r_cal:.2f}×)")
        return 1 if args.strict and not (ok_opx and ok_cal) else 0


if __name__ == "__main__":
    sys.exit(main())
