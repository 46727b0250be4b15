"""One module per command group; each has register(subparsers) and sets `func`."""

from __future__ import annotations

import argparse
from typing import Any


def add_command(sub: Any, name: str, help: str, epilog: str) -> argparse.ArgumentParser:
    """A subcommand whose help ends with its examples, printed as written."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=help, epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    return parser
