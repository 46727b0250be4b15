"""Git scans end to end: history (all refs, or what is new since the last scan), a pushed range,
or the staged changes; then one finding per credential, located where it was introduced."""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from fnmatch import fnmatch

from scanner.engine import Engine
from scanner.finding import Finding, fingerprint
from scanner.git.blobs import (
    Blob,
    BlobResult,
    all_blobs,
    list_blobs,
    list_objects,
    scan_unit,
    units,
)
from scanner.git.diffs import range_fragments, range_revisions
from scanner.git.history import Commit, LogRun
from scanner.git.run import ALL, Repo
from scanner.pool import (
    INLINE_BYTES,
    Progress,
    byte_counter,
    can_fork,
    count_bytes,
    run_pool,
    worker_engine,
)
from scanner.result import ScanResult, Stats
from scanner.state import Cursors

MAX_OCCURRENCES = 100


def _worker(unit: tuple[str, list[Blob]]) -> list[BlobResult]:
    repo_path, blobs = unit
    return [scan_unit(worker_engine(), repo_path, blobs, count_bytes)]


def _read_blobs(
    engine: Engine, repo: Repo, blobs: list[Blob], jobs: int, progress: Progress | None
) -> list[BlobResult]:
    total = sum(b.size for b in blobs)
    if jobs > 1 and total >= INLINE_BYTES and can_fork() and len(blobs) > 1:
        work = [(repo.path, unit) for unit in units(blobs, jobs * 4)]
        return run_pool(engine, _worker, work, jobs, total, progress)
    return [scan_unit(engine, repo.path, blobs, byte_counter(total, progress))]


def scan_history(
    engine: Engine, repo: Repo, revisions: list[str], jobs: int, progress: Progress | None = None
) -> ScanResult:
    """Blobs introduced by the commits of `revisions`, each read once, mapped to commits.

    For a whole-repository scan the blobs are read straight from the object listing while
    `git log` walks the history in its own process; unreachable blobs are dropped afterwards and
    the few whose findings could depend on their path are read again with it.
    """
    log = LogRun(repo, revisions)
    everything = revisions == [ALL]
    early: list[BlobResult] = []
    if everything:
        objects = list_objects(repo)
        early = _read_blobs(engine, repo, all_blobs(objects), jobs, progress)
        history = log.result()
    else:
        history = log.result()  # usually a few new commits: list the store only if needed
        objects = list_objects(repo) if history.occurrences else []
    wanted = {blob: history.introduced(blob)[1] for blob in history.occurrences}
    blobs, missing = list_blobs(objects, wanted)
    if everything:
        retry = {sha for part in early for sha in part.path_sensitive}
        again = [b for b in blobs if b.sha in retry]
        if history.warnings:  # the log died: blobs it never reached are read by their ids
            placed = {b.sha for b in blobs}
            again += [dataclasses.replace(b, path=f"<blob {b.sha}>") for b in all_blobs(objects)
                      if b.sha in retry and b.sha not in placed]  # fmt: skip
        parts = early + (_read_blobs(engine, repo, again, 1, None) if again else [])
    else:
        parts = _read_blobs(engine, repo, blobs, jobs, progress)
    result = repo.result()
    result.incomplete.extend(history.warnings)
    if repo.is_shallow():
        result.notes.append(
            f"{repo.path}: shallow clone: history before its first commits is not scanned"
        )
    missing = sorted(set(missing) | {sha for part in parts for sha in part.missing})
    result.stats = Stats(
        commits=len(history.commits),
        files=len(blobs) - len(set(missing) & set(wanted)),
        bytes=sum(b.size for b in blobs),
        binary=len({sha for part in parts for sha in part.binary} & set(wanted)),
    )
    if missing:
        kind = "partial clone" if repo.is_partial() else "damaged repository"
        result.incomplete.append(f"{repo.path}: {len(missing)} blobs are missing ({kind}); "
                                 f"scanned the other {result.stats.files}")  # fmt: skip
    located, unplaced = [], []
    for part in parts:
        result.incomplete.extend(part.notes)
        for blob, finding in part.findings:
            places = history.occurrences.get(blob, ())
            if not places and history.warnings:
                unplaced.append(_by_blob(blob, finding))  # the log died before reaching it
            for commit, path in places:  # none, with a whole log: unreachable
                located.append((history.commits[commit], path, finding))
    if unplaced:
        result.incomplete.append(f"{repo.path}: {len(unplaced)} findings could not be placed in "
                                 "a commit (git log stopped); reported by blob id")  # fmt: skip
    tips = repo.ref_tips()
    result.findings = per_credential(located, lambda commits: history.reaching_refs(commits, tips))
    result.findings.extend(unplaced)
    return result


def _by_blob(blob: str, finding: Finding) -> Finding:
    """A finding in a blob no commit could be found for: named by the blob's id."""
    path = f"<blob {blob}>"
    return dataclasses.replace(
        finding, path=path, fingerprint=fingerprint(finding.rule_id, finding.secret_sha256, path)
    )


