"""`dotenv` sink: set one variable in a .env file, atomically (`rules.fileio`), leaving every
other line, the file's mode and its group as they were (a new file is 0600). Two processes
delivering to one file at once (two rotations of different keys) take turns on a lock of its
folder, so neither's read-modify-write loses the other's variable and no lock file is left."""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from revoker.errors import RevokerError
from rules.fileio import atomic_write


class DotenvSink:
    def __init__(self, name: str, path: str) -> None:
        if not isinstance(path, str) or not path:
            raise ValueError("'path' must be the .env file to update")
        self.name = name
        self.path = Path(path)

    def deliver(self, variable: str, value: bytes) -> None:
        if b"\n" in value or b"\r" in value:
            raise RevokerError(f"sink {self.name}: the new value spans lines; not written")
        try:
            with _turn(self.path):
                old = self.path.read_bytes() if self.path.exists() else b""
                text = replace_variable(old, variable.encode(), value)
                # the file keeps its own mode and group (a group-reading app keeps access)
                with atomic_write(self.path, keep_mode=True) as fh:
                    fh.write(text)
        except OSError as exc:
            raise RevokerError(f"sink {self.name}: {self.path}: {exc.strerror}") from None


@contextmanager
def _turn(path: Path) -> Iterator[None]:
    """This process's turn at the file: an exclusive lock on its folder (the file itself is
    replaced by a rename, so a lock on it would guard an inode nobody reads any more)."""
    fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def replace_variable(text: bytes, variable: bytes, value: bytes) -> bytes:
    """Replace `NAME=...` (or `export NAME=...`) lines; append one if there is none."""
    pattern = re.compile(rb"^(\s*(?:export\s+)?" + re.escape(variable) + rb"\s*=).*$", re.M)
    if pattern.search(text):
        return pattern.sub(lambda m: m.group(1) + value, text)
    if text and not text.endswith(b"\n"):
        text += b"\n"
    return text + variable + b"=" + value + b"\n"
