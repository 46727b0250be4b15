"""One factory for key-service HTTP clients: explicit timeouts, a User-Agent, and a transport
that refuses plain HTTP anywhere but loopback."""

from __future__ import annotations

from typing import Any

import httpx

from revoker.deadline import bound_total_time, start_clock
from revoker.errors import RevokerError
from revoker.urls import check_url
from scanner.version import tool_version

TIMEOUT = httpx.Timeout(10.0, connect=5.0)  # each socket operation
TOTAL = 20.0  # one whole call: connect, TLS, request and the full answer (revoker.deadline)


def _guard(request: httpx.Request) -> None:
    check_url(str(request.url))


def make_client(
    timeout: httpx.Timeout = TIMEOUT,
    transport: httpx.BaseTransport | None = None,
    total: float = TOTAL,
) -> httpx.Client:
    """The client every vendor, sink and notifier gets injected (tests pass a MockTransport or
    the emulator): each call takes at most `total` seconds, however slowly a server answers."""
    client = httpx.Client(
        timeout=timeout,
        headers={"User-Agent": f"leakbot/{tool_version()} (+https://github.com/leakbot/leakbot)"},
        event_hooks={"request": [_guard, start_clock(total)]},
        transport=transport,
        follow_redirects=False,
    )
    bound_total_time(client)
    return client


def call(client: httpx.Client, who: str, method: str, url: str, *,
         accept: tuple[int, ...] = (), **kwargs: Any) -> httpx.Response:  # fmt: skip
    """One request whose failure (no answer, or a status >= 300 not in `accept`) is a
    RevokerError naming who asked, the method and the path: never a header, body or key."""
    path = httpx.URL(url).path
    try:
        response = client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        raise RevokerError(f"{who}: {method} {path}: {type(exc).__name__}") from None
    if response.status_code >= 300 and response.status_code not in accept:
        raise RevokerError(f"{who}: {method} {path}: HTTP {response.status_code}")
    return response


def answer_field(response: httpx.Response, *path: str) -> Any:
    """doc[path[0]][path[1]]... of a JSON answer; None where the answer is not JSON or has
    another shape (a vendor's garbage is "no answer", never an exception that ends the scan)."""
    try:
        node: Any = response.json()
    except ValueError:
        return None
    for name in path:
        if not isinstance(node, dict):
            return None
        node = node.get(name)
    return node


def admin_call(
    client: httpx.Client, vendor: str, token: str | None, method: str, url: str, **kwargs: Any
) -> httpx.Response:
    """A key-management call with an operator's admin credential."""
    if not token:
        raise RevokerError(f"{vendor}: no admin credential configured (set admin_env)")
    headers = {"Authorization": f"Bearer {token}"}
    return call(client, vendor, method, url, headers=headers, **kwargs)


MAX_KEY_NAME = 200


def key_name(value: Any) -> str | None:
    """A vendor's name for a key, as an answer gives it: a string of at most MAX_KEY_NAME
    characters, or nothing (it is matched against the config, and shown only escaped)."""
    return value[:MAX_KEY_NAME] if isinstance(value, str) and value else None
