"""Delivery sinks: where a reissued key goes so the apps that read it keep working.

Each sink takes the variable name the apps read and the new value, and either delivers it or
raises RevokerError naming the sink and what failed (never the value). `build` turns a
`[sinks.<name>]` table of the config into a sink, and its ValueError names the bad option.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

import httpx

from revoker.kinds import SinkType
from revoker.options import check_sink


class Sink(Protocol):
    name: str

    def deliver(self, variable: str, value: bytes) -> None: ...


def _kinds() -> dict[str, Callable[..., Sink]]:
    from revoker.sinks.command import CommandSink
    from revoker.sinks.dotenv import DotenvSink
    from revoker.sinks.github import GithubSink
    from revoker.sinks.vault import VaultSink

    return {SinkType.COMMAND: CommandSink, SinkType.DOTENV: DotenvSink,
            SinkType.GITHUB: GithubSink, SinkType.VAULT: VaultSink}  # fmt: skip


_CLIENT = {SinkType.GITHUB, SinkType.VAULT}  # the sinks that call an HTTP API


def build(name: str, table: Mapping[str, Any], client: httpx.Client | None = None) -> Sink:
    check_sink(table)
    options = dict(table)
    kind = options.pop("type")
    try:
        if kind in _CLIENT:
            return _kinds()[kind](name, client, **options)
        return _kinds()[kind](name, **options)
    except TypeError as exc:  # an option of the wrong type
        raise ValueError(str(exc).split(") ", 1)[-1].replace("__init__()", "").strip()) from None
