"""leakbot's optional parts. `pip install leakbot` is the scanner: what the pre-commit hooks and
`leakbot scan/git/diff` need. `pip install 'leakbot[bot]'` adds what talks to the vendors and
runs the bot (verify, revoke, serve, the Action's verify/revoke). A command that needs an extra
says so in one line before it starts, instead of failing halfway with an ImportError."""

from __future__ import annotations

import argparse
import importlib.util

from leakbot.errors import UsageError

BOT = ("httpx", "apscheduler", "nacl", "cryptography", "prometheus_client")  # leakbot[bot]
_BOT_COMMANDS = ("verify", "revoke", "serve")


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


def message(feature: str, absent: list[str]) -> str:
    return (f"{feature} needs leakbot[bot] ({', '.join(absent)} not installed): "
            "pip install 'leakbot[bot]'")  # fmt: skip


def require_bot(feature: str) -> None:
    absent = missing()
    if absent:
        raise UsageError(message(feature, absent))


def check(args: argparse.Namespace) -> None:
    """Before a command runs: the extra its command or flags need is installed."""
    if args.command in _BOT_COMMANDS:
        require_bot(f"leakbot {args.command}")
    elif getattr(args, "verify", False):
        require_bot("--verify")
