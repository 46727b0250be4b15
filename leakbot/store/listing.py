"""The credentials as the web view lists them: filtered, searched, sorted and paged in SQL, so a
ledger of tens of thousands of rows costs one page's worth of work."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Engine, and_, exists, func, or_, select

from leakbot.store.engine import readers
from leakbot.store.schema import rotations, sightings, triage
from revoker.ledger import Rotation

SORTS = {"found": "found_at", "leaked": "leaked_at", "updated": "updated_at", "vendor": "vendor",
         "status": "status", "verdict": "verdict", "id": "id"}  # fmt: skip
TRIAGE_STATES = ("open", "resolved", "all")
_COLUMNS = [rotations.c[f.name] for f in fields(Rotation)]


@dataclass(frozen=True)
class Query:
    vendor: str = ""
    verdict: str = ""
    status: str = ""
    target: str = ""
    repo: str = ""
    q: str = ""  # words of the preview, rule, vendor or a place's path
    triage: str = "open"  # open | resolved | all, or one resolution
    sort: str = "found"
    desc: bool = True
    page: int = 1
    per_page: int = 50


@dataclass
class Listed:
    row: Rotation
    resolution: str | None
    places: int
    first_seen: float | None
    last_seen: float | None
    targets: tuple[str, ...]
    repos: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        r = self.row
        return {"id": r.id, "vendor": r.vendor, "rule_id": r.rule_id, "preview": r.preview,
                "secret_sha256": r.secret_sha256, "verdict": r.verdict, "reason": r.reason,
                "status": r.status, "triage": self.resolution, "places": self.places,
                "first_seen": self.first_seen, "last_seen": self.last_seen,
                "targets": list(self.targets), "repos": list(self.repos), "where": r.where,
                "new_key_id": r.new_key_id, "rotated_at": r.rotated_at}  # fmt: skip


class Listing:
    def __init__(self, engine: Engine) -> None:
        self.reads = readers(engine)

    def page(self, query: Query) -> tuple[list[Listed], int]:
        """One page of rows for `query`, and how many rows match it in all."""
        where = _where(query)
        r = rotations.c
        column = r[SORTS.get(query.sort, "found_at")]
        order = [column.desc() if query.desc else column.asc(), r.id.desc()]
        page = max(1, query.page)
        stmt = (
            select(*_COLUMNS, triage.c.resolution)
            .select_from(_joined())
            .where(where)
            .order_by(*order)
            .limit(query.per_page)
            .offset((page - 1) * query.per_page)
        )
        with self.reads.begin() as conn:
            total = int(conn.execute(select(func.count()).select_from(_joined())
                                     .where(where)).scalar_one())  # fmt: skip
            found = conn.execute(stmt).all()
            places = _places(conn, [int(row.id) for row in found])
        out = []
        for row in found:
            count, first, last, targets, repos = places.get(int(row.id), (0, None, None, (), ()))
            out.append(Listed(Rotation(*row[:-1]), row[-1], count, first, last, targets, repos))
        return out, total

    def ids(self, query: Query) -> list[int]:
        """Every row matching `query` (a bulk action on a filtered selection)."""
        with self.reads.begin() as conn:
            found = conn.execute(select(rotations.c.id).select_from(_joined())
                                 .where(_where(query)).order_by(rotations.c.id))  # fmt: skip
            return [int(i) for (i,) in found]

    def choices(self) -> dict[str, list[str]]:
        """The values the filters offer: vendors, verdicts, statuses, targets, repositories."""
        r, s = rotations.c, sightings.c
        with self.reads.begin() as conn:

            def distinct(column: Any) -> list[str]:
                rows = conn.execute(select(column).where(column.is_not(None)).distinct())
                return sorted(str(v) for (v,) in rows)

            return {"vendor": distinct(r.vendor), "verdict": distinct(r.verdict),
                    "status": distinct(r.status), "target": distinct(s.target),
                    "repo": distinct(s.repo)}  # fmt: skip


def _joined() -> Any:
    return rotations.outerjoin(triage, triage.c.rotation_id == rotations.c.id)


def _where(query: Query) -> Any:
    r, s, t = rotations.c, sightings.c, triage.c
    clauses: list[Any] = []
    for name in ("vendor", "verdict", "status"):
        value = getattr(query, name)
        if value:
            clauses.append(r[name] == value)
    if query.triage == "open":
        clauses.append(t.resolution.is_(None))
    elif query.triage == "resolved":
        clauses.append(t.resolution.is_not(None))
    elif query.triage != "all":
        clauses.append(t.resolution == query.triage)
    for name in ("target", "repo"):
        value = getattr(query, name)
        if value:
            clauses.append(exists().where(s.rotation_id == r.id, s[name] == value))
    for word in query.q.lower().split()[:8]:
        clauses.append(or_(
            func.lower(r.preview).contains(word, autoescape=True),
            func.lower(r.rule_id).contains(word, autoescape=True),
            func.lower(r.vendor).contains(word, autoescape=True),
            func.lower(r.location).contains(word, autoescape=True),
            exists().where(s.rotation_id == r.id,
                           func.lower(s.path).contains(word, autoescape=True)),
        ))  # fmt: skip
    return and_(True, *clauses)


def _places(conn: Any, ids: list[int]) -> dict[int, tuple[int, Any, Any, tuple[str, ...],
                                                          tuple[str, ...]]]:  # fmt: skip
    if not ids:
        return {}
    s = sightings.c
    stats = conn.execute(select(s.rotation_id, func.count(), func.min(s.first_seen),
                                func.max(s.last_seen)).where(s.rotation_id.in_(ids))
                         .group_by(s.rotation_id)).all()  # fmt: skip
    named = conn.execute(select(s.rotation_id, s.target, s.repo).where(s.rotation_id.in_(ids))
                         .distinct()).all()  # fmt: skip
    targets: dict[int, set[str]] = {}
    repos: dict[int, set[str]] = {}
    for rid, target, repo in named:
        if target:
            targets.setdefault(int(rid), set()).add(str(target))
        if repo:
            repos.setdefault(int(rid), set()).add(str(repo))
    return {int(rid): (int(n), first, last, tuple(sorted(targets.get(int(rid), ()))),
                       tuple(sorted(repos.get(int(rid), ()))))
            for rid, n, first, last in stats}  # fmt: skip
