"""What the scanner needs of saved state: a cursor per incremental target (the ref tips a history
scan saw, a log's offset). `leakbot.store` keeps them in the state database and is handed in;
the scanner runs no SQL."""

from __future__ import annotations

from typing import Protocol


class Cursors(Protocol):
    def cursor(self, target: str) -> str | None: ...

    def set_cursor(self, target: str, cursor: str) -> None: ...
