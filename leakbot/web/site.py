"""What the web app is given to work with: the store, who may log in, which Host names it
answers to, and the bot's hooks (health, metrics, alerts, a nudge after an approval)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leakbot.web.auth import Auth

LOOPBACK = ("localhost", "127.0.0.1", "::1")


@dataclass
class Alerts:
    keys: Any  # alerts.GitHubKeys
    take: Callable[[list[dict[str, Any]]], list[dict[str, str]]]  # queue them, answer labels


@dataclass
class Webhooks:
    secret_of: Callable[[str], str | None]  # an org's webhook secret (its target's), or None
    take: Callable[[str], None]  # queue a scan of this pushed repository (owner/name)


@dataclass
class Site:
    store: Any  # leakbot.store.Store
    auth: Auth
    hosts: tuple[str, ...] = LOOPBACK  # Host header names answered (DNS rebinding)
    read_only: bool = False  # `leakbot view`: a saved report, no actions
    title: str = "leakbot"
    baseline: Path | None = None  # where a false positive's entries are written
    health: Callable[[], tuple[int, dict[str, Any]]] | None = None
    metrics: Callable[[], tuple[bytes, str]] | None = None
    alerts: Alerts | None = None
    webhooks: Webhooks | None = None
    wake: Callable[[], None] = lambda: None  # an approval: let the bot look now
    count_alert: Callable[[str], None] = lambda result: None  # the alerts metric
    count_webhook: Callable[[str], None] = lambda result: None
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("leakbot.web"))


def hosts_for(listen_host: str, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The names a server bound to `listen_host` answers to: loopback's, the address itself
    unless it is a wildcard, and those configured (`hosts = [...]` in [serve])."""
    own = () if listen_host in ("0.0.0.0", "::", "") else (listen_host,)
    return tuple(dict.fromkeys((*LOOPBACK, *own, *extra)))
