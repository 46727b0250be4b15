"""`leakbot completion SHELL`: a tab-completion script for leakbot's commands and options."""

from __future__ import annotations

import argparse
from typing import Any

from leakbot.commands import add_command

SHELLS = ("bash", "zsh", "tcsh")

EPILOG = """\
examples:
  leakbot completion bash > ~/.local/share/bash-completion/completions/leakbot
  leakbot completion zsh > "${fpath[1]}/_leakbot"      # then restart zsh
  eval "$(leakbot completion bash)"                    # this shell only
"""


def register(sub: Any) -> None:
    p = add_command(sub, "completion", "print a shell completion script (bash, zsh, tcsh)",
                    EPILOG)  # fmt: skip
    p.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import shtab  # 60 ms to import: only for this command

    parser: argparse.ArgumentParser = args.root_parser
    _complete_paths(parser, shtab)
    print(shtab.complete(parser, shell=args.shell))
    return 0


def _complete_paths(parser: argparse.ArgumentParser, shtab: Any) -> None:
    """Arguments shown as FILE or PATH complete file names, DIR folder names."""
    kinds = {"FILE": shtab.FILE, "PATH": shtab.FILE, "DIR": shtab.DIR}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _complete_paths(child, shtab)
        elif isinstance(action.metavar, str) and action.metavar in kinds:
            action.complete = kinds[action.metavar]  # type: ignore[attr-defined]
