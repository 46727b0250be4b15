"""All of leakbot's state, and the only package that runs SQL.

`open_store(location)` gives a `Store` on the embedded SQLite file (the default) or a PostgreSQL
database: its `cursors` (the scanner's incremental targets), `ledger` (the revoker's rows, events
and leases, plus the audit log), `runs` (the bot's targets), `triage` (where each credential was
seen, and people's decisions) and `listing` (the web view's pages of credentials). SQLAlchemy
and Alembic are imported by this package only, so a command that keeps no state (the commit
hook) never loads them. The schema and its migrations are in `schema.py` and `migrations/`.
"""

from __future__ import annotations

import getpass
import os
import socket
import uuid
from typing import Any

from leakbot.store.location import Location, default_path, locate

__all__ = ["Location", "Store", "default_path", "locate", "open_store"]


class Store:
    def __init__(self, where: Location, lease: float | None = None) -> None:
        from leakbot.store.cursors import Cursors
        from leakbot.store.engine import make_engine, migrate
        from leakbot.store.github import GitHubRepos
        from leakbot.store.ledger import LedgerStore
        from leakbot.store.listing import Listing
        from leakbot.store.runs import Runs
        from leakbot.store.sightings import Triage
        from leakbot.store.work import Leadership, WorkLeases
        from revoker.ledger import LEASE_SECONDS

        self.where = where
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.engine = make_engine(where)
        try:
            migrate(self.engine, where.shown)
        except BaseException:
            self.engine.dispose()
            raise
        self.cursors = Cursors(self.engine)
        self.ledger = LedgerStore(self.engine, where.shown, self.owner, _actor(),
                                  lease or LEASE_SECONDS)  # fmt: skip
        self.runs = Runs(self.engine)
        self.triage = Triage(self.engine, self.ledger.actor)  # places and people's decisions
        self.listing = Listing(self.engine)  # the web view's filtered pages
        self.github = GitHubRepos(self.engine)  # org targets' repositories
        self.work = WorkLeases(self.engine, self.owner, lease or LEASE_SECONDS)  # who scans what
        self.leadership = Leadership(self.engine)  # who schedules

    def close(self) -> None:
        self.leadership.resign()
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def open_store(where: Location, lease: float | None = None) -> Store:
    """The store at `where`, migrated to the newest schema; StoreError (a ScanError: one line,
    exit 2) when it cannot be opened."""
    from sqlalchemy.exc import SQLAlchemyError

    from leakbot.store.engine import StoreError

    try:
        return Store(where, lease)
    except SQLAlchemyError as exc:
        raise StoreError(f"{where.shown}: cannot use the state database: {_first(exc)}") from None


def _first(exc: Any) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _actor() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"
