"""What a test session must leave as it found it: the tracked tree (``git status``) and the user's own
output folders ``data/processed`` and ``reports`` (every entry's mtime and size).

``conftest.py`` takes a :func:`snapshot` when the session starts and compares it with one taken when
it ends (:func:`changes`); a difference fails the session and names what changed.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

WATCHED = ("data/processed", "reports")


def _git_status(root: Path) -> str | None:
    try:
        res = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=root,
                             capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return res.stdout if res.returncode == 0 else None  # not a git checkout: the folders are still watched


def _entries(folder: Path) -> dict[str, tuple[int, int]]:
    if not folder.exists():
        return {}
    out = {".": (folder.stat().st_mtime_ns, 0)}
    for p in sorted(folder.rglob("*")):
        st = p.lstat()
        out[p.relative_to(folder).as_posix()] = (st.st_mtime_ns, st.st_size if p.is_file() else 0)
    return out


def snapshot(root: Path) -> dict:
    return {"git": _git_status(root), **{w: _entries(root / w) for w in WATCHED}}


def changes(before: dict, after: dict) -> list[str]:
    """Lines naming what differs between two snapshots (empty: nothing changed)."""
    out = []
    if before["git"] != after["git"]:
        out.append("git status 变化：\n" + (after["git"] or "").rstrip())
    for w in WATCHED:
        a, b = before[w], after[w]
        if not a and b:
            out.append(f"{w} 被新建")
        for name in sorted(set(a) | set(b)):
            if a.get(name) != b.get(name) and a:
                what = "新增" if name not in a else "删除" if name not in b else "被改写"
                out.append(f"{w}/{name} {what}")
    return out
