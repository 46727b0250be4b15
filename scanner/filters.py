"""Cheap checks that tell a real credential from a placeholder, an identifier or a masked value."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from functools import lru_cache

import regex

# Words of documentation and masking, and a character repeated six times (xxxxxx, ******).
# A word of four or five letters turns up by chance in about one random 32-character body in
# 15,000 (`..yOuR..`): those count only as people write them, starting a word, in one case.
_PLACEHOLDER = regex.compile(
    rb"(?i)\*\*\*\*|\.\.\.\.|example|placeholder|redacted|changeme|replace"
    rb"|insert|sample|abc123|123456|abcdefgh|(.)\1{5}"
    rb"|(?-i:(?<![A-Za-z0-9])(?:xxxx|XXXX|[Yy]our|YOUR|[Dd]ummy|DUMMY))"
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


# Masks a person types, whatever the shape: a character six times over, dots or stars.
_MASK = regex.compile(rb"(.)\1{5}|\.\.\.\.|\*\*\*\*")
_GROUPS = regex.compile(rb"[A-Za-z0-9]+")
_PREFIX_WORDS = regex.compile(rb"^(?:[A-Za-z]+[-_])+")
_DIGITS_ONLY = regex.compile(rb"[0-9_-]+")
# A fixed shape's body is random base32 or hex: only a whole group made by hand (seven of one
# character, seven counting up) rules it out, so that no generated key is ever lost to chance.
_FIXED_MASK = regex.compile(rb"(.)\1{6}")
RUNS = (5, 6, 6)  # digits counting up, letters counting up, letters and digits taking turns
FIXED_RUNS = (7, 7, 8)


def is_patterned(secret: bytes, fixed_shape: bool = False) -> bool:
    """Placeholders people write by hand: `a1b2c3…`, `12345`, `abcdef`, a body of digits only,
    groups cut from one mould (`aaa2345-bbb2345-…`). Each is rare in a random key (in a fixed
    shape, under one in a hundred million)."""
    if (_FIXED_MASK if fixed_shape else _MASK).search(secret):
        return True
    body = _PREFIX_WORDS.sub(b"", secret)  # sk-helicone-, dh_live_
    digits_in = len(body) - len(body.translate(None, b"0123456789"))
    if digits_in >= 12 and _DIGITS_ONLY.fullmatch(body):
        return True
    groups = _GROUPS.findall(body)
    digits, letters, turns = FIXED_RUNS if fixed_shape else RUNS
    return _ascending(secret, digits, letters) or _alternating(secret, turns) or _moulded(groups)


def _ascending(text: bytes, digits: int, letters: int) -> bool:
    """A run of consecutive digits (12345) or letters (abcdef) of at least the given lengths."""
    if not _may_ascend(text, min(digits, letters) - 1):
        return False  # no such run can be there: skip the walk, one byte at a time
    run = 1
    for prev, cur in itertools.pairwise(text):
        run = run + 1 if cur == prev + 1 and (48 <= cur <= 57 or 97 <= cur <= 122) else 1
        if run >= (digits if 48 <= cur <= 57 else letters):
            return True
    return False


def _alternating(text: bytes, width: int) -> bool:
    """Letters and digits taking turns, each counting up: a1b2c3 or 1a2b3c."""
    if not _TURNS.search(text):
        return False  # no six characters take turns at all (most random keys)
    for start in range(len(text) - width + 1):
        piece = text[start : start + width]
        evens, odds = piece[0::2], piece[1::2]
        kinds = (evens.isalpha() and odds.isdigit()) or (evens.isdigit() and odds.isalpha())
        if kinds and _counts_up(evens) and _counts_up(odds):
            return True
    return False


# Six characters taking turns: inside any longer run of turns (width >= 6), so a fast test first.
_TURNS = regex.compile(rb"(?:[A-Za-z][0-9]){3}|(?:[0-9][A-Za-z]){3}")


_SUCCESSOR = bytes((b + 1) & 0xFF for b in range(256))


def _may_ascend(text: bytes, steps: int) -> bool:
    """Do `steps` bytes in a row each follow the one before (b + 1)? One XOR of the text, its
    bytes stepped up, against itself moved by one: a zero byte marks each such step."""
    if len(text) <= steps:
        return False
    stepped = int.from_bytes(text[:-1].translate(_SUCCESSOR), "big")
    diff = stepped ^ int.from_bytes(text[1:], "big")
    return b"\0" * steps in diff.to_bytes(len(text) - 1, "big")


def _counts_up(text: bytes) -> bool:
    return all(b - a == 1 for a, b in itertools.pairwise(text))


def _moulded(groups: list[bytes]) -> bool:
    """Three or more equal-length groups sharing the same 4 characters at the same place."""
    sized = [g for g in groups if len(g) >= 6]
    for width in {len(g) for g in sized}:
        same = [g for g in sized if len(g) == width]
        if len(same) < 3:
            continue
        for at in range(width - 3):
            pieces = [g[at : at + 4] for g in same]
            if max(pieces.count(p) for p in pieces) >= 3:
                return True
    return False


@lru_cache(maxsize=8192)  # logs repeat the same values line after line
def looks_real(secret: bytes, min_entropy: float, fixed_shape: bool = False) -> bool:
    """A credential, not a placeholder. A match of a vendor's fixed shape (Helicone's four groups
    of base32) is never judged by words or identifier heuristics: a random body can spell
    `your` or look like words joined by '-'; only hand-made patterns rule it out."""
    if _patterned(secret, fixed_shape) or _entropy(secret) < min_entropy:
        return False
    return fixed_shape or not _placeholder(secret)


# One value is often matched by two or three rules (a key shape and the variable it sits in),
# each asking with its own entropy floor: what does not depend on the rule is worked out once.
_patterned = lru_cache(maxsize=8192)(is_patterned)
_entropy = lru_cache(maxsize=8192)(shannon_entropy)
_placeholder = lru_cache(maxsize=8192)(is_placeholder)
