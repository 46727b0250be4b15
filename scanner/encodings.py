"""Base64: the encoded forms of keywords (so encoded keys are found without decoding everything),
and decoding the run of base64 around such a hit."""

from __future__ import annotations

import base64
import binascii

_B64_CHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_")
MAX_RUN = 16384


def base64_forms(text: bytes) -> list[bytes]:
    """The substrings every base64 encoding of `text` contains, one per alignment (0, 1, 2)."""
    forms = []
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + text)
        skip = (0, 2, 3)[shift]
        whole = (shift + len(text)) * 8 // 6
        form = encoded[skip:whole]
        if len(form) >= 6:
            forms.append(form)
    return forms


def run_around(data: bytes, start: int, end: int) -> tuple[int, int]:
    """The extent of the base64 run that contains data[start:end], bounded to MAX_RUN."""
    lo = start
    floor = max(0, start - MAX_RUN)
    while lo > floor and data[lo - 1] in _B64_CHARS:
        lo -= 1
    hi = end
    ceiling = min(len(data), lo + MAX_RUN)
    while hi < ceiling and data[hi] in _B64_CHARS:
        hi += 1
    while hi < ceiling and hi - lo < MAX_RUN and data[hi] == 0x3D:  # '=' padding, only at the end
        hi += 1
    return lo, hi


def decode_run(run: bytes) -> bytes | None:
    """Decode standard or URL-safe base64; None when it is not base64 of text."""
    body = run.rstrip(b"=")
    body = body[: len(body) - len(body) % 4] if len(body) % 4 == 1 else body
    padded = body + b"=" * (-len(body) % 4)
    try:
        if b"-" in body or b"_" in body:
            decoded = base64.urlsafe_b64decode(padded)
        else:
            decoded = base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None
    printable = sum(32 <= c < 127 or c in (9, 10, 13) for c in decoded)
    return decoded if decoded and printable >= 0.9 * len(decoded) else None
