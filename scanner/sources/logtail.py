"""Log files followed across runs: each run scans only what was written since the last one.

The cursor keeps, per file (by device and inode, so a rename is the same file): the offset and
line reached, and a hash of the file's first bytes (its "head"). A run
- reads each known file from its offset to its last complete line (a line still being written
  waits for the next run);
- finishes a known file that was renamed out of the globs (found again by inode in its folder);
- starts a truncated file (copytruncate) again from 0;
- reads a new file, plain or .gz, from the start, unless its head matches a file that ended this
  run (renamed away, deleted, or truncated): then it is that file's rotated copy, and only what
  lies past the old offset is new; a .gz is read once (by inode and size) and never again.
The caller saves the returned cursor only after the findings are safe.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import IO, Any

from scanner.engine import Engine
from scanner.finding import Finding
from scanner.result import ScanResult
from scanner.sources.stream import fragments
from scanner.sources.transcode import inflaters

HEAD = 1024  # bytes that identify a log file's content (its first lines)
PARTIAL_MAX = 1 << 20  # a last line without a newline is read anyway once it is this long
GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class Tail:
    path: str
    offset: int
    line: int
    head: str  # sha256 of the first min(HEAD, offset) bytes
    head_len: int


def scan_logs(
    engine: Engine, patterns: Iterable[str], cursor: str | None
) -> tuple[ScanResult, str]:
    """Findings in what the logs gained since `cursor`, and the cursor after this run."""
    doc = json.loads(cursor) if cursor else {}
    tails = {k: Tail(**v) for k, v in doc.get("files", {}).items()}
    gz_done: set[str] = set(doc.get("gz", []))
    result = ScanResult()
    matches = _expand(patterns)
    by_id: dict[str, tuple[str, os.stat_result]] = {}
    for path in matches:
        try:
            st = os.stat(path)
        except OSError as exc:
            result.notes.append(f"{path}: cannot read: {exc.strerror}")
            continue
        if os.path.isfile(path):
            by_id.setdefault(f"{st.st_dev}:{st.st_ino}", (path, st))
    live = {f"{key}:{st.st_size}" for key, (_, st) in by_id.items()}
    ended: list[Tail] = []
    out: dict[str, Tail] = {}
    # Known files first: what they gained, or how they ended.
    for key, tail in tails.items():
        if key in by_id:
            path, st = by_id.pop(key)
            if st.st_size < tail.offset or not _same_head(path, tail):
                result.notes.append(f"{path}: truncated; read again from the start")
                ended.append(tail)
                tail = Tail(path, 0, 1, "", 0)
            out[key] = _follow(engine, path, tail, result, final=False)
            continue
        moved = _find_inode(tail.path, key)
        if moved:  # renamed out of the globs: finish it, then forget it
            _follow(engine, moved, tail, result, final=True)
        ended.append(tail)
    # New files: rotated copies of an ended file continue from its offset; others start at 0.
    for key, (path, st) in sorted(by_id.items(), key=lambda kv: kv[1][0]):
        gzipped = _is_gzip(path)
        if gzipped and f"{key}:{st.st_size}" in gz_done:
            continue
        start = _continues(path, gzipped, ended)
        if gzipped:
            _read_gzip(engine, path, start, result)
            gz_done.add(f"{key}:{st.st_size}")
        else:
            out[key] = _follow(engine, path, start or Tail(path, 0, 1, "", 0), result, final=False)
    doc = {"files": {k: asdict(v) for k, v in out.items()}, "gz": sorted(gz_done & live)}
    return result, json.dumps(doc, sort_keys=True)


def _expand(patterns: Iterable[str]) -> list[str]:
    found: set[str] = set()
    for pattern in patterns:
        found.update(glob.glob(os.path.expanduser(pattern), recursive=True))
    return sorted(found)


def _is_gzip(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(2) == GZIP_MAGIC
    except OSError:
        return False


def _find_inode(old_path: str, key: str) -> str | None:
    folder = os.path.dirname(old_path) or "."
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                st = entry.stat(follow_symlinks=False)
                if f"{st.st_dev}:{st.st_ino}" == key and entry.is_file(follow_symlinks=False):
                    return entry.path
    except OSError:
        return None
    return None


def _head(read: Callable[[int], bytes], length: int) -> str:
    return hashlib.sha256(read(length)).hexdigest()


def _same_head(path: str, tail: Tail) -> bool:
    """Whether the file still starts as it did (a truncated file that grew back does not)."""
    if not tail.head_len:
        return True
    try:
        with open(path, "rb") as fh:
            return _head(fh.read, tail.head_len) == tail.head
    except OSError:
        return True


def _continues(path: str, gzipped: bool, ended: list[Tail]) -> Tail | None:
    """The ended file this one is a rotated copy of (same first bytes), if any."""
    gunzip, damaged = inflaters()
    for tail in ended:
        if not tail.head_len:
            continue
        try:
            with gunzip(path, "rb") if gzipped else open(path, "rb") as fh:
                if _head(fh.read, tail.head_len) == tail.head:
                    return Tail(path, tail.offset, tail.line, tail.head, tail.head_len)
        except damaged:
            continue
    return None


def _follow(engine: Engine, path: str, tail: Tail, result: ScanResult, final: bool) -> Tail:
    """Scan `path` from the tail's offset to its last complete line (to its end when final)."""
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            end = size if final else _last_line_end(fh, tail.offset, size)
            if end <= tail.offset:
                return tail
            fh.seek(tail.offset)
            lines = _scan(engine, fh, path, tail.offset, end, tail.line, result, by_offset=True)
            head = tail.head
            head_len = min(HEAD, end)
            if head_len != tail.head_len:
                fh.seek(0)
                head = _head(fh.read, head_len)
    except OSError as exc:
        result.notes.append(f"{path}: cannot read: {exc.strerror}")
        return tail
    result.stats.files += 1
    result.stats.bytes += end - tail.offset
    return Tail(path, end, tail.line + lines, head, head_len)


