"""The vendor clients, listed explicitly (no discovery by import scanning)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx

from revoker.service import KeyService
from revoker.vendors.devdraft import Devdraft
from revoker.vendors.devhelm import DevHelm
from revoker.vendors.diffhook import DiffHook
from revoker.vendors.helicone import Helicone
from revoker.vendors.helios import Helios

Factory = Callable[..., KeyService]

SERVICES: dict[str, Factory] = {
    "helicone": Helicone,
    "devhelm": DevHelm,
    "diffhook": DiffHook,
    "devdraft": Devdraft,
    "helios": Helios,
}


def build(
    client: httpx.Client,
    settings: Mapping[str, Mapping[str, Any]],
    admin: Mapping[str, str | None],
    clients: Mapping[str, httpx.Client] | None = None,
) -> dict[str, KeyService]:
    """One client per vendor: base URLs from `settings`, admin credentials from `admin`, and
    the HTTP client from `clients` (a vendor with its own timeout) or the shared one."""
    out = {}
    for vendor, factory in SERVICES.items():
        urls = {k: v for k, v in settings.get(vendor, {}).items() if k.endswith("base_url")}
        out[vendor] = factory((clients or {}).get(vendor, client), admin.get(vendor), **urls)
    return out