RefsOf = Callable[[list[str]], dict[str, list[str]]]


def git_refs_of(repo: Repo) -> RefsOf:
    """Ask git which refs contain each commit (for ranges, where no commit graph is at hand)."""
    return lambda commits: {c: repo.refs_containing(c) for c in commits}


def per_credential(
    located: Iterable[tuple[Commit, str, Finding]], refs_of: RefsOf
) -> list[Finding]:
    """One finding per credential: the earliest occurrence, listing the others."""
    by_secret: dict[str, list[tuple[Commit, str, Finding]]] = defaultdict(list)
    for commit, path, finding in located:
        by_secret[finding.secret_sha256].append((commit, path, finding))
    out = []
    for entries in by_secret.values():
        entries.sort(key=lambda e: (e[0].time, e[0].sha, e[1], e[2].line, e[2].column))
    refs = refs_of(sorted({entries[0][0].sha for entries in by_secret.values()}))
    for entries in by_secret.values():
        commit, path, first = entries[0]
        seen = set()
        occurrences: list[dict[str, object]] = []
        for c, p, f in entries:
            key = (c.sha, p, f.line)
            if key not in seen and len(occurrences) < MAX_OCCURRENCES:
                seen.add(key)
                occurrences.append({"commit": c.sha, "path": p, "line": f.line, "column": f.column})
        out.append(dataclasses.replace(
            first, path=path, commit=commit.sha, author=commit.author, date=commit.date,
            refs=tuple(refs[commit.sha]), occurrences=occurrences,
            fingerprint=fingerprint(first.rule_id, first.secret_sha256, path),
        ))  # fmt: skip
    out.sort(key=lambda f: (f.date or "", f.path, f.line))
    return out


def scan_range(engine: Engine, repo: Repo, spec: str) -> ScanResult:
    """`BASE..HEAD`: only the lines those commits add."""
    return scan_commits(engine, repo, range_revisions(repo, spec))


def scan_commits(engine: Engine, repo: Repo, revisions: list[str]) -> ScanResult:
    """The lines added by the commits git log lists for `revisions`."""
    result = repo.result()
    located = []
    paths = set()
    for commit, fragment in range_fragments(repo, revisions, result.incomplete):
        paths.add(fragment.path)
        result.stats.bytes += len(fragment.data)
        for finding in engine.scan(fragment, result.incomplete):
            located.append((commit, fragment.path, finding))
    result.stats.files = len(paths)
    result.findings = per_credential(located, git_refs_of(repo))
    return result


def scan_since_last(
    engine: Engine, repo: Repo, state: Cursors, jobs: int, progress: Progress | None = None
) -> ScanResult:
    """Only commits no ref reached at the previous scan; then the cursor moves on."""
    result, cursor = since_last(engine, repo, state, jobs, progress)
    if not result.incomplete:  # what could not be scanned is tried again next time
        state.set_cursor(cursor_target(repo), cursor)
    return result


def since_last(
    engine: Engine,
    repo: Repo,
    state: Cursors,
    jobs: int,
    progress: Progress | None = None,
    refs: Sequence[str] = (),
) -> tuple[ScanResult, str]:
    """What is new since the saved cursor, and the cursor to save once the findings are safe.
    The ref tips are read before the scan: a commit pushed during it is scanned next time.
    `refs` (patterns such as refs/heads/*) limit the scan to those refs."""
    tips = ref_cursor(repo, refs)
    known = _existing(repo, json.loads(state.cursor(cursor_target(repo, refs)) or "[]"))
    heads = json.loads(tips) if refs else [ALL]
    if not heads:
        return repo.result(), tips
    revisions = [*heads, *(f"^{sha}" for sha in known)]
    return scan_history(engine, repo, revisions, jobs, progress), tips


def cursor_target(repo: Repo, refs: Sequence[str] = ()) -> str:
    return f"git:{repo.git_dir}" + (f" {' '.join(refs)}" if refs else "")


def ref_cursor(repo: Repo, refs: Sequence[str] = ()) -> str:
    """The repository's ref tips now (of the refs matching `refs`, else all): read before a
    scan, saved once its findings are out."""
    tips = repo.ref_tips()
    if refs:
        tips = {name: sha for name, sha in tips.items() if any(fnmatch(name, p) for p in refs)}
    return json.dumps(sorted(set(tips.values())))


def _existing(repo: Repo, commits: list[str]) -> list[str]:
    """The cursor's commits still in the repository (a force push and gc can drop some)."""
    if not commits:
        return []
    out = repo.run("cat-file", "--batch-check=%(objectname) %(objecttype)",
                   input="\n".join(commits).encode() + b"\n")  # fmt: skip
    return [line.split()[0].decode() for line in out.splitlines() if line.endswith(b" commit")]
