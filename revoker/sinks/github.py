"""`github` sink: an Actions secret of a repository (or of one of its environments), encrypted
with the repository's public key in a libsodium sealed box and written through the REST API."""

from __future__ import annotations

import base64
import os
import re

import httpx

from revoker.errors import RevokerError
from revoker.http import call
from revoker.urls import check_url

API = "https://api.github.com"


class GithubSink:
    def __init__(
        self,
        name: str,
        client: httpx.Client | None,
        repo: str,
        environment: str = "",
        token_env: str = "GITHUB_TOKEN",
        api_url: str = API,
    ) -> None:
        if not isinstance(repo, str) or not re.fullmatch(r"[\w.-]+/[\w.-]+", repo):
            raise ValueError("'repo' must be owner/name")
        self.name = name
        self.client = client
        self.token_env = token_env
        base = f"{check_url(api_url).rstrip('/')}/repos/{repo}"
        self.base = f"{base}/environments/{environment}" if environment else base

    def deliver(self, variable: str, value: bytes) -> None:
        from nacl.public import PublicKey, SealedBox

        assert self.client is not None
        token = os.environ.get(self.token_env)
        if not token:
            raise RevokerError(f"sink {self.name}: ${self.token_env} is not set")
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }
        who = f"sink {self.name}"
        url = f"{self.base}/actions/secrets/public-key"
        doc = call(self.client, who, "GET", url, headers=headers).json()
        try:
            key = PublicKey(base64.b64decode(doc["key"]))
            key_id = str(doc["key_id"])
        except (KeyError, TypeError, ValueError):
            raise RevokerError(f"sink {self.name}: unexpected public-key answer") from None
        sealed = base64.b64encode(SealedBox(key).encrypt(value)).decode()
        body = {"encrypted_value": sealed, "key_id": key_id}
        url = f"{self.base}/actions/secrets/{variable}"
        call(self.client, who, "PUT", url, headers=headers, json=body)
