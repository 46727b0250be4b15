"""The engine: every rule over a fragment in one pass.

1. The matcher finds every keyword hit (Hyperscan, or the pure path: same hits).
2. Each hit opens a window on its line; the rule's `regex` pattern confirms inside it.
3. Entropy and placeholder checks, then attribution (one vendor, or candidates), pairing with a
   partner half, inline `leakbot:allow`, and base64 runs decoded and scanned again.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rules import Rule
from scanner.assigned import assigned_name
from scanner.attribution import attribute, has_path_context, may_have_context
from scanner.encodings import decode_run, run_around
from scanner.filters import looks_real
from scanner.finding import Finding, fingerprint, redact, sha256_hex
from scanner.fragment import Fragment
from scanner.keywords import CONTEXT_REACH, KeywordTable, build_table, context_near
from scanner.matcher import (
    MAX_TIMEOUTS,
    USER_PATTERN_TIMEOUT,
    Matcher,
    build_matcher,
    hyperscan_available,
)

WINDOW_BEFORE = 128
WINDOW_AFTER = 384
PAIR_BYTES = 4096  # a README may set the two halves of a pair some 20 lines apart
PAIR_LINES = 25
MAX_DEPTH = 2
SMALL_INPUT = 64 << 10  # below this, the pure matcher is cheaper than compiling Hyperscan
USER_RULE_TIMEOUT = USER_PATTERN_TIMEOUT
ALLOW_MARK = b"leakbot:allow"


@dataclass
class _Hit:
    """A confirmed, attributed secret at data[start:end] (anchor: where to report it)."""

    rule: Rule
    vendor: str | None
    candidates: tuple[str, ...]
    start: int
    end: int
    anchor: int
    secret: bytes
    encoding: str = "plain"
    partner: tuple[str, bytes] | None = None  # (rule id, the partner's raw value)


class _Kit:
    def __init__(self, table: KeywordTable, matcher: Matcher) -> None:
        self.table = table
        self.matcher = matcher
        self.lengths = [k.length for k in table.keywords]
        self.base64 = frozenset(i for i, k in enumerate(table.keywords) if k.base64)
        self.contextual: frozenset[int] = frozenset()  # keywords opening a context-decided rule


@dataclass(frozen=True)
class Scanned:
    """What one fragment's scan found, and whether its path could have changed that."""

    findings: list[Finding]
    path_sensitive: bool


