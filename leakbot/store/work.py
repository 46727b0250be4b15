"""Leases on scans, and the scheduler's leadership.

A lease names its owner (host:pid:nonce) and runs out at `until`; the owner renews it while it
works (`Held`), so a worker killed on any host loses it after one lease and nothing trusts a
pid. Leadership is a PostgreSQL advisory lock held by one connection: the process that holds it
schedules, a second one waits; the lock goes with the connection when its process dies.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, and_, delete, or_, select, text, update

from leakbot.store.schema import work_leases
from leakbot.store.upsert import insert_new

LEADER_LOCK = 0x6C65616B  # "leak": the advisory lock id of the scheduler's leadership


class WorkLeases:
    def __init__(self, engine: Engine, owner: str, seconds: float = 300.0) -> None:
        self.engine, self.owner, self.seconds = engine, owner, seconds

    def claim(self, name: str) -> bool:
        """Take the lease on `name` unless someone else holds one that has not run out."""
        w = work_leases.c
        now = time.time()
        mine = {"name": name, "owner": self.owner, "until": now + self.seconds}
        with self.engine.begin() as conn:
            if insert_new(conn, work_leases, mine, ["name"]) is not None:
                return True
            taken = conn.execute(update(work_leases).where(and_(
                w.name == name, or_(w.until < now, w.owner == self.owner))).values(
                owner=self.owner, until=now + self.seconds)).rowcount  # fmt: skip
        return bool(taken)

    def renew(self, name: str) -> bool:
        w = work_leases.c
        with self.engine.begin() as conn:
            kept = conn.execute(update(work_leases).where(and_(
                w.name == name, w.owner == self.owner)).values(
                until=time.time() + self.seconds)).rowcount  # fmt: skip
        return bool(kept)

    def release(self, name: str) -> None:
        w = work_leases.c
        with self.engine.begin() as conn:
            conn.execute(delete(work_leases).where(and_(w.name == name, w.owner == self.owner)))

    def holder(self, name: str) -> tuple[str, float] | None:
        """Who holds a lease on `name` that has not run out (a dead worker's lease has)."""
        w = work_leases.c
        with self.engine.begin() as conn:
            row = conn.execute(select(w.owner, w.until).where(
                and_(w.name == name, w.until >= time.time()))).first()  # fmt: skip
        return (str(row[0]), float(row[1])) if row else None

    @contextmanager
    def held(self, name: str) -> Iterator[bool]:
        """The lease on `name` while the block runs (renewed every third of a lease), or False
        when another worker holds it."""
        if not self.claim(name):
            yield False
            return
        done = threading.Event()

        def renew() -> None:
            while not done.wait(self.seconds / 3):
                if not self.renew(name):
                    return

        keeper = threading.Thread(target=renew, name=f"lease {name}", daemon=True)
        keeper.start()
        try:
            yield True
        finally:
            done.set()
            keeper.join(timeout=5)
            self.release(name)


class Leadership:
    """The scheduler's leader: one process among those sharing a PostgreSQL database (SQLite:
    one process, always the leader)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.conn: Any = None

    def try_lead(self) -> bool:
        if self.engine.dialect.name != "postgresql":
            return True
        if self.conn is not None:
            try:  # still connected, so still holding the lock?
                self.conn.execute(text("SELECT 1")).scalar()
                self.conn.commit()
                return True
            except Exception:  # the connection broke (a server restart): the lock went with it
                self._drop()
        conn = self.engine.connect()
        got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LEADER_LOCK}).scalar()
        conn.commit()
        if got:
            self.conn = conn
            return True
        conn.close()
        return False

    def resign(self) -> None:
        if self.conn is not None:
            try:
                self.conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LEADER_LOCK})
                self.conn.commit()
            except Exception:  # a broken connection holds no lock either
                pass
            self._drop()

    def _drop(self) -> None:
        self.conn.invalidate()  # closed, not returned to the pool
        self.conn = None
