"""Devdraft: public key + secret key pairs, no key API. Verified with both halves on the health
endpoint; a secret without its public half cannot be checked."""

from __future__ import annotations

import httpx

from revoker.http import answer_field
from revoker.service import Verdict, Verification, unknown_for
from revoker.vendors.manual import VerifyOnly

BASE = "https://api.devdraft.ai"


class Devdraft(VerifyOnly):
    vendor = "devdraft"
    default_base_url = BASE

    def verify(self, secret: bytes, partner: bytes = b"") -> Verification:
        if not partner:
            return Verification(Verdict.UNVERIFIABLE, "the public key half was not found near it")
        headers = {"x-client-key": partner.decode("ascii", "replace"),
                   "x-client-secret": secret.decode("ascii", "replace")}  # fmt: skip
        try:
            response = self.client.get(f"{self.base_url}/api/v0/health", headers=headers)
        except httpx.HTTPError as exc:
            return unknown_for(None, exc)
        if response.status_code == 200:
            if answer_field(response, "authenticated") is True:
                return Verification(Verdict.LIVE, "health check authenticated")
            return Verification(Verdict.UNKNOWN, "health check answered without authentication")
        if response.status_code == 401:
            return Verification(Verdict.DEAD, "refused (401)")
        return unknown_for(response)
