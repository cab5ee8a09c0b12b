"""Output folders (输出目录): one writer at a time, a year's outputs swapped in whole.

- :func:`locked` — an advisory lock on an output folder (``<folder>/.fzanalysis.lock``):
  exclusive for a writer (``clean``, the cleaning step of ``run``, the reports of a run), shared
  for readers (``fz.load``, the notebooks of a run).  A second writer waits, then fails with a
  one-line :class:`~fzanalysis.core.errors.FolderBusy`.  Re-entrant within one process.
- :func:`staging` + :func:`swap_in` — a year's outputs are written into a hidden sibling folder
  (``.2023.new-…``) and swapped in whole: the old folder is renamed aside, the new one renamed
  into place, the old one removed.  A reader under the lock sees the previous set or the new
  one, never a mix; a killed writer leaves the previous set in place.
- :func:`recover` — run by every writer under the lock: removes a killed writer's staging
  folders and, if it was killed between the two renames, puts the previous set back.
- :func:`write_set` — the one all-or-nothing writer every command uses: refuses a folder that overlaps
  the raw folder (:func:`fzanalysis.store.project.check_output`) and a file name that is not a plain name
  inside the folder, then stages, swaps in and recovers under the folder's lock.  A folder the user
  names for forms (``feedback``, ``template``: ``mine=True``) holds only what the product wrote,
  recorded in :data:`MANIFEST`; a file it did not write, or one changed since, is never deleted: the
  command is refused.
- :func:`safe_component` / :func:`safe_components` — file-name components from names read from data
  (units, areas): safe, bounded, personal data masked, distinct.

Files and folders take the user's umask (colleagues can read a shared folder).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from ..core.errors import FolderBusy, OutputError, ParameterError
from ..core.sanitize import clean_text
from .project import check_output

__all__ = ["DEFAULT_WAIT", "DIR_MODE", "FILE_MODE", "LOCK_NAME", "MANIFEST", "NAME_BYTES", "UMASK", "held",
           "io_error", "locked", "plain_name", "recover", "safe_component", "safe_components", "staging", "swap_in",
           "write_new", "write_set"]

try:  # POSIX; on Windows the lock is a no-op (one analyst, one process)
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None

LOCK_NAME = ".fzanalysis.lock"
MANIFEST = ".fzanalysis-set.json"  # in a folder of forms: the files the product wrote there, with their hashes
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


def swap_in(staged: Path, target: Path, carry: Iterable[str] | None = None, fresh: Iterable[str] = ()) -> None:
    """Put the staged folder in the place of ``target``, whole.  Entries of the old ``target`` the
    new set does not have (an analyst's own files, a notebook not run this time) are carried over;
    with ``carry``, only those of these names; never those in ``fresh``: the new set alone decides them
    (a step that failed this time leaves none, not the previous one's as if current)."""
    try:
        if target.exists():
            have = {p.name for p in staged.iterdir()} | set(fresh)
            keep = None if carry is None else set(carry)
            for p in target.iterdir():
                if p.name not in have and (keep is None or p.name in keep):
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


def write_set(target: Path, files: dict[str, bytes], *, raw: str | Path, mine: bool = False,
              keep: bool = False) -> Path:
    """Write ``files`` (name → bytes) as the new content of ``target``, swapped in at once under the
    exclusive lock of ``target.parent`` (taken here; re-entrant).  Refused before anything is written:
    a ``target`` that is, contains or lies inside ``raw``, and a name that is not a plain file name of
    ``target`` (a separator, ``..``, a control character: :func:`plain_name`).

    ``mine=False`` (the product's own year folders): entries of the old folder the new set lacks are
    carried over.  ``mine=True`` (a folder the user names for forms): the folder may hold only files
    the product wrote there (:data:`MANIFEST`, unchanged since) — anything else is refused, never
    deleted; the old forms the new set lacks are removed, or kept with ``keep=True``."""
    given = Path(target)
    check_output(given, raw)
    for name in files:
        plain_name(name)
    if MANIFEST in files:
        raise OutputError(f"文件名 {MANIFEST} 留给本程序的清单使用", file=str(given))
    target = Path(os.path.realpath(given))  # a linked folder is written where it lies, the link stays
    here = Path(os.path.realpath(os.getcwd()))
    if mine and (target == here or target in here.parents):  # `--out .`: the shell's folder would move away
        raise ParameterError(f"输出目录 {given} 是当前目录或其上级：整套替换会把它移走，请指定一个子目录")
    with locked(target.parent):
        recover(target.parent, target.name)
        carry, kept = None, {}
        if mine:  # refuses a folder holding what the product did not write
            owned = _owned(target)
            kept = {name: h for name, h in owned.items() if keep and name not in files}
            carry = kept.keys()
        staged = staging(target.parent, target.name)
        try:
            for name, data in files.items():
                write_new(_inside(staged, name), data)
            if mine:
                listed = {**kept, **{name: _digest(data) for name, data in files.items()}}
                write_new(staged / MANIFEST, (json.dumps(dict(sorted(listed.items())), ensure_ascii=False, indent=1)
                                              + "\n").encode("utf-8"))
            swap_in(staged, target, carry)
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise
    return given


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _owned(target: Path) -> dict[str, str]:
    """The files of ``target`` the product wrote (name → hash, from its :data:`MANIFEST`), all unchanged;
    a folder holding anything else is refused with a one-line :class:`ParameterError`."""
    if not target.exists():
        return {}
    if not target.is_dir():
        raise ParameterError(f"输出目录 {target} 不是文件夹")
    try:
        listed = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
        if not isinstance(listed, dict):
            listed = {}
    except (OSError, ValueError):
        listed = {}
    for p in sorted(target.iterdir(), key=lambda p: p.name):
        if p.name in (MANIFEST, LOCK_NAME):  # a lock file inside is an earlier version's: not carried over
            continue
        wrote = listed.get(p.name)
        same = wrote is not None and p.is_file() and not p.is_symlink() and _digest(p.read_bytes()) == wrote
        if not same:
            why = "已被修改" if wrote is not None else "不是本程序写入的"
            raise ParameterError(f"输出目录 {target} 中的「{p.name}」{why}：为免删除或覆盖，未写入任何文件；"
                                 "请移走它，或另选一个空目录")
    return {name: h for name, h in listed.items() if (target / name).is_file()}


# separators, control characters (newlines too) and what Windows refuses in a file name
_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f\u2028\u2029/\\<>:"|?*]')
_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))})
NAME_BYTES = 100  # a component built from data: room for the rest of a file name within 255 bytes


