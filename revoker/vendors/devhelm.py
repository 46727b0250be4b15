"""DevHelm: a full key API. `GET /api/v1/auth/me` with the leaked key says whether it is live and
which key id it is; an admin token reissues and revokes."""

from __future__ import annotations

from typing import Any

import httpx

from revoker.errors import RevokerError
from revoker.http import admin_call, answer_field, key_name
from revoker.service import NewKey, Verdict, Verification, unknown_for
from revoker.urls import check_url

BASE = "https://api.devhelm.io"
PAGE, MAX_PAGES = 100, 100


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
            key = answer_field(response, "data", "key")
            if not isinstance(key, dict):
                return Verification(Verdict.UNKNOWN, "auth/me answered 200 without a key")
            key_id = key.get("id")
            return Verification(Verdict.LIVE, "auth/me answered",
                                str(key_id) if isinstance(key_id, str | int) else None,
                                key_name(key.get("name")))  # fmt: skip
        if response.status_code == 403:
            return Verification(Verdict.LIVE, "valid key without access to this organisation")
        if response.status_code == 401:
            return Verification(Verdict.DEAD, "missing, invalid, revoked or expired (401)")
        return unknown_for(response)

    def reissue(self, name: str, leaked: bytes) -> NewKey:
        response = self._admin("POST", "/api/v1/api-keys", json={"name": name, "expiresAt": None})
        return self._new_key(response, "create key")

    def _new_key(self, response: httpx.Response, what: str) -> NewKey:
        data = answer_field(response, "data")
        if not isinstance(data, dict) or not data.get("key") or not data.get("id"):
            raise RevokerError(f"devhelm: {what}: unexpected answer")
        return NewKey(str(data["id"]), str(data["key"]).encode())

    def revoke(self, key_id: str, leaked: bytes) -> None:
        self._admin("POST", f"/api/v1/api-keys/{key_id}/revoke")

    def find_named(self, name: str, leaked: bytes) -> str | None:
        found = [str(k["id"]) for k in self._listing() if k.get("name") == name and "id" in k]
        return found[0] if found else None

    def listed(self, key_id: str, leaked: bytes) -> bool | None:
        try:
            return any(str(k.get("id")) == key_id for k in self._listing())
        except RevokerError:
            return None

    def replace(self, key_id: str, name: str, leaked: bytes) -> NewKey:
        response = self._admin("POST", f"/api/v1/api-keys/{key_id}/regenerate")
        return self._new_key(response, "regenerate key")

    def _listing(self) -> list[dict[str, Any]]:
        """Active keys (a key with revokedAt set is not active), page by page."""
        out: list[dict[str, Any]] = []
        for page in range(MAX_PAGES):
            response = self._admin("GET", "/api/v1/api-keys", params={"page": page, "size": PAGE})
            data = answer_field(response, "data")
            items = data if isinstance(data, list) else []
            out.extend(k for k in items if isinstance(k, dict) and not k.get("revokedAt"))
            if len(items) < PAGE:
                return out
        raise RevokerError(f"devhelm: list keys: more than {MAX_PAGES * PAGE} keys")

    def _admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        url = f"{self.base_url}{path}"
        return admin_call(self.client, self.vendor, self.admin_token, method, url, **kwargs)
