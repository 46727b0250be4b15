"""`leakbot ci`: the GitHub Action's whole job (event logic lives here, where it is tested)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from leakbot.commands import add_command, store_of
from leakbot.errors import ExitCode
from leakbot.extras import require_bot

EPILOG = """\
examples:
  leakbot ci                              in a GitHub Actions step (reads GITHUB_EVENT_*)
  GITHUB_EVENT_NAME=push GITHUB_EVENT_PATH=push.json leakbot ci    replay a saved payload

environment (the action's inputs): LEAKBOT_CONFIG, LEAKBOT_FAIL_ON_FINDINGS (default true),
LEAKBOT_SARIF_FILE (default leakbot.sarif), LEAKBOT_VERIFY (ask the vendors which keys are live),
LEAKBOT_REVOKE (verify, then act on live keys by each vendor's policy in the config; the admin
credentials the config names come from the step's env:, i.e. the workflow's secrets),
LEAKBOT_HISTORY (full, the default, or incremental: a schedule or manual run scans only the
commits no ref reached at the last run, whose cursor is kept in LEAKBOT_STATE)
"""


def register(sub: Any) -> None:
    p = add_command(sub, "ci", "scan what a GitHub push or pull request adds (for the Action)",
                    EPILOG)  # fmt: skip
    env = os.environ.get
    p.add_argument("repo", nargs="?", default=".", metavar="REPO",
                   help="the checked-out repository (default: .)")  # fmt: skip
    p.add_argument("--event-name", default=env("GITHUB_EVENT_NAME", ""), metavar="NAME",
                   help="push, pull_request, ... (default: $GITHUB_EVENT_NAME)")  # fmt: skip
    p.add_argument("--event-path", default=env("GITHUB_EVENT_PATH"), metavar="FILE",
                   help="the event payload (default: $GITHUB_EVENT_PATH)")  # fmt: skip
    p.add_argument("--sarif-file", default=env("LEAKBOT_SARIF_FILE") or "leakbot.sarif",
                   metavar="FILE", help="the SARIF report (default: leakbot.sarif)")  # fmt: skip
    p.add_argument("--config", default=env("LEAKBOT_CONFIG") or None, metavar="FILE",
                   help="config file (default: $LEAKBOT_CONFIG, else .leakbot.toml)")  # fmt: skip
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from leakbot import ci, pipeline
    from leakbot.commands.common import search_dirs
    from rules.fileio import atomic_text
    from scanner.finding import printable
    from scanner.git.run import ALL, open_repo
    from scanner.report import write_report
    from scanner.result import ScanResult

    fail = ci.truthy(os.environ.get("LEAKBOT_FAIL_ON_FINDINGS"), True)
    revoke = ci.truthy(os.environ.get("LEAKBOT_REVOKE"), False)
    verify = revoke or ci.truthy(os.environ.get("LEAKBOT_VERIFY"), False)
    if verify:
        require_bot("LEAKBOT_REVOKE" if revoke else "LEAKBOT_VERIFY")
    repo = open_repo(args.repo)
    event = ci.load_event(args.event_path)
    history = (os.environ.get("LEAKBOT_HISTORY") or "full").strip().lower()
    todo = ci.plan(args.event_name, event, repo, history)
    state = None
    cfg, engine = pipeline.load(args.config, search_dirs([args.repo]))
    if todo.mode == "range":
        from scanner.git.scan import scan_range

        result = scan_range(engine, repo, todo.range or "")
    elif todo.mode == "history":
        from scanner.git.scan import scan_history

        result = scan_history(engine, repo, [ALL], os.cpu_count() or 1)
    elif todo.mode == "since_last":
        from scanner.git.scan import cursor_target, since_last

        state = store_of(args, cfg)
        result, cursor = since_last(engine, repo, state.cursors, os.cpu_count() or 1)
    else:
        result = ScanResult(incomplete=[todo.why] if todo.mode == "missing" else [])
    pipeline.suppress(result, cfg)
    if verify and result.findings:
        _verify_and_revoke(cfg, result, args.repo, revoke)
    for note in result.notes:
        print(f"::warning::{ci.escape(printable(note))}")
    for problem in result.incomplete:
        print(f"::error title=leakbot: scan incomplete::{ci.escape(printable(problem))}")
    sarif = Path(args.sarif_file)
    with atomic_text(sarif, mode=0o644) as out:
        write_report("sarif", result, out)
    for finding in result.findings:
        print(ci.annotation(finding))
    ci.append("GITHUB_STEP_SUMMARY", ci.summary(result.findings, todo, result.incomplete))
    ci.append("GITHUB_OUTPUT", f"findings={len(result.findings)}\nsarif-file={sarif}\n")
    if state is not None:
        if not result.incomplete:  # the findings are out (SARIF, annotations): move on
            state.cursors.set_cursor(cursor_target(repo), cursor)
        state.close()
    count = len(result.findings)
    print(f"leakbot: {count} finding{'s' * (count != 1)} ({todo.why}); SARIF in {sarif}",
          file=sys.stderr)  # fmt: skip
    return ExitCode.of(count if fail else 0, len(result.incomplete))


def _verify_and_revoke(cfg: Any, result: Any, repo: str, revoke: bool) -> None:
    """Verify (the ledger keeps the answers); with revoke, act on them by policy, using the keys
    this scan holds in memory."""
    from leakbot import pipeline
    from leakbot.commands.common import plan_line, verify_and_record
    from leakbot.rotation import rotator, say
    from scanner.recover import location_of

    state = argparse.Namespace(state=None, quiet=False)
    verify_and_record(state, cfg, result, lambda f: location_of(f, repo))
    if not revoke:
        return
    with store_of(state, cfg) as store, rotator(cfg, store.ledger, say) as rot:
        pipeline.act_on_found(rot, result.findings, plan_line)
