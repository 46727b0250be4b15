"""Cut a byte stream of any size into overlapping fragments, never holding it whole.

Each fragment owns [own_start, own_end) and carries CONTEXT bytes before and after it, so a key
on a cut is matched whole, reported once, and still sees the lines around it for attribution.
Cuts fall on a newline where one is near, so lines and columns stay exact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from scanner.fragment import Fragment

# 1 MB: each read is a fresh bytes object; below glibc's mmap threshold it reuses the heap the
# last one freed (an 8 MB one was mapped anew and faulted in page by page: 200,000 faults per GB,
# a fifth of the scan's time), and it stays in cache from the read through Hyperscan to the count.
CHUNK = 1 << 20
CONTEXT = 4096


ReadAt = Callable[[int, int], bytes]  # (offset, size) -> bytes, like os.pread


def fragments(
    read: Callable[[int], bytes],
    path: str,
    *,
    start: int = 0,
    limit: int | None = None,
    left_context: bytes = b"",
    chunk: int = CHUNK,
    read_at: ReadAt | None = None,
    count_lines: bool = True,
) -> Iterator[Fragment]:
    """Fragments of the stream from global offset `start`; stop owning at `limit` (a range end).

    Line numbers are relative to `start` (line 1 is the line at `start`); callers scanning a
    range of a bigger file shift them afterwards. With `read_at` (a plain file that can be read
    by position) each fragment is one read, overlap included, instead of a copy of the kept
    overlap joined to the next read. Without `count_lines` newlines are not counted: each
    fragment's lines are relative to its own start (line 1), for a LineIndex to shift.
    """
    window: _Window = _Positional(read_at, start) if read_at else _Joined(read)
    window.keep(left_context)
    base = start - len(left_context)  # global offset of the window's first byte
    own_lo = start
    line = 1
    line_start = start  # global offset where the line holding own_lo begins (a cut or a newline)
    eof = False
    while not eof:
        held = window.size
        want = chunk if limit is None else min(chunk, limit + CONTEXT - (base + held))
        buf = window.extend(want) if want > 0 else window.current()
        eof = len(buf) <= held or (limit is not None and base + len(buf) >= limit + CONTEXT)
        end = base + len(buf)
        if eof:
            own_hi = end if limit is None else min(end, limit)
        else:
            own_hi = _cut(buf, own_lo - base, len(buf) - CONTEXT) + base
            if own_hi <= own_lo:
                continue  # a single line longer than the buffer tail: read more first
        lo, hi = own_lo - base, own_hi - base
        newlines = buf.count(b"\n", lo, hi) if count_lines else 0
        line_head = buf.rfind(b"\n", 0, lo) + 1
        yield Fragment(
            data=buf,
            path=path,
            own_start=lo,
            own_end=hi,
            line_at_own_start=line,
            line_start_offset=line_start if line_head == 0 else base + line_head,
            offset=base,
            owned_newlines=newlines,
        )
        line += newlines
        last_newline = buf.rfind(b"\n", lo, hi)
        if last_newline >= 0:
            line_start = base + last_newline + 1
        drop = max(0, own_hi - base - CONTEXT)
        window.drop(drop)
        base, own_lo = base + drop, own_hi
        if limit is not None and own_lo >= limit:
            return


class _Window:
    """The bytes held between fragments: the overlap kept, then more read after it."""

    data = b""

    @property
    def size(self) -> int:
        return len(self.data)

    def keep(self, data: bytes) -> None:
        self.data = data

    def current(self) -> bytes:
        return self.data

    def extend(self, want: int) -> bytes:
        raise NotImplementedError

    def drop(self, count: int) -> None:
        self.data = self.data[count:]


class _Joined(_Window):
    def __init__(self, read: Callable[[int], bytes]) -> None:
        self._read = read

    def extend(self, want: int) -> bytes:
        self.data += self._read(want)
        return self.data


class _Positional(_Window):
    """Reads the overlap again with what follows it: a few KB re-read instead of MBs copied."""

    def __init__(self, read_at: ReadAt, start: int) -> None:
        self._read_at = read_at
        self._base = self._start = start
        self._size = 0

    @property
    def size(self) -> int:
        return self._size

    def keep(self, data: bytes) -> None:
        self.data, self._size = data, len(data)
        self._base = self._start - len(data)

    def current(self) -> bytes:
        if len(self.data) != self._size:
            self.data = self._read_at(self._base, self._size)
        return self.data

    def extend(self, want: int) -> bytes:
        self.data = self._read_at(self._base, self._size + want)
        self._size = len(self.data)
        return self.data

    def drop(self, count: int) -> None:
        self._base += count
        self._size -= count
        self.data = b""  # the fragment still holds its bytes; the window re-reads its tail


class LineIndex:
    """Newlines of a plain file from `start`, counted only as far as a finding needs them: in
    the fragment at hand where it holds the bytes, by reading again before that. A log with no
    key in it is never counted at all."""

    def __init__(self, read_at: ReadAt, start: int) -> None:
        self._read_at = read_at
        self._offset = start  # counted up to here
        self._newlines = 0

    def before(self, fragment: Fragment) -> int:
        """Newlines between `start` and the start of the fragment's own range."""
        target = fragment.offset + fragment.own_start
        while self._offset < min(fragment.offset, target):
            piece = self._read_at(self._offset, min(CHUNK, fragment.offset - self._offset))
            if not piece:
                break
            self._newlines += piece.count(b"\n")
            self._offset += len(piece)
        if target > self._offset:
            lo = max(0, self._offset - fragment.offset)  # < 0 only if the file shrank
            self._newlines += fragment.data.count(b"\n", lo, fragment.own_start)
            self._offset = target
        return self._newlines


def _cut(buf: bytes, lo: int, hi: int) -> int:
    """Where to end the owned range: after the last newline in the second half, else at `hi`."""
    if hi <= lo:
        return lo
    newline = buf.rfind(b"\n", lo + (hi - lo) // 2, hi)
    return newline + 1 if newline >= 0 else hi