def _last_line_end(fh: IO[bytes], start: int, size: int) -> int:
    """The offset just after the last newline in [start, size); a partial line waits unless it
    is already longer than PARTIAL_MAX."""
    pos = size
    while pos > start:
        block = max(start, pos - 65536)
        fh.seek(block)
        data = fh.read(pos - block)
        newline = data.rfind(b"\n")
        if newline >= 0:
            return block + newline + 1
        pos = block
        if size - pos > PARTIAL_MAX:
            return size
    return start


def _read_gzip(engine: Engine, path: str, start: Tail | None, result: ScanResult) -> None:
    skip, line = (start.offset, start.line) if start else (0, 1)
    gunzip, damaged = inflaters()
    try:
        with gunzip(path, "rb") as fh:
            left = skip
            while left:
                piece = fh.read(min(left, 1 << 20))
                if not piece:
                    break
                left -= len(piece)
            _scan(engine, fh, path, skip, None, line, result)
    except damaged as exc:
        result.notes.append(f"{path}: damaged gzip ({exc}); kept what was read")
    result.stats.files += 1


def _scan(engine: Engine, fh: Any, path: str, start: int, end: int | None, line: int,
          result: ScanResult, by_offset: bool = False) -> int:  # fmt: skip
    """Scan [start, end) of an open stream (a plain file read `by_offset`); findings' lines
    counted from `line`. Returns the number of newlines read."""
    newlines = 0
    read_at = None
    if by_offset:
        fd = fh.fileno()
        read_at = lambda offset, size: os.pread(fd, size, offset)  # noqa: E731
    for fragment in fragments(fh.read, path, start=start, limit=end, read_at=read_at):
        found: list[Finding] = engine.scan(fragment, result.notes)
        for finding in found:
            finding.line += line - 1
        result.findings.extend(found)
        newlines += fragment.owned_newlines
    return newlines
