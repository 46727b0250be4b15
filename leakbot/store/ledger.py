"""The revocation ledger's rows and events (the revoker's `Ledger` protocol), and their leases.

Every write is its own transaction, so a process killed at any moment leaves a row that says
where to resume. A row being worked on is leased to one owner (host:pid:nonce) until
`lease_until`; the owner renews its leases while it lives (`Leases`), so a process that dies on
any host loses its claims after one lease, and nothing trusts a pid.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Engine, and_, func, insert, or_, select, update

from leakbot.store.engine import readers
from leakbot.store.schema import audit_log, rotation_events, rotations
from leakbot.store.sightings import Sighting, note
from leakbot.store.upsert import insert_new
from revoker.errors import RevokerError
from revoker.kinds import OPEN
from revoker.ledger import LEASE_SECONDS, STATUSES, Rotation

_COLUMNS = [rotations.c[f.name] for f in fields(Rotation)]
_WRITABLE = {f.name for f in fields(Rotation)} - {"id"}


@dataclass(frozen=True)
class Leak:
    """One leaked credential for the ledger, as `record` takes it."""

    vendor: str
    secret_sha256: str
    rule_id: str
    preview: str
    location: dict[str, Any]
    verdict: str
    reason: str
    key_id: str | None = None
    leaked_at: float | None = None
    variable: str | None = None
    key_name: str | None = None
    seen: list[Sighting] | None = None


class LeaseLost(RevokerError):
    """Another process took the row over (this one stalled past its lease): stop, touch nothing."""


class LedgerStore:
    def __init__(self, engine: Engine, where: str, owner: str, actor: str,
                 lease: float = LEASE_SECONDS) -> None:  # fmt: skip
        self.engine, self.where, self.owner, self.actor = engine, where, owner, actor
        self.reads = readers(engine)
        self.lease = lease
        self.leases = Leases(self)

    # -- rows ------------------------------------------------------------------------------------

    def record(self, vendor: str, secret_sha256: str, rule_id: str, preview: str,
               location: dict[str, Any], verdict: str, reason: str, key_id: str | None = None,
               leaked_at: float | None = None, variable: str | None = None,
               key_name: str | None = None, seen: list[Sighting] | None = None,
               ) -> Rotation:  # fmt: skip
        """Add a leaked credential, or refresh the verdict of one already known (a row that is
        done, dead or manual keeps its status: it is not rotated twice); `seen` are the places
        it was found this time (a triaged row seen somewhere new reopens)."""
        self.record_all([Leak(vendor, secret_sha256, rule_id, preview, location, verdict, reason,
                              key_id, leaked_at, variable, key_name, seen)])  # fmt: skip
        row = self.find(vendor, secret_sha256)
        assert row is not None
        return row

    def record_all(self, leaks: list[Leak]) -> None:
        """`record` for many credentials in one transaction (GitHub alerts a thousand at once)."""
        with self.engine.begin() as conn:
            for leak in leaks:
                self._record(conn, leak, time.time())

    def _record(self, conn: Any, leak: Leak, now: float) -> None:
        leaked = leak.leaked_at if leak.leaked_at is not None else now
        r = rotations.c
        mine = and_(r.vendor == leak.vendor, r.secret_sha256 == leak.secret_sha256)
        added = insert_new(conn, rotations, {
            "vendor": leak.vendor, "secret_sha256": leak.secret_sha256, "rule_id": leak.rule_id,
            "preview": leak.preview, "location": json.dumps(leak.location, sort_keys=True),
            "verdict": leak.verdict, "reason": leak.reason, "old_key_id": leak.key_id,
            "variable": leak.variable, "key_name": leak.key_name,
            "status": "dead" if leak.verdict == "dead" else "new",
            "found_at": now, "updated_at": now, "leaked_at": leaked,
        }, key=["vendor", "secret_sha256"])  # fmt: skip
        row_id = added
        if added is not None:
            self._audit(conn, "recorded", None, f"{leak.vendor} {leak.verdict}")
        else:
            known = (r.id, r.status, r.leaked_at, r.old_key_id, r.variable, r.key_name)
            found = conn.execute(select(*known).where(mine).with_for_update()).one()
            row_id = found.id
            dead = found.status == "new" and leak.verdict == "dead"
            conn.execute(update(rotations).where(r.id == found.id).values(
                verdict=leak.verdict, reason=leak.reason, status="dead" if dead else found.status,
                updated_at=now, old_key_id=found.old_key_id or leak.key_id,
                variable=found.variable or leak.variable,
                key_name=leak.key_name or found.key_name,
                leaked_at=min(found.leaked_at or leaked, leaked)))  # fmt: skip
        if leak.seen:
            note(conn, int(row_id), leak.seen, added is not None, self.actor)

    def find(self, vendor: str, secret_sha256: str) -> Rotation | None:
        return self._one(and_(rotations.c.vendor == vendor,
                              rotations.c.secret_sha256 == secret_sha256))  # fmt: skip

    def get(self, rotation_id: int) -> Rotation | None:
        return self._one(rotations.c.id == rotation_id)

    def rows(self, statuses: tuple[str, ...] = STATUSES,
             vendor: str | None = None) -> list[Rotation]:  # fmt: skip
        query = select(*_COLUMNS).where(rotations.c.status.in_(statuses)).order_by(rotations.c.id)
        if vendor is not None:
            query = query.where(rotations.c.vendor == vendor)
        with self.reads.begin() as conn:
            return [Rotation(*row) for row in conn.execute(query)]

    def verdicts(self, hashes: list[str]) -> dict[str, str]:
        """The verdict each of these secret hashes was found with (any vendor): a key leakbot
        rotated counts live, as it was until leakbot revoked it; a row found dead stays dead."""
        out: dict[str, str] = {}
        wanted = sorted(set(hashes))
        r = rotations.c
        with self.reads.begin() as conn:
            for n in range(0, len(wanted), 500):
                query = select(r.secret_sha256, r.verdict, r.status).where(
                    r.secret_sha256.in_(wanted[n:n + 500]))  # fmt: skip
                for sha, verdict, status in conn.execute(query):
                    rotated = status == "done" and verdict == "dead"
                    out[str(sha)] = "live" if rotated else str(verdict)
        return out

    def counts(self) -> dict[tuple[str, str], int]:
        """Rows by (vendor, status), for the metrics."""
        query = select(rotations.c.vendor, rotations.c.status, func.count()).group_by(
            rotations.c.vendor, rotations.c.status)  # fmt: skip
        with self.reads.begin() as conn:
            return {(v, s): int(n) for v, s, n in conn.execute(query)}

    def update(self, rotation_id: int, **values: Any) -> None:
        unknown = set(values) - _WRITABLE
        if unknown:
            raise ValueError(f"not a ledger column: {sorted(unknown)[0]}")
        with self.engine.begin() as conn:
            conn.execute(update(rotations).where(rotations.c.id == rotation_id).values(
                **values, updated_at=time.time()))  # fmt: skip

    def event(self, rotation_id: int, step: str, event: str, detail: str = "") -> None:
        with self.engine.begin() as conn:
            self._event(conn, rotation_id, step, event, detail)

    def events(self, rotation_id: int) -> list[tuple[float, str, str, str]]:
        e = rotation_events.c
        query = select(e.at, e.step, e.event, e.detail).where(e.rotation_id == rotation_id)
        with self.reads.begin() as conn:
            rows = conn.execute(query.order_by(e.id)).all()
        return [(float(a), str(s), str(ev), str(d)) for a, s, ev, d in rows]

    def audit(self, action: str, rotation_id: int | None = None, detail: str = "",
              actor: str | None = None) -> None:  # fmt: skip
        with self.engine.begin() as conn:
            self._audit(conn, action, rotation_id, detail, actor)

    def audit_trail(self) -> list[tuple[float, str, str, int | None, str]]:
        a = audit_log.c
        with self.reads.begin() as conn:
            rows = conn.execute(select(a.at, a.actor, a.action, a.rotation_id, a.detail)
                                .order_by(a.id)).all()  # fmt: skip
        return [(float(at), str(who), str(what), row, str(d)) for at, who, what, row, d in rows]

    # -- steps (only under this owner's lease) ---------------------------------------------------

    def begin(self, rotation_id: int, step: str, **values: Any) -> None:
        """Write a step down before it runs (with whatever it must find again after a crash)."""
        self._step(rotation_id, step, "started", values)

    def done(self, rotation_id: int, step: str, detail: str = "", **values: Any) -> None:
        self._step(rotation_id, step, "done", values, detail)

    def _step(self, rotation_id: int, step: str, phase: str, values: dict[str, Any],
              detail: str = "") -> None:  # fmt: skip
        now = time.time()
        with self.engine.begin() as conn:
            changed = conn.execute(update(rotations).where(
                rotations.c.id == rotation_id, rotations.c.lease_owner == self.owner
            ).values(**values, step=step, phase=phase, updated_at=now,
                     lease_until=now + self.lease)).rowcount  # fmt: skip
            if changed != 1:
                raise LeaseLost(f"#{rotation_id}: another process holds it now; stopped")
            self._event(conn, rotation_id, step, phase, detail)

    # -- leases ----------------------------------------------------------------------------------

    def claim(self, rotation_id: int) -> bool:
        """Take the row unless another owner's lease on it is still running."""
        now = time.time()
        r = rotations.c
        free = or_(r.lease_owner.is_(None), r.lease_owner == self.owner, r.lease_until < now)
        with self.engine.begin() as conn:
            taken = conn.execute(update(rotations).where(r.id == rotation_id, free).values(
                lease_owner=self.owner, lease_until=now + self.lease)).rowcount  # fmt: skip
            if taken:
                self._audit(conn, "claimed", rotation_id, "")
        if taken:
            self.leases.hold(rotation_id)
        return bool(taken)

    def claim_next(self, statuses: tuple[str, ...] = OPEN) -> Rotation | None:
        """Claim the oldest due row in `statuses` no live lease holds, or None: the queue many
        workers take rows from. PostgreSQL skips rows another transaction is claiming at this
        moment (FOR UPDATE SKIP LOCKED) instead of waiting; SQLite has one writer at a time."""
        now = time.time()
        r = rotations.c
        free = or_(r.lease_owner.is_(None), r.lease_until < now)  # not one this owner holds
        due = or_(r.next_attempt.is_(None), r.next_attempt <= now)
        query = (select(r.id).where(r.status.in_(statuses), free, due).order_by(r.id).limit(1)
                 .with_for_update(skip_locked=True))  # fmt: skip
        with self.engine.begin() as conn:
            found = conn.execute(query).scalar()
            if found is None:
                return None
            conn.execute(update(rotations).where(r.id == found).values(
                lease_owner=self.owner, lease_until=now + self.lease))  # fmt: skip
            self._audit(conn, "claimed", found, "")
        self.leases.hold(found)
        return self.get(found)

    def release(self, rotation_id: int) -> None:
        self.leases.drop(rotation_id)
        r = rotations.c
        with self.engine.begin() as conn:
            conn.execute(update(rotations).where(r.id == rotation_id, r.lease_owner == self.owner)
                         .values(lease_owner=None, lease_until=None))  # fmt: skip

    def renew(self, ids: list[int]) -> None:
        r = rotations.c
        with self.engine.begin() as conn:
            conn.execute(update(rotations).where(r.id.in_(ids), r.lease_owner == self.owner)
                         .values(lease_until=time.time() + self.lease))  # fmt: skip

    # -- helpers ---------------------------------------------------------------------------------

    def _one(self, where: Any) -> Rotation | None:
        with self.reads.begin() as conn:
            row = conn.execute(select(*_COLUMNS).where(where)).first()
        return Rotation(*row) if row else None

    def _event(self, conn: Any, rotation_id: int, step: str, event: str, detail: str) -> None:
        row = {"rotation_id": rotation_id, "at": time.time(), "step": step, "event": event,
               "detail": detail}  # fmt: skip
        conn.execute(insert(rotation_events), row)

    def _audit(self, conn: Any, action: str, rotation_id: int | None, detail: str,
               actor: str | None = None) -> None:  # fmt: skip
        conn.execute(insert(audit_log), {"at": time.time(), "actor": actor or self.actor,
                                         "action": action, "rotation_id": rotation_id,
                                         "detail": detail})  # fmt: skip


class Leases:
    """Renews the leases this process holds every third of a lease, on a daemon thread that
    runs only while it holds one: a process that stops (killed, hung) stops renewing."""

    def __init__(self, ledger: LedgerStore) -> None:
        self.ledger = ledger
        self.held: set[int] = set()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def hold(self, rotation_id: int) -> None:
        with self.lock:
            self.held.add(rotation_id)
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="leakbot-leases",
                                               daemon=True)  # fmt: skip
                self.thread.start()

    def drop(self, rotation_id: int) -> None:
        with self.lock:
            self.held.discard(rotation_id)

    def _run(self) -> None:
        while True:
            time.sleep(self.ledger.lease / 3)
            with self.lock:
                ids = sorted(self.held)
                if not ids:
                    self.thread = None
                    return
            try:
                self.ledger.renew(ids)
            except Exception:  # the database is away: the next beat tries again
                continue