def plain_name(name: str) -> str:
    """``name`` when it is one plain file name (no separator, not ``.`` or ``..``, no control
    character, nothing Windows refuses); else a one-line :class:`OutputError`."""
    if not isinstance(name, str) or name in ("", ".", "..") or _UNSAFE.search(name) or name != name.strip():
        raise OutputError(f"文件名不安全，已拒绝写入：{name!r}")
    return name


def _inside(folder: Path, name: str) -> Path:
    """``folder / name``, refused when it would resolve anywhere but directly inside ``folder``."""
    path = folder / plain_name(name)
    if Path(os.path.realpath(path)).parent != Path(os.path.realpath(folder)):
        raise OutputError(f"文件会写到输出目录之外，已拒绝：{name!r}", file=str(folder))
    return path


def safe_component(text: str, limit: int = NAME_BYTES) -> str:
    """A file-name component made from a name read from data (a unit, an area): personal data masked
    (:func:`fzanalysis.core.sanitize.clean_text`), no separator, ``..``, control character or newline, no
    leading dot, dash or space, nothing Windows refuses, at most ``limit`` UTF-8 bytes.  A name that
    had to change, or be shortened, ends in ``~`` and a short stable hash of the masked name — not of
    the original, whose hash would let a phone number be found again by trying every one: so two names
    that differ only in what was masked give one component (:func:`safe_components` tells them apart)."""
    original = str(text)
    masked = clean_text(original)
    s = _UNSAFE.sub("_", masked)
    s = re.sub(r"\.{2,}", ".", s)
    s = re.sub(r"^[\s.\-]+|[\s.]+$", "", s)
    if s and s == original and len(s.encode("utf-8")) <= limit and s.split(".")[0].upper() not in _RESERVED:
        return s
    tag = "~" + hashlib.sha1(masked.encode("utf-8")).hexdigest()[:8]
    room = limit - len(tag)
    cut = s.encode("utf-8")[:room].decode("utf-8", errors="ignore").rstrip(" .")
    return (cut or "_") + tag


def safe_components(names: Iterable[str], limit: int = NAME_BYTES) -> dict[str, str]:
    """Each name → its :func:`safe_component`, distinct: names that meet (they differ only in masked
    personal data) get ``-2``, ``-3`` … in the order given (the same input, the same names)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        if name in out:
            continue
        base = safe_component(name, limit)
        component, n = base, 1
        while component in taken:
            n += 1
            room = limit - len(f"-{n}")
            component = base.encode("utf-8")[:room].decode("utf-8", errors="ignore") + f"-{n}"
        out[name] = component
        taken.add(component)
    return out
