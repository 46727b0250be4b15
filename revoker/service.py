"""What every vendor client offers: the KeyService protocol and the answers it gives.

"The key is dead" and "the check failed" are different answers: timeouts, 429 and 5xx are
UNKNOWN, never DEAD, and nothing is ever revoked on UNKNOWN.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

import httpx


class Verdict(enum.Enum):
    LIVE = "live"
    DEAD = "dead"
    UNKNOWN = "unknown"
    UNVERIFIABLE = "unverifiable"


@dataclass(frozen=True)
class Verification:
    verdict: Verdict
    reason: str
    key_id: str | None = None  # located exactly (hash match or whoami), never "the first key"
    key_name: str | None = None  # the vendor's name for that key (a [[deliveries]] route's match)


@dataclass(frozen=True)
class NewKey:
    key_id: str
    secret: bytes  # shown once by the vendor; handed to a delivery sink, never logged or stored


class KeyService(Protocol):
    """One vendor's key service. Vendors without a key API raise NotImplementedError from the
    key-management methods and declare only what they can do in `capabilities`."""

    vendor: str
    capabilities: frozenset[str]  # of "verify", "locate", "reissue", "revoke"

    def verify(self, secret: bytes, partner: bytes = b"") -> Verification: ...

    def reissue(self, name: str, leaked: bytes) -> NewKey: ...

    def revoke(self, key_id: str, leaked: bytes) -> None: ...

    def find_named(self, name: str, leaked: bytes) -> str | None:
        """The id of a live key with this exact name (a key created just before a crash)."""
        ...

    def listed(self, key_id: str, leaked: bytes) -> bool | None:
        """Whether the organisation still lists this key as active (None: could not tell).
        Unlike verify, this does not see the vendor's auth cache."""
        ...

    def replace(self, key_id: str, name: str, leaked: bytes) -> NewKey:
        """A fresh value for a new key whose value was lost (a crash between the vendor's
        answer and the delivery): regenerated in place where the API allows it."""
        ...


def unknown_for(response: httpx.Response | None, error: Exception | None = None) -> Verification:
    """The verdict for an answer that says nothing about the key (timeouts, 429, 5xx, ...)."""
    if error is not None:
        return Verification(Verdict.UNKNOWN, f"no answer: {type(error).__name__}")
    assert response is not None
    return Verification(Verdict.UNKNOWN, f"inconclusive answer: HTTP {response.status_code}")
