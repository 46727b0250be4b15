"""A web view over a store of the tests' own: credentials with places, a real uvicorn server on
loopback, and clients logged in as an approver or a viewer."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from leakbot.store.sightings import Sighting

APPROVER, VIEWER = "approver-token-for-tests", "viewer-token-for-tests"


def leak(
    store: Any,
    n: int,
    vendor: str = "devhelm",
    status: str = "new",
    verdict: str = "live",
    path: str = "app/settings.py",
    target: str = "api",
    repo: str = "/srv/api",
) -> int:
    """Ledger row `n` (a made-up hash, not a key) seen at `path`; its id."""
    sha = hashlib.sha256(f"credential-{vendor}-{n}".encode()).hexdigest()
    place = Sighting(path, 3 + n, f"fp-{n}", f"{vendor}.api-key", f"{n:040x}", "Dev <dev@x.io>",
                     "2026-11-30T10:00:00Z", ("refs/heads/main",), target, repo)  # fmt: skip
    row = store.ledger.record(vendor, sha, f"{vendor}.api-key", f"dh_live_x{n}…(48 chars)",
                              {"path": path, "line": 3 + n, "target": target}, verdict,
                              "the key service said so", seen=[place])  # fmt: skip
    if status != row.status:
        store.ledger.update(row.id, status=status)
    return int(row.id)


@dataclass
class Rig:
    url: str
    store: Any
    baseline: Path
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self, token: str | None = APPROVER, **kw: Any) -> httpx.Client:
        """A client with a session from the login form (None: anonymous)."""
        c = httpx.Client(base_url=self.url, timeout=10, follow_redirects=False, **kw)
        self.clients.append(c)
        if token is not None:
            answer = c.post("/login", data={"token": token, "name": "tester", "next": "/"})
            assert answer.status_code == 303, answer.text
        return c

    def close(self) -> None:
        for c in self.clients:
            c.close()


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "no CSRF field on the page"
    return found.group(1)
