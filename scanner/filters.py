"""Cheap checks that tell a real credential from a placeholder, an identifier or a masked value."""

from __future__ import annotations

import math
from collections import Counter

import regex

_PLACEHOLDER_WORDS = (
    b"xxxx",
    b"****",
    b"....",
    b"your",
    b"example",
    b"placeholder",
    b"redacted",
    b"dummy",
    b"changeme",
    b"replace",
    b"insert",
    b"sample",
    b"abc123",
    b"123456",
    b"abcdefgh",
)
# Words joined by '_' or '-' (dh_live_reload_interval, YOUR_SECRET_KEY): names, not secrets.
_IDENTIFIER = regex.compile(rb"^(?:[a-z]+(?:[_-][a-z]+)+|[A-Z]+(?:[_-][A-Z]+)+)$")
_RUN = regex.compile(rb"(.)\1{5}")


def shannon_entropy(data: bytes) -> float:
    if not data:
        return 0.0
    total = len(data)
    return -sum(n / total * math.log2(n / total) for n in Counter(data).values())


def is_placeholder(secret: bytes) -> bool:
    lowered = secret.lower()
    if any(word in lowered for word in _PLACEHOLDER_WORDS):
        return True
    return bool(_RUN.search(secret)) or _is_identifier(secret)


def _is_identifier(secret: bytes) -> bool:
    """Words joined by separators, with the vowels of language rather than of random letters."""
    if not _IDENTIFIER.match(secret):
        return False
    letters = [c for c in secret.lower() if 97 <= c <= 122]
    vowels = sum(c in b"aeiouy" for c in letters)
    return vowels >= 0.3 * len(letters)


def looks_real(secret: bytes, min_entropy: float) -> bool:
    return not is_placeholder(secret) and shannon_entropy(secret) >= min_entropy
