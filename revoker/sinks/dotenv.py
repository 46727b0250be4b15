"""`dotenv` sink: set one variable in a .env file, atomically (write a 0600 temporary file beside
it, fsync, rename), leaving every other line as it was."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from revoker.errors import RevokerError


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
        folder = self.path.parent if str(self.path.parent) else Path(".")
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=folder)
        except OSError as exc:
            raise RevokerError(f"sink {self.name}: {folder}: {exc.strerror}") from None
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise RevokerError(f"sink {self.name}: {self.path}: {exc.strerror}") from None


def replace_variable(text: bytes, variable: bytes, value: bytes) -> bytes:
    """Replace `NAME=...` (or `export NAME=...`) lines; append one if there is none."""
    pattern = re.compile(rb"^(\s*(?:export\s+)?" + re.escape(variable) + rb"\s*=).*$", re.M)
    if pattern.search(text):
        return pattern.sub(lambda m: m.group(1) + value, text)
    if text and not text.endswith(b"\n"):
        text += b"\n"
    return text + variable + b"=" + value + b"\n"
