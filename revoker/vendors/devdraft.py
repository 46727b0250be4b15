"""Devdraft: public key + secret key pairs, no key API. Verified with both halves on the health
endpoint; a secret without its public half cannot be checked."""

from __future__ import annotations

import httpx

from revoker.http import check_url
from revoker.service import NewKey, Verdict, Verification, unknown_for

BASE = "https://api.devdraft.ai"


class Devdraft:
    vendor = "devdraft"
    capabilities = frozenset({"verify"})

    def __init__(
        self, client: httpx.Client, admin_token: str | None = None, base_url: str = BASE
    ) -> None:
        self.client = client
        self.base_url = check_url(base_url).rstrip("/")

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
            try:
                authenticated = bool(response.json().get("authenticated"))
            except (ValueError, AttributeError):
                authenticated = False
            if authenticated:
                return Verification(Verdict.LIVE, "health check authenticated")
            return Verification(Verdict.UNKNOWN, "health check answered without authentication")
        if response.status_code == 401:
            return Verification(Verdict.DEAD, "refused (401)")
        return unknown_for(response)

    def reissue(self, name: str, leaked: bytes) -> NewKey:
        raise NotImplementedError("devdraft has no key API: rotation is a manual playbook")

    def revoke(self, key_id: str, leaked: bytes) -> None:
        raise NotImplementedError("devdraft has no key API: rotation is a manual playbook")
