"""How leakbot authenticates to GitHub: a token from the environment, or a GitHub App (a JWT
signed RS256 with its private key buys an installation token for the org, valid an hour,
bought again five minutes before it expires). git gets the same token as an HTTP header
through its environment, never in a URL or an argument another user could read."""

from __future__ import annotations

import base64
import os
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from leakbot.github.api import GitHubError

EARLY = 300.0  # an installation token is replaced this long before it expires


class TokenAuth:
    def __init__(self, env: str) -> None:
        self.env = env

    def token(self) -> str:
        value = os.environ.get(self.env, "").strip()
        if not value:
            raise GitHubError(f"GitHub: ${self.env} is not set (a token with contents: read)")
        return value

    def header(self) -> str:
        return f"Bearer {self.token()}"


class AppAuth:
    def __init__(self, client: httpx.Client, base_url: str, app_id: str, key_file: Path,
                 org: str) -> None:  # fmt: skip
        self.client, self.base_url = client, base_url.rstrip("/")
        self.app_id, self.key_file, self.org = app_id, key_file, org
        self.lock = threading.Lock()
        self.held: tuple[str, float] | None = None  # token, expiry

    def jwt(self) -> str:
        import jwt

        try:
            key = self.key_file.read_bytes()
        except OSError as exc:
            why = exc.strerror
            raise GitHubError(f"{self.key_file}: cannot read the app's key: {why}") from None
        now = int(time.time())
        try:
            return jwt.encode({"iat": now - 60, "exp": now + 540, "iss": self.app_id}, key,
                              algorithm="RS256")  # fmt: skip
        except (ValueError, TypeError):
            raise GitHubError(f"{self.key_file}: not an RSA private key (PEM)") from None

    def token(self) -> str:
        with self.lock:
            if self.held is None or self.held[1] - EARLY <= time.time():
                self.held = self._buy()
            return self.held[0]

    def header(self) -> str:
        return f"Bearer {self.token()}"

    def _buy(self) -> tuple[str, float]:
        headers = {"Authorization": f"Bearer {self.jwt()}",
                   "Accept": "application/vnd.github+json"}  # fmt: skip
        installation = self._call("GET", f"/orgs/{self.org}/installation", headers)
        made = self._call("POST", f"/app/installations/{installation['id']}/access_tokens",
                          headers)  # fmt: skip
        try:
            expiry = datetime.fromisoformat(str(made["expires_at"]).replace("Z", "+00:00"))
            return str(made["token"]), expiry.timestamp()
        except (KeyError, ValueError):
            raise GitHubError("GitHub: an installation token answer not as documented") from None

    def _call(self, method: str, path: str, headers: dict[str, str]) -> Any:
        try:
            answer = self.client.request(method, self.base_url + path, headers=headers)
        except httpx.HTTPError as exc:
            raise GitHubError(f"GitHub: {path}: {type(exc).__name__}") from None
        if not answer.is_success:
            raise GitHubError(f"GitHub: {path}: HTTP {answer.status_code} (is the app "
                              f"installed on {self.org}?)")  # fmt: skip
        try:
            return answer.json()
        except ValueError:
            raise GitHubError(f"GitHub: {path}: not JSON") from None


def git_header(auth: Any) -> str:
    """The Authorization header git sends over HTTPS (GitHub takes x-access-token:TOKEN)."""
    pair = base64.b64encode(f"x-access-token:{auth.token()}".encode()).decode()
    return f"Authorization: Basic {pair}"
