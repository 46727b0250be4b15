"""Reading a test's state through the store's API (tests run no SQL of their own)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from leakbot.store import locate, open_store


def _location(state: Path | str):
    where = locate(str(state))
    return where if where.exists else None


def rows(state: Path | str) -> list[dict]:
    """The ledger's rows as dicts, oldest first; none when there is no state yet."""
    where = _location(state)
    if where is None:
        return []
    with open_store(where) as store:
        return [dataclasses.asdict(r) for r in store.ledger.rows()]


def events(state: Path | str) -> list[tuple[int, str, str, str]]:
    """Every row's events: (row id, step, event, detail)."""
    where = _location(state)
    if where is None:
        return []
    with open_store(where) as store:
        return [(r.id, step, event, detail) for r in store.ledger.rows()
                for _, step, event, detail in store.ledger.events(r.id)]  # fmt: skip


def targets(state: Path | str) -> list:
    where = _location(state)
    if where is None:
        return []
    with open_store(where) as store:
        return store.runs.all()
