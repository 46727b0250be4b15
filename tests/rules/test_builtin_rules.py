"""Every built-in rule proves itself on its examples, through the real engine, on both engines."""

from __future__ import annotations

import pytest

from rules import builtin_rules
from rules.examples import expand
from scanner.checker import check_evidence, check_rules, rules_evidence

RULES = builtin_rules()


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_examples(rule, engine_name):
    problems = [p for p in check_rules(RULES, engine_name) if p.rule_id == rule.id]
    assert problems == []


@pytest.mark.parametrize("evidence", rules_evidence(RULES), ids=lambda e: e.id)
def test_evidence_examples(evidence):
    assert check_evidence([evidence]) == []


def test_every_vendor_has_rules():
    vendors = {r.vendor for r in RULES if r.role == "secret"}
    assert vendors == {"devhelm", "diffhook", "helicone", "helios", "devdraft"}


def test_ids_are_vendor_dot_credential():
    for rule in RULES:
        vendor, credential = rule.id.split(".", 1)
        assert vendor == rule.vendor and credential


def test_examples_hold_no_token_shaped_text():
    """The rule files themselves must stay clean: examples are generators, not keys."""
    for rule in RULES:
        for example in rule.examples:
            if rule.role == "secret" and "{{" not in example:
                pytest.fail(f"{rule.id}: example without a generator: {example!r}")


def test_expand_is_deterministic_and_fills_generators():
    one = expand("K={{rand:dh_live_:32}} {{b32:sk-helicone-}} {{uuid}}", "seed")
    assert one == expand("K={{rand:dh_live_:32}} {{b32:sk-helicone-}} {{uuid}}", "seed")
    assert "{{" not in one and one != expand("K={{rand:dh_live_:32}}", "other")


def test_check_reports_a_broken_rule():
    from rules.loader import parse_rule_text

    broken = parse_rule_text(
        """
vendor = "acme"
[[rules]]
id = "acme.token"
description = "a rule whose example cannot match"
pattern = '''acme_[0-9]{40}'''
keywords = ["acme_"]
examples = ["acme_{{hex:8}}"]
negative_examples = ["acme_{{rand::40}}"]
""",
        "acme.toml",
    )
    problems = check_rules(broken)
    assert [p.message for p in problems] == [
        "example 1: no match holds a keyword",
        "example 1 not reported (got nothing)",
    ]