class Engine:
    def __init__(self, rules: Iterable[Rule], engine: str = "auto") -> None:
        rules = list(rules)
        self.rules = [r for r in rules if r.role == "secret"]
        self.partners = {r.id: r for r in rules if r.role == "partner"}
        self.mode = engine
        self._kits: dict[str, _Kit] = {}
        self._timeouts: Counter[str] = Counter()
        self._scanned = 0
        self._shapes: dict[str, list[tuple[bytes, Rule]]] = defaultdict(list)
        for r in self.rules:
            if r.fixed_shape:
                self._shapes[r.vendor].extend((k.lower().encode(), r) for k in r.keywords)
        self._unkeyed_contextual = any(
            r.attribution != "self" and not (r.keywords or r.keyword_patterns) for r in self.rules
        )

    def kit(self, size: int) -> _Kit:
        """The keyword table and matcher for the next `size` bytes. Under 'auto', a small job (a
        staged change) never compiles a Hyperscan database: the first SMALL_INPUT bytes go through
        the pure matcher. Both paths find the same hits, so the switch changes no finding."""
        self._scanned += size
        small = self._scanned < SMALL_INPUT and "hyperscan" not in self._kits
        use_hyperscan = self.mode == "hyperscan" or (
            self.mode == "auto" and not small and hyperscan_available()
        )
        name = "hyperscan" if use_hyperscan else "regex"
        if name not in self._kits:
            table = build_table(self.rules, with_context=use_hyperscan)
            kit = _Kit(table, build_matcher(table.keywords, name, reach=CONTEXT_REACH))
            kit.contextual = frozenset(
                i for i, rules in enumerate(table.rules_of)
                if any(self.rules[r].attribution != "self" for r in rules)
            )  # fmt: skip
            self._kits[name] = kit
        return self._kits[name]

    @property
    def matcher(self) -> Matcher:
        """The matcher for large inputs (what `--engine` chose); built now if it was not yet,
        e.g. before forking workers, so that they inherit it instead of compiling it again."""
        return self.kit(SMALL_INPUT).matcher

    # -- public -------------------------------------------------------------------------------

    def scan(self, fragment: Fragment, notes: list[str] | None = None) -> list[Finding]:
        """Findings in the fragment."""
        return self.examine(fragment, notes).findings

    def examine(self, fragment: Fragment, notes: list[str] | None = None) -> Scanned:
        """Findings in the fragment, and whether its path could have changed them (a rule that
        decides its vendor by context had a candidate), so a caller that scanned without the
        real path knows when to scan again with it. Nothing is left behind on the engine."""
        notes = notes if notes is not None else []
        sensitive = [bool(self._unkeyed_contextual)]
        path = fragment.path.encode("utf-8", "surrogateescape")
        hits = [h for h in self._scan(fragment.data, path, 0, notes, sensitive)
                if fragment.owns(h.anchor)]  # fmt: skip
        if not hits:
            return Scanned([], sensitive[0])
        allowed = allowed_lines(fragment.data)
        hits = [h for h in hits if not _inside(allowed, h.anchor)]
        where = fragment.locations([h.anchor for h in hits])  # one pass, however many hits
        found = [self._finding(fragment, hit, where[hit.anchor]) for hit in hits]
        return Scanned(found, sensitive[0])

    # -- internals ----------------------------------------------------------------------------

    def _scan(self, data: bytes, path: bytes, depth: int, notes: list[str],
              sensitive: list[bool]) -> list[_Hit]:  # fmt: skip
        windows: dict[int, list[tuple[int, int]]] = defaultdict(list)
        runs: set[tuple[int, int]] = set()
        kit = self.kit(len(data))
        context_of = kit.table.context_of
        rules_of = kit.table.rules_of
        lengths = kit.lengths
        path_context: dict[int, bool] = {}

        def in_path(rule_index: int) -> bool:
            if rule_index not in path_context:
                path_context[rule_index] = has_path_context(self.rules[rule_index], path)
            return path_context[rule_index]

        hits_found = kit.matcher.find(data, lambda kw: any(map(in_path, rules_of[kw])))
        found, context_ends = hits_found.keywords, hits_found.context_ends
        for kw_index in hits_found.timed_out:
            rules = [self.rules[i] for i in kit.table.rules_of[kw_index]]
            self._timed_out(rules, path, notes, "keyword pattern of rule")
        if not kit.contextual.isdisjoint(hits_found.present):
            sensitive[0] = True  # a gated keyword the path could have opened
        for kw_index, start in found:
            end = start + lengths[kw_index]
            if kw_index in kit.base64:
                if depth < MAX_DEPTH:
                    runs.add(run_around(data, start, end))
                continue
            if kw_index in kit.contextual:
                sensitive[0] = True
            window = None
            for rule_index in rules_of[kw_index]:
                if (rule_index in context_of
                        and not context_near(context_ends[context_of[rule_index]], start, end)
                        and not in_path(rule_index)):  # fmt: skip
                    continue  # a `required` rule with no context in reach: dropped anyway
                if window is None:
                    window = _line_window(data, start, end)
                windows[rule_index].append(window)
        for rule_index in kit.table.unkeyed:
            windows[rule_index].append((0, len(data)))

        spans: dict[tuple[int, int], list[Rule]] = defaultdict(list)
        for rule_index in sorted(windows):
            rule = self.rules[rule_index]
            for start, end in self._confirm(rule, data, _merge(windows[rule_index]), path, notes):
                spans[(start, end)].append(rule)

        hits = []
        for (start, end), matched in sorted(spans.items()):
            decided = attribute(matched, data, start, end, path)
            if decided is None:
                continue
            secret = data[start:end]
            hit = _Hit(decided.rule, decided.vendor, decided.candidates, start, end, start, secret)
            hit.partner = self._pair(decided.rule, data, start, end)
            hits.append(hit)
        for lo, hi in sorted(runs):
            decoded = self._decoded(data, (lo, hi), path, depth, notes, sensitive)
            if decoded:
                # The encoded text itself is not the key: a value rule that matched it yields.
                hits = [h for h in hits if not (lo <= h.start and h.end <= hi)]
                hits.extend(decoded)
        return hits

    def _confirm(
        self, rule: Rule, data: bytes, windows: list[tuple[int, int]], path: bytes, notes: list[str]
    ) -> Iterable[tuple[int, int]]:
        timeout = USER_RULE_TIMEOUT if rule.user else None
        if self._timeouts[rule.id] >= MAX_TIMEOUTS:
            return
        for lo, hi in windows:
            if rule.attribution == "required" and not may_have_context(rule, data, lo, hi, path):
                continue  # without its context such a match would be dropped anyway
            try:
                for match in rule.compiled.finditer(data, lo, hi, timeout=timeout):
                    start, end = rule.secret_span(match)
                    secret = data[start:end]
                    if (end > start and looks_real(secret, rule.entropy, rule.fixed_shape)
                            and not self._misshapen(rule, secret)):  # fmt: skip
                        yield start, end
            except TimeoutError:
                self._timed_out([rule], path, notes, "rule")
                return

    def _timed_out(self, rules: list[Rule], path: bytes, notes: list[str], what: str) -> None:
        for rule in rules:
            self._timeouts[rule.id] += 1
            where = path.decode("utf-8", "replace") or "<input>"
            rest = "from now on" if self._timeouts[rule.id] >= MAX_TIMEOUTS else "here"
            notes.append(f"{where}: {what} {rule.id} timed out after "
                         f"{USER_RULE_TIMEOUT}s; skipped {rest}")  # fmt: skip

    def _misshapen(self, rule: Rule, secret: bytes) -> bool:
        """A value caught by a looser rule (HELICONE_API_KEY=...) that starts like one of the
        vendor's fixed shapes but fits none of them: `sk-helicone-your-key` is a placeholder."""
        shapes = self._shapes.get(rule.vendor, ())
        if rule.fixed_shape or not shapes:
            return False
        lowered = secret.lower()
        if not any(lowered.startswith(prefix) for prefix, _ in shapes):
            return False
        return not any(fixed.compiled.fullmatch(secret) for _, fixed in shapes)

    def _pair(self, rule: Rule, data: bytes, start: int, end: int) -> tuple[str, bytes] | None:
        best: tuple[int, int, str, bytes] | None = None
        lo, hi = max(0, start - PAIR_BYTES), min(len(data), end + PAIR_BYTES)
        for partner_id in rule.partners:
            partner = self.partners[partner_id]
            for match in partner.compiled.finditer(data, lo, hi):
                p_start, p_end = partner.secret_span(match)
                secret = data[p_start:p_end]
                if p_end <= start:
                    lines, gap = data.count(b"\n", p_end, start), start - p_end
                elif p_start >= end:
                    lines, gap = data.count(b"\n", end, p_start), p_start - end
                else:
                    continue
                if lines > PAIR_LINES or not looks_real(secret, partner.entropy):
                    continue
                if best is None or (lines, gap) < best[:2]:
                    best = (lines, gap, partner.id, secret)
        return (best[2], best[3]) if best else None

    def _decoded(self, data: bytes, run: tuple[int, int], path: bytes, depth: int,
                 notes: list[str], sensitive: list[bool]) -> list[_Hit]:  # fmt: skip
        decoded = decode_run(data[run[0] : run[1]])
        if decoded is None:
            return []
        before = data[max(0, run[0] - PAIR_BYTES) : run[0]]
        after = data[run[1] : run[1] + PAIR_BYTES]
        inner = before + decoded + after
        lo, hi = len(before), len(before) + len(decoded)
        out = []
        for hit in self._scan(inner, path, depth + 1, notes, sensitive):
            if lo <= hit.start < hi:
                hit.anchor, hit.encoding = run[0], "base64"
                out.append(hit)
        return out

    def _finding(self, fragment: Fragment, hit: _Hit, location: tuple[int, int]) -> Finding:
        line, column = location
        width = hit.end - hit.start if hit.encoding == "plain" else len(hit.secret)
        secret_sha256 = sha256_hex(hit.secret)
        rule = hit.rule
        return Finding(
            rule_id=rule.id,
            vendor=hit.vendor,
            candidates=hit.candidates,
            description=rule.description,
            path=fragment.path,
            line=line,
            column=column,
            end_column=column + width,
            secret_sha256=secret_sha256,
            preview=redact(hit.secret),
            fingerprint=fingerprint(rule.id, secret_sha256, fragment.path),
            encoding=hit.encoding,
            variable=assigned_name(fragment.data, hit.start) if hit.encoding == "plain" else None,
            partner_rule_id=hit.partner[0] if hit.partner else None,
            partner_sha256=sha256_hex(hit.partner[1]) if hit.partner else None,
            partner_secret=hit.partner[1] if hit.partner else b"",
            commit=fragment.commit,
            secret=hit.secret,
        )


