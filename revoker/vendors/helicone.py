"""Helicone: a full key API (list, create, soft-delete). The server stores sha256("Bearer " + key),
so a leaked key is located by hash among the organisation's keys, never by guessing."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx

from revoker.errors import RevokerError
from revoker.http import admin_call, answer_field, key_name
from revoker.service import NewKey, Verdict, Verification, unknown_for
from revoker.urls import check_url

US, EU = "https://api.helicone.ai", "https://eu.api.helicone.ai"


def key_hash(secret: bytes) -> str:
    return hashlib.sha256(b"Bearer " + secret).hexdigest()


class Helicone:
    vendor = "helicone"
    capabilities = frozenset({"verify", "locate", "reissue", "revoke"})

    def __init__(self, client: httpx.Client, admin_key: str | None = None,
                 base_url: str = US, eu_base_url: str = EU) -> None:  # fmt: skip
        self.client = client
        self.admin_key = admin_key
        self.base_url = check_url(base_url).rstrip("/")
        self.eu_base_url = check_url(eu_base_url).rstrip("/")

    def _base(self, secret: bytes) -> str:
        prefix = secret.split(b"-helicone", 1)[1][:16] if b"-helicone" in secret else b""
        return self.eu_base_url if prefix.startswith(b"-eu") else self.base_url

    def _get_keys(self, base: str, bearer: str) -> httpx.Response:
        return self.client.get(f"{base}/v1/api-keys", headers={"Authorization": f"Bearer {bearer}"})

    def verify(self, secret: bytes, partner: bytes = b"") -> Verification:
        if secret.startswith(b"sk-helicone-proxy-"):
            return Verification(
                Verdict.UNVERIFIABLE, "proxy keys cannot be listed or checked by API"
            )
        base = self._base(secret)
        listed = False
        try:
            if self.admin_key:
                response = self._get_keys(base, self.admin_key)
                if response.status_code == 200:
                    listed = True
                    wanted = key_hash(secret)
                    for item in _data(response):
                        if item.get("api_key_hash") == wanted:
                            found, name = str(item.get("id")), key_name(item.get("api_key_name"))
                            return Verification(Verdict.LIVE, "an organisation key", found, name)
                elif response.status_code in (429,) or response.status_code >= 500:
                    return unknown_for(response)
            response = self._get_keys(base, secret.decode("ascii", "replace"))
        except httpx.HTTPError as exc:
            return unknown_for(None, exc)
        if response.status_code == 200:
            return Verification(
                Verdict.LIVE, "the key authenticates (not an organisation key we manage)"
            )
        if response.status_code == 401:
            if listed:
                return Verification(Verdict.DEAD, "not among the organisation's keys, and refused")
            return Verification(Verdict.UNKNOWN, "refused (401): revoked, or a write-only key")
        return unknown_for(response)

    def reissue(self, name: str, leaked: bytes) -> NewKey:
        base = self._base(leaked)
        body = {"api_key_name": name, "key_permissions": "rw"}
        response = self._admin("POST", f"{base}/v1/api-keys", json=body)
        key_id, value = answer_field(response, "id"), answer_field(response, "apiKey")
        if not key_id or not isinstance(value, str) or not value:
            raise RevokerError("helicone: create key: unexpected answer")
        return NewKey(str(key_id), value.encode())

    def revoke(self, key_id: str, leaked: bytes) -> None:
        self._admin("DELETE", f"{self._base(leaked)}/v1/api-keys/{key_id}")

    def find_named(self, name: str, leaked: bytes) -> str | None:
        found = [str(k.get("id")) for k in self._listing(leaked) if k.get("api_key_name") == name]
        return found[0] if found else None

    def listed(self, key_id: str, leaked: bytes) -> bool | None:
        try:
            return any(str(k.get("id")) == key_id for k in self._listing(leaked))
        except RevokerError:
            return None

    def replace(self, key_id: str, name: str, leaked: bytes) -> NewKey:
        # No regenerate in Helicone's API: the key whose value was lost is deleted first.
        self.revoke(key_id, leaked)
        return self.reissue(name, leaked)

    def _listing(self, leaked: bytes) -> list[dict[str, Any]]:
        return _data(self._admin("GET", f"{self._base(leaked)}/v1/api-keys"))

    def _admin(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return admin_call(self.client, self.vendor, self.admin_key, method, url, **kwargs)


def _data(response: httpx.Response) -> list[dict[str, Any]]:
    data = answer_field(response, "data")
    return [d for d in data if isinstance(d, dict)] if isinstance(data, list) else []
