"""Text that is not UTF-8 on the wire: UTF-16 and UTF-32 (Windows configs, PowerShell output,
some logs) and gzip, turned into the plain byte stream the engine reads.

Every source (files, stdin, git blobs) goes through `readable`, so a key in a `.gz` or UTF-16 file
is found the same way in a working tree and in history. Both stay streams: nothing is held whole,
and a gzip bomb costs time in proportion to what it inflates to, never memory.
"""

from __future__ import annotations

import codecs
import functools
import gzip
import io
import zlib
from collections.abc import Callable
from typing import BinaryIO, cast

Read = Callable[[int], bytes]

SNIFF = 8000
GZIP_MAGIC = b"\x1f\x8b"
GZIP_PIECE = 256 << 10
# UTF-32's byte order marks first: FF FE 00 00 also begins UTF-16-LE.
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))  # fmt: skip


def wide_encoding(head: bytes) -> str | None:
    """UTF-16 or UTF-32 by byte order mark, or by the zero bytes of mostly-ASCII text in it."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    sample = head[: len(head) - len(head) % 4]
    if len(sample) < 16 or 0 not in sample:
        return None  # every wide shape below needs zero bytes: most text has none
    columns = [sample[i::4].count(0) / (len(sample) // 4) for i in range(4)]
    for name, zero in (("utf-32-le", (1, 2, 3)), ("utf-32-be", (0, 1, 2)),
                       ("utf-16-le", (1, 3)), ("utf-16-be", (0, 2))):  # fmt: skip
        if all(columns[i] > 0.9 for i in zero) and all(
            columns[i] < 0.1 for i in range(4) if i not in zero
        ):
            return name
    return None


def utf8_stream(read: Read, first: bytes, encoding: str) -> Read:
    """`read` (whose first bytes are `first`) decoded from `encoding` and given out as UTF-8;
    bad sequences become U+FFFD, lines and their count stay as they were."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    pending = [first]

    def read_utf8(n: int) -> bytes:
        while True:
            raw = pending.pop() if pending else read(n)
            text = decoder.decode(raw, final=not raw)
            if text or not raw:
                return text.encode("utf-8")

    return read_utf8


def prepend(first: bytes, read: Read) -> Read:
    pending = [first] if first else []
    return lambda n: pending.pop() if pending else read(n)


class GzipDamaged(Exception):
    """A gzip stream ended early or is corrupt: what was read so far still counts."""


@functools.cache
def inflaters() -> tuple[type[gzip.GzipFile], tuple[type[Exception], ...]]:
    """The gzip reader and what it raises on a damaged stream: ISA-L's (python-isal inflates
    about 3.4 times as fast as zlib: 0.12 s instead of 0.40 s for 111 MB of logs) when it is
    installed, the standard library's otherwise. Both read the same bytes, members and all.
    Decided once: without isal, a history of many .gz blobs would look for it on every one."""
    damage: tuple[type[Exception], ...] = (OSError, EOFError, zlib.error)
    try:
        from isal import igzip, isal_zlib
    except ImportError:
        return gzip.GzipFile, damage
    isal_error = cast("type[Exception]", isal_zlib.error)  # its stub says an instance
    return igzip.GzipFile, (*damage, isal_error)


class Gunzip:
    """`read(n)` over the inflated bytes of a gzip file object, in small pieces, so that the
    bytes before a damaged spot are still returned (GzipDamaged comes on the next read)."""

    def __init__(self, raw: BinaryIO) -> None:
        opener, self._errors = inflaters()
        self._gz = opener(fileobj=raw, mode="rb")
        self._damage = ""

    def read(self, n: int) -> bytes:
        if self._damage:
            raise GzipDamaged(self._damage)
        pieces: list[bytes] = []
        size = 0
        while size < n:
            try:
                piece = self._gz.read1(min(GZIP_PIECE, n - size))
            except self._errors as exc:
                self._damage = str(exc)
                if not pieces:
                    raise GzipDamaged(self._damage) from None
                break
            if not piece:
                break
            pieces.append(piece)
            size += len(piece)
        return b"".join(pieces)

    def close(self) -> None:
        self._gz.close()


def as_is(head: bytes) -> bool:
    """Would `readable` give a stream starting with these bytes as it is (not gzip, not
    UTF-16/32)? Then it can be read by position, or scanned whole, without transcoding."""
    return not head.startswith(GZIP_MAGIC) and wide_encoding(head[:SNIFF]) is None


def readable(read: Read, *, inflate: bool = True) -> Read:
    """The text in a raw byte stream: inflated if it is gzip (one level: a gzip quine inflates to
    itself), decoded if it is UTF-16/32, as is otherwise (binary is left to the NUL check)."""
    head = read(SNIFF)
    if inflate and head.startswith(GZIP_MAGIC):
        inner = Gunzip(io.BufferedReader(_ReadIO(prepend(head, read))))
        return readable(inner.read, inflate=False)  # a UTF-16 log, gzipped
    encoding = wide_encoding(head)
    return utf8_stream(read, head, encoding) if encoding else prepend(head, read)


class _ReadIO(io.RawIOBase):
    """A read function as the file object GzipFile wants."""

    def __init__(self, read: Read) -> None:
        self._read = read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
