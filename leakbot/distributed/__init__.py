"""Distributed mode: `leakbot serve` schedules (one leader among them, by a PostgreSQL advisory
lock) and hands the work to Celery on Redis; `leakbot worker` processes on any hosts do it, all
state in PostgreSQL. Tasks carry names (a target, a repository), never a secret: a key found by a
worker stays in that worker's memory and is rotated there, through the ledger."""

import os

from leakbot.errors import UsageError

BROKER_ENV = "LEAKBOT_BROKER"


def broker_of(settings: object) -> str:
    """The broker URL: $LEAKBOT_BROKER (which may hold a password), else [serve] broker."""
    return os.environ.get(BROKER_ENV, "").strip() or str(getattr(settings, "broker", "") or "")


def require_shared_state(store: object) -> None:
    """Workers on other hosts cannot share a SQLite file: distributed mode needs PostgreSQL."""
    where = getattr(store, "where", None)
    if where is None or getattr(where, "path", None) is not None:  # a SQLite file
        raise UsageError("distributed mode (a broker) needs PostgreSQL state: "
                         'state = "postgresql://..." or LEAKBOT_STATE')  # fmt: skip
