"""Unified diffs: only added lines count; paths and line numbers come from the hunk headers."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import regex

from scanner.fragment import Fragment

_HUNK = regex.compile(rb"^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass
class _File:
    path: str
    lines: list[bytes] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)


_C_ESCAPE = regex.compile(rb'\\([0-7]{1,3}|[abtnvfr"\\])')
_C_NAMED = {b"a": 7, b"b": 8, b"t": 9, b"n": 10, b"v": 11, b"f": 12, b"r": 13, b'"': 34, b"\\": 92}


def unquote_c(quoted: bytes) -> bytes:
    """A name as git C-quotes it (core.quotePath: `caf\\303\\251.env`), back to its bytes, so a
    path reads the same in a pushed range as in the history scan."""

    def one(match: regex.Match[bytes]) -> bytes:
        code = match.group(1)
        return bytes([_C_NAMED[code] if code in _C_NAMED else int(code, 8) & 0xFF])

    return _C_ESCAPE.sub(one, quoted)


def _target_path(header: bytes) -> str | None:
    name = header[4:].rstrip(b"\r\n").split(b"\t", 1)[0]
    if name == b"/dev/null":
        return None
    if name.startswith(b'"') and name.endswith(b'"') and len(name) > 1:
        name = unquote_c(name[1:-1])
    if name[:2] in (b"a/", b"b/"):
        name = name[2:]
    return name.decode("utf-8", "surrogateescape")


def parse(lines: Iterable[bytes]) -> Iterator[_File]:
    """Added lines per file, with their line numbers in the new version.

    Hunk headers give how many old and new lines follow, so a line such as '+++ x' or '--- y'
    inside a hunk is content, and the next file's headers are never read as content.
    """
    current: _File | None = None
    next_line = old_left = new_left = 0
    for raw in lines:
        if old_left > 0 or new_left > 0:
            if current is not None and raw.startswith(b"+"):
                current.lines.append(raw[1:].rstrip(b"\r\n"))
                current.numbers.append(next_line)
            if raw.startswith(b"\\"):
                continue  # "\ No newline at end of file"
            old_left -= not raw.startswith(b"+")
            new_left -= not raw.startswith(b"-")
            next_line += not raw.startswith(b"-")
            continue
        if raw.startswith(b"+++ "):
            if current is not None and current.lines:
                yield current
            path = _target_path(raw)
            current = _File(path) if path else None
            continue
        hunk = _HUNK.match(raw)
        if hunk:
            old_left = int(hunk.group(1) or b"1")
            next_line = int(hunk.group(2))
            new_left = int(hunk.group(3) or b"1")
    if current is not None and current.lines:
        yield current


def diff_fragments(lines: Iterable[bytes]) -> Iterator[Fragment]:
    for added in parse(lines):
        yield Fragment(b"\n".join(added.lines), added.path, line_map=added.numbers)
