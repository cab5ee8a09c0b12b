"""Test sessions (``pytest tests`` and ``pytest --nbval notebooks/``) never write into the user's folders.

``FZANALYSIS_HOME`` points every test, every nbval kernel and every subprocess at a scratch project
folder holding a copy of ``data/raw``: notebook parameters default to the project's folders, so
their outputs land there.  When the session ends, ``git status`` and the mtimes of ``data/processed``
and ``reports`` must be as they were when it started (``tests/tree_guard.py``), else it fails.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.tree_guard import changes, snapshot

ROOT = Path(__file__).resolve().parent
_session: dict = {}


def pytest_configure(config):
    home = Path(tempfile.mkdtemp(prefix="fzanalysis-test-home-"))
    shutil.copytree(ROOT / "data" / "raw", home / "data" / "raw")
    _session.update(home=home, before=snapshot(ROOT))
    os.environ["FZANALYSIS_HOME"] = str(home)


def pytest_sessionfinish(session, exitstatus):
    if "before" not in _session:
        return
    found = changes(_session["before"], snapshot(ROOT))
    shutil.rmtree(_session["home"], ignore_errors=True)
    if found:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        text = "测试改动了用户的文件夹或受版本控制的文件：\n" + "\n".join(found)
        if reporter is not None:
            reporter.write_line(text, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
