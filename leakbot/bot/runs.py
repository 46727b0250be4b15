"""The bot's own table in the state database: each target's last and next run, for `leakbot
status` and /healthz."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from rules.fileio import private_file

SCHEMA = """
CREATE TABLE IF NOT EXISTS bot_targets (
    name       TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    last_start REAL,
    last_end   REAL,
    last_ok    INTEGER,
    last_error TEXT,
    findings   INTEGER NOT NULL DEFAULT 0,
    next_run   REAL,
    last_success REAL               -- when the last run that scanned everything ended
) STRICT;
"""


@dataclass
class TargetRun:
    name: str
    kind: str
    last_start: float | None
    last_end: float | None
    last_ok: int | None
    last_error: str | None
    findings: int
    next_run: float | None
    last_success: float | None


class Runs:
    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(private_file(path), timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(SCHEMA)
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(bot_targets)")}
        if "last_success" not in columns:  # a state file from before last_success existed
            self.db.execute("ALTER TABLE bot_targets ADD COLUMN last_success REAL")

    def close(self) -> None:
        self.db.close()

    def started(self, name: str, kind: str) -> None:
        self.db.execute(
            "INSERT INTO bot_targets (name, kind, last_start) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, "
            "last_start = excluded.last_start",
            (name, kind, time.time()),
        )

    def ended(self, name: str, error: str | None, findings: int) -> None:
        now = time.time()
        self.db.execute(
            "UPDATE bot_targets SET last_end = ?, last_ok = ?, last_error = ?, "
            "findings = findings + ?, last_success = CASE WHEN ? THEN ? ELSE last_success END "
            "WHERE name = ?",
            (now, int(error is None), error, findings, int(error is None), now, name),
        )

    def scheduled(self, name: str, kind: str, next_run: float | None) -> None:
        self.db.execute(
            "INSERT INTO bot_targets (name, kind, next_run) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET next_run = excluded.next_run",
            (name, kind, next_run),
        )

    def only(self, names: list[str]) -> None:
        """Forget targets no longer in the config (status would show them forever)."""
        marks = ", ".join("?" * len(names))
        self.db.execute(f"DELETE FROM bot_targets WHERE name NOT IN ({marks})", names)

    def unscheduled(self) -> None:
        """The bot stopped: no next runs."""
        self.db.execute("UPDATE bot_targets SET next_run = NULL")

    def all(self) -> list[TargetRun]:
        cursor = self.db.execute(
            "SELECT name, kind, last_start, last_end, last_ok, last_error, findings, next_run, "
            "last_success FROM bot_targets ORDER BY name"
        )
        return [TargetRun(*row) for row in cursor]


def read(path: Path) -> list[TargetRun]:
    """The targets' runs, or nothing when the bot never ran against this database."""
    if not path.exists():
        return []
    runs = Runs(path)
    try:
        return runs.all()
    finally:
        runs.close()
