"""Benchmark: ``fzanalysis run`` against the floor of papermill itself.

Not a test — a report.  The FLOOR is papermill executing as many notebooks as the package ships
(``fzanalysis/notebooks/``), each with only a parameters cell and one cell ``import pandas, numpy, matplotlib,
seaborn``, two at a time (a ``ProcessPoolExecutor`` of 2 calling ``papermill.execute_notebook``
with the arguments ``fzanalysis.runner`` uses), in a fresh interpreter — so interpreter start-up
and kernel start-up are in both numbers.

The RUN is ``fzanalysis run --year 2023 --raw data/raw --processed P --out O --jobs 2`` as a
subprocess, with a fresh output folder each time, measured two ways:

  * already cleaned — P was filled by a warm-up ``fzanalysis clean`` before timing, so the
    measured run is what a normal (repeat) run does: staleness check, notebooks, HTML export;
  * fresh processed dir — P is empty, so the run also cleans 2023 and its 2022 baseline.

Each is the median of ``--repeat`` runs; floor and runs are interleaved in every repeat so a
noisy neighbour hits them alike.  Goal: run / floor ≤ 2.0.  Per-notebook seconds of the last
run (``<out>/2023/run.json``) are printed, and the floor's per-notebook seconds beside them.

    python benchmarks/bench_run.py                  # --repeat 2
    python benchmarks/bench_run.py --strict         # exit 1 when the goal is missed
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, fzanalysis_cmd, scratch_dir, timed_cmd  # noqa: E402
GOAL = 2.0
FLOOR_CELL = "import pandas, numpy, matplotlib, seaborn"


# ------------------------------------------------------------------------------ floor (child process)
def make_floor_notebooks(dest: Path, names: list[str]) -> list[Path]:
    import nbformat

    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for name in names:
        nb = nbformat.v4.new_notebook()
        params = nbformat.v4.new_code_cell('year = 2023\nbaseline_year = None\nraw_dir = "../data/raw"\n'
                                           'processed_dir = "../data/processed"\noutput_dir = "../reports"')
        params.metadata["tags"] = ["parameters"]
        nb.cells = [params, nbformat.v4.new_code_cell(FLOOR_CELL)]
        nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                       "language_info": {"name": "python"}}
        path = dest / name
        nbformat.write(nb, str(path))
        out.append(path)
    return out


def _floor_one(nb_path: str, out_dir: str, params: dict, cwd: str) -> tuple[str, float]:
    import logging

    import papermill as pm

    logging.getLogger("papermill").setLevel(logging.WARNING)
    start = time.perf_counter()
    pm.execute_notebook(nb_path, str(Path(out_dir) / Path(nb_path).name), parameters=params, cwd=cwd,
                        progress_bar=False, log_output=False, kernel_name="python3")
    return Path(nb_path).name, round(time.perf_counter() - start, 2)


def floor_main(nb_dir: Path, out_dir: Path, jobs: int) -> int:
    """Child: run every notebook of nb_dir, ``jobs`` at a time, as fzanalysis.runner does."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    books = sorted(nb_dir.glob("*.ipynb"))
    out_dir.mkdir(parents=True, exist_ok=True)
    params = dict(year=2023, baseline_year=2022, raw_dir=str(out_dir), processed_dir=str(out_dir),
                  output_dir=str(out_dir))
    ctx = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    seconds = {}
    with ProcessPoolExecutor(max_workers=min(jobs, len(books)), mp_context=ctx) as pool:
        futures = [pool.submit(_floor_one, str(nb), str(out_dir), params, str(nb.parent)) for nb in books]
        for fut in as_completed(futures):
            name, s = fut.result()
            seconds[name] = s
    (out_dir / "floor.json").write_text(json.dumps(seconds, indent=2, sort_keys=True), encoding="utf-8")
    return 0


