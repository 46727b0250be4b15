"""Which URLs leakbot will call: HTTPS, or plain HTTP to loopback only (the emulator, tests).

Kept apart from `revoker.http` so the config can check its URLs without httpx, which only
`leakbot[bot]` installs."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from revoker.errors import InsecureURL


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
