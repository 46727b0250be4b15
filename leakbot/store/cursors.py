"""Scan cursors: where each incremental target stopped (ref tips, log offsets)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, select

from leakbot.store.engine import readers
from leakbot.store.schema import scan_cursors
from leakbot.store.upsert import upsert


class Cursors:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.reads = readers(engine)

    def cursor(self, target: str) -> str | None:
        with self.reads.begin() as conn:
            found = conn.execute(
                select(scan_cursors.c.cursor).where(scan_cursors.c.target == target)
            ).scalar()
        return str(found) if found is not None else None

    def set_cursor(self, target: str, cursor: str) -> None:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self.engine.begin() as conn:
            upsert(conn, scan_cursors, {"target": target, "cursor": cursor, "updated_at": now},
                   key=["target"], update=["cursor", "updated_at"])  # fmt: skip
