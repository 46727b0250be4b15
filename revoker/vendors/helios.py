"""Helios AI: no key API and no free check (its only endpoints are billable), so a Helios key is
UNVERIFIABLE: leakbot never sends a billable request to find out."""

from __future__ import annotations

import httpx

from revoker.service import NewKey, Verdict, Verification


class Helios:
    vendor = "helios"
    capabilities: frozenset[str] = frozenset()

    def __init__(
        self, client: httpx.Client, admin_token: str | None = None, base_url: str = ""
    ) -> None:
        self.client = client

    def verify(self, secret: bytes, partner: bytes = b"") -> Verification:
        return Verification(
            Verdict.UNVERIFIABLE, "Helios AI has no free check; its API is billable"
        )

    def reissue(self, name: str, leaked: bytes) -> NewKey:
        raise NotImplementedError("helios has no key API: rotation is a manual playbook")

    def revoke(self, key_id: str, leaked: bytes) -> None:
        raise NotImplementedError("helios has no key API: rotation is a manual playbook")
