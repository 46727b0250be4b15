"""An org target's repositories in the store: the listing kept in step with GitHub's (new ones
added, deleted ones dropped), which need a scan (pushed since their last complete one), and how
each scan ended."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, and_, delete, insert, select, update

from leakbot.store.engine import readers
from leakbot.store.schema import github_repos


@dataclass(frozen=True)
class Watched:
    target: str
    full_name: str
    clone_url: str
    default_branch: str
    pushed_at: float
    scanned_pushed_at: float | None
    last_scan: float | None
    last_error: str | None
    ci_pending: int = 0

    @property
    def due(self) -> bool:
        return self.scanned_pushed_at is None or self.pushed_at > self.scanned_pushed_at


_COLUMNS = [github_repos.c[name] for name in Watched.__dataclass_fields__]


class GitHubRepos:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.reads = readers(engine)

    def sync(self, target: str, repos: list[Any]) -> tuple[list[str], list[str]]:
        """Make the target's list GitHub's (each repo: full_name, clone_url, default_branch,
        pushed_at); the names added and the names dropped."""
        g = github_repos.c
        now = time.time()
        wanted = {r.full_name: r for r in repos}
        with self.engine.begin() as conn:
            known = {str(n) for (n,) in conn.execute(select(g.full_name).where(g.target == target))}
            gone = sorted(known - set(wanted))
            if gone:
                conn.execute(delete(github_repos).where(and_(g.target == target,
                                                             g.full_name.in_(gone))))  # fmt: skip
            for name, r in wanted.items():
                values = {"clone_url": r.clone_url, "default_branch": r.default_branch,
                          "pushed_at": r.pushed_at, "listed_at": now}  # fmt: skip
                if name in known:
                    conn.execute(update(github_repos).where(_mine(target, name)).values(**values))
                else:
                    conn.execute(insert(github_repos), {**values, "target": target,
                                                        "full_name": name})  # fmt: skip
        return sorted(set(wanted) - known), gone

    def watched(self, target: str | None = None, limit: int | None = None) -> list[Watched]:
        query = select(*_COLUMNS).order_by(github_repos.c.target, github_repos.c.full_name)
        if limit is not None:
            query = query.limit(limit)
        if target is not None:
            query = query.where(github_repos.c.target == target)
        with self.reads.begin() as conn:
            return [Watched(*row) for row in conn.execute(query)]

    def find(self, full_name: str) -> list[Watched]:
        """Every target watching this repository (a push names only the repository)."""
        query = select(*_COLUMNS).where(github_repos.c.full_name == full_name)
        with self.reads.begin() as conn:
            return [Watched(*row) for row in conn.execute(query)]

    def one(self, target: str, full_name: str) -> Watched | None:
        """The repository as this target watches it, or None (gone from the org)."""
        with self.reads.begin() as conn:
            row = conn.execute(select(*_COLUMNS).where(_mine(target, full_name))).first()
        return Watched(*row) if row else None

    def pushed(self, target: str, full_name: str, at: float) -> None:
        """A push webhook came: the repository is due whatever the last listing said."""
        self._set(target, full_name, pushed_at=at)

    def ci_pending(self, target: str, full_name: str, pending: bool) -> None:
        """Whether the repository's Actions runs were still going when they were looked at."""
        self._set(target, full_name, ci_pending=int(pending))

    def scanned(self, target: str, full_name: str, pushed_at: float, error: str | None) -> None:
        """A scan ended; a complete one records the pushed_at it began from."""
        values: dict[str, Any] = {"last_scan": time.time(), "last_error": error}
        if error is None:
            values["scanned_pushed_at"] = pushed_at
        self._set(target, full_name, **values)

    def _set(self, target: str, full_name: str, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(github_repos).where(_mine(target, full_name)).values(**values))


def _mine(target: str, full_name: str) -> Any:
    g = github_repos.c
    return and_(g.target == target, g.full_name == full_name)
