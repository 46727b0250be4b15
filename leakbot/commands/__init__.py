"""One module per command group; each has register(subparsers) and sets `func`."""

from __future__ import annotations

import argparse
from typing import Any

STATE_HELP = ("state: cursors, the ledger, the bot's targets: a SQLite file or a postgresql:// URL "
              "(default: $LEAKBOT_STATE, state = in the config, or "
              "~/.local/state/leakbot/state.db)")  # fmt: skip


def add_config_and_state(p: argparse.ArgumentParser) -> None:
    """--config and --state, as every command that reads the config and the state takes them."""
    p.add_argument("--config", metavar="FILE", help="config file (default: .leakbot.toml)")
    p.add_argument("--state", metavar="FILE", help=STATE_HELP)


def add_command(sub: Any, name: str, help: str, epilog: str) -> argparse.ArgumentParser:
    """A subcommand whose help ends with its examples, printed as written."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=help, epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    return parser


def store_of(args: argparse.Namespace, cfg: Any) -> Any:
    """The state store this command uses: --state, $LEAKBOT_STATE, `state =` in the config, or
    the default file; migrated to the newest schema on open."""
    from leakbot.store import open_store

    return open_store(location_of(args, cfg), cfg.lease)


def location_of(args: argparse.Namespace, cfg: Any) -> Any:
    """Where the state would be, without opening it (a command that only reads may find none)."""
    from leakbot.store import locate

    return locate(getattr(args, "state", None), cfg.state)
