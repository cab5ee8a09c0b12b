"""Output folders (输出目录): one writer at a time, a year's outputs swapped in whole.

- :func:`locked` — an advisory lock on an output folder (``<folder>/.fzanalysis.lock``):
  exclusive for a writer (``clean``, the cleaning step of ``run``, the reports of a run), shared
  for readers (``fz.load``, the notebooks of a run).  A second writer waits, then fails with a
  one-line :class:`~fzanalysis.errors.FolderBusy`.  Re-entrant within one process.
- :func:`staging` + :func:`swap_in` — a year's outputs are written into a hidden sibling folder
  (``.2023.new-…``) and swapped in whole: the old folder is renamed aside, the new one renamed
  into place, the old one removed.  A reader under the lock sees the previous set or the new
  one, never a mix; a killed writer leaves the previous set in place.
- :func:`recover` — run by every writer under the lock: removes a killed writer's staging
  folders and, if it was killed between the two renames, puts the previous set back.

Files and folders take the user's umask (colleagues can read a shared folder).
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from .errors import FolderBusy, OutputError

try:  # POSIX; on Windows the lock is a no-op (one analyst, one process)
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None

LOCK_NAME = ".fzanalysis.lock"
DEFAULT_WAIT = float(os.environ.get("FZANALYSIS_LOCK_WAIT", "600"))  # seconds a writer waits for another


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


UMASK = _umask()
FILE_MODE, DIR_MODE = 0o666 & ~UMASK, 0o777 & ~UMASK

# folder → (fd, mode, depth): flock belongs to an open file, so a process that already holds the
# lock of a folder must not open it again (it would wait on itself)
_held: dict[str, list] = {}


def io_error(exc: OSError, path: Path) -> OutputError:
    """An OSError while writing, as a one-line error naming the path."""
    return OutputError(f"无法写入：{exc.strerror or exc}", file=str(path))


@contextmanager
def locked(folder: str | Path, *, shared: bool = False, wait: float | None = None) -> Iterator[None]:
    """Hold the advisory lock of ``folder`` (created if missing) for the ``with`` block."""
    folder = Path(folder)
    key = str(folder.resolve())
    held = _held.get(key)
    if held is not None:
        if not shared and held[1] == "shared":
            raise FolderBusy("本进程已以只读方式打开该目录，不能同时写入", file=str(folder))
        held[2] += 1
        try:
            yield
        finally:
            held[2] -= 1
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, FILE_MODE)
    except OSError as exc:
        if shared and not folder.exists():
            yield  # nothing to read, nothing to protect
            return
        raise io_error(exc, folder) from None
    try:
        if fcntl is not None:
            _acquire(fd, folder, shared, DEFAULT_WAIT if wait is None else wait)
        _held[key] = [fd, "shared" if shared else "exclusive", 1]
        yield
    finally:
        _held.pop(key, None)
        os.close(fd)  # releases the lock


def held(folder: str | Path) -> str:
    """How this process holds the lock of ``folder``: "exclusive", "shared" or "" (not at all)."""
    entry = _held.get(str(Path(folder).resolve()))
    return entry[1] if entry else ""


def _acquire(fd: int, folder: Path, shared: bool, wait: float) -> None:
    mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                what = "读取" if shared else "写入"
                raise FolderBusy(f"另一个 fzanalysis 进程正在使用该目录，等待 {wait:g} 秒后仍无法{what}，请稍后再试",
                                 file=str(folder)) from None
            time.sleep(0.1)


def _prefixes(name: str) -> tuple[str, str]:
    return f".{name}.new-", f".{name}.old-"


def recover(parent: Path, name: str) -> None:
    """Clear what a killed writer of ``parent/name`` left (call under the exclusive lock)."""
    new, old = _prefixes(name)
    target = parent / name
    if not parent.is_dir():
        return
    leftovers = sorted(p for p in parent.iterdir() if p.name.startswith((new, old)))
    for p in leftovers:
        if p.name.startswith(old) and not target.exists():
            os.rename(p, target)  # killed between the two renames: the previous set goes back
        else:
            shutil.rmtree(p, ignore_errors=True)


def staging(parent: Path, name: str, tag: str = "") -> Path:
    """A fresh hidden folder beside ``parent/name`` to write a new set into; with ``tag`` its name is
    fixed (``.2023.new-run``: paths recorded inside the outputs stay the same from run to run)."""
    try:
        parent.mkdir(parents=True, exist_ok=True)
        if tag:
            path = parent / f"{_prefixes(name)[0]}{tag}"
            path.mkdir()
        else:
            path = Path(tempfile.mkdtemp(prefix=_prefixes(name)[0], dir=parent))
        os.chmod(path, DIR_MODE)
    except OSError as exc:
        raise io_error(exc, parent) from None
    return path


def swap_in(staged: Path, target: Path, fresh: Iterable[str] = ()) -> None:
    """Put the staged folder in the place of ``target``, whole.  Entries of the old ``target`` the
    new set does not have (an analyst's own files, a notebook not run this time) are carried over,
    except the names in ``fresh``: the new set alone decides them (a step that failed this time
    leaves none, not the previous one's as if current)."""
    try:
        if target.exists():
            have = {p.name for p in staged.iterdir()} | set(fresh)
            for p in target.iterdir():
                if p.name not in have:
                    (shutil.copytree if p.is_dir() else shutil.copy2)(p, staged / p.name)
            old = Path(tempfile.mkdtemp(prefix=_prefixes(target.name)[1], dir=target.parent))
            os.rmdir(old)
            os.rename(target, old)
            os.rename(staged, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(staged, target)
    except OSError as exc:
        raise io_error(exc, target) from None


def write_new(path: Path, data: bytes) -> None:
    """Write a new file in a staging folder (nobody reads it before the swap: no temporary name
    needed); it takes the user's umask; an error is a one-line :class:`OutputError`."""
    try:
        with open(path, "xb") as fh:
            fh.write(data)
    except OSError as exc:
        raise io_error(exc, path) from None


def write_set(target: Path, files: dict[str, bytes]) -> Path:
    """Write ``files`` (name → bytes) as the whole content of ``target``, swapped in at once.
    Call under the exclusive lock of ``target.parent``."""
    target = Path(target)
    recover(target.parent, target.name)
    staged = staging(target.parent, target.name)
    try:
        for name, data in files.items():
            write_new(staged / name, data)
        swap_in(staged, target)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return target
