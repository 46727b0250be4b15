"""One factory for key-service HTTP clients: explicit timeouts, a User-Agent, and a transport
that refuses plain HTTP anywhere but loopback."""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

import httpx

from revoker.errors import InsecureURL, RevokerError
from scanner.version import tool_version

TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return url
    host = parts.hostname or ""
    if parts.scheme == "http" and (host == "localhost" or _loopback(host)):
        return url
    raise InsecureURL(
        f"refusing {parts.scheme or 'schemeless'} URL to {host or url!r}: "
        "key services are called over HTTPS (plain HTTP only to loopback)"
    )


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guard(request: httpx.Request) -> None:
    check_url(str(request.url))


def make_client(
    timeout: httpx.Timeout = TIMEOUT, transport: httpx.BaseTransport | None = None
) -> httpx.Client:
    """The client every vendor module gets injected (tests pass a MockTransport or the emulator)."""
    return httpx.Client(
        timeout=timeout,
        headers={"User-Agent": f"leakbot/{tool_version()} (+https://github.com/leakbot/leakbot)"},
        event_hooks={"request": [_guard]},
        transport=transport,
        follow_redirects=False,
    )


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


def admin_call(
    client: httpx.Client, vendor: str, token: str | None, method: str, url: str, **kwargs: Any
) -> httpx.Response:
    """A key-management call with an operator's admin credential."""
    if not token:
        raise RevokerError(f"{vendor}: no admin credential configured (set admin_env)")
    headers = {"Authorization": f"Bearer {token}"}
    return call(client, vendor, method, url, headers=headers, **kwargs)
