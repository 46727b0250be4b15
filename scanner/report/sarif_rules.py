"""SARIF `reportingDescriptor`s: what code scanning shows for a rule (its description, how to
rotate the vendor's key, how to allow a false positive, severity and precision)."""

from __future__ import annotations

from functools import cache
from typing import Any

from rules import Rule, builtin_rules
from rules.loader import playbooks
from scanner.finding import Finding

HELP_URI = "https://github.com/leakbot/leakbot#rotating-leaked-keys-leakbot-revoke"
ALLOW = ("Not a secret? Put `leakbot:allow` on its line, or add an `[[allowlists]]` entry to "
         "`.leakbot.toml` (paths, regexes or stopwords).")  # fmt: skip
SECURITY_SEVERITY = "9.0"  # a leaked credential: critical in GitHub's scale


@cache
def _builtin() -> dict[str, Rule]:
    return {r.id: r for r in builtin_rules()}


def precision(rule: Rule | None) -> str:
    """How sure a match is a real key of its vendor: a pinned shape, a vendor's own name, or a
    shape or header it shares with others."""
    if rule is None:
        return "medium"
    if rule.fixed_shape:
        return "very-high"
    return "high" if rule.attribution == "self" else "medium"


def descriptor(f: Finding) -> dict[str, Any]:
    rule = _builtin().get(f.rule_id)
    vendors = [rule.vendor] if rule else [f.vendor] if f.vendor else list(f.candidates)
    steps = [step for vendor in vendors for step in playbooks().get(vendor, ())]
    steps = steps or ["Revoke the key in the vendor's dashboard and issue a new one."]
    text = f"{f.description}. Rotate it: " + " ".join(steps) + " " + ALLOW
    markdown = (f"**{f.description}**\n\nRotate it (or let `leakbot revoke` do it):\n\n"
                + "\n".join(f"1. {step}" for step in steps) + f"\n\n{ALLOW}")  # fmt: skip
    return {
        "id": f.rule_id,
        "name": f.rule_id.replace(".", "/"),
        "shortDescription": {"text": f.description},
        "fullDescription": {"text": f"{f.description} ({', '.join(vendors)})"},
        "help": {"text": text, "markdown": markdown},
        "helpUri": HELP_URI,
        "defaultConfiguration": {"level": "error"},
        "properties": {
            "tags": ["security", "secret"],
            "security-severity": SECURITY_SEVERITY,
            "precision": precision(rule),
        },
    }


def level_and_note(f: Finding) -> tuple[str, str]:
    """A verified-live key says so in its level and message; a dead one is a note."""
    status = (f.verification or {}).get("status")
    if status == "live":
        return "error", " VERIFIED LIVE: rotate it now."
    if status == "dead":
        return "note", " Verified dead (already revoked)."
    if status == "unknown":
        reason = (f.verification or {}).get("reason", "")
        return "error", f" Could not verify: {reason}." if reason else ""
    return "error", ""
