"""Helios AI: no key API and no free check (its only endpoints are billable), so a Helios key is
UNVERIFIABLE: leakbot never sends a billable request to find out."""

from __future__ import annotations

from revoker.service import Verdict, Verification
from revoker.vendors.manual import VerifyOnly


class Helios(VerifyOnly):
    vendor = "helios"
    capabilities: frozenset[str] = frozenset()

    def verify(self, secret: bytes, partner: bytes = b"") -> Verification:
        return Verification(
            Verdict.UNVERIFIABLE, "Helios AI has no free check; its API is billable"
        )
