"""Cut a byte stream of any size into overlapping fragments, never holding it whole.

Each fragment owns [own_start, own_end) and carries CONTEXT bytes before and after it, so a key
on a cut is matched whole, reported once, and still sees the lines around it for attribution.
Cuts fall on a newline where one is near, so lines and columns stay exact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from scanner.fragment import Fragment

CHUNK = 8 << 20
CONTEXT = 4096


def fragments(
    read: Callable[[int], bytes],
    path: str,
    *,
    start: int = 0,
    limit: int | None = None,
    left_context: bytes = b"",
    chunk: int = CHUNK,
) -> Iterator[Fragment]:
    """Fragments of the stream from global offset `start`; stop owning at `limit` (a range end).

    Line numbers are relative to `start` (line 1 is the line at `start`); callers scanning a
    range of a bigger file shift them afterwards.
    """
    buf = left_context
    base = start - len(left_context)  # global offset of buf[0]
    own_lo = start
    line = 1
    line_start = start  # global offset where the line holding own_lo begins (a cut or a newline)
    eof = False
    while not eof:
        want = chunk if limit is None else min(chunk, limit + CONTEXT - (base + len(buf)))
        data = read(want) if want > 0 else b""
        eof = not data or (limit is not None and base + len(buf) + len(data) >= limit + CONTEXT)
        buf += data
        end = base + len(buf)
        if eof:
            own_hi = end if limit is None else min(end, limit)
        else:
            own_hi = _cut(buf, own_lo - base, len(buf) - CONTEXT) + base
            if own_hi <= own_lo:
                continue  # a single line longer than the buffer tail: read more first
        lo, hi = own_lo - base, own_hi - base
        newlines = buf.count(b"\n", lo, hi)
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
        if newlines:
            line += newlines
            line_start = base + buf.rfind(b"\n", lo, hi) + 1
        keep = max(0, own_hi - base - CONTEXT)
        buf, base, own_lo = buf[keep:], base + keep, own_hi
        if limit is not None and own_lo >= limit:
            return


def _cut(buf: bytes, lo: int, hi: int) -> int:
    """Where to end the owned range: after the last newline in the second half, else at `hi`."""
    if hi <= lo:
        return lo
    newline = buf.rfind(b"\n", lo + (hi - lo) // 2, hi)
    return newline + 1 if newline >= 0 else hi
