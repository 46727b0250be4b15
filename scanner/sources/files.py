"""Files, directories and stdin: what to scan (tasks) and how to read each one as a stream.

Directories are walked without following symlinks; `.git` is left to `leakbot git`. Plain files
bigger than SPLIT bytes are cut into ranges at line starts so both cores share one big log; gzip
files are streamed through their inflater (transcode.inflaters), never loaded whole and never
skipped for size.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import BinaryIO, Literal

from scanner.errors import ScanError
from scanner.sources.transcode import GZIP_MAGIC, SNIFF, as_is, readable, wide_encoding

SPLIT = 64 << 20
SKIP_DIRS = frozenset({".git"})

Kind = Literal["file", "plain", "gzip", "stdin"]  # file: plain or gzip, sniffed when read


@dataclass(frozen=True)
class Task:
    path: str  # as the user will see it
    fs_path: str
    kind: Kind
    start: int = 0
    end: int | None = None
    size: int = 0
    walked: bool = False  # found inside a folder (not named by the user): .gitignore applies


@dataclass(frozen=True)
class Skip:
    path: str
    reason: str  # 'symlink' is counted quietly; anything else is also a note for the user
    note: str | None = None


def open_regular(path: str) -> BinaryIO:
    """Open a planned file to read it, as it is now: never through a symlink (one swapped in
    since the listing could point outside the tree), never blocking (a FIFO swapped in would hang
    the scan), and only if what was opened is a regular file. OSError otherwise."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OSError(exc.errno, "now a symlink, not followed") from None
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "no longer a regular file, skipped")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _symlink_skip(path: str, root: Path) -> Skip:
    try:
        target = Path(path).resolve(strict=True)
    except (OSError, RuntimeError):
        return Skip(path, "broken-symlink", f"{path}: broken symlink, skipped")
    if not target.is_relative_to(root.resolve()):
        return Skip(path, "outside", f"{path}: symlink points outside the tree, not followed")
    return Skip(path, "symlink")


def _excluded(path: str, root: str, exclude: tuple[str, ...]) -> bool:
    """`--exclude` globs match a name, or a path from the folder being scanned (`build/*`)."""
    rel = os.path.relpath(path, root or ".")
    return any(fnmatch(os.path.basename(path), g) or fnmatch(rel, g) for g in exclude)


def walk(root: Path, exclude: tuple[str, ...] = ()) -> Iterator[tuple[str, os.stat_result] | Skip]:
    """Regular files under root in name order, with their stat; a Skip for anything else."""
    stack_root = "" if str(root) == "." else str(root)  # as Path shows it: "src/a.py"
    stack = [stack_root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder or ".") as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield Skip(folder, "error", f"{folder}: cannot read directory: {exc.strerror}")
            continue
        subdirs = []
        for entry in entries:
            path = os.path.join(folder, entry.name)
            if exclude and _excluded(path, stack_root, exclude):
                yield Skip(path, "excluded")
            elif entry.is_symlink():
                yield _symlink_skip(path, root)
            elif entry.is_dir(follow_symlinks=False):
                if entry.name not in SKIP_DIRS:
                    subdirs.append(path)
            else:
                try:
                    yield path, entry.stat(follow_symlinks=False)
                except OSError as exc:
                    yield Skip(path, "error", f"{path}: cannot read: {exc.strerror}")
        stack.extend(reversed(subdirs))


def plan(paths: list[str], exclude: tuple[str, ...] = ()) -> tuple[list[Task], list[Skip]]:
    """Turn command-line paths into tasks; '-' is stdin. `exclude` globs prune what folders hold
    (a file named on the command line is always scanned)."""
    tasks: list[Task] = []
    skips: list[Skip] = []
    for arg in paths:
        if arg == "-":
            tasks.append(Task("<stdin>", "-", "stdin"))
            continue
        root = Path(arg)
        if root.is_dir():
            for item in walk(root, exclude):
                if isinstance(item, Skip):
                    skips.append(item)
                else:
                    _plan_file(item[0], item[0], item[1], tasks, skips, walked=True)
        elif root.exists():  # named by the user: a link is followed once, here, and no later
            real = os.path.realpath(arg) if root.is_symlink() else arg
            _plan_file(real, arg, root.stat(), tasks, skips)
        elif root.is_symlink():
            skips.append(Skip(arg, "broken-symlink", f"{arg}: broken symlink, skipped"))
        else:
            raise ScanError(f"{arg}: no such file or directory")
    return tasks, skips


