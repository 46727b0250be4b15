"""GitHub's secret-scanning partner alerts: the signature check and the feedback body.

GitHub POSTs a JSON array of {token, type, url, source}, signed with ECDSA P-256 over SHA-256 of
the raw body: `Github-Public-Key-Identifier` names the key, `Github-Public-Key-Signature` is the
base64 DER signature. Keys come from GITHUB_KEYS_URL ({"public_keys": [{"key_identifier", "key"
(PEM), "is_current"}]}), cached for an hour and fetched again (at most once a minute) when an
alert names a key the cache does not hold.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import threading
import time
from typing import Any

import httpx

from revoker.http import call
from revoker.urls import check_url

KEY_ID_HEADER = "Github-Public-Key-Identifier"
SIGNATURE_HEADER = "Github-Public-Key-Signature"
CACHE_SECONDS, REFETCH_SECONDS = 3600.0, 60.0


class BadAlert(Exception):
    """Unsigned, badly signed or malformed: answered 401 (signature) or 400, nothing done."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class GitHubKeys:
    def __init__(self, client: httpx.Client, url: str, token_env: str = "") -> None:
        self.client = client
        self.url = check_url(url)
        self.token_env = token_env
        self.keys: dict[str, Any] = {}
        self.fetched = 0.0
        self.lock = threading.Lock()

    def key(self, key_id: str) -> Any:
        with self.lock:
            now = time.monotonic()
            stale = now - self.fetched > CACHE_SECONDS
            missing = key_id not in self.keys and now - self.fetched > REFETCH_SECONDS
            if stale or missing or not self.fetched:
                self._fetch()
            return self.keys.get(key_id)

    def _fetch(self) -> None:
        from cryptography.hazmat.primitives.serialization import load_pem_public_key

        headers = {"Accept": "application/json"}
        token = os.environ.get(self.token_env) if self.token_env else None
        if token:
            headers["Authorization"] = f"Bearer {token}"
        doc = call(self.client, "github keys", "GET", self.url, headers=headers).json()
        keys = {}
        for item in doc.get("public_keys", []) if isinstance(doc, dict) else []:
            try:
                keys[str(item["key_identifier"])] = load_pem_public_key(item["key"].encode())
            except (KeyError, TypeError, ValueError, AttributeError):
                continue
        self.keys = keys
        self.fetched = time.monotonic()


def check(keys: GitHubKeys, headers: Any, body: bytes) -> list[dict[str, str]]:
    """The alert's tokens, if GitHub signed this body; BadAlert otherwise."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    key_id, signature = headers.get(KEY_ID_HEADER), headers.get(SIGNATURE_HEADER)
    if not key_id or not signature:
        raise BadAlert(401, "unsigned")
    try:
        public = keys.key(key_id)
    except Exception:  # GitHub's key list unreachable: ask GitHub to retry later
        raise BadAlert(503, "cannot fetch GitHub's public keys") from None
    if public is None:
        raise BadAlert(401, "unknown key identifier")
    try:
        public.verify(base64.b64decode(signature), body, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, binascii.Error, ValueError, TypeError):
        raise BadAlert(401, "bad signature") from None
    try:
        doc = json.loads(body)
    except ValueError:
        raise BadAlert(400, "not JSON") from None
    if not isinstance(doc, list) or not all(
        isinstance(a, dict) and isinstance(a.get("token"), str) and isinstance(a.get("type"), str)
        for a in doc
    ):
        raise BadAlert(400, "expected a JSON array of {token, type, url, source}")
    return doc
