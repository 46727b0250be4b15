"""Where each credential was seen, and people's triage of it.

A sighting is one place (path, commit, repository, target) a ledger row's key was found; seeing
it there again only moves `last_seen`. A credential someone triaged (false positive, used in
tests, won't fix, revoked by hand) that turns up in a place not seen before is reopened: the
decision was about the places it knew.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, insert, select, update

from leakbot.store.engine import readers
from leakbot.store.schema import audit_log, sightings, triage
from leakbot.store.upsert import insert_new, upsert

RESOLUTIONS = ("false_positive", "used_in_tests", "wont_fix", "revoked")
_PLACE = ("path", "commit_sha", "repo", "target")


@dataclass
class Sighting:
    path: str
    line: int
    fingerprint: str
    rule_id: str
    commit_sha: str | None = None
    author: str | None = None
    date: str | None = None
    refs: tuple[str, ...] = ()
    target: str | None = None
    repo: str | None = None
    first_seen: float = 0.0
    last_seen: float = 0.0

    @property
    def place(self) -> str:
        return json.dumps([getattr(self, k) or "" for k in _PLACE])


@dataclass
class Decision:
    resolution: str
    note: str
    actor: str
    at: float


def note(conn: Connection, rotation_id: int, seen: list[Sighting], new_row: bool,
         actor: str) -> None:  # fmt: skip
    """Inside the ledger's write of a finding: add its places, move last_seen of the known ones;
    a triaged row seen somewhere new is reopened (and the audit log says where)."""
    now = time.time()
    s = sightings.c
    fresh = []
    for place in seen:
        values = {
            k: getattr(place, k)
            for k in (
                "path",
                "line",
                "fingerprint",
                "rule_id",
                "commit_sha",
                "author",
                "date",
                "target",
                "repo",
            )
        }
        added = insert_new(conn, sightings, {**values, "rotation_id": rotation_id,
                                             "place": place.place, "refs": json.dumps(place.refs),
                                             "first_seen": now, "last_seen": now},
                           key=["rotation_id", "place"])  # fmt: skip
        if added is not None:
            fresh.append(place)
        else:
            conn.execute(update(sightings).where(s.rotation_id == rotation_id,
                                                 s.place == place.place)
                         .values(last_seen=now, line=place.line))  # fmt: skip
    if fresh and not new_row:
        gone = conn.execute(delete(triage).where(triage.c.rotation_id == rotation_id)).rowcount
        if gone:
            where = ", ".join(p.path for p in fresh[:3])
            conn.execute(insert(audit_log).values(at=now, actor=actor, action="reopened",
                                                  rotation_id=rotation_id,
                                                  detail=f"seen again at {where}"))  # fmt: skip


class Triage:
    """The places of each row and the decisions people took on them (the web view's side)."""

    def __init__(self, engine: Engine, actor: str) -> None:
        self.engine, self.actor = engine, actor
        self.reads = readers(engine)

    def places(self, rotation_id: int) -> list[Sighting]:
        s = sightings.c
        columns = [s[k] for k in Sighting.__dataclass_fields__]
        with self.reads.begin() as conn:
            rows = conn.execute(select(*columns).where(s.rotation_id == rotation_id)
                                .order_by(s.first_seen, s.id)).all()  # fmt: skip
        out = []
        for row in rows:
            found = Sighting(*row)
            found.refs = tuple(json.loads(str(row.refs) or "[]"))
            out.append(found)
        return out

    def decision(self, rotation_id: int) -> Decision | None:
        t = triage.c
        with self.reads.begin() as conn:
            row = conn.execute(select(t.resolution, t.note, t.actor, t.at)
                               .where(t.rotation_id == rotation_id)).first()  # fmt: skip
        return Decision(str(row[0]), str(row[1]), str(row[2]), float(row[3])) if row else None

    def resolve(self, rotation_ids: list[int], resolution: str, note_text: str,
                actor: str) -> None:  # fmt: skip
        if resolution not in RESOLUTIONS:
            raise ValueError(f"not a resolution: {resolution!r}")
        now = time.time()
        with self.engine.begin() as conn:
            for rid in rotation_ids:
                decision = {"rotation_id": rid, "resolution": resolution, "note": note_text,
                            "actor": actor, "at": now}  # fmt: skip
                upsert(conn, triage, decision, key=["rotation_id"],
                       update=["resolution", "note", "actor", "at"])  # fmt: skip
                conn.execute(insert(audit_log).values(at=now, actor=actor, action="triaged",
                                                      rotation_id=rid,
                                                      detail=resolution))  # fmt: skip

    def reopen(self, rotation_ids: list[int], actor: str) -> None:
        now = time.time()
        with self.engine.begin() as conn:
            for rid in rotation_ids:
                gone = conn.execute(delete(triage).where(triage.c.rotation_id == rid)).rowcount
                if gone:
                    conn.execute(
                        insert(audit_log).values(
                            at=now,
                            actor=actor,
                            action="reopened",
                            rotation_id=rid,
                            detail="by hand",
                        )
                    )

    def trail(self, rotation_id: int) -> list[tuple[float, str, str, str]]:
        """The audit log of one row: (at, actor, action, detail)."""
        a = audit_log.c
        with self.reads.begin() as conn:
            rows = conn.execute(
                select(a.at, a.actor, a.action, a.detail)
                .where(a.rotation_id == rotation_id)
                .order_by(a.id)
            ).all()
        return [(float(at), str(who), str(what), str(d)) for at, who, what, d in rows]
