"""Cheap checks that tell a real credential from a placeholder, an identifier or a masked value."""

from __future__ import annotations

import math
from collections import Counter
from functools import lru_cache

import regex

# Words of documentation and masking, and a character repeated six times (xxxxxx, ******).
_PLACEHOLDER = regex.compile(
    rb"(?i)xxxx|\*\*\*\*|\.\.\.\.|your|example|placeholder|redacted|dummy|changeme|replace"
    rb"|insert|sample|abc123|123456|abcdefgh|(.)\1{5}"
)
# Words joined by '_' or '-' (dh_live_reload_interval, YOUR_SECRET_KEY): names, not secrets.
_IDENTIFIER = regex.compile(rb"^(?:[a-z]+(?:[_-][a-z]+)+|[A-Z]+(?:[_-][A-Z]+)+)$")


def shannon_entropy(data: bytes) -> float:
    if not data:
        return 0.0
    total = len(data)
    return -sum(n / total * math.log2(n / total) for n in Counter(data).values())


def is_placeholder(secret: bytes) -> bool:
    return _PLACEHOLDER.search(secret) is not None or _is_identifier(secret)


def _is_identifier(secret: bytes) -> bool:
    """Words joined by separators, with the vowels of language rather than of random letters."""
    if not _IDENTIFIER.match(secret):
        return False
    letters = [c for c in secret.lower() if 97 <= c <= 122]
    vowels = sum(c in b"aeiouy" for c in letters)
    return vowels >= 0.3 * len(letters)


@lru_cache(maxsize=8192)  # logs repeat the same values line after line
def looks_real(secret: bytes, min_entropy: float) -> bool:
    return not is_placeholder(secret) and shannon_entropy(secret) >= min_entropy