def _plan_file(path: str, shown: str, info: os.stat_result, tasks: list[Task],
               skips: list[Skip], walked: bool = False) -> None:  # fmt: skip
    """Small files are sniffed for gzip by the worker that reads them; big ones here, to split."""
    if not stat.S_ISREG(info.st_mode):
        skips.append(Skip(shown, "special", f"{shown}: not a regular file, skipped"))
        return
    if info.st_size <= SPLIT and not path.endswith(".gz"):
        tasks.append(Task(shown, path, "file", size=info.st_size, walked=walked))
        return
    try:
        with open_regular(path) as fh:
            head = fh.read(SNIFF)
    except OSError as exc:
        skips.append(Skip(shown, "error", f"{shown}: cannot read: {exc.strerror}"))
        return
    if head.startswith(GZIP_MAGIC):
        size = _gzip_size(Path(path), info.st_size)
        tasks.append(Task(shown, path, "gzip", size=size, walked=walked))
        return
    if wide_encoding(head):  # UTF-16/32 is decoded as one stream: its lines cannot be cut raw
        tasks.append(Task(shown, path, "file", size=info.st_size, walked=walked))
        return
    try:
        ranges = _ranges(Path(path), info.st_size)
    except OSError as exc:
        skips.append(Skip(shown, "error", f"{shown}: cannot read: {exc.strerror}"))
        return
    for start, end in ranges:
        tasks.append(Task(shown, path, "plain", start, end, info.st_size, walked=walked))


def _gzip_size(path: Path, compressed: int) -> int:
    """The uncompressed size from the gzip trailer (modulo 4 GiB; a guess for scheduling and
    progress only), never less than the compressed size."""
    try:
        with open_regular(str(path)) as fh:
            fh.seek(max(0, compressed - 4))
            isize = int.from_bytes(fh.read(4), "little")
    except OSError:
        return compressed
    return max(isize, compressed)


def _ranges(path: Path, size: int) -> list[tuple[int, int | None]]:
    """Cut points at line starts near every SPLIT bytes (none inside a line longer than 1 MB)."""
    if size <= SPLIT:
        return [(0, None)]
    cuts = [0]
    with open_regular(str(path)) as fh:
        for guess in range(SPLIT, size, SPLIT):
            fh.seek(guess)
            probe = fh.read(1 << 20)
            newline = probe.find(b"\n")
            if newline >= 0 and guess + newline + 1 < size and guess + newline + 1 > cuts[-1]:
                cuts.append(guess + newline + 1)
    return [(lo, hi) for lo, hi in zip(cuts, [*cuts[1:], None], strict=True)]


class Reader:
    """A context manager giving `read(n)` over a task's bytes, from its start: inflated if gzip,
    decoded to UTF-8 if UTF-16/32 (scanner.sources.transcode), raw for a range of a big file.
    For raw bytes of a regular file `read_at(offset, size)` reads by position as well."""

    def __init__(self, task: Task, stdin: BinaryIO | None = None) -> None:
        self.task = task
        self._stdin = stdin
        self._fh: BinaryIO | None = None
        self.left_context = b""
        self.read_at: Callable[[int, int], bytes] | None = None

    def __enter__(self) -> Callable[[int], bytes]:
        task = self.task
        if task.kind == "stdin":
            assert self._stdin is not None
            return readable(self._stdin.read)
        self._fh = fh = open_regular(task.fs_path)
        fd = fh.fileno()
        if task.kind == "gzip" or (task.kind == "file" and not as_is(os.pread(fd, SNIFF, 0))):
            return readable(fh.read)
        self.read_at = lambda offset, size: os.pread(fd, size, offset)
        if task.start:
            back = min(task.start, 4096)
            self.left_context = os.pread(fd, back, task.start - back)
        fh.seek(task.start)
        return fh.read

    def __exit__(self, *exc: object) -> None:
        if self._fh is not None:
            self._fh.close()
