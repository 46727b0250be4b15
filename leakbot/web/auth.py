"""Who may see and do what in the web view: tokens, signed session cookies, roles, CSRF.

Two roles: a viewer sees everything (redacted), an approver also approves, rejects and triages.
Each role's token comes from the environment (LEAKBOT_WEB_TOKEN for approvers,
LEAKBOT_WEB_VIEWER_TOKEN for viewers, or the names `[serve]` gives); with neither set, an
approver token is made at start and its login link printed, as Jupyter does. Logging in with a
token gives a session cookie (HttpOnly, SameSite=Strict) signed with a key derived from the
tokens, so changing a token ends every session made with the old one; sessions expire. Scripts
may send `Authorization: Bearer TOKEN` instead (no cookie: no CSRF to fear). Every
state-changing request from a session carries its CSRF token (a form field or X-CSRF-Token).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass

ROLES = ("viewer", "approver")
COOKIE = "leakbot_session"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
MAX_NAME = 64


@dataclass(frozen=True)
class User:
    role: str
    name: str  # who they said they are at login (the audit log's actor)
    csrf: str  # empty for a bearer token: no cookie, no forgery
    expires: float

    @property
    def actor(self) -> str:
        return f"{self.name}@web" if self.name else f"{self.role}@web"

    def may(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


class Auth:
    def __init__(self, tokens: dict[str, str], session_seconds: float = 8 * 3600,
                 made: bool = False) -> None:  # fmt: skip
        if not tokens:
            raise ValueError("the web view needs at least one token")
        self.tokens = dict(tokens)  # role -> token
        self.session_seconds = session_seconds
        self.made = made  # the approver token was generated at start (and is printed)
        joined = "\0".join(f"{r}={t}" for r, t in sorted(tokens.items()))
        self.key = hashlib.sha256(b"leakbot-session\0" + joined.encode()).digest()

    @classmethod
    def from_env(cls, approver_env: str = "LEAKBOT_WEB_TOKEN",
                 viewer_env: str = "LEAKBOT_WEB_VIEWER_TOKEN",
                 session_seconds: float = 8 * 3600) -> Auth:  # fmt: skip
        tokens = {}
        for role, env in (("approver", approver_env), ("viewer", viewer_env)):
            value = os.environ.get(env, "").strip()
            if value:
                tokens[role] = value
        made = not tokens
        if made:
            tokens["approver"] = secrets.token_urlsafe(24)
        return cls(tokens, session_seconds, made)

    def role_of(self, token: str) -> str | None:
        """The role a token gives (the highest if two roles share one), or None."""
        found = None
        for role, known in self.tokens.items():
            if hmac.compare_digest(token.encode(), known.encode()):
                found = role if found is None or ROLES.index(role) > ROLES.index(found) else found
        return found

    def session(self, role: str, name: str) -> str:
        """A new session cookie's value."""
        doc = {"r": role, "n": name[:MAX_NAME], "c": secrets.token_urlsafe(16),
               "e": time.time() + self.session_seconds}  # fmt: skip
        body = base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")
        return f"{body}.{self._sign(body)}"

    def user(self, cookie: str | None, bearer: str | None) -> User | None:
        if bearer:
            role = self.role_of(bearer)
            return User(role, "", "", float("inf")) if role else None
        if not cookie or "." not in cookie:
            return None
        body, _, mac = cookie.rpartition(".")
        if not hmac.compare_digest(mac, self._sign(body)):
            return None
        try:
            doc = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            user = User(str(doc["r"]), str(doc["n"]), str(doc["c"]), float(doc["e"]))
        except (ValueError, KeyError, TypeError):
            return None
        if user.role not in self.tokens or user.expires < time.time():
            return None
        return user

    def _sign(self, body: str) -> str:
        return hmac.new(self.key, body.encode(), hashlib.sha256).hexdigest()


def csrf_ok(user: User, sent: str | None) -> bool:
    if not user.csrf:  # a bearer token
        return True
    return bool(sent) and hmac.compare_digest(str(sent), user.csrf)
