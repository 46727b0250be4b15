"""Which commits introduced which blobs at which paths, from `git log --raw` (no contents, cheap).

Every commit reachable from the given revisions is listed with `-m`, so a merge that introduces a
blob itself shows it too. A blob's introducing occurrence is the earliest (by committer time) of
all the commits that added it; later ones are further occurrences of the same content.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import regex

from scanner.git.run import Repo, git_env

ZERO = "0" * 40
PARALLEL_LOG = 2000  # commits; below this one git log is quicker than splitting the work
_ZERO = ZERO.encode()
_FORMAT = "--format=%x01%H%x02%P%x02%an%x02%aI%x02%ct"
# A raw entry: ":old_mode new_mode old_sha new_sha status\0path\0" (no renames: one path).
_ENTRY = regex.compile(rb":\d+ (\d+) [0-9a-f]+ ([0-9a-f]+) ([A-Z])[0-9]*\0([^\0]*)\0")
_SKIP_MODES = (b"160000",)  # gitlinks: submodule commits, not blobs


@dataclass(frozen=True)
class Commit:
    sha: str
    author: str
    date: str  # ISO 8601, the author date
    time: int  # committer time, to order introductions


@dataclass
class History:
    commits: dict[str, Commit] = field(default_factory=dict)
    parents: dict[str, list[str]] = field(default_factory=dict)
    # blob sha -> [(commit sha, path)], in the order git listed them
    occurrences: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # blob sha -> size is filled in later by the blob lister
    warnings: list[str] = field(default_factory=list)

    def reaching_refs(self, commits: Iterable[str], tips: dict[str, str]) -> dict[str, list[str]]:
        """For each commit, the refs whose tip is it or one of its descendants. Walks the commit
        graph already in hand instead of asking git once per commit (slow on big histories)."""
        children: dict[str, list[str]] = {}
        for child, parents in self.parents.items():
            for parent in parents:
                children.setdefault(parent, []).append(child)
        refs_at: dict[str, list[str]] = {}
        for name, tip in tips.items():
            refs_at.setdefault(tip, []).append(name)
        out = {}
        for start in commits:
            seen, stack = {start}, [start]
            found: list[str] = []
            while stack:
                commit = stack.pop()
                found.extend(refs_at.get(commit, ()))
                for child in children.get(commit, ()):
                    if child not in seen:
                        seen.add(child)
                        stack.append(child)
            out[start] = sorted(found)
        return out

    def introduced(self, blob: str) -> tuple[Commit, str]:
        """The earliest commit (and path) that added this blob."""
        found = self.occurrences[blob]
        if len(found) == 1:
            return self.commits[found[0][0]], found[0][1]
        commit, path = min(found, key=lambda o: (self.commits[o[0]].time, o[0]))
        return self.commits[commit], path


def _records(chunks: Iterable[bytes]) -> Iterator[bytes]:
    carry = b""
    for chunk in chunks:
        carry += chunk
        *done, carry = carry.split(b"\x01")
        yield from (d for d in done if d)
    if carry:
        yield carry


def parse_raw_log(chunks: Iterable[bytes], history: History) -> None:
    occurrences = history.occurrences
    for record in _records(chunks):
        header, _, rest = record.partition(b"\0")
        sha, parents, author, date, ctime = header.decode("utf-8", "replace").split("\x02")
        if sha not in history.commits:
            history.commits[sha] = Commit(sha, author, date, int(ctime or 0))
            history.parents[sha] = parents.split()
        for new_mode, new, status, raw_path in _ENTRY.findall(rest):
            if status == b"D" or new_mode in _SKIP_MODES or new == _ZERO:
                continue
            path = raw_path.decode("utf-8", "surrogateescape")
            occurrences.setdefault(new.decode(), []).append((sha, path))


def read_history(repo: Repo, revisions: list[str], jobs: int = 1) -> History:
    """Commits of `revisions` (e.g. ['--all'] or ['--all', '--not', tips...]) and their blobs.

    A long history is split between `jobs` git processes (`git log --no-walk --stdin` over an
    interleaved share of `git rev-list`); a damaged one falls back to a single `git log`.
    """
    history = History()
    if not repo.has_commits() and revisions == ["--all"]:
        return history
    args = ["-m", "--raw", "--no-abbrev", "--no-renames", "-z", "--no-color", _FORMAT]
    commits: list[bytes] = []
    if jobs > 1:
        listed = subprocess.run(["git", "-C", repo.path, "rev-list", *revisions],
                                capture_output=True, env=git_env())  # fmt: skip
        commits = listed.stdout.split() if listed.returncode == 0 else []
    if len(commits) >= PARALLEL_LOG:
        shares = [b"\n".join(commits[i::jobs]) + b"\n" for i in range(jobs)]
        argv = ["log", "--no-walk=unsorted", "--stdin", *args]
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            outputs = list(pool.map(lambda share: _run(repo, argv, share), shares))
    else:
        outputs = [_run(repo, ["log", *revisions, *args], None)]
    for out, err, code in outputs:
        parse_raw_log([out], history)
        if code != 0:
            # A damaged repository: keep what git could list, and say what stopped it.
            first = err.decode("utf-8", "replace").strip().splitlines()
            history.warnings.append(
                f"{repo.path}: git log stopped early: {first[0] if first else code}"
            )
    return history


def _run(repo: Repo, argv: list[str], stdin: bytes | None) -> tuple[bytes, bytes, int]:
    proc = subprocess.run(["git", "-C", repo.path, *argv], input=stdin, capture_output=True,
                          env=git_env())  # fmt: skip
    return proc.stdout, proc.stderr, proc.returncode
