"""Benchmark: ``check-report`` on large texts, as a ratio to reading the text.

Not a test — a report.  A realistic text is generated from the sentences of the seed report
(``tests/data/dadukou_2023_report.txt``): paragraphs of one to six sentences in random order, one
paragraph in a hundred a very long line (100–1,000 sentences, no line break: about half the text), every number replaced by
a random one of the same length (so no two figures repeat and nothing can be remembered from an
earlier paragraph).  The seed's density holds: about 7,500 figures per MB.  For 1, 5 and 10 MB of
text it prints, median of ``--repeat`` runs:

  (a) reading the text: :func:`fzanalysis.ingest.document.read_paragraphs` (the baseline);
  (b) checking it: :func:`fzanalysis.check.check.check_paragraphs` against the bundled data of 2023
      (tables loaded once, outside the timing), wall and CPU time, the ratio (b)/(a) — a linear check keeps
      the ratio flat from 1 to 10 MB — and the time per figure.

Then the pathological shapes of issue 16, each timed once: 2,000 figures in one paragraph, a
punctuation-free one-line text of 6.4 MB, a 40,000-character line of ``[`` in Markdown.

    python benchmarks/bench_check_report.py                  # 1 5 10 MB, --repeat 1
    python benchmarks/bench_check_report.py --mb 1 2 --repeat 3
    python benchmarks/bench_check_report.py --strict         # exit 1 when 10 MB takes 60 s or more
"""
from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, scratch_dir  # noqa: E402

SEED = ROOT / "tests" / "data" / "dadukou_2023_report.txt"
GOAL_SECONDS_10MB = 60.0


def sentences() -> list[str]:
    text = SEED.read_text(encoding="utf-8")
    return [s + "。" for line in text.splitlines() for s in line.split("。") if len(s.strip()) > 4]


def _digits(rnd: random.Random, m: re.Match) -> str:
    return str(rnd.randint(10 ** (len(m.group()) - 1) if len(m.group()) > 1 else 1, 10 ** len(m.group()) - 1))


def make_text(mb: float, seed: int = 16) -> str:
    """About ``mb`` MB (UTF-8) of report-like text: short paragraphs, some very long lines, many figures."""
    rnd = random.Random(seed)
    pool, target, out, size = sentences(), int(mb * 1024 * 1024), [], 0
    while size < target:
        n = rnd.randint(100, 1000) if rnd.random() < 0.01 else rnd.randint(1, 6)
        para = "".join(rnd.choice(pool) for _ in range(n))
        para = re.sub(r"\d+", lambda m: _digits(rnd, m), para)
        out.append(para)
        size += len(para.encode("utf-8")) + 1
    return "\n".join(out) + "\n"


def _tables():
    from fzanalysis.check.check import Tables
    from fzanalysis.store.data import run_clean
    from fzanalysis.store.data import load

    raw = ROOT / "data" / "raw"
    with scratch_dir("fz-bench-check-") as tmp:
        run_clean(raw_dir=raw, processed_dir=tmp, progress=False)
        return Tables(load(2023, processed_dir=tmp, raw_dir=raw), load(2022, processed_dir=tmp, raw_dir=raw), 2023, 2022)


def _time(fn, repeat: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds of ``fn()`` (the machine is shared: CPU time is the steadier)."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus), result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, nargs="+", default=[1, 5, 10])
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--strict", action="store_true")
    args = ap.parse_args()
    from fzanalysis.check.check import check_paragraphs
    from fzanalysis.ingest.document import read_paragraphs

    tables = _tables()
    check_paragraphs(["受理法律援助案件316件"], tables)  # imports and catalog loaded outside the timing
    slow = False
    with scratch_dir("fz-bench-check-text-") as tmp:
        print(f"{'MB':>5} {'figures':>8} {'read s':>8} {'check s':>8} {'check cpu s':>11} {'check/read':>10} "
              f"{'ms/figure':>9}")
        for mb in args.mb:
            path = tmp / f"report_{mb:g}mb.txt"
            path.write_text(make_text(mb), encoding="utf-8")
            t_read, _, paragraphs = _time(lambda: read_paragraphs(path), args.repeat)
            t_check, cpu, df = _time(lambda: check_paragraphs(paragraphs, tables), args.repeat)
            print(f"{mb:>5g} {len(df):>8} {t_read:>8.2f} {t_check:>8.2f} {cpu:>11.2f} {t_check / t_read:>10.0f} "
                  f"{1000 * t_check / max(len(df), 1):>9.3f}", flush=True)
            slow |= mb >= 10 and t_check >= GOAL_SECONDS_10MB
        print("\npathological shapes (issue 16):")
        pool = sentences()
        shapes = {
            "2,000 figures in one paragraph": ["，".join(f"受理法律援助案件{i}件" for i in range(2000))],
            "6.4 MB one line, no punctuation": [re.sub(r"[，。；：、]", "", make_text(6.4).replace("\n", ""))],
            "6.4 MB one line": [make_text(6.4).replace("\n", "")],
            "200,000 one-sentence paragraphs": [pool[i % len(pool)] for i in range(200_000)],
        }
        for name, paragraphs in shapes.items():
            t, cpu, df = _time(lambda: check_paragraphs(paragraphs, tables), 1)
            print(f"  {name}: {t:.2f} s ({cpu:.2f} s CPU), {len(df)} figures", flush=True)
        md = tmp / "brackets.md"
        md.write_text("[" * 40_000 + "\n\n" + "<" * 40_000 + "\n", encoding="utf-8")
        t, _, _ = _time(lambda: read_paragraphs(md), 1)
        print(f"  40,000 [ and 40,000 < in Markdown: read in {t:.3f} s")
    if args.strict and slow:
        print(f"10 MB took {GOAL_SECONDS_10MB:.0f} s or more", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
