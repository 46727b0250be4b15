"""`dotenv` sink: set one variable in a .env file, atomically (`rules.fileio`), leaving every
other line, the file's mode and its group as they were (a new file is 0600)."""

from __future__ import annotations

import re
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
            old = self.path.read_bytes() if self.path.exists() else b""
        except OSError as exc:
            raise RevokerError(f"sink {self.name}: {self.path}: {exc.strerror}") from None
        text = replace_variable(old, variable.encode(), value)
        try:  # the file keeps its own mode and group (a group-reading app keeps access)
            with atomic_write(self.path, keep_mode=True) as fh:
                fh.write(text)
        except OSError as exc:
            raise RevokerError(f"sink {self.name}: {self.path}: {exc.strerror}") from None


def replace_variable(text: bytes, variable: bytes, value: bytes) -> bytes:
    """Replace `NAME=...` (or `export NAME=...`) lines; append one if there is none."""
    pattern = re.compile(rb"^(\s*(?:export\s+)?" + re.escape(variable) + rb"\s*=).*$", re.M)
    if pattern.search(text):
        return pattern.sub(lambda m: m.group(1) + value, text)
    if text and not text.endswith(b"\n"):
        text += b"\n"
    return text + variable + b"=" + value + b"\n"
