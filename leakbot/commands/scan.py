"""`leakbot scan` (files, directories, logs, stdin) and `leakbot diff` (added lines of a diff)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from leakbot.commands import add_command
from leakbot.commands.common import add_output_options, finish, prepare
from leakbot.errors import UsageError
from scanner.errors import ScanError
from scanner.result import ScanResult

SCAN_EPILOG = """\
examples:
  leakbot scan .
  leakbot scan src/ config/ .env --format json -o findings.json
  leakbot scan /var/log/app/ --format sarif -o leakbot.sarif
  journalctl -u api --since today | leakbot scan -
"""

DIFF_EPILOG = """\
examples:
  git diff --cached | leakbot diff -
  leakbot diff change.patch --format sarif -o leakbot.sarif
"""


def register(sub: Any) -> None:
    p = add_command(
        sub, "scan", "scan files, directories, logs (.gz too) or stdin (-)", SCAN_EPILOG
    )
    p.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files, folders or -")
    exclude_help = ("leave out what folders hold matching a name or a path from the folder "
                    "scanned (repeatable): --exclude '*.min.js' --exclude 'build/*'")  # fmt: skip
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB", help=exclude_help)
    ignored_help = ("also scan what a work tree's .gitignore ignores (by default it is left out "
                    "and counted; a file named on the command line is always scanned)")  # fmt: skip
    p.add_argument("--include-ignored", action="store_true", help=ignored_help)
    add_output_options(p)
    p.set_defaults(func=run)
    d = add_command(sub, "diff", "scan the added lines of a unified diff (FILE or -)", DIFF_EPILOG)
    d.add_argument("diff", metavar="FILE", help="a unified diff, or - for stdin")
    add_output_options(d)
    d.set_defaults(func=run_diff)


def run(args: argparse.Namespace) -> int:
    from leakbot.progress import progress_bar
    from scanner.pipeline import run_scan

    cfg, engine = prepare(args, args.paths)
    if args.paths.count("-") > 1:
        raise UsageError("stdin (-) can be given once")
    with progress_bar(not args.quiet) as progress:
        result = run_scan(
            engine, args.paths, jobs=args.jobs, progress=progress,
            exclude=tuple(args.exclude), gitignore=not args.include_ignored,
        )  # fmt: skip
    return finish(args, cfg, result)


def run_diff(args: argparse.Namespace) -> int:
    from scanner.sources.diff import diff_fragments

    cfg, engine = prepare(args, [])
    if args.diff == "-":
        stream: Any = sys.stdin.buffer
    else:
        try:
            stream = open(args.diff, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise ScanError(f"{args.diff}: cannot read: {exc.strerror}") from None
    result = ScanResult()
    files: set[str] = set()
    with stream:
        for fragment in diff_fragments(stream):
            notes: list[str] = []
            result.findings.extend(engine.scan(fragment, notes))
            result.notes.extend(notes)
            result.stats.bytes += len(fragment.data)
            files.add(fragment.path)
    result.stats.files = len(files)
    return finish(args, cfg, result)
