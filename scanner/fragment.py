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

    def locations(self, positions: list[int]) -> dict[int, tuple[int, int]]:
        """`location` of many offsets in one pass: each step counts only the bytes since the last
        offset, so thousands of keys on one minified line cost one walk over it, not one each."""
        out: dict[int, tuple[int, int]] = {}
        data, previous = self.data, -1
        line = column = line_index = 0
        byte_columns = False  # on a line that began before this fragment (see location)
        for pos in sorted(set(positions)):
            if previous < 0:
                line, column = self.location(pos)
                line_index = data.count(b"\n", 0, pos)
                byte_columns = line_index == 0 and self.offset > self.line_start_offset
            else:
                newlines = data.count(b"\n", previous, pos)
                if newlines:
                    line_index += newlines
                    line = self._line(line_index, line + newlines)
                    head = data.rfind(b"\n", previous, pos) + 1
                    column = len(data[head:pos].decode("utf-8", "replace")) + 1
                    byte_columns = False
                elif byte_columns:
                    column += pos - previous
                else:  # keys start with ASCII, so decoding piece by piece counts the same
                    column += len(data[previous:pos].decode("utf-8", "replace"))
            out[pos], previous = (line, column), pos
        return out

    def _line(self, line_index: int, counted: int) -> int:
        if self.line_map is None:
            return counted
        return self.line_map[min(line_index, len(self.line_map) - 1)]

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
