"""Keyword matchers: find every occurrence of every rule keyword in one pass over a buffer.

Two implementations give the same hits: Hyperscan (one compiled literal database, all keywords
at once) when importable, and a pure-Python one (`bytes.find`, one keyword at a time) otherwise.
Everything after the hits is shared code, so both paths report identical findings.

A gated keyword (Hyperscan only) opens only rules that need a context near it (`x-api-key` for
Helios): it is reported only within `reach` of a match of one of its gates (context patterns),
unless the caller opens it everywhere (the path is context). Logs full of other services'
`x-api-key` headers then cost Hyperscan's time, not a Python call per header; the hits it leaves
out are the ones the engine would drop for want of context, so findings stay the same.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Container
from dataclasses import dataclass, field, replace
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
    gates: tuple[int, ...] = ()  # context keyword indexes: reported only near their matches
    lazy: bool = False  # a context only gates need: its matches are looked for only then

    @property
    def length(self) -> int:
        return self.width or len(self.text)


# Hyperscan serves a small literal set with one matcher (Teddy) and a bigger one with another
# (FDR). On our keywords (variable names, their base64 forms) the bigger-set one scans logs,
# source and minified JS 1.7 to 2.4 times as fast (measured on x86 with python-hyperscan 0.9:
# 1.1-1.6 GB/s up to 93 literals, 2.6-3.6 GB/s from 95), so a main database with fewer entries
# is filled up to FDR_ENTRIES with inert literals: they start with bytes 0xFF 0xFE, which UTF-8
# text never holds, and a match of one (binary input) is dropped. Hits are the same either way.
FDR_ENTRIES = 100
_INERT = b"\xff\xfeleakbot-inert-%03d"

USER_PATTERN_TIMEOUT = 1.0  # seconds for a user pattern over one buffer (it may backtrack)
MAX_TIMEOUTS = 3  # a user pattern that times out this often is dropped for the rest of the scan


@dataclass
class Hits:
    """What a matcher found in one buffer."""

    keywords: list[tuple[int, int]]  # (keyword index, start offset), overlaps included, any order
    context_ends: dict[int, list[int]]  # context keyword index -> sorted offsets where matches end
    timed_out: list[int] = field(default_factory=list)  # user patterns that ran out of time here
    # Gated keywords that occur somewhere, reported in `keywords` or not (Hyperscan only).
    present: set[int] = field(default_factory=set)


Opens = Callable[[int], bool]  # gated keyword index -> report it everywhere in this buffer?


class Matcher(Protocol):
    name: str

    def find(self, data: bytes, opens: Opens | None = None) -> Hits: ...


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

    def find(self, data: bytes, opens: Opens | None = None) -> Hits:
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

    def __init__(self, keywords: list[Keyword], reach: int = 0) -> None:
        self._lengths = [0 if k.context else k.length for k in keywords]
        self._contexts = [i for i, k in enumerate(keywords) if k.context]
        self._gated = {i: k.gates for i, k in enumerate(keywords) if k.gates}
        # A window around a gate's match holds every gated hit within reach of it, whole, with a
        # margin for the assertions (`\b`) at its edges.
        self._margin = reach + max((k.length for k in keywords if k.gates), default=0) + 16
        # Gated keywords and lazy contexts are first only noticed (one report each, no position).
        quiet = [i for i, k in enumerate(keywords) if k.gates or k.lazy]
        self._noticed = {len(keywords) + n: i for n, i in enumerate(quiet)}
        main = [(i, k) for i, k in enumerate(keywords) if i not in quiet]
        main += [(n, replace(keywords[i], gates=())) for n, i in self._noticed.items()]
        self._inert = len(keywords) + len(quiet)  # ids from here on are filling
        main += [(self._inert + n, Keyword(_INERT % n, caseless=False))
                 for n in range(FDR_ENTRIES - len(main))]  # fmt: skip
        self.entries = len(main)
        self._db = _compile(main, single=set(self._noticed))
        self._lazy_dbs = {i: _compile([(i, k)]) for i, k in enumerate(keywords) if k.lazy}
        self._gated_dbs = {i: _compile([(i, replace(keywords[i], gates=()))]) for i in self._gated}

    def find(self, data: bytes, opens: Opens | None = None) -> Hits:
        hits: list[tuple[int, int]] = []
        contexts: dict[int, list[int]] = {i: [] for i in self._contexts}
        noticed: set[int] = set()
        lengths, quiet, inert = self._lengths, self._noticed, self._inert

        def on_match(index: int, _start: int, end: int, _flags: int, _ctx: object) -> None:
            if index >= inert:
                return
            if index in contexts:
                contexts[index].append(end)  # Hyperscan reports in order of match end
            elif index in quiet:
                noticed.add(quiet[index])
            else:
                hits.append((index, end - lengths[index]))

        if data:
            self._db.scan(data, match_event_handler=on_match)
        present = {i for i in noticed if i in self._gated}
        if present:
            needed = {g for i in present for g in self._gated[i]}
            for index in sorted(needed & noticed):
                if index in self._lazy_dbs:  # a lazy gate that occurs: where, now
                    self._lazy_dbs[index].scan(data, match_event_handler=on_match)
            for index in present:
                self._gated_hits(data, index, contexts, opens, hits)
        return Hits(hits, contexts, present=present)

    def _gated_hits(self, data: bytes, index: int, contexts: dict[int, list[int]],
                    opens: Opens | None, hits: list[tuple[int, int]]) -> None:  # fmt: skip
        """Hits of one gated keyword where they count: near its gates' matches, or everywhere
        when the caller opens it."""
        if opens is not None and opens(index):
            windows = [(0, len(data))]
        else:
            gates = self._gated[index]
            ends = contexts[gates[0]] if len(gates) == 1 else sorted(
                {e for g in gates for e in contexts[g]}
            )  # fmt: skip
            windows = _merge_windows(ends, self._margin, len(data))
        length, view = self._lengths[index], memoryview(data)
        for lo, hi in windows:

            def on_match(_i: int, _s: int, end: int, _f: int, _c: object, lo: int = lo) -> None:
                hits.append((index, lo + end - length))

            self._gated_dbs[index].scan(view[lo:hi], match_event_handler=on_match)


def _compile(entries: list[tuple[int, Keyword]], single: Container[int] = ()) -> Any:
    import hyperscan

    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(
        expressions=[k.text if k.width or k.context else _pcre_literal(k.text) for _, k in entries],
        ids=[i for i, _ in entries],
        elements=len(entries),
        flags=[
            (hyperscan.HS_FLAG_CASELESS if k.caseless else 0)
            | (hyperscan.HS_FLAG_SINGLEMATCH if i in single else 0)
            for i, k in entries
        ],
    )
    return db


def _merge_windows(ends: list[int], margin: int, size: int) -> list[tuple[int, int]]:
    """[end - margin, end + margin] around each sorted end, clipped, overlaps merged. A run of
    ends closer than the margin is skipped over by bisection, not walked one end at a time."""
    windows: list[tuple[int, int]] = []
    at = 0
    while at < len(ends):
        lo = max(0, ends[at] - margin)
        last = at
        while True:  # the last end whose window touches this one's, until none is added
            reach = bisect_right(ends, ends[last] + 2 * margin, last + 1) - 1
            if reach == last:
                break
            last = reach
        windows.append((lo, min(size, ends[last] + margin)))
        at = last + 1
    return windows


_ESCAPED = [bytes([c]) if chr(c).isalnum() else b"\\" + bytes([c]) for c in range(256)]


def _pcre_literal(text: bytes) -> bytes:
    """Escape every non-alphanumeric byte: PCRE reads a backslash before one as that byte."""
    return b"".join(map(_ESCAPED.__getitem__, text))


def hyperscan_accepts(pattern: bytes) -> bool:
    """Does Hyperscan compile this pattern (no look-around, no back-references...)?"""
    try:
        _compile([(0, Keyword(pattern, caseless=False, context=True))])
    except Exception:
        return False
    return True


def hyperscan_available() -> bool:
    try:
        import hyperscan  # noqa: F401
    except ImportError:
        return False
    return True


def build_matcher(keywords: list[Keyword], engine: str = "auto", reach: int = 0) -> Matcher:
    """engine: 'auto' (Hyperscan when importable), 'hyperscan' or 'regex'. `reach`: how far
    from a gate's match a gated keyword still counts (the pure matcher reports every hit)."""
    if engine == "regex" or not keywords or (engine == "auto" and not hyperscan_available()):
        return PureMatcher(keywords)
    return HyperscanMatcher(keywords, reach)
