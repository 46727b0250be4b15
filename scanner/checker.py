"""Prove every rule on its own examples, through the real engine (`leakbot rules check`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import regex

from rules import Rule
from rules.examples import expand
from rules.model import Evidence
from scanner.engine import Engine
from scanner.finding import Finding, sha256_hex
from scanner.fragment import Fragment


@dataclass(frozen=True)
class Problem:
    rule_id: str
    message: str


def _claims(finding: Finding, rule: Rule) -> bool:
    """The finding is this rule's or at least names the rule's vendor (alone or as a candidate)."""
    return finding.rule_id == rule.id or rule.vendor in finding.candidates


def _holds_keyword(rule: Rule, matched: bytes) -> bool:
    """The keyword pre-filter is sound: every match contains one of the rule's keywords."""
    if not (rule.keywords or rule.keyword_patterns):
        return True
    lowered = matched.lower()
    return any(k.lower().encode() in lowered for k in rule.keywords) or any(
        regex.search(p.encode(), matched) for p in rule.keyword_patterns
    )


def check_rules(rules: Iterable[Rule], engine: str = "auto") -> list[Problem]:
    rules = list(rules)
    scanner = Engine(rules, engine)
    problems: list[Problem] = []
    for rule in rules:
        if not rule.examples:
            problems.append(Problem(rule.id, "has no examples"))
        for n, example in enumerate(rule.examples):
            text = expand(example, f"{rule.id}:{n}").encode()
            if rule.role == "partner":
                if not rule.compiled.search(text):
                    problems.append(Problem(rule.id, f"example {n + 1} does not match"))
                continue
            matches = [m for m in rule.compiled.finditer(text)]
            if not any(_holds_keyword(rule, m.group()) for m in matches):
                problems.append(Problem(rule.id, f"example {n + 1}: no match holds a keyword"))
            secrets = {sha256_hex(text[slice(*rule.secret_span(m))]) for m in matches}
            found = scanner.scan(Fragment(text, "<example>"))
            if not any(f.secret_sha256 in secrets and _claims(f, rule) for f in found):
                got = ", ".join(f"{f.rule_id} ({f.vendor})" for f in found) or "nothing"
                problems.append(Problem(rule.id, f"example {n + 1} not reported (got {got})"))
        for n, example in enumerate(rule.negative_examples):
            text = expand(example, f"{rule.id}:neg:{n}").encode()
            found = scanner.scan(Fragment(text, "<example>"))
            if any(_claims(f, rule) for f in found):
                problems.append(Problem(rule.id, f"negative example {n + 1} is reported"))
    return problems


def check_evidence(evidence: Iterable[Evidence]) -> list[Problem]:
    """Every evidence pattern matches its examples and none of its negative examples."""
    problems: list[Problem] = []
    for item in evidence:
        if not item.examples and not item.derived:
            problems.append(Problem(item.id, "evidence has no examples"))
        for n, example in enumerate(item.examples):
            if not item.compiled.search(expand(example, f"{item.id}:{n}").encode()):
                problems.append(Problem(item.id, f"evidence example {n + 1} does not match"))
        for n, example in enumerate(item.negative_examples):
            if item.compiled.search(expand(example, f"{item.id}:neg:{n}").encode()):
                problems.append(Problem(item.id, f"evidence negative example {n + 1} matches"))
    return problems


def rules_evidence(rules: Iterable[Rule]) -> list[Evidence]:
    """The evidence the rules weigh, each entry once."""
    return list({e.id: e for r in rules for e in (*r.evidence, *r.foreign)}.values())
