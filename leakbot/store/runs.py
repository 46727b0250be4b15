"""The bot's targets: each one's last and next run, for `leakbot status`, /healthz and metrics."""

from __future__ import annotations

import time
from dataclasses import dataclass, fields

from sqlalchemy import Engine, delete, select, update

from leakbot.store.engine import readers
from leakbot.store.schema import bot_targets
from leakbot.store.upsert import upsert


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
    last_bytes: int | None = None


class Runs:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.reads = readers(engine)

    def started(self, name: str, kind: str) -> None:
        with self.engine.begin() as conn:
            upsert(conn, bot_targets, {"name": name, "kind": kind, "last_start": time.time()},
                   key=["name"], update=["kind", "last_start"])  # fmt: skip

    def ended(self, name: str, error: str | None, findings: int, read: int | None = None) -> None:
        now, ok = time.time(), error is None
        t = bot_targets.c
        with self.engine.begin() as conn:
            conn.execute(update(bot_targets).where(t.name == name).values(
                last_end=now, last_ok=int(ok), last_error=error, findings=t.findings + findings,
                last_success=now if ok else t.last_success, last_bytes=read,
            ))  # fmt: skip

    def scheduled(self, name: str, kind: str, next_run: float | None) -> None:
        with self.engine.begin() as conn:
            upsert(conn, bot_targets, {"name": name, "kind": kind, "next_run": next_run},
                   key=["name"], update=["next_run"])  # fmt: skip

    def only(self, names: list[str]) -> None:
        """Forget targets no longer in the config (status would show them forever)."""
        with self.engine.begin() as conn:
            conn.execute(delete(bot_targets).where(bot_targets.c.name.not_in(names)))

    def unscheduled(self) -> None:
        """The bot stopped: no next runs."""
        with self.engine.begin() as conn:
            conn.execute(update(bot_targets).values(next_run=None))

    def all(self) -> list[TargetRun]:
        columns = [bot_targets.c[f.name] for f in fields(TargetRun)]
        with self.reads.begin() as conn:
            rows = conn.execute(select(*columns).order_by(bot_targets.c.name)).all()
        return [TargetRun(*row) for row in rows]
