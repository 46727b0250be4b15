"""The revocation ledger: one row per leaked credential, and an event log of every step.

It lives in the state database beside the scanner's tables (the revoker owns `rotations`,
`rotation_events` and its row in `schema_versions`). No secret is ever written here: a leaked key
is its SHA-256, a redacted preview and where it was found; a new key is its vendor id.

Each workflow step is written down before it runs (`phase = 'started'`) and after (`'done'`), in
its own transaction, so a process killed at any moment leaves a row that says exactly where to
resume. A lease (pid + expiry) keeps two processes from working on one row at once.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from revoker.errors import RevokerError
from rules.fileio import private_file

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_versions (
    component TEXT PRIMARY KEY,
    version   INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS rotations (
    id            INTEGER PRIMARY KEY,
    vendor        TEXT NOT NULL,
    secret_sha256 TEXT NOT NULL,
    rule_id       TEXT NOT NULL,
    preview       TEXT NOT NULL,
    location      TEXT NOT NULL,      -- JSON: path, line, commit, repo (where to read it again)
    verdict       TEXT NOT NULL,      -- live | dead | unknown | unverifiable (last verification)
    reason        TEXT NOT NULL,
    status        TEXT NOT NULL,      -- see STATUSES
    old_key_id    TEXT,
    new_key_id    TEXT,
    new_key_name  TEXT,
    step          TEXT,               -- the last workflow step written down
    phase         TEXT,               -- started | done
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_attempt  REAL,
    last_error    TEXT,
    approved      INTEGER NOT NULL DEFAULT 0,
    lease_pid     INTEGER,
    lease_until   REAL,
    found_at      REAL NOT NULL,
    updated_at    REAL NOT NULL,
    rotated_at    REAL,
    leaked_at     REAL,               -- the commit's date, or when the line was first read
    UNIQUE (vendor, secret_sha256)
) STRICT;
CREATE TABLE IF NOT EXISTS rotation_events (
    id          INTEGER PRIMARY KEY,
    rotation_id INTEGER NOT NULL REFERENCES rotations (id),
    at          REAL NOT NULL,
    step        TEXT NOT NULL,
    event       TEXT NOT NULL,
    detail      TEXT NOT NULL
) STRICT;
"""

# new: verified, nothing done yet | awaiting_approval | blocked: cannot act yet (no sink, no
# admin credential, unknown verdict) | rotating: a step is under way | done | dead: already
# revoked when found | manual: the owner was sent the vendor's playbook | failed: a step failed,
# retried after next_attempt.
STATUSES = ("new", "awaiting_approval", "blocked", "rotating", "failed", "done", "dead", "manual")
OPEN = ("new", "awaiting_approval", "blocked", "rotating", "failed")
LEASE_SECONDS = 600.0


@dataclass
class Rotation:
    id: int
    vendor: str
    secret_sha256: str
    rule_id: str
    preview: str
    location: str
    verdict: str
    reason: str
    status: str
    old_key_id: str | None
    new_key_id: str | None
    new_key_name: str | None
    step: str | None
    phase: str | None
    attempts: int
    next_attempt: float | None
    last_error: str | None
    approved: int
    lease_pid: int | None
    lease_until: float | None
    found_at: float
    updated_at: float
    rotated_at: float | None
    leaked_at: float | None

    @property
    def where(self) -> dict[str, Any]:
        loaded = json.loads(self.location)
        return loaded if isinstance(loaded, dict) else {}

    @property
    def place(self) -> str:
        """path:line, with the commit for history findings."""
        where = self.where
        text = f"{where.get('path', '?')}:{where.get('line', '?')}"
        return f"{text} @ {str(where['commit'])[:12]}" if where.get("commit") else text


_COLUMNS = ", ".join(f.name for f in fields(Rotation))


