"""`leakbot`: the command line. `main(argv) -> int` is the only place that exits.

Exit codes (leakbot.errors.ExitCode): 0 clean, 1 findings, 2 usage or config error,
3 unexpected error, 4 incomplete scan (what it found is reported; more may be missing).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from leakbot import extras
from leakbot.errors import ConfigError, ExitCode, UsageError
from revoker.errors import RevokerError
from rules import RuleError
from scanner.errors import ScanError
from scanner.finding import printable

EPILOG = """\
examples:
  leakbot scan .                          scan this folder (text report, redacted)
  leakbot scan logs/ --format sarif -o leakbot.sarif
  kubectl logs deploy/api | leakbot scan -
  git diff --cached | leakbot diff -
  leakbot git                             every commit on every ref of this repository
  leakbot git --staged                    before you commit
  leakbot git --verify                    ask the vendors which found keys are live
  leakbot revoke                          the rotation plan for live keys (--execute acts)
  leakbot status                          the ledger: rotated, pending, failed, awaiting approval
  leakbot serve                           the bot: [[targets]] on a schedule, rotation by policy
  leakbot worker                          a distributed-mode worker (Celery on Redis, PostgreSQL)
  leakbot view findings.json              a saved JSON or SARIF report in the web view
  leakbot rules check
  leakbot init                            a commented .leakbot.toml and the pre-commit hooks
  leakbot completion bash                 tab completion for bash (zsh, tcsh too)

exit codes: 0 clean, 1 findings, 2 usage or config error, 3 unexpected error,
            4 incomplete: the scan could not do all its work (it says what it missed)
"""


class _Version(argparse.Action):
    """--version, looked up only when asked (reading package metadata costs start-up time)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from scanner.version import tool_version

        print(f"leakbot {tool_version()}")  # stdout, as `--version` is read by scripts
        parser.exit()


# Each command and the module that registers it, in the order `leakbot --help` lists them. A
# command's run imports only its own module: the pre-commit hook pays for no other's imports.
COMMANDS = {"scan": "scan", "diff": "scan", "git": "git_cmd", "verify": "revoke_cmd",
            "revoke": "revoke_cmd", "status": "revoke_cmd", "serve": "serve_cmd", "ci": "ci_cmd",
            "init": "init_cmd", "emulate": "emulate_cmd", "baseline": "baseline",
            "rules": "rules_cmd", "view": "view_cmd", "worker": "worker_cmd",
            "completion": "completion_cmd"}  # fmt: skip


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; with `command`, one with only that command's subparser (completion needs
    them all, and so do `--help` and a mistyped command)."""
    parser = argparse.ArgumentParser(
        prog="leakbot",
        description="Find DevHelm, DiffHook, Helicone, Helios AI and Devdraft keys in code, logs.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    alone = COMMANDS.get(command or "") if command != "completion" else None
    for module in [alone] if alone else dict.fromkeys(COMMANDS.values()):
        importlib.import_module(f"leakbot.commands.{module}").register(sub)
    parser.set_defaults(root_parser=parser)  # for `leakbot completion`
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv[0] if argv else None)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help/--version (0) or a usage error (2)
        return int(exc.code or 0)
    if args.command is None:
        parser.print_help(sys.stderr)
        return ExitCode.USAGE
    try:
        extras.check(args)
        return int(args.func(args))
    except (ConfigError, UsageError, RuleError, ScanError, RevokerError) as exc:
        print(f"leakbot: error: {printable(str(exc))}", file=sys.stderr)
        return ExitCode.USAGE
    except ModuleNotFoundError as exc:
        module = (exc.name or "").split(".")[0]
        extra = extras.extra_of(module)
        if extra is None:
            raise
        say = extras.message(f"leakbot {args.command}", [module], extra)
        print(f"leakbot: error: {say}", file=sys.stderr)
        return ExitCode.USAGE
    except KeyboardInterrupt:
        print("leakbot: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # a listing piped into `head`; scans handle this in their report
        return ExitCode.CLEAN
    except Exception as exc:
        # The type and where it happened, never the message: it may hold input bytes.
        tb = exc.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        where = f" at {tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb else ""
        print(f"leakbot: unexpected error: {type(exc).__name__}{where}", file=sys.stderr)
        return ExitCode.ERROR
