"""`leakbot git`: whole history, a pushed range, the staged changes, or only what is new."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from leakbot.commands import add_command, store_of
from leakbot.commands.common import add_output_options, finish, prepare
from leakbot.errors import UsageError

EPILOG = """\
examples:
  leakbot git                                   every ref and commit of this repository
  leakbot git ../service --format sarif -o leakbot.sarif
  leakbot git https://github.com/org/repo.git   mirrored into a cache, fetched next time
  leakbot git --range origin/main..HEAD         only what these commits add (a push, a PR)
  leakbot git --staged                          the index, before you commit
  leakbot git --push                            under pre-commit's pre-push hook
  leakbot git --since-last                      only commits new since the previous scan
"""


def register(sub: Any) -> None:
    p = add_command(sub, "git", "scan a git repository's history, a range, or staged changes",
                    EPILOG)  # fmt: skip
    p.add_argument("repo", nargs="?", default=".", metavar="REPO", help="path or URL (default: .)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--range", metavar="BASE..HEAD", help="only lines added by these commits")
    mode.add_argument("--staged", action="store_true", help="only the staged changes")
    mode.add_argument("--push", action="store_true",
                      help="the commits pre-commit's pre-push hook is pushing")  # fmt: skip
    mode.add_argument("--since-last", action="store_true", help="only commits new since last scan")
    add_output_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Each mode imports only what it needs: a pre-commit hook should start fast.
    from scanner.git.remote import is_url, mirror
    from scanner.git.run import open_repo

    if is_url(args.repo) and (args.staged or args.range or args.push):
        raise UsageError("--staged, --range and --push need a local repository")
    path = mirror(args.repo) if is_url(args.repo) else args.repo
    cfg, engine = prepare(args, [path] if Path(path).is_dir() else [])
    repo = open_repo(path)
    push_revisions = _push_revisions(repo) if args.push else None

    def where(finding: Any) -> dict[str, Any]:
        from scanner.recover import location_of

        return location_of(finding, path)

    if args.staged:
        from scanner.git.diffs import scan_staged

        return finish(args, cfg, scan_staged(engine, repo), where)
    if args.range or push_revisions:
        from scanner.git.diffs import range_revisions
        from scanner.git.scan import scan_commits

        revisions = push_revisions or range_revisions(repo, args.range)
        return finish(args, cfg, scan_commits(engine, repo, revisions), where)
    return finish(args, cfg, _history(args, cfg, engine, repo), where)


def _push_revisions(repo: Any) -> list[str]:
    """What pre-commit's pre-push stage is pushing: the range it names in its environment, or,
    for a history the remote has no base for, the commits no remote-tracking ref reaches."""
    from scanner.git.diffs import not_on_other_refs

    to_sha = repo.commit(os.environ.get("PRE_COMMIT_TO_REF") or "HEAD", "PRE_COMMIT_TO_REF")
    from_ref = os.environ.get("PRE_COMMIT_FROM_REF", "")
    if from_ref.strip("0"):
        return [f"^{repo.commit(from_ref, 'PRE_COMMIT_FROM_REF')}", to_sha]
    return not_on_other_refs(repo, to_sha, "refs/remotes/")


def _history(args: argparse.Namespace, cfg: Any, engine: Any, repo: Any) -> Any:
    from leakbot.extras import EXTRAS, missing
    from leakbot.progress import progress_bar
    from scanner.git.run import ALL
    from scanner.git.scan import cursor_target, ref_cursor, scan_history, scan_since_last

    jobs = args.jobs or os.cpu_count() or 1
    # Without leakbot[state] (a hook's install) a full scan keeps no cursor; --since-last needs one.
    keeps = args.since_last or not missing(EXTRAS["state"])
    store = store_of(args, cfg) if keeps else None
    try:
        with progress_bar(not args.quiet) as progress:
            if store is not None and args.since_last:
                result = scan_since_last(engine, repo, store.cursors, jobs, progress)
                if not result.stats.commits and not result.incomplete:
                    result.notes.append(f"{repo.path}: nothing new since the last scan")
                return result
            cursor = ref_cursor(repo)  # before the scan: a ref moved during it is scanned next time
            result = scan_history(engine, repo, [ALL], jobs, progress)
            if store is not None and not result.incomplete:
                store.cursors.set_cursor(cursor_target(repo), cursor)
            return result
    finally:
        if store is not None:
            store.close()
