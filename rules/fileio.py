"""Files written safely: whole or not at all, never through a planted link, private by default.

Every layer writes files this way (reports, baselines, the rules cache, the emulator's key file,
the dotenv sink, the state database), so the helpers live in the lowest package. A temporary
file is made with `mkstemp` in the target's own folder: created exclusively (O_EXCL, mode 0600),
so a symlink planted under a predictable name is never followed; it is fsynced, then renamed
over the target, so a reader sees the old file or the new one, never half of either.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TextIO

PRIVATE = 0o600


@contextlib.contextmanager
def atomic_write(
    path: Path, *, mode: int = PRIVATE, keep_mode: bool = False
) -> Iterator[IO[bytes]]:
    """A binary file object whose content replaces `path` when the block ends without an error.
    `mode` is the new file's permissions; with `keep_mode`, an existing file keeps its own mode
    and group (an app's group may need to read it). A character device or FIFO (`-o /dev/stdout`)
    is written in place: there is nothing to rename over."""
    path = Path(path)
    existing = _stat(path)
    if existing is not None and (stat.S_ISCHR(existing.st_mode) or stat.S_ISFIFO(existing.st_mode)):
        with open(path, "wb") as fh:
            yield fh
        return
    import tempfile  # only a writer pays for its imports (random, shutil)

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        _set_mode(fd, existing if keep_mode else None, mode)
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_text(path: Path, *, mode: int = PRIVATE) -> Iterator[TextIO]:
    """`atomic_write` for UTF-8 text (reports)."""
    with atomic_write(path, mode=mode) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8")
        yield text
        text.flush()
        text.detach()  # `raw` is closed, synced and renamed by atomic_write


def write_bytes_atomic(path: Path, data: bytes, *, mode: int = PRIVATE) -> None:
    with atomic_write(path, mode=mode) as fh:
        fh.write(data)


def _stat(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)  # follows a link: /dev/stdout is one
    except FileNotFoundError:
        return None


def _set_mode(fd: int, existing: os.stat_result | None, mode: int) -> None:
    if existing is None:
        os.fchmod(fd, mode)
        return
    os.fchmod(fd, stat.S_IMODE(existing.st_mode))
    with contextlib.suppress(PermissionError):  # only the owner's own groups can be kept
        os.fchown(fd, -1, existing.st_gid)


def private_file(path: Path) -> Path:
    """Make sure `path` exists with mode 0600 before a library (SQLite) opens it: the state
    database holds the ledger, and its -wal and -shm files take the database's mode.

    An existing file is never opened here: closing any descriptor of a database file drops every
    POSIX lock this process holds on it, so SQLite connections open in other threads would lose
    theirs (https://www.sqlite.org/howtocorrupt.html, 2.2). Only a file that does not exist yet,
    which nobody can hold open, is created; an existing one is chmod-ed by name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, PRIVATE))
    except FileExistsError:
        if stat.S_IMODE(os.stat(path).st_mode) & 0o077:
            os.chmod(path, PRIVATE)  # a state file from an older version: made private now
    return path
