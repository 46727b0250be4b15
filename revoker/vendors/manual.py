"""Vendors without a key API (DiffHook, Devdraft, Helios AI): at most a check; rotation is a
manual playbook carried in the notification."""

from __future__ import annotations

import httpx

from revoker.service import NewKey
from revoker.urls import check_url


class VerifyOnly:
    vendor: str = ""
    capabilities: frozenset[str] = frozenset({"verify"})
    default_base_url: str = ""

    def __init__(self, client: httpx.Client, admin_token: str | None = None,
                 base_url: str | None = None) -> None:  # fmt: skip
        self.client = client
        base = base_url or self.default_base_url
        self.base_url = check_url(base).rstrip("/") if base else ""

    def reissue(self, name: str, leaked: bytes) -> NewKey:
        raise NotImplementedError(f"{self.vendor} has no key API: rotation is a manual playbook")

    def revoke(self, key_id: str, leaked: bytes) -> None:
        raise NotImplementedError(f"{self.vendor} has no key API: rotation is a manual playbook")

    def find_named(self, name: str, leaked: bytes) -> str | None:
        raise NotImplementedError(f"{self.vendor} has no key API")

    def listed(self, key_id: str, leaked: bytes) -> bool | None:
        return None

    def replace(self, key_id: str, name: str, leaked: bytes) -> NewKey:
        raise NotImplementedError(f"{self.vendor} has no key API: rotation is a manual playbook")
