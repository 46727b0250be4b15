"""DevHelm: a full key API. `GET /api/v1/auth/me` with the leaked key says whether it is live and
which key id it is; an admin token reissues and revokes."""

from __future__ import annotations

from typing import Any

import httpx

from revoker.errors import RevokerError
from revoker.http import admin_call, check_url
from revoker.service import NewKey, Verdict, Verification, unknown_for

BASE = "https://api.devhelm.io"


class DevHelm:
    vendor = "devhelm"
    capabilities = frozenset({"verify", "locate", "reissue", "revoke"})

    def __init__(
        self, client: httpx.Client, admin_token: str | None = None, base_url: str = BASE
    ) -> None:
        self.client = client
        self.admin_token = admin_token
        self.base_url = check_url(base_url).rstrip("/")

    def verify(self, secret: bytes, partner: bytes = b"") -> Verification:
        bearer = secret.decode("ascii", "replace")
        try:
            response = self.client.get(f"{self.base_url}/api/v1/auth/me",
                                       headers={"Authorization": f"Bearer {bearer}"})  # fmt: skip
        except httpx.HTTPError as exc:
            return unknown_for(None, exc)
        if response.status_code == 200:
            key = ((response.json() or {}).get("data") or {}).get("key") or {}
            return Verification(
                Verdict.LIVE, "auth/me answered", str(key["id"]) if "id" in key else None
            )
        if response.status_code == 403:
            return Verification(Verdict.LIVE, "valid key without access to this organisation")
        if response.status_code == 401:
            return Verification(Verdict.DEAD, "missing, invalid, revoked or expired (401)")
        return unknown_for(response)

    def reissue(self, name: str, leaked: bytes) -> NewKey:
        response = self._admin("POST", "/api/v1/api-keys", json={"name": name, "expiresAt": None})
        data = (response.json() or {}).get("data") or {}
        if not data.get("key") or not data.get("id"):
            raise RevokerError("devhelm: create key: unexpected answer")
        return NewKey(str(data["id"]), str(data["key"]).encode())

    def revoke(self, key_id: str, leaked: bytes) -> None:
        self._admin("POST", f"/api/v1/api-keys/{key_id}/revoke")

    def _admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        url = f"{self.base_url}{path}"
        return admin_call(self.client, self.vendor, self.admin_token, method, url, **kwargs)
