"""`vault` sink: one field of a HashiCorp Vault KV v2 secret, written with check-and-set so a
concurrent writer is never overwritten (a lost race is read again and retried)."""

from __future__ import annotations

import os

import httpx

from revoker.errors import RevokerError
from revoker.http import call
from revoker.urls import check_url

ATTEMPTS = 3


class VaultSink:
    def __init__(
        self,
        name: str,
        client: httpx.Client | None,
        addr: str,
        path: str,
        mount: str = "secret",
        token_env: str = "VAULT_TOKEN",
        namespace: str = "",
    ) -> None:
        if not isinstance(path, str) or not path.strip("/"):
            raise ValueError("'path' must name the secret, e.g. apps/api")
        self.name = name
        self.client = client
        self.url = f"{check_url(addr).rstrip('/')}/v1/{mount.strip('/')}/data/{path.strip('/')}"
        self.token_env = token_env
        self.namespace = namespace

    def deliver(self, variable: str, value: bytes) -> None:
        token = os.environ.get(self.token_env)
        if not token:
            raise RevokerError(f"sink {self.name}: ${self.token_env} is not set")
        headers = {"X-Vault-Token": token}
        if self.namespace:
            headers["X-Vault-Namespace"] = self.namespace
        assert self.client is not None
        who = f"sink {self.name}"
        for _ in range(ATTEMPTS):
            current = call(self.client, who, "GET", self.url, headers=headers, accept=(404,))
            doc = (current.json().get("data") or {}) if current.status_code == 200 else {}
            data = dict(doc.get("data") or {})
            version = int((doc.get("metadata") or {}).get("version") or 0)
            data[variable] = value.decode("utf-8")
            body = {"options": {"cas": version}, "data": data}
            response = call(
                self.client, who, "POST", self.url, headers=headers, json=body, accept=(400,)
            )
            if response.status_code < 300:
                return
            # Vault answers a lost check-and-set race with 400 "check-and-set parameter did
            # not match the current version"; any other 400 is a real error.
            if b"check-and-set" not in response.content:
                raise RevokerError(f"{who}: POST {httpx.URL(self.url).path}: HTTP 400")
        raise RevokerError(f"sink {self.name}: check-and-set lost {ATTEMPTS} times in a row")
