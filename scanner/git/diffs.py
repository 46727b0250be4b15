"""Pushed ranges and staged changes: `-U0` diffs, so only the lines those commits add count.

A merge shows what it changed itself (`--diff-merges=remerge`: the difference between git's own
merge and the commit), not everything the merged branch brought.
"""

from __future__ import annotations

from collections.abc import Iterator

from scanner.engine import Engine
from scanner.errors import ScanError
from scanner.finding import printable
from scanner.fragment import Fragment
from scanner.git.history import Commit
from scanner.git.run import Repo, finished, popen, revision_args
from scanner.result import ScanResult
from scanner.sources.diff import diff_fragments

_FORMAT = "--format=%x01%H%x02%an%x02%aI%x02%ct"


def range_revisions(repo: Repo, spec: str) -> list[str]:
    """`BASE..HEAD` as resolved git revisions; an all-zero BASE (a new branch) means the commits
    of HEAD that no other ref reaches. Both ends must be commits of this repository."""
    base, sep, head = spec.partition("..")
    if not sep or not head or not base:
        raise ScanError(f"--range {printable(spec)!r}: expected BASE..HEAD")
    head_sha = repo.commit(head, "--range head")
    if base.strip("0"):
        return [f"^{repo.commit(base, '--range base')}", head_sha]
    return not_on_other_refs(repo, head_sha)


def not_on_other_refs(repo: Repo, head_sha: str, prefix: str = "") -> list[str]:
    """The commits of `head_sha` that no other ref (under `prefix`, e.g. refs/remotes/) reaches."""
    tips = {tip for name, tip in repo.ref_tips().items() if name.startswith(prefix)}
    return [head_sha, *sorted(f"^{tip}" for tip in tips if tip != head_sha)]


def range_fragments(
    repo: Repo, revisions: list[str], incomplete: list[str]
) -> Iterator[tuple[Commit, Fragment]]:
    """Each commit's added lines; if git stops early, `incomplete` says so (what came is kept)."""
    proc = popen(repo.path, "log", "-p", "-U0", "--no-color", "--no-renames", "--no-ext-diff",
                 "--diff-merges=remerge", _FORMAT, *revision_args(revisions))  # fmt: skip
    assert proc.stdout is not None
    commit: Commit | None = None
    lines: list[bytes] = []
    for line in proc.stdout:
        if line.startswith(b"\x01"):
            if commit is not None:
                yield from ((commit, f) for f in diff_fragments(lines))
            sha, author, date, ctime = (
                line[1:].decode("utf-8", "replace").rstrip("\n").split("\x02")
            )
            commit, lines = Commit(sha, author, date, int(ctime or 0)), []
        else:
            lines.append(line)
    if commit is not None:
        yield from ((commit, f) for f in diff_fragments(lines))
    proc.stdout.close()
    failure = finished(proc, f"{repo.path}: git log")
    if failure:
        incomplete.append(failure)


def staged_fragments(repo: Repo) -> Iterator[Fragment]:
    """The index against HEAD (against nothing before the first commit)."""
    out = repo.run("diff", "--cached", "-U0", "--no-color", "--no-renames", "--no-ext-diff")
    yield from diff_fragments(out.splitlines(keepends=True))


def scan_staged(engine: Engine, repo: Repo) -> ScanResult:
    result = repo.result()
    for fragment in staged_fragments(repo):
        result.stats.files += 1
        result.stats.bytes += len(fragment.data)
        result.findings.extend(engine.scan(fragment, result.incomplete))
    return result