def _line_window(data: bytes, start: int, end: int) -> tuple[int, int]:
    """The keyword's line, clipped to a bounded window around it (minified lines are huge)."""
    floor = max(0, start - WINDOW_BEFORE)
    lo = data.rfind(b"\n", floor, start) + 1 or floor
    ceiling = min(len(data), end + WINDOW_AFTER)
    hi = data.find(b"\n", end, ceiling)
    return lo, ceiling if hi < 0 else hi


def _merge(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(windows):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged


def allowed_lines(data: bytes) -> list[tuple[int, int]]:
    """The lines holding `leakbot:allow`, as sorted [start, end) spans: the mark counts on its
    own line only, however long that line is. Linear: each line is walked at most once."""
    spans: list[tuple[int, int]] = []
    at = data.find(ALLOW_MARK)
    while at >= 0:
        lo = data.rfind(b"\n", spans[-1][1] if spans else 0, at) + 1
        hi = data.find(b"\n", at)
        hi = len(data) if hi < 0 else hi
        spans.append((lo, hi))
        at = data.find(ALLOW_MARK, hi)
    return spans


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    at = bisect_right(spans, (pos, len(ALLOW_MARK) << 62)) - 1  # the last span starting <= pos
    return at >= 0 and spans[at][0] <= pos <= spans[at][1]
