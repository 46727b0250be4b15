"""Which vendor a matched secret belongs to, when several rules match the same bytes.

`dh_live_` is both DevHelm's and DiffHook's (and a WhatsApp API's, and a data catalogue's);
`sk_live_` is Helios's, Devdraft's and Stripe's; `x-client-secret` is Devdraft's and other payment
APIs'. Evidence is data (`[[evidence]]` in rules/data/): patterns that speak for a vendor with a
weight (3 names it: its name, host, SDK; 2 its own variable or header; 1 a header others use too),
and rules/data/other.toml's patterns that name another product. Evidence is ranked by how near it
is (in lines; the file path counts as far) and then by weight: the strongest for one of our
vendors wins, unless evidence for another product is at least as strong (then the match is not
ours and is never sent to our vendors). No evidence at all reports the candidates of a shape two
of our vendors share, and drops a shape shared with another product.
"""

from __future__ import annotations

from dataclasses import dataclass

from rules import Rule
from rules.model import Evidence

CONTEXT_BYTES = 1024
CONTEXT_LINES = 3
PATH_DISTANCE = 10_000


@dataclass(frozen=True)
class Attribution:
    rule: Rule
    vendor: str | None
    candidates: tuple[str, ...]


Strength = tuple[int, int]  # (line distance, -weight): the smaller, the stronger


def _lines_around(data: bytes, start: int, end: int, horizon: int) -> tuple[int, int]:
    """The `horizon` lines before and after the secret, within CONTEXT_BYTES of it."""
    lo, floor = start, max(0, start - CONTEXT_BYTES)
    for _ in range(horizon + 1):
        lo = data.rfind(b"\n", floor, lo)
        if lo < 0:
            lo = floor
            break
    hi, ceiling = end, min(len(data), end + CONTEXT_BYTES)
    for _ in range(horizon + 1):
        hi = data.find(b"\n", hi + 1, ceiling)
        if hi < 0:
            hi = ceiling
            break
    return lo, hi


def strongest(
    data: bytes, start: int, end: int, evidence: tuple[Evidence, ...], path: bytes,
    horizon: int = CONTEXT_LINES,
) -> Strength | None:  # fmt: skip
    """The strongest evidence around the secret at data[start:end], or None."""
    best: Strength | None = None
    lo, hi = _lines_around(data, start, end, horizon)
    for item in evidence:
        for match in item.compiled.finditer(data, lo, hi):
            if match.end() <= start:
                distance = data.count(b"\n", match.end(), start)
            elif match.start() >= end:
                distance = data.count(b"\n", end, match.start())
            else:
                continue  # the secret itself is no evidence of its vendor
            if distance <= horizon:  # log lines a few lines apart are unrelated events
                best = min(best or (distance, -item.weight), (distance, -item.weight))
        if path and item.compiled.search(path):
            best = min(best or (PATH_DISTANCE, -item.weight), (PATH_DISTANCE, -item.weight))
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


def attribute(
    rules: list[Rule], data: bytes, start: int, end: int, path: bytes
) -> Attribution | None:
    """Decide the vendor for one secret span matched by `rules` (in rule order)."""
    own = next((r for r in rules if r.attribution == "self"), None)
    if own:
        # Report the vendor's first matching rule: its key shape says more than a variable name.
        chosen = next(r for r in rules if r.vendor == own.vendor)
        return Attribution(chosen, own.vendor, (own.vendor,))
    ours: dict[str, Strength] = {}
    against: Strength | None = None
    weighed: set[tuple[int, int]] = set()  # rules of one file share their evidence lists
    for rule in rules:
        found = strongest(data, start, end, rule.evidence, path, rule.context_lines)
        if found is not None and found < ours.get(rule.vendor, (PATH_DISTANCE + 1, 0)):
            ours[rule.vendor] = found
        if (id(rule.foreign), rule.context_lines) in weighed:
            continue
        weighed.add((id(rule.foreign), rule.context_lines))
        other = strongest(data, start, end, rule.foreign, path, rule.context_lines)
        if other is not None and (against is None or other < against):
            against = other
    if ours:
        best = min(ours.values())
        if against is not None and against <= best:
            return None  # another product is named at least as strongly: not ours
        winners = [vendor for vendor, strength in ours.items() if strength == best]
    else:
        if against is not None:
            return None
        winners = list(dict.fromkeys(r.vendor for r in rules if r.attribution == "context"))
        if not winners:
            return None
    chosen = next(r for r in rules if r.vendor == winners[0])
    return Attribution(chosen, winners[0] if len(winners) == 1 else None, tuple(winners))
