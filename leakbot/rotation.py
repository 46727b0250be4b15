"""Wiring the revoker to the configuration: the ledger's path, the vendor clients, sinks,
notifiers and policies; recording verified findings; reading a leaked key again for a row."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from leakbot.config import VARIABLES, Config
from leakbot.errors import ConfigError
from revoker.kinds import Policy, SinkType
from revoker.ledger import Ledger, Rotation
from scanner.engine import Engine
from scanner.finding import Finding, printable

Where = Callable[[Finding], dict[str, Any]]


def leaked_at(finding: Finding) -> float | None:
    """When the key leaked: its commit's date for history findings, else unknown (now)."""
    if not finding.date:
        return None
    from datetime import datetime

    try:
        return datetime.fromisoformat(finding.date).timestamp()
    except ValueError:
        return None


def read_again(engine: Engine, row: Rotation) -> Finding | None:
    from scanner.recover import read_again as _read_again

    return _read_again(engine, row.where, row.secret_sha256)


@contextmanager
def vendor_services(cfg: Config) -> Iterator[tuple[Any, dict[str, Any]]]:
    """The shared HTTP client and the vendor clients (a vendor with `timeout` set gets its own
    HTTP client with that timeout); every client is closed on exit."""
    import httpx

    from revoker.http import make_client
    from revoker.registry import build

    with ExitStack() as stack:
        client = stack.enter_context(make_client())
        own = {
            vendor: stack.enter_context(
                make_client(httpx.Timeout(float(table["timeout"])), total=float(table["timeout"]))
            )
            for vendor, table in cfg.vendors.items()
            if "timeout" in table
        }
        yield client, build(client, cfg.vendors, cfg.admin_credentials(), own)


@contextmanager
def rotator(cfg: Config, ledger: Ledger, say: Callable[[str], None]) -> Iterator[Any]:
    """A Rotator built from the config, its HTTP clients closed on exit."""
    with vendor_services(cfg) as (client, services):
        yield make_rotator(cfg, ledger, say, client, services)


def make_rotator(cfg: Config, ledger: Ledger, say: Callable[[str], None], client: Any,
                 services: dict[str, Any], stop: Any = None) -> Any:  # fmt: skip
    """A Rotator over the given clients: sinks, notifiers and policies from the config (a bad
    sink or notifier table is a ConfigError naming the file)."""
    from revoker import notify, sinks
    from revoker.errors import RevokerError
    from revoker.workflow import Rotator, VendorPolicy

    built_sinks = {}
    for name, (table, path) in cfg.sinks.items():
        if table.get("type") == SinkType.DOTENV and isinstance(table.get("path"), str):
            table = {**table, "path": str(path.parent / table["path"])}  # beside the config
        try:
            built_sinks[name] = sinks.build(name, table, client)
        except (ValueError, RevokerError) as exc:
            raise ConfigError(f"{path}: sinks.{name}: {exc}") from None
    notifiers = []
    for n, (table, path) in enumerate(cfg.notify):
        try:
            notifiers.append(notify.build(n, table, client))
        except (ValueError, RevokerError) as exc:
            raise ConfigError(f"{path}: notify[{n}]: {exc}") from None
    policies = {
        vendor: VendorPolicy(
            policy=Policy(cfg.vendors.get(vendor, {}).get("policy", Policy.APPROVE)),
            deliver=tuple(cfg.vendors.get(vendor, {}).get("deliver", ())),
            variable=str(cfg.vendors.get(vendor, {}).get("variable", VARIABLES[vendor])),
        )
        for vendor in VARIABLES
    }
    routes = [route for route, _ in cfg.deliveries]
    rot = Rotator(ledger, services, policies, built_sinks, notifiers, routes, say=say)
    if stop is not None:
        rot.stop = stop
    return rot


def say(text: str) -> None:
    print(f"leakbot: {printable(text)}", file=sys.stderr, flush=True)
