"""Tests of tests/tree_guard.py: the check that a test session leaves the user's folders alone can fail."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.tree_guard import changes, snapshot


def _repo(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "README.md").write_text("x", encoding="utf-8")
    (tmp_path / "reports" / "2023").mkdir(parents=True)
    (tmp_path / "reports" / "2023" / "a.html").write_text("a", encoding="utf-8")
    subprocess.run(["git", "-C", str(tmp_path), "add", "README.md"], check=True)
    return tmp_path


def test_an_untouched_tree_has_no_changes(tmp_path):
    root = _repo(tmp_path)
    assert changes(snapshot(root), snapshot(root)) == []


def test_a_rewritten_report_a_new_processed_folder_and_an_edited_tracked_file_are_named(tmp_path):
    root = _repo(tmp_path)
    before = snapshot(root)
    report = root / "reports" / "2023" / "a.html"
    os.utime(report, ns=(report.stat().st_atime_ns, report.stat().st_mtime_ns + 10_000_000))  # same bytes, rewritten
    (root / "data" / "processed" / "2023").mkdir(parents=True)
    (root / "README.md").write_text("y", encoding="utf-8")
    found = changes(before, snapshot(root))
    assert "reports/2023/a.html 被改写" in found
    assert "data/processed 被新建" in found
    assert any(line.startswith("git status 变化") and "README.md" in line for line in found)
