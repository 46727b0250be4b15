"""What each `[sinks.<name>]` and `[[notify]]` table may hold, as data.

The config checks its tables against these when it loads, for every command, without importing
the code that delivers (httpx, which only leakbot[bot] installs, and 40 ms of a commit hook).
tests/revoker/test_options.py keeps them equal to the sinks' and notifiers' constructors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from revoker.kinds import NotifierType, SinkType
from revoker.urls import check_url


@dataclass(frozen=True)
class Options:
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def known(self) -> tuple[str, ...]:
        return (*self.required, *self.optional)


SINKS: dict[str, Options] = {
    SinkType.COMMAND: Options(("command",), ("timeout", "env")),
    SinkType.DOTENV: Options(("path",)),
    SinkType.GITHUB: Options(("repo",), ("environment", "token_env", "api_url")),
    SinkType.VAULT: Options(("addr", "path"), ("mount", "token_env", "namespace")),
}
# `url_env` may be set only where leakbot revokes, so neither URL is required when the config
# loads; a notifier with no URL at all is refused when it is built.
NOTIFIERS: dict[str, Options] = {
    NotifierType.WEBHOOK: Options((), ("name", "url", "url_env", "secret_env")),
    NotifierType.SLACK: Options((), ("name", "url", "url_env")),
}


def check_sink(table: Mapping[str, Any]) -> None:
    """ValueError naming an unknown type, the first unknown option or a missing one."""
    kind = _kind(table, SINKS)
    options = SINKS[kind]
    for option in table:
        if option != "type" and option not in options.known:
            raise ValueError(
                f"unknown key {option!r} for a {kind} sink ({', '.join(options.known)})"
            )
    for option in options.required:
        if option not in table:
            raise ValueError(f"a {kind} sink needs {option!r}")


def check_notifier(table: Mapping[str, Any]) -> None:
    kind = _kind(table, NOTIFIERS)
    unknown = sorted(set(table) - {"type", *NOTIFIERS[kind].known})
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} for a {kind} notifier")
    if isinstance(table.get("url"), str):
        check_url(table["url"])


def _kind(table: Mapping[str, Any], kinds: Mapping[str, Options]) -> str:
    kind = table.get("type")
    if not isinstance(kind, str) or kind not in kinds:
        raise ValueError(f"'type' must be one of {', '.join(kinds)}")
    return kind
