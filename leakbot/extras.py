"""leakbot's optional parts. `pip install leakbot` is the scanner: what the pre-commit hooks and
`leakbot scan/git/diff` need. `leakbot[state]` keeps state (cursors for `--since-last`, the
ledger): SQLAlchemy and Alembic. `leakbot[bot]` adds what talks to the vendors and runs the bot
(verify, revoke, status, serve, the Action's verify/revoke), state included; `leakbot[postgres]`
the PostgreSQL driver; `leakbot[distributed]` Celery and Redis for `leakbot worker` and a
`serve` with a broker. A command that needs an extra says so in one line before it starts,
instead of failing halfway with an ImportError."""

from __future__ import annotations

import argparse
import importlib.util

from leakbot.errors import UsageError

_STATE = ("sqlalchemy", "alembic")
EXTRAS = {
    "state": _STATE,
    "bot": (
        "httpx",
        "apscheduler",
        "nacl",
        "cryptography",
        "prometheus_client",
        "starlette",
        "jinja2",
        "uvicorn",
        "multipart",
        "jwt",
        *_STATE,
    ),
    "postgres": ("psycopg",),
    "distributed": ("celery", "redis", "psycopg"),
}
BOT = EXTRAS["bot"]
_BOT_COMMANDS = ("verify", "revoke", "status", "serve", "view")


def missing(modules: tuple[str, ...] = BOT) -> list[str]:
    """Which of these top-level modules cannot be imported here."""
    out = []
    for name in modules:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            out.append(name)
    return out


def message(feature: str, absent: list[str], extra: str = "bot") -> str:
    return (f"{feature} needs leakbot[{extra}] ({', '.join(absent)} not installed): "
            f"pip install 'leakbot[{extra}]'")  # fmt: skip


def require(extra: str, feature: str) -> None:
    absent = missing(EXTRAS[extra])
    if absent:
        raise UsageError(message(feature, absent, extra))


def require_bot(feature: str) -> None:
    require("bot", feature)


def extra_of(module: str) -> str | None:
    """The extra that brings this top-level module, if any."""
    return next((extra for extra, names in EXTRAS.items() if module in names), None)


def check(args: argparse.Namespace) -> None:
    """Before a command runs: the extra its command or flags need is installed."""
    if args.command == "worker":
        require_bot("leakbot worker")
        require("distributed", "leakbot worker")
    elif args.command in _BOT_COMMANDS:
        require_bot(f"leakbot {args.command}")
    elif getattr(args, "verify", False):
        require_bot("--verify")
    elif getattr(args, "since_last", False):
        require("state", "--since-last")