class Ledger:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(private_file(path), timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")  # a step recorded is a step on disk
            self.db.executescript(SCHEMA)
            row = self.db.execute(
                "SELECT version FROM schema_versions WHERE component = 'revoker'"
            ).fetchone()
            if row and row[0] > SCHEMA_VERSION:
                raise RevokerError(f"{path}: the ledger is from a newer leakbot (schema {row[0]})")
            self.db.execute(
                "INSERT OR IGNORE INTO schema_versions VALUES ('revoker', ?)", (SCHEMA_VERSION,)
            )
        except sqlite3.DatabaseError as exc:
            raise RevokerError(f"{path}: cannot use state database: {exc}") from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- rows ------------------------------------------------------------------------------------

    def record(
        self,
        vendor: str,
        secret_sha256: str,
        rule_id: str,
        preview: str,
        location: dict[str, Any],
        verdict: str,
        reason: str,
        key_id: str | None = None,
        leaked_at: float | None = None,
    ) -> Rotation:
        """Add a leaked credential, or refresh the verdict of one already known (a row that is
        done, dead or manual keeps its status: it is not rotated twice)."""
        now = time.time()
        status = "dead" if verdict == "dead" else "new"
        with self._tx():
            self.db.execute(
                "INSERT INTO rotations (vendor, secret_sha256, rule_id, preview, location, "
                "verdict, reason, status, old_key_id, found_at, updated_at, leaked_at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT (vendor, secret_sha256) DO UPDATE SET "
                "verdict = excluded.verdict, reason = excluded.reason, "
                "old_key_id = coalesce(old_key_id, excluded.old_key_id), "
                "leaked_at = min(coalesce(leaked_at, excluded.leaked_at), "
                "                coalesce(excluded.leaked_at, leaked_at)), "
                "updated_at = excluded.updated_at, "
                "status = CASE WHEN status = 'new' AND excluded.status = 'dead' THEN 'dead' "
                "              ELSE status END",
                (
                    vendor,
                    secret_sha256,
                    rule_id,
                    preview,
                    json.dumps(location, sort_keys=True),
                    verdict,
                    reason,
                    status,
                    key_id,
                    now,
                    now,
                    leaked_at if leaked_at is not None else now,
                ),
            )
        row = self.find(vendor, secret_sha256)
        assert row is not None
        return row

    def find(self, vendor: str, secret_sha256: str) -> Rotation | None:
        row = self.db.execute(
            f"SELECT {_COLUMNS} FROM rotations WHERE vendor = ? AND secret_sha256 = ?",
            (vendor, secret_sha256),
        ).fetchone()
        return Rotation(*row) if row else None

    def get(self, rotation_id: int) -> Rotation | None:
        row = self.db.execute(
            f"SELECT {_COLUMNS} FROM rotations WHERE id = ?", (rotation_id,)
        ).fetchone()
        return Rotation(*row) if row else None

    def rows(self, statuses: tuple[str, ...] = STATUSES) -> list[Rotation]:
        marks = ",".join("?" * len(statuses))
        cursor = self.db.execute(
            f"SELECT {_COLUMNS} FROM rotations WHERE status IN ({marks}) ORDER BY id", statuses
        )
        return [Rotation(*r) for r in cursor]

    def update(self, rotation_id: int, **values: Any) -> None:
        allowed = {f.name for f in fields(Rotation)} - {"id"}
        assert set(values) <= allowed, set(values) - allowed
        values["updated_at"] = time.time()
        assignments = ", ".join(f"{k} = ?" for k in values)
        with self._tx():
            self.db.execute(
                f"UPDATE rotations SET {assignments} WHERE id = ?", (*values.values(), rotation_id)
            )

    def event(self, rotation_id: int, step: str, event: str, detail: str = "") -> None:
        with self._tx():
            self.db.execute(
                "INSERT INTO rotation_events (rotation_id, at, step, event, detail) "
                "VALUES (?, ?, ?, ?, ?)",
                (rotation_id, time.time(), step, event, detail),
            )

    def events(self, rotation_id: int) -> list[tuple[float, str, str, str]]:
        cursor = self.db.execute(
            "SELECT at, step, event, detail FROM rotation_events WHERE rotation_id = ? ORDER BY id",
            (rotation_id,),
        )
        return [(float(a), str(s), str(e), str(d)) for a, s, e, d in cursor]

    # -- steps -----------------------------------------------------------------------------------

    def begin(self, rotation_id: int, step: str, **values: Any) -> None:
        """Write a step down before it runs (with whatever it must find again after a crash)."""
        with self._tx():
            self._step(rotation_id, step, "started", values)

    def done(self, rotation_id: int, step: str, detail: str = "", **values: Any) -> None:
        with self._tx():
            self._step(rotation_id, step, "done", values, detail)

    def _step(
        self, rotation_id: int, step: str, phase: str, values: dict[str, Any], detail: str = ""
    ) -> None:
        values = {**values, "step": step, "phase": phase, "updated_at": time.time()}
        assignments = ", ".join(f"{k} = ?" for k in values)
        self.db.execute(
            f"UPDATE rotations SET {assignments} WHERE id = ?", (*values.values(), rotation_id)
        )
        self.db.execute(
            "INSERT INTO rotation_events (rotation_id, at, step, event, detail) "
            "VALUES (?, ?, ?, ?, ?)",
            (rotation_id, time.time(), step, phase, detail),
        )

    # -- leases ----------------------------------------------------------------------------------

    def claim(self, rotation_id: int, seconds: float = LEASE_SECONDS) -> bool:
        """Take the row for this process, unless a live process holds an unexpired lease."""
        now = time.time()
        with self._tx():
            row = self.db.execute(
                "SELECT lease_pid, lease_until FROM rotations WHERE id = ?", (rotation_id,)
            ).fetchone()
            if row is None:
                return False
            pid, until = row
            held = pid not in (None, os.getpid()) and until and until > now and _alive(pid)
            if held:
                return False
            self.db.execute(
                "UPDATE rotations SET lease_pid = ?, lease_until = ? WHERE id = ?",
                (os.getpid(), now + seconds, rotation_id),
            )
        return True

    def release(self, rotation_id: int) -> None:
        self.update(rotation_id, lease_pid=None, lease_until=None)

    def _tx(self) -> _Transaction:
        return _Transaction(self.db)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT: one writer at a time, and a step is either recorded or not."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, *_: object) -> None:
        self.db.execute("ROLLBACK" if kind else "COMMIT")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
