"""`leakbot baseline create|update`: record today's findings so only new ones fail the build."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from leakbot.commands import add_command
from leakbot.commands.scan import prepare, print_notes
from leakbot.errors import ExitCode

EPILOG = """\
examples:
  leakbot baseline create . -o .leakbot-baseline.json
  leakbot baseline update . -o .leakbot-baseline.json
  leakbot scan . --baseline .leakbot-baseline.json     # reports only new findings
"""


def register(sub: Any) -> None:
    p = add_command(sub, "baseline", "create or update a baseline of known findings", EPILOG)
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name in ("create", "update"):
        a = add_command(actions, name, f"{name} a baseline file", EPILOG)
        a.add_argument("paths", nargs="*", default=["."], metavar="PATH")
        a.add_argument("-o", "--output", default=".leakbot-baseline.json", metavar="FILE")
        a.add_argument("--config", metavar="FILE")
        a.add_argument("--engine", choices=["auto", "hyperscan", "regex"], default="auto")
        a.add_argument("-j", "--jobs", type=int, default=None)
        a.add_argument("-q", "--quiet", action="store_true")
        a.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from leakbot.progress import progress_bar
    from scanner.allow import apply_allowlists, load_baseline, write_baseline
    from scanner.pipeline import run_scan

    cfg, engine = prepare(args, args.paths)
    output = Path(args.output)
    keep = load_baseline(output) if args.action == "update" and output.exists() else None
    with progress_bar(not args.quiet) as progress:
        result = run_scan(engine, args.paths, jobs=args.jobs, progress=progress)
    print_notes(result)
    findings = apply_allowlists(result.findings, cfg.allowlists)
    count = write_baseline(output, findings, keep)
    print(f"wrote {output} with {count} finding{'s' * (count != 1)}", file=sys.stderr)
    return ExitCode.INCOMPLETE if result.incomplete else ExitCode.CLEAN  # a baseline may miss some
