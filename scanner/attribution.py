"""Which vendor a matched secret belongs to, when several rules match the same bytes.

`dh_live_` is both DevHelm's and DiffHook's; `sk_live_` is Helios's, Devdraft's and Stripe's. The
nearest context (a variable name, a host, a header) in lines wins; the file path counts as far
context. Silence reports the candidates for verification to settle, except where a foreign vendor
(Stripe) shares the shape: then a match without our vendor's context is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from rules import Rule

CONTEXT_BYTES = 1024
CONTEXT_LINES = 3
PATH_DISTANCE = 10_000


@dataclass(frozen=True)
class Attribution:
    rule: Rule
    vendor: str | None
    candidates: tuple[str, ...]


def context_distance(
    data: bytes,
    start: int,
    end: int,
    pattern: regex.Pattern[bytes] | None,
    path: bytes,
    horizon: int = CONTEXT_LINES,
) -> int | None:
    """Distance in lines from the secret at data[start:end] to the nearest context match."""
    if pattern is None:
        return None
    best: int | None = None
    lo, hi = max(0, start - CONTEXT_BYTES), min(len(data), end + CONTEXT_BYTES)
    for match in pattern.finditer(data, lo, hi):
        if match.end() <= start:
            distance = data.count(b"\n", match.end(), start)
        elif match.start() >= end:
            distance = data.count(b"\n", end, match.start())
        else:
            continue  # the secret itself is no evidence of its vendor
        if distance > horizon:
            continue  # log lines a few lines apart are unrelated events
        if best is None or distance < best:
            best = distance
    if best is None and path and pattern.search(path):
        best = PATH_DISTANCE
    return best


def may_have_context(rule: Rule, data: bytes, lo: int, hi: int, path: bytes) -> bool:
    """A cheap superset test: could any match in data[lo:hi] find this rule's context?"""
    pattern = rule.compiled_context
    if pattern is None:
        return False
    if pattern.search(data, max(0, lo - CONTEXT_BYTES), min(len(data), hi + CONTEXT_BYTES)):
        return True
    return has_path_context(rule, path)


def has_path_context(rule: Rule, path: bytes) -> bool:
    return (
        bool(path)
        and rule.compiled_context is not None
        and bool(rule.compiled_context.search(path))
    )


def _nearest(distances: dict[str, int]) -> list[str]:
    best = min(distances.values())
    return [vendor for vendor, d in distances.items() if d == best]


def attribute(
    rules: list[Rule], data: bytes, start: int, end: int, path: bytes
) -> Attribution | None:
    """Decide the vendor for one secret span matched by `rules` (in rule order)."""
    own = next((r for r in rules if r.attribution == "self"), None)
    if own:
        # Report the vendor's first matching rule: its key shape says more than a variable name.
        chosen = next(r for r in rules if r.vendor == own.vendor)
        return Attribution(chosen, own.vendor, (own.vendor,))
    ours: dict[str, int] = {}
    foreign: int | None = None
    for rule in rules:
        d = context_distance(data, start, end, rule.compiled_context, path, rule.context_lines)
        if d is not None and d < ours.get(rule.vendor, d + 1):
            ours[rule.vendor] = d
        f = context_distance(data, start, end, rule.compiled_foreign, path, rule.context_lines)
        if f is not None and (foreign is None or f < foreign):
            foreign = f
    if ours:
        if foreign is not None and foreign < min(ours.values()):
            return None
        winners = _nearest(ours)
    else:
        if foreign is not None:
            return None
        winners = list(dict.fromkeys(r.vendor for r in rules if r.attribution == "context"))
        if not winners:
            return None
    chosen = next(r for r in rules if r.vendor == winners[0])
    return Attribution(chosen, winners[0] if len(winners) == 1 else None, tuple(winners))