# ------------------------------------------------------------------------------ parent
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=2, help="repeats; the median is reported (default 2)")
    ap.add_argument("--year", type=int, default=2023)
    ap.add_argument("--raw", type=Path, default=ROOT / "data" / "raw")
    ap.add_argument("--notebooks", type=Path, default=ROOT / "fzanalysis" / "notebooks",
                    help="whose count the floor copies")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--strict", action="store_true", help="exit 1 when the goal is missed")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folders (path is printed)")
    ap.add_argument("--floor-worker", nargs=2, type=Path, metavar=("NB_DIR", "OUT_DIR"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.floor_worker:
        return floor_main(*args.floor_worker, args.jobs)

    names = sorted(p.name for p in args.notebooks.glob("*.ipynb") if not p.name.startswith("."))
    if not names:
        sys.exit(f"no notebooks in {args.notebooks}")
    with scratch_dir("fz_bench_run_", args.keep) as scratch:
        fz = fzanalysis_cmd()
        floor_nbs = scratch / "floor_nb"
        make_floor_notebooks(floor_nbs, names)
        print(f"{len(names)} notebooks, jobs={args.jobs}, repeat={args.repeat} (median); scratch {scratch}")

        # warm-up: page cache, kernel spec discovery, font cache; and the cleaned data for "already cleaned"
        warm_processed = scratch / "processed_warm"
        t_clean = timed_cmd([*fz, "clean", "--raw", str(args.raw), "--out", str(warm_processed), "--quiet"])
        timed_cmd([sys.executable, __file__, "--jobs", str(args.jobs), "--floor-worker", str(floor_nbs),
                   str(scratch / "floor_out_warm")])
        print(f"  warm-up: fzanalysis clean (all years) {t_clean:.2f}s, one floor run")

        def run_cmd(processed: Path, out: Path) -> list[str]:
            return [*fz, "run", "--year", str(args.year), "--raw", str(args.raw), "--processed", str(processed),
                    "--out", str(out), "--jobs", str(args.jobs), "--quiet"]

        t = {"floor": [], "run (already cleaned)": [], "run (fresh processed dir)": []}
        last_out = None
        for r in range(args.repeat):
            fo = scratch / f"floor_out_{r}"
            t["floor"].append(timed_cmd([sys.executable, __file__, "--jobs", str(args.jobs), "--floor-worker",
                                         str(floor_nbs), str(fo)]))
            out = scratch / f"out_warm_{r}"
            t["run (already cleaned)"].append(timed_cmd(run_cmd(warm_processed, out)))
            last_out = out
            t["run (fresh processed dir)"].append(
                timed_cmd(run_cmd(scratch / f"processed_fresh_{r}", scratch / f"out_fresh_{r}")))
            print(f"  repeat {r + 1}/{args.repeat}: " + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in t.items()))

        med = {k: statistics.median(v) for k, v in t.items()}
        floor = med["floor"]
        print()
        print(f"{'':30}{'median s':>10}{'ratio to floor':>16}")
        for k, v in med.items():
            print(f"{k:30}{v:10.2f}{v / floor:16.2f}")
        # the same ratio per repeat (run and floor measured back to back): how noisy this machine is
        for k in ("run (already cleaned)", "run (fresh processed dir)"):
            paired = " ".join(f"{a / b:.2f}" for a, b in zip(t[k], t["floor"]))
            print(f"  per-repeat {k} / floor: {paired}")

        # where the time goes: per notebook, the run vs the floor (last repeat)
        run_json = json.loads((last_out / str(args.year) / "run.json").read_text(encoding="utf-8"))
        floor_json = json.loads((scratch / f"floor_out_{args.repeat - 1}" / "floor.json").read_text(encoding="utf-8"))
        print()
        print("per notebook, last repeat (already cleaned), seconds incl. HTML export for the run:")
        print(f"  {'notebook':34}{'run':>8}{'floor':>8}  status")
        for name, rec in run_json["notebooks"].items():
            print(f"  {name:34}{rec['seconds']:8.2f}{floor_json.get(name, float('nan')):8.2f}  {rec['status']}"
                  + (f"  {rec['error'][:80]}" if rec["error"] else ""))
        tot_run = sum(r["seconds"] for r in run_json["notebooks"].values())
        tot_floor = sum(floor_json.values())
        print(f"  {'sum':34}{tot_run:8.2f}{tot_floor:8.2f}")

        print()
        ok = True
        for k in ("run (already cleaned)", "run (fresh processed dir)"):
            ratio = med[k] / floor
            passed = ratio <= GOAL
            ok &= passed
            print(f"{'PASS' if passed else 'FAIL'}: {k} / floor = {ratio:.2f} (goal ≤ {GOAL})")
        return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
