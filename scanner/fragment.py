"""A fragment: bytes plus where they came from, and the part of them this fragment reports on.

Streams are cut into overlapping fragments; each reports only matches that start in its own
range [own_start, own_end), so a key on a boundary is reported once and never cut in half.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Fragment:
    data: bytes
    path: str
    own_start: int = 0
    own_end: int = -1  # -1: to the end of data
    line_at_own_start: int = 1
    # Global byte offset of the start of the line that holds data[0] (for lines longer than a
    # fragment) and of data[0] itself; both 0 for a whole file.
    line_start_offset: int = 0
    offset: int = 0
    line_map: list[int] | None = None  # a diff: local line index -> line number in the new file
    commit: str | None = None
    owned_newlines: int = 0  # newlines in [own_start, own_end), counted once by the stream

    def owns(self, pos: int) -> bool:
        end = len(self.data) if self.own_end < 0 else self.own_end
        return self.own_start <= pos < end

    def location(self, pos: int) -> tuple[int, int]:
        """1-based line and column of a local offset (code-point column when the line is here)."""
        data = self.data
        if self.line_map is not None:
            line = self.line_map[min(data.count(b"\n", 0, pos), len(self.line_map) - 1)]
        elif pos >= self.own_start:
            line = self.line_at_own_start + data.count(b"\n", self.own_start, pos)
        else:
            line = self.line_at_own_start - data.count(b"\n", pos, self.own_start)
        line_start = data.rfind(b"\n", 0, pos) + 1
        if line_start == 0 and self.offset > self.line_start_offset:
            return line, self.offset + pos - self.line_start_offset + 1
        return line, len(data[line_start:pos].decode("utf-8", "replace")) + 1
