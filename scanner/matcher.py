"""Keyword matchers: find every occurrence of every rule keyword in one pass over a buffer.

Two implementations give the same hits: Hyperscan (one compiled literal database, all keywords
at once) when importable, and a pure-Python one (`bytes.find`, one keyword at a time) otherwise.
Everything after the hits is shared code, so both paths report identical findings.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

import regex


@dataclass(frozen=True)
class Keyword:
    text: bytes
    caseless: bool = True
    base64: bool = False  # an encoded form: hits mark a base64 run to decode, not a rule window
    width: int = 0  # > 0: `text` is a fixed-width regex (case-sensitive), not a literal
    # A context pattern (Hyperscan only): any width; the hit's position is where it ends.
    context: bool = False
    user: bool = False  # a user rule's pattern: the pure matcher runs it under a timeout

    @property
    def length(self) -> int:
        return self.width or len(self.text)


USER_PATTERN_TIMEOUT = 1.0  # seconds for a user pattern over one buffer (it may backtrack)
MAX_TIMEOUTS = 3  # a user pattern that times out this often is dropped for the rest of the scan


@dataclass
class Hits:
    """What a matcher found in one buffer."""

    keywords: list[tuple[int, int]]  # (keyword index, start offset), overlaps included, any order
    context_ends: dict[int, list[int]]  # context keyword index -> sorted offsets where matches end
    timed_out: list[int] = field(default_factory=list)  # user patterns that ran out of time here


class Matcher(Protocol):
    name: str

    def find(self, data: bytes) -> Hits: ...


class PureMatcher:
    name = "regex"

    def __init__(self, keywords: list[Keyword]) -> None:
        self._literals = [
            (i, k.text.lower() if k.caseless else k.text, k.caseless)
            for i, k in enumerate(keywords)
            if not (k.width or k.context)
        ]
        self._patterns = [
            (i, regex.compile(k.text), USER_PATTERN_TIMEOUT if k.user else None)
            for i, k in enumerate(keywords)
            if k.width
        ]
        self._strikes: Counter[int] = Counter()

    def find(self, data: bytes) -> Hits:
        lowered = data.lower() if any(c for _, _, c in self._literals) else data
        hits = []
        for index, text, caseless in self._literals:
            haystack = lowered if caseless else data
            pos = haystack.find(text)
            while pos >= 0:
                hits.append((index, pos))
                pos = haystack.find(text, pos + 1)
        timed_out = []
        for index, pattern, timeout in self._patterns:
            if self._strikes[index] >= MAX_TIMEOUTS:
                continue
            try:
                found = [
                    m.start() for m in pattern.finditer(data, overlapped=True, timeout=timeout)
                ]
            except TimeoutError:
                timed_out.append(index)  # Hyperscan cannot backtrack; this path can: say so
                self._strikes[index] += 1
                continue
            hits.extend((index, start) for start in found)
        return Hits(hits, {}, timed_out)


class HyperscanMatcher:
    name = "hyperscan"

    def __init__(self, keywords: list[Keyword]) -> None:
        import hyperscan

        self._lengths = [0 if k.context else k.length for k in keywords]
        self._contexts = [i for i, k in enumerate(keywords) if k.context]
        self._db: Any = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        self._db.compile(
            expressions=[
                k.text if k.width or k.context else _pcre_literal(k.text) for k in keywords
            ],
            ids=list(range(len(keywords))),
            elements=len(keywords),
            flags=[hyperscan.HS_FLAG_CASELESS if k.caseless else 0 for k in keywords],
        )

    def find(self, data: bytes) -> Hits:
        hits: list[tuple[int, int]] = []
        contexts: dict[int, list[int]] = {i: [] for i in self._contexts}
        lengths = self._lengths

        def on_match(index: int, _start: int, end: int, _flags: int, _ctx: object) -> None:
            if index in contexts:
                contexts[index].append(end)  # Hyperscan reports in order of match end
            else:
                hits.append((index, end - lengths[index]))

        if data:
            self._db.scan(data, match_event_handler=on_match)
        return Hits(hits, contexts)


def _pcre_literal(text: bytes) -> bytes:
    """Escape every non-alphanumeric byte: PCRE reads a backslash before one as that byte."""
    return b"".join(bytes([c]) if chr(c).isalnum() else b"\\" + bytes([c]) for c in text)


def hyperscan_available() -> bool:
    try:
        import hyperscan  # noqa: F401
    except ImportError:
        return False
    return True


def build_matcher(keywords: list[Keyword], engine: str = "auto") -> Matcher:
    """engine: 'auto' (Hyperscan when importable), 'hyperscan' or 'regex'."""
    if engine == "regex" or not keywords or (engine == "auto" and not hyperscan_available()):
        return PureMatcher(keywords)
    return HyperscanMatcher(keywords)
