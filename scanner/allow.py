"""Suppression after matching: allowlists (paths, regexes, stopwords, per rule) and baselines.

Inline `leakbot:allow` is handled by the engine, which still has the line in hand.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import regex

from rules.fileio import write_bytes_atomic
from scanner.errors import ScanError
from scanner.finding import Finding, fingerprint

BASELINE_VERSION = 1


@dataclass(frozen=True)
class Allowlist:
    """Allows a finding when its criteria hold: any one of them, or all that are given."""

    description: str = ""
    condition: Literal["any", "all"] = "any"
    paths: tuple[regex.Pattern[str], ...] = ()
    regexes: tuple[regex.Pattern[str], ...] = ()  # matched against the secret
    stopwords: tuple[str, ...] = ()  # lowercase substrings of the secret
    rules: frozenset[str] = field(default_factory=frozenset)  # empty: every rule

    def allows(self, finding: Finding) -> bool:
        if self.rules and finding.rule_id not in self.rules:
            return False
        secret = finding.secret.decode("utf-8", "replace")
        checks = []
        if self.paths:
            checks.append(any(p.search(finding.path) for p in self.paths))
        if self.regexes:
            checks.append(any(r.search(secret) for r in self.regexes))
        if self.stopwords:
            checks.append(any(w in secret.lower() for w in self.stopwords))
        if not checks:
            return False
        return all(checks) if self.condition == "all" else any(checks)


def apply_allowlists(findings: Iterable[Finding], allowlists: Iterable[Allowlist]) -> list[Finding]:
    lists = list(allowlists)
    return [f for f in findings if not any(a.allows(f) for a in lists)]


@dataclass(frozen=True)
class Baseline:
    fingerprints: frozenset[str]
    entries: tuple[dict[str, str], ...] = ()

    def filter(self, findings: Iterable[Finding]) -> list[Finding]:
        return [f for f in findings if f.fingerprint not in self.fingerprints]


def load_baseline(path: Path) -> Baseline:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScanError(f"{path}: baseline file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ScanError(f"{path}: not a readable baseline: {exc}") from None
    if not isinstance(doc, dict) or doc.get("version") != BASELINE_VERSION:
        raise ScanError(f"{path}: unsupported baseline (expected version {BASELINE_VERSION})")
    entries = doc.get("findings")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries
    ):
        raise ScanError(f"{path}: baseline 'findings' must be a list of objects with a fingerprint")
    return Baseline(frozenset(e["fingerprint"] for e in entries), tuple(entries))


def baseline_entries(finding: Finding) -> list[dict[str, str]]:
    """What a baseline keeps: identity without line numbers or plaintext; a history finding's
    every path (the key may sit elsewhere in today's tree than where it was introduced)."""
    paths = [finding.path, *(str(o["path"]) for o in finding.occurrences if "path" in o)]
    return [
        {
            "fingerprint": fingerprint(finding.rule_id, finding.secret_sha256, path),
            "rule_id": finding.rule_id,
            "path": path,
            "secret_sha256": finding.secret_sha256,
        }
        for path in dict.fromkeys(paths)
    ]


def write_baseline(path: Path, findings: Iterable[Finding], keep: Baseline | None = None) -> int:
    """Write a baseline of `findings` (plus the entries of `keep`); returns the entry count."""
    entries = {e["fingerprint"]: e for e in (keep.entries if keep else ())}
    for finding in findings:
        for entry in baseline_entries(finding):
            entries.setdefault(entry["fingerprint"], entry)
    return _write(path, entries)


def add_entries(path: Path, entries: Iterable[dict[str, str]]) -> int:
    """Add entries to the baseline at `path` (made when missing); returns the entry count."""
    kept = {e["fingerprint"]: e for e in load_baseline(path).entries} if path.exists() else {}
    for entry in entries:
        kept.setdefault(entry["fingerprint"], entry)
    return _write(path, kept)


def _write(path: Path, entries: dict[str, dict[str, str]]) -> int:
    from datetime import UTC, datetime

    doc = {
        "version": BASELINE_VERSION,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "findings": sorted(
            entries.values(), key=lambda e: (e["path"], e["rule_id"], e["fingerprint"])
        ),
    }
    try:
        write_bytes_atomic(path, (json.dumps(doc, indent=2) + "\n").encode(), mode=0o644)
    except OSError as exc:
        raise ScanError(f"{path}: cannot write baseline: {exc.strerror}") from None
    return len(entries)
