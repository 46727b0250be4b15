"""Load rules from TOML: the built-in vendor files in `rules/data/` and user rules from config."""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import regex

from rules.errors import RuleError
from rules.evidence import (
    OTHER,
    evidence_from_doc,
    foreign_evidence,
    rule_evidence,
    string_list,
)
from rules.fileio import write_bytes_atomic
from rules.model import Evidence, Rule

_FILE_KEYS = {"vendor", "name", "context", "foreign_context", "evidence", "rotate", "rules"}
_RULE_KEYS = {
    "id",
    "vendor",
    "description",
    "pattern",
    "keywords",
    "keyword_patterns",
    "entropy",
    "fixed_shape",
    "attribution",
    "context",
    "context_lines",
    "foreign_context",
    "evidence",
    "role",
    "partners",
    "examples",
    "negative_examples",
}
_ID = regex.compile(r"^[a-z0-9][a-z0-9-]*\.[a-z0-9][a-z0-9.-]*$")


def pattern_width(pattern: str) -> int:
    """The fixed width of a keyword pattern: Hyperscan reports only where matches end."""
    parser = importlib.import_module("re._parser")  # the stdlib parser knows pattern widths
    try:
        low, high = parser.parse(pattern).getwidth()
    except re.error as exc:
        raise ValueError(f"invalid keyword pattern {pattern!r}: {exc}") from None
    if low != high or low == 0:
        raise ValueError(f"keyword pattern {pattern!r} must have a fixed width")
    return int(low)


def _check_fixed_width(pattern: str, where: str) -> None:
    try:
        pattern_width(pattern)
    except ValueError as exc:
        raise RuleError(f"{where}: {exc}") from None


def rule_from_table(
    table: Mapping[str, Any],
    origin: str,
    defaults: Mapping[str, Any],
    *,
    user: bool = False,
    validate: bool = True,
    evidence: tuple[Evidence, ...] = (),
    others: tuple[Evidence, ...] = (),
) -> Rule:
    """One rule; `evidence` is its file's (a rule's own `context` replaces it) and `others` the
    evidence for other products, which counts against any rule that decides by context."""
    rule_id = table.get("id")
    where = f"{origin}: rule {rule_id!r}" if isinstance(rule_id, str) else f"{origin}: a rule"
    unknown = sorted(set(table) - _RULE_KEYS)
    if unknown:
        raise RuleError(f"{where}: unknown key {unknown[0]!r}")
    for key in ("id", "description", "pattern"):
        if not isinstance(table.get(key), str) or not table[key]:
            raise RuleError(f"{where}: '{key}' is required and must be a non-empty string")
    assert isinstance(rule_id, str)
    if not _ID.match(rule_id):
        raise RuleError(f"{where}: id must look like '<vendor>.<credential>' (lowercase)")
    vendor = str(table.get("vendor", defaults.get("vendor") or rule_id.split(".", 1)[0]))
    attribution = table.get("attribution", "self")
    if attribution not in ("self", "context", "required"):
        raise RuleError(f"{where}: attribution must be 'self', 'context' or 'required'")
    role = table.get("role", "secret")
    if role not in ("secret", "partner"):
        raise RuleError(f"{where}: role must be 'secret' or 'partner'")
    entropy = table.get("entropy", 0.0)
    if not isinstance(entropy, int | float) or not 0 <= entropy <= 8:
        raise RuleError(f"{where}: entropy must be a number between 0 and 8")
    fixed_shape = table.get("fixed_shape", False)
    if not isinstance(fixed_shape, bool):
        raise RuleError(f"{where}: fixed_shape must be true or false")
    evidence = rule_evidence(table, where, rule_id, vendor, evidence)
    context = tuple(e.pattern for e in evidence)
    foreign = string_list(table, "foreign_context", where) or tuple(
        defaults.get("foreign_context", ())
    )
    against: tuple[Evidence, ...] = ()  # a rule that names its vendor by itself weighs nothing
    if attribution != "self":  # one shared tuple of others' evidence: weighed once per match
        against = foreign_evidence(foreign, rule_id, origin) + others if foreign else others
    keyword_patterns = string_list(table, "keyword_patterns", where)
    for kp in keyword_patterns:
        _check_fixed_width(kp, where)
    context_lines = table.get("context_lines", 3)
    if not isinstance(context_lines, int) or not 0 <= context_lines <= 50:
        raise RuleError(f"{where}: context_lines must be a whole number between 0 and 50")
    if attribution != "self" and not context:
        raise RuleError(f"{where}: attribution {attribution!r} needs 'context' patterns")
    rule = Rule(
        id=rule_id,
        vendor=str(vendor),
        description=table["description"],
        pattern=table["pattern"],
        keywords=string_list(table, "keywords", where),
        keyword_patterns=keyword_patterns,
        entropy=float(entropy),
        fixed_shape=fixed_shape,
        attribution=attribution,
        context=context,
        context_lines=context_lines,
        foreign_context=foreign,
        evidence=evidence,
        foreign=against,
        role=role,
        partners=string_list(table, "partners", where),
        examples=string_list(table, "examples", where),
        negative_examples=string_list(table, "negative_examples", where),
        origin=origin,
        user=user,
    )
    if validate:
        rule.validate()
    return rule


