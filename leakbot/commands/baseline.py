"""`leakbot baseline create|update`: record today's findings so only new ones fail the build."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from leakbot.commands import add_command
from leakbot.commands.common import prepare, print_notes
from leakbot.errors import ExitCode, UsageError

EPILOG = """\
examples:
  leakbot baseline create . -o .leakbot-baseline.json
  leakbot baseline update . -o .leakbot-baseline.json
  leakbot baseline create --git . -o .leakbot-baseline.json   # every key in the repo's history
  leakbot scan . --baseline .leakbot-baseline.json     # reports only new findings
  leakbot git --range origin/main..HEAD --baseline .leakbot-baseline.json

A baseline entry is a credential at a path (rule, secret hash, path): no line, no commit, so
one baseline serves scan, git, diff and ci alike.
"""


def register(sub: Any) -> None:
    p = add_command(sub, "baseline", "create or update a baseline of known findings", EPILOG)
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name in ("create", "update"):
        a = add_command(actions, name, f"{name} a baseline file", EPILOG)
        a.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                       help="files and folders, or with --git one repository")  # fmt: skip
        a.add_argument("--git", action="store_true",
                       help="record every key in the repository's history (all refs)")  # fmt: skip
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
        if args.git:
            result = _history(engine, args.paths, args.jobs, progress)
        else:
            result = run_scan(engine, args.paths, jobs=args.jobs, progress=progress)
    print_notes(result)
    findings = apply_allowlists(result.findings, cfg.allowlists)
    count = write_baseline(output, findings, keep)
    print(f"wrote {output} with {count} finding{'s' * (count != 1)}", file=sys.stderr)
    return ExitCode.INCOMPLETE if result.incomplete else ExitCode.CLEAN  # a baseline may miss some


def _history(engine: Any, paths: list[str], jobs: int | None, progress: Any) -> Any:
    from scanner.git.run import ALL, open_repo
    from scanner.git.scan import scan_history

    if len(paths) != 1:
        raise UsageError("--git takes one repository")
    return scan_history(engine, open_repo(paths[0]), [ALL], jobs or os.cpu_count() or 1, progress)
