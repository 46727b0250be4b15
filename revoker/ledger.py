"""The revocation ledger as the workflow sees it: one row per leaked credential, an event log of
every step, and a lease that keeps two processes (on any host) off one row.

No secret is ever kept: a leaked key is its SHA-256, a redacted preview and where it was found; a
new key is its vendor id. Each step is written down before it runs (`phase = 'started'`) and after
(`'done'`), each in its own transaction, so a process killed at any moment leaves a row that says
exactly where to resume. The rows live in the state database; `leakbot.store` implements
`Ledger` and is handed to the workflow (this package runs no SQL).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from revoker.kinds import OPEN, Status

__all__ = ["LEASE_SECONDS", "OPEN", "STATUSES", "Ledger", "Rotation"]

STATUSES = tuple(Status)
LEASE_SECONDS = 60.0  # a claim outlives a process that stopped renewing it by this long


@dataclass
class Rotation:
    id: int
    vendor: str
    secret_sha256: str
    rule_id: str
    preview: str
    location: str
    verdict: str
    reason: str
    status: str
    old_key_id: str | None
    new_key_id: str | None
    new_key_name: str | None
    step: str | None
    phase: str | None
    attempts: int
    next_attempt: float | None
    last_error: str | None
    approved: int
    lease_owner: str | None
    lease_until: float | None
    found_at: float
    updated_at: float
    rotated_at: float | None
    leaked_at: float | None
    variable: str | None = None  # the name the leaked line assigned the key to
    key_name: str | None = None  # the vendor's name for the leaked key
    slot: str | None = None  # where its replacement goes, fixed when the rotation starts (JSON)

    @property
    def where(self) -> dict[str, Any]:
        loaded = json.loads(self.location)
        return loaded if isinstance(loaded, dict) else {}

    @property
    def place(self) -> str:
        """path:line, with the commit for history findings."""
        where = self.where
        text = f"{where.get('path', '?')}:{where.get('line', '?')}"
        return f"{text} @ {str(where['commit'])[:12]}" if where.get("commit") else text


class Ledger(Protocol):
    """What the workflow needs of the ledger (leakbot.store.ledger.LedgerStore)."""

    where: str  # the state database, for messages

    def get(self, rotation_id: int) -> Rotation | None: ...

    def rows(self, statuses: tuple[str, ...] = STATUSES,
             vendor: str | None = None) -> list[Rotation]: ...  # fmt: skip

    def update(self, rotation_id: int, **values: Any) -> None: ...

    def event(self, rotation_id: int, step: str, event: str, detail: str = "") -> None: ...

    def begin(self, rotation_id: int, step: str, **values: Any) -> None: ...

    def done(self, rotation_id: int, step: str, detail: str = "", **values: Any) -> None: ...

    def claim(self, rotation_id: int) -> bool: ...

    def release(self, rotation_id: int) -> None: ...
