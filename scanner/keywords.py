"""The keyword table: every rule keyword (and its base64 forms) once, which rules each one opens,
and, on the Hyperscan path, the rules' context patterns as extra entries so that one pass also
says where context is (a `required` rule's hit far from any context is dropped at once)."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field, replace

from rules import Rule
from rules.loader import pattern_width
from scanner.encodings import base64_forms
from scanner.matcher import Keyword, hyperscan_accepts

# How far from a keyword hit a context match may end and still count (a sound over-estimate:
# the window around the hit plus the context reach plus the longest context match).
CONTEXT_REACH = 128 + 384 + 1024 + 256


@dataclass
class KeywordTable:
    keywords: list[Keyword] = field(default_factory=list)
    rules_of: list[list[int]] = field(default_factory=list)  # keyword index -> rule indexes
    context_of: dict[int, int] = field(default_factory=dict)  # rule index -> context keyword
    unkeyed: list[int] = field(default_factory=list)  # rules with no keyword: whole fragment
    _index: dict[tuple[bytes, bool, int, bool], int] = field(default_factory=dict)

    def add(self, kw: Keyword, rule: int | None = None) -> int:
        key = (kw.text.lower() if kw.caseless else kw.text, kw.base64, kw.width, kw.context)
        if key not in self._index:
            self._index[key] = len(self.keywords)
            self.keywords.append(kw)
            self.rules_of.append([])
        at = self._index[key]
        if rule is not None and rule not in self.rules_of[at]:
            self.rules_of[at].append(rule)
        return at


def build_table(rules: list[Rule], with_context: bool) -> KeywordTable:
    table = KeywordTable()
    for rule_index, rule in enumerate(rules):
        for word in rule.keywords:
            table.add(Keyword(word.encode()), rule_index)
            for form in base64_forms(word.encode()):
                table.add(Keyword(form, caseless=False, base64=True))
        for pattern in rule.keyword_patterns:
            width = pattern_width(pattern)
            table.add(Keyword(pattern.encode(), caseless=False, width=width, user=rule.user),
                      rule_index)  # fmt: skip
        if not (rule.keywords or rule.keyword_patterns):
            table.unkeyed.append(rule_index)
        if with_context and rule.attribution == "required" and rule.context:
            joined = "|".join(f"(?:{p})" for p in rule.context).encode()
            if hyperscan_accepts(joined):
                table.context_of[rule_index] = table.add(
                    Keyword(joined, caseless=False, context=True)
                )
    _gate(table)
    return table


def _gate(table: KeywordTable) -> None:
    """A keyword whose every rule needs a context in reach is gated by those contexts; a context
    only gated keywords use is lazy (looked for only where one of them occurs)."""
    eager: set[int] = set()
    for at, rules in enumerate(table.rules_of):
        if rules and all(r in table.context_of for r in rules):
            gates = tuple(sorted({table.context_of[r] for r in rules}))
            table.keywords[at] = replace(table.keywords[at], gates=gates)
        else:
            eager.update(table.context_of[r] for r in rules if r in table.context_of)
    for at in set(table.context_of.values()) - eager:
        table.keywords[at] = replace(table.keywords[at], lazy=True)


def context_near(ends: list[int], start: int, end: int) -> bool:
    """Is any context match end (sorted) within reach of a keyword hit at [start, end)?"""
    at = bisect_left(ends, start - CONTEXT_REACH)
    return at < len(ends) and ends[at] <= end + CONTEXT_REACH
