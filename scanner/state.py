"""The scanner's tables in the state database (one SQLite file): scan cursors.

Secrets are never stored here. The schema is checked in below; `user_version` says which one a
file holds, and a file from a newer leakbot is refused rather than misread.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from rules.fileio import private_file
from scanner.errors import ScanError

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS scan_cursors (
    target     TEXT PRIMARY KEY,
    cursor     TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
"""


def default_path(given: str | None = None) -> Path:
    """The state database: `given` (--state), else $LEAKBOT_STATE, else the XDG state folder."""
    explicit = given or os.environ.get("LEAKBOT_STATE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "leakbot" / "state.db"


class State:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(private_file(path), timeout=30)
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise ScanError(
                    f"{path}: state database is from a newer leakbot (schema {version})"
                )
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(SCHEMA)
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise ScanError(f"{path}: cannot use state database: {exc}") from None

    def cursor(self, target: str) -> str | None:
        row = self.db.execute(
            "SELECT cursor FROM scan_cursors WHERE target = ?", (target,)
        ).fetchone()
        return str(row[0]) if row else None

    def set_cursor(self, target: str, cursor: str) -> None:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self.db:
            self.db.execute(
                "INSERT INTO scan_cursors (target, cursor, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (target) DO UPDATE SET cursor = excluded.cursor, "
                "updated_at = excluded.updated_at",
                (target, cursor, now),
            )

    def close(self) -> None:
        self.db.close()
