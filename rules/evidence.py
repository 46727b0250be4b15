"""Evidence tables (`[[evidence]]` in rules/data/): what speaks for a vendor around a match, and,
in rules/data/other.toml, for another product. Parsed here; weighed in scanner.attribution."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rules.errors import RuleError
from rules.model import NAMES, OWNS, SHARES, Evidence

_EVIDENCE_KEYS = {"id", "pattern", "weight", "examples", "negative_examples"}
OTHER = "other"  # rules/data/other.toml: evidence that names another product, none of ours


def string_list(table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    """A list of strings (a single string counts as a list of one)."""
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def evidence_from_doc(doc: Mapping[str, Any], origin: str) -> tuple[Evidence, ...]:
    """A file's `[[evidence]]` (and its plain `context` patterns, which weigh as names)."""
    vendor = str(doc.get("vendor", ""))
    tables = doc.get("evidence", [])
    if not isinstance(tables, list) or not all(isinstance(t, Mapping) for t in tables):
        raise RuleError(f"{origin}: 'evidence' must be an array of tables ([[evidence]])")
    out = [_evidence(t, vendor, origin) for t in tables]
    for n, pattern in enumerate(string_list(doc, "context", origin)):
        out.append(Evidence(f"{vendor or 'user'}.context-{n + 1}", vendor, pattern, NAMES,
                            origin=origin, derived=True))  # fmt: skip
    return tuple(out)


def _evidence(table: Mapping[str, Any], vendor: str, origin: str) -> Evidence:
    evidence_id = table.get("id")
    where = f"{origin}: evidence {evidence_id!r}"
    unknown = sorted(set(table) - _EVIDENCE_KEYS)
    if unknown:
        raise RuleError(f"{where}: unknown key {unknown[0]!r}")
    if not isinstance(evidence_id, str) or not evidence_id.startswith(f"{vendor}."):
        raise RuleError(f"{where}: id must look like '{vendor}.<what>'")
    if not isinstance(table.get("pattern"), str) or not table["pattern"]:
        raise RuleError(f"{where}: 'pattern' is required and must be a non-empty string")
    weight = table.get("weight", NAMES)
    if weight not in (SHARES, OWNS, NAMES) or isinstance(weight, bool):
        raise RuleError(f"{where}: weight must be 1 (shared), 2 (the vendor's own) or 3 (names it)")
    examples = string_list(table, "examples", where)
    negative = string_list(table, "negative_examples", where)
    return Evidence(evidence_id, vendor, table["pattern"], weight, examples, negative, origin)


def rule_evidence(table: Mapping[str, Any], where: str, rule_id: str, vendor: str,
                  evidence: tuple[Evidence, ...]) -> tuple[Evidence, ...]:  # fmt: skip
    """A rule's evidence for its vendor: its own `context` replaces its file's evidence;
    `evidence = [ids]` picks some of the file's (a generic header's rule: the name only)."""
    own_context = string_list(table, "context", where)
    if own_context:
        evidence = tuple(Evidence(f"{rule_id}.context-{n + 1}", vendor, c, NAMES, origin=where,
                                  derived=True) for n, c in enumerate(own_context))  # fmt: skip
    chosen = string_list(table, "evidence", where)
    if chosen:
        unknown = sorted(set(chosen) - {e.id for e in evidence})
        if unknown:
            raise RuleError(f"{where}: evidence: no [[evidence]] {unknown[0]!r} in this file")
        evidence = tuple(e for e in evidence if e.id in chosen)
    return evidence


def foreign_evidence(patterns: tuple[str, ...], rule_id: str, origin: str) -> tuple[Evidence, ...]:
    """A rule's or file's plain `foreign_context` patterns, weighing as another product's name."""
    return tuple(Evidence(f"{OTHER}.{rule_id}-{n + 1}", OTHER, c, NAMES, origin=origin,
                          derived=True) for n, c in enumerate(patterns))  # fmt: skip
