"""Which commits introduced which blobs at which paths, from `git log --raw` (no contents, cheap).

Every commit reachable from the given revisions is listed with `-m`, so a merge that introduces a
blob itself shows it too. A blob's introducing occurrence is the earliest (by committer time) of
all the commits that added it; later ones are further occurrences of the same content.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from scanner.git.run import Repo

ZERO = "0" * 40
_FORMAT = "--format=%x01%H%x02%an%x02%aI%x02%ct"
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
    # blob sha -> [(commit sha, path)], in the order git listed them
    occurrences: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # blob sha -> size is filled in later by the blob lister
    warnings: list[str] = field(default_factory=list)

    def introduced(self, blob: str) -> tuple[Commit, str]:
        """The earliest commit (and path) that added this blob."""
        commit, path = min(self.occurrences[blob], key=lambda o: (self.commits[o[0]].time, o[0]))
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
    for record in _records(chunks):
        header, _, rest = record.partition(b"\0")
        sha, author, date, ctime = header.decode("utf-8", "replace").split("\x02")
        if sha not in history.commits:
            history.commits[sha] = Commit(sha, author, date, int(ctime or 0))
        tokens = rest.split(b"\0")
        for meta, raw_path in zip(tokens[0::2], tokens[1::2], strict=False):
            meta = meta.strip()
            if not meta.startswith(b":"):
                continue
            _old_mode, new_mode, _old, new, status = meta[1:].split(b" ")[:5]
            if status.startswith(b"D") or new_mode in _SKIP_MODES or new == ZERO.encode():
                continue
            path = raw_path.decode("utf-8", "surrogateescape")
            history.occurrences.setdefault(new.decode(), []).append((sha, path))


def read_history(repo: Repo, revisions: list[str]) -> History:
    """Commits of `revisions` (e.g. ['--all'] or ['--all', '--not', tips...]) and their blobs."""
    history = History()
    if not repo.has_commits() and revisions == ["--all"]:
        return history
    from scanner.git.run import popen

    proc = popen(repo.path, "log", *revisions, "-m", "--raw", "--no-abbrev", "--no-renames",
                 "-z", "--no-color", _FORMAT)  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    parse_raw_log(iter(lambda: proc.stdout.read(1 << 20), b""), history)  # type: ignore[union-attr]
    err = proc.stderr.read().decode("utf-8", "replace").strip()
    if proc.wait() != 0:
        # A damaged repository: keep what git could list, and say what stopped it.
        history.warnings.append(
            f"{repo.path}: git log stopped early: {err.splitlines()[0] if err else proc.returncode}"
        )
    return history