def rules_from_tables(
    tables: Iterable[Mapping[str, Any]], origin: str, *, user: bool = False
) -> list[Rule]:
    """Rules from already-parsed TOML tables (the `[[rules]]` of a config file)."""
    out = []
    for table in tables:
        if not isinstance(table, Mapping):
            raise RuleError(f"{origin}: each entry of 'rules' must be a table")
        out.append(rule_from_table(table, origin, {}, user=user, others=other_evidence()))
    return out


def parse_rule_text(text: str, origin: str, *, validate: bool = True) -> list[Rule]:
    import tomllib

    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{origin}: not valid TOML: {exc}") from None
    return rules_from_doc(doc, origin, validate=validate)


def rules_from_doc(doc: Mapping[str, Any], origin: str, *, validate: bool = True,
                   others: tuple[Evidence, ...] | None = None) -> list[Rule]:  # fmt: skip
    unknown = sorted(set(doc) - _FILE_KEYS)
    if unknown:
        raise RuleError(f"{origin}: unknown key {unknown[0]!r}")
    tables = doc.get("rules", [])
    if not isinstance(tables, list):
        raise RuleError(f"{origin}: 'rules' must be an array of tables")
    evidence = evidence_from_doc(doc, origin)
    against = other_evidence() if others is None else others
    return [rule_from_table(t, origin, doc, validate=validate, evidence=evidence, others=against)
            for t in tables]  # fmt: skip


def load_rule_file(path: Path) -> list[Rule]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path}: cannot read: {exc}") from None
    return parse_rule_text(text, str(path))


def check_references(rules: list[Rule]) -> None:
    """Every id is unique and every partner names a partner rule."""
    by_id: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in by_id:
            raise RuleError(f"{rule.origin}: rule {rule.id!r} is defined twice")
        by_id[rule.id] = rule
    for rule in rules:
        for partner in rule.partners:
            if partner not in by_id or by_id[partner].role != "partner":
                raise RuleError(f"{rule.origin}: rule {rule.id!r}: unknown partner {partner!r}")


def _builtin_docs() -> list[tuple[str, dict[str, Any]]]:
    """The parsed vendor files; kept as JSON in the user's cache, since parsing TOML is the
    slowest part of starting up (a pre-commit hook starts up on every commit)."""
    data = Path(__file__).parent / "data"
    entries = sorted(data.iterdir(), key=lambda e: e.name)
    texts = [
        (f"rules/data/{e.name}", e.read_text(encoding="utf-8"))
        for e in entries
        if e.name.endswith(".toml")
    ]
    digest = hashlib.sha256(json.dumps(texts).encode()).hexdigest()[:20]
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    cached = Path(base) / "leakbot" / f"rules-{digest}.json"
    try:
        return [(origin, doc) for origin, doc in json.loads(cached.read_text(encoding="utf-8"))]
    except (OSError, ValueError):
        pass
    import tomllib

    docs = []
    for origin, text in texts:
        try:
            docs.append((origin, tomllib.loads(text)))
        except tomllib.TOMLDecodeError as exc:
            raise RuleError(f"{origin}: not valid TOML: {exc}") from None
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(cached, json.dumps(docs).encode())
    except OSError:
        pass  # a read-only home: parse again next time
    return docs


@cache
def other_evidence() -> tuple[Evidence, ...]:
    """What names another product (rules/data/other.toml): hosts, variables, headers."""
    out: list[Evidence] = []
    for origin, doc in _builtin_docs():
        if doc.get("vendor") == OTHER:
            out.extend(evidence_from_doc(doc, origin))
    return tuple(out)


@cache
def playbooks() -> dict[str, tuple[str, ...]]:
    """Each vendor's manual rotation steps (`rotate = [...]` in its file)."""
    out = {}
    for origin, doc in _builtin_docs():
        steps = string_list(doc, "rotate", origin)
        if steps:
            out[str(doc.get("vendor"))] = steps
    return out


@cache
def builtin_evidence() -> tuple[Evidence, ...]:
    """Every evidence entry of the built-in files, ours and other products' (for the checker)."""
    return tuple(e for origin, doc in _builtin_docs() for e in evidence_from_doc(doc, origin))


@cache
def builtin_rules() -> tuple[Rule, ...]:
    """All built-in vendor rules, in file-name order. Patterns compile on first use."""
    out: list[Rule] = []
    others = other_evidence()
    for origin, doc in _builtin_docs():
        out.extend(rules_from_doc(doc, origin, validate=False, others=others))
    check_references(out)
    return tuple(out)
