"""Which commits introduced which blobs at which paths, from `git log --raw` (no contents, cheap).

Every commit reachable from the given revisions is listed with `-m`, so a merge that introduces a
blob itself shows it too. A blob's introducing occurrence is the earliest (by committer time) of
all the commits that added it; later ones are further occurrences of the same content.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import regex

from scanner.finding import printable
from scanner.git.run import ALL, Repo, git_env, revision_args

ZERO = "0" * 40
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
    # What stopped `git log` early: the history is then partial, and so is the scan.
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


class LogRun:
    """`git log --raw` running on its own, into a temporary file, while the caller does other
    work (reading blobs); `result()` waits for it and parses what it wrote."""

    def __init__(self, repo: Repo, revisions: list[str]) -> None:
        self.repo = repo
        self.empty = not repo.has_commits() and revisions == [ALL]
        self._out = tempfile.TemporaryFile()  # noqa: SIM115 - closed in result()
        self._err = tempfile.TemporaryFile()  # noqa: SIM115 - closed in result()
        args = ["-m", "--raw", "--no-abbrev", "--no-renames", "-z", "--no-color", _FORMAT]
        self._proc = None if self.empty else subprocess.Popen(
            ["git", "-C", repo.path, "log", *args, *revision_args(revisions)],
            stdout=self._out, stderr=self._err, env=git_env(),
        )  # fmt: skip

    def result(self) -> History:
        history = History()
        try:
            if self._proc is None:
                return history
            code = self._proc.wait()
            self._out.seek(0)
            parse_raw_log(iter(lambda: self._out.read(8 << 20), b""), history)
            if code != 0:
                # A damaged repository: keep what git could list, and say what stopped it.
                self._err.seek(0)
                first = self._err.read().decode("utf-8", "replace").strip().splitlines()
                reason = printable(first[0]) if first else f"exit {code}"
                history.warnings.append(f"{self.repo.path}: git log stopped early: {reason}")
            return history
        finally:
            self._out.close()
            self._err.close()
