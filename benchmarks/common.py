"""Shared helpers of the benchmark scripts: how to call the CLI and time a command."""
from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def fzanalysis_cmd() -> list[str]:
    exe = shutil.which("fzanalysis")
    return [exe] if exe else [sys.executable, "-m", "fzanalysis.cli"]


def timed_cmd(cmd: list[str], cwd: Path = ROOT, ok: tuple[int, ...] = (0,)) -> float:
    """Seconds a command takes; exits with its output when its status is not in ``ok``."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in ok:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout[-1500:]}\n{proc.stderr[-3000:]}")
    return elapsed


@contextmanager
def scratch_dir(prefix: str, keep: bool = False):
    """A temporary folder for generated corpora and outputs, removed afterwards unless ``keep``."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        if keep:
            print(f"kept {path}")
        else:
            shutil.rmtree(path, ignore_errors=True)
