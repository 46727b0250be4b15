"""Read each unique blob once, in pack order, and scan it.

`git cat-file --batch-check --batch-all-objects --unordered` lists what the object store holds,
in pack order (deltas resolve fast that way) and without fetching anything. The blobs the history
introduced are cut into work units of neighbouring objects; each unit runs its own
`git cat-file --batch`, so both cores read and match at once and memory stays bounded.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

from scanner.engine import Engine
from scanner.finding import Finding
from scanner.fragment import Fragment
from scanner.git.run import Repo, finished, popen
from scanner.sources.stream import fragments
from scanner.sources.transcode import SNIFF, GzipDamaged, as_is, readable

WHOLE = 32 << 20  # blobs up to this size are read in one piece; bigger ones are streamed
PIPE_BUFFER = 1 << 20  # small blobs and their headers come out of one read, not one each


@dataclass(frozen=True)
class Blob:
    sha: str
    size: int
    path: str  # where it was introduced: the path rules and allowlists see


@dataclass
class BlobResult:
    findings: list[tuple[str, Finding]] = field(default_factory=list)  # (blob sha, finding)
    path_sensitive: list[str] = field(default_factory=list)  # scanned without the path it needed
    scanned: int = 0
    bytes: int = 0
    binary: list[str] = field(default_factory=list)  # blob shas skipped as binary
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # work not done: a rule timed out, git failed


Listing = list[tuple[str, int]]  # the store's blobs, each once, in pack order: (sha, size)


def list_objects(repo: Repo) -> Listing:
    """Every blob in the store with its size, in pack order (no fetching)."""
    raw = repo.run("cat-file", "--batch-check=%(objecttype) %(objectsize) %(objectname)",
                   "--batch-all-objects", "--unordered")  # fmt: skip
    seen: set[bytes] = set()
    out = []
    for line in raw.split(b"\n"):  # 'blob SIZE SHA' (a split, not a regex: 3x faster)
        if line.startswith(b"blob "):
            _, size, sha = line.split(b" ", 2)
            if sha not in seen:
                seen.add(sha)
                out.append((sha.decode(), int(size)))
    return out


def list_blobs(listing: Listing, wanted: dict[str, str]) -> tuple[list[Blob], list[str]]:
    """The wanted blobs (sha -> path) present in the listing, in its order; and the missing."""
    blobs = [Blob(sha, size, wanted[sha]) for sha, size in listing if sha in wanted]
    present = {b.sha for b in blobs}
    missing = [sha for sha in wanted if sha not in present]
    return blobs, missing


def all_blobs(listing: Listing) -> list[Blob]:
    """Every blob in the listing, without a path yet (see BlobResult.path_sensitive)."""
    return [Blob(sha, size, "") for sha, size in listing]


def units(blobs: list[Blob], count: int, floor: int = 8 << 20) -> list[list[Blob]]:
    """Cut the pack-ordered list into about `count` runs of similar byte size."""
    total = sum(b.size for b in blobs)
    target = max(floor, total // max(1, count))
    out: list[list[Blob]] = []
    current: list[Blob] = []
    size = 0
    for blob in blobs:
        current.append(blob)
        size += blob.size
        if size >= target:
            out.append(current)
            current, size = [], 0
    if current:
        out.append(current)
    return out


def _feed(stdin: IO[bytes], blobs: list[Blob]) -> None:
    try:
        for blob in blobs:
            stdin.write(blob.sha.encode() + b"\n")
        stdin.close()
    except BrokenPipeError:
        pass


def scan_unit(
    engine: Engine, repo_path: str, blobs: list[Blob], on_bytes: Callable[[int], None] | None = None
) -> BlobResult:
    result = BlobResult()
    proc = popen(repo_path, "cat-file", "--batch", stdin=-1, bufsize=PIPE_BUFFER)
    assert proc.stdin is not None and proc.stdout is not None
    writer = threading.Thread(target=_feed, args=(proc.stdin, blobs), daemon=True)
    writer.start()
    out = proc.stdout
    for blob in blobs:
        header = out.readline()
        if not header or header.endswith(b" missing\n"):
            result.missing.append(blob.sha)
            if not header:
                break
            continue
        size = int(header.split(b" ")[2])
        _scan_blob(engine, out, blob, size, result)
        out.read(1)  # the newline after the content
        result.scanned += 1
        result.bytes += size
        if on_bytes:
            on_bytes(size)
    writer.join()
    proc.stdout.close()
    failure = finished(proc, f"{repo_path}: git cat-file")
    if failure:
        result.notes.append(failure)
    return result


def _scan_blob(engine: Engine, out: IO[bytes], blob: Blob, size: int, result: BlobResult) -> None:
    left = size

    def raw(n: int) -> bytes:
        nonlocal left
        chunk = out.read(min(n, left)) if left else b""
        left -= len(chunk)
        return chunk

    source: Callable[[int], bytes] = raw
    if size <= WHOLE:
        data = out.read(size)
        left = 0
        if as_is(data):
            _scan_whole(engine, data, blob, result)
            return
        source = io.BytesIO(data).read
    _scan_stream(engine, source, blob, result)
    while left and raw(1 << 20):  # the rest of this blob, so the next header is read right
        pass


def _scan_whole(engine: Engine, data: bytes, blob: Blob, result: BlobResult) -> None:
    if b"\0" in data[:SNIFF]:
        result.binary.append(blob.sha)
        return
    scanned = engine.examine(Fragment(data, blob.path), result.notes)
    _keep(blob, scanned.findings, scanned.path_sensitive, result)


def _scan_stream(engine: Engine, read: Callable[[int], bytes], blob: Blob,
                 result: BlobResult) -> None:  # fmt: skip
    """A big blob, or a gzip or UTF-16/32 one, fragment by fragment as file scans read them."""
    found: list[Finding] = []
    sensitive = False
    try:
        for n, fragment in enumerate(fragments(readable(read), blob.path)):
            if n == 0 and b"\0" in fragment.data[:SNIFF]:
                result.binary.append(blob.sha)
                return
            scanned = engine.examine(fragment, result.notes)
            found.extend(scanned.findings)
            sensitive = sensitive or scanned.path_sensitive
    except GzipDamaged as exc:  # what inflated before the damage still counts
        result.notes.append(f"{blob.path or blob.sha}: damaged gzip in blob {blob.sha} ({exc}); "
                            "scanned what inflated")  # fmt: skip
    _keep(blob, found, sensitive, result)


def _keep(blob: Blob, found: list[Finding], sensitive: bool, result: BlobResult) -> None:
    if sensitive and not blob.path:
        result.path_sensitive.append(blob.sha)
        return
    result.findings.extend((blob.sha, f) for f in found)
