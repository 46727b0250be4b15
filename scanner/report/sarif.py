"""SARIF 2.1.0 for code scanning: one run, rules for what was found, redacted messages."""

from __future__ import annotations

import gzip
import json
from typing import Any, TextIO

from scanner.finding import Finding
from scanner.report.locations import Locator
from scanner.report.sarif_rules import descriptor, level_and_note
from scanner.result import ScanResult
from scanner.version import tool_version

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://github.com/leakbot/leakbot"
MAX_RESULTS = 25_000  # GitHub code scanning: results per run...
MAX_GZIPPED = 10 << 20  # ...and bytes per upload, gzipped


def _message(f: Finding, note: str) -> str:
    who = f.vendor or " or ".join(f.candidates)
    return f"{f.description}: {f.preview} ({who}; sha256 {f.secret_sha256[:12]}…).{note}"


def _result(f: Finding, index: int, locator: Locator) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": f.line, "startColumn": f.column}
    if f.end_column > f.column:
        region["endColumn"] = f.end_column
    props: dict[str, Any] = {
        "vendor": f.vendor,
        "candidates": list(f.candidates),
        "secret_sha256": f.secret_sha256,
        "preview": f.preview,  # redacted, as in the message: `leakbot view` shows it
        "encoding": f.encoding,
    }
    if f.partner_sha256:
        props["partner_sha256"] = f.partner_sha256
    if f.verification:
        props["verification"] = f.verification
    if f.commit:
        props.update(commit=f.commit, author=f.author, date=f.date, refs=list(f.refs))
    level, note = level_and_note(f)
    return {
        "ruleId": f.rule_id,
        "ruleIndex": index,
        "level": level,
        "message": {"text": _message(f, note)},
        "locations": [
            {"physicalLocation": {"artifactLocation": locator.artifact(f.path), "region": region}}
        ],
        "partialFingerprints": {"leakbot/v1": f.fingerprint},
        "properties": props,
    }


def _notifications(result: ScanResult, left_out: int) -> list[dict[str, Any]]:
    """What the scan could not do (errors: executionSuccessful is then false), then notes."""
    notes = list(result.notes)
    if left_out:
        notes.append(
            f"{left_out} of {len(result.findings)} results left out to stay within GitHub's "
            "limits (25,000 results, 10 MB gzipped); --format json has them all"
        )
    return [
        *({"message": {"text": n}, "level": "error"} for n in result.incomplete),
        *({"message": {"text": n}, "level": "warning"} for n in notes),
    ]


def sarif_dict(result: ScanResult, limit: int = MAX_RESULTS) -> dict[str, Any]:
    locator = Locator(result.repo_paths, result.root)
    rule_index: dict[str, int] = {}
    rules: list[dict[str, Any]] = []
    findings = result.findings[:limit]
    for f in findings:
        if f.rule_id not in rule_index:
            rule_index[f.rule_id] = len(rules)
            rules.append(descriptor(f))
    results = [_result(f, rule_index[f.rule_id], locator) for f in findings]
    run: dict[str, Any] = {}
    if locator.base_ids():
        run["originalUriBaseIds"] = locator.base_ids()
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "leakbot",
                        "version": tool_version(),
                        "informationUri": INFO_URI,
                        "rules": rules,
                    }
                },
                **run,
                "columnKind": "unicodeCodePoints",
                "results": results,
                "invocations": [
                    {
                        "executionSuccessful": not result.incomplete,
                        "toolExecutionNotifications": _notifications(
                            result, len(result.findings) - len(findings)
                        ),
                    }
                ],
            }
        ],
    }


def write_sarif(result: ScanResult, out: TextIO, **_: Any) -> None:
    """The report, cut to GitHub's limits when it is bigger (with a note saying so)."""
    limit = MAX_RESULTS
    while True:
        text = json.dumps(sarif_dict(result, limit), indent=2)
        if limit <= 1 or len(gzip.compress(text.encode(), 1)) <= MAX_GZIPPED:
            break
        limit = min(limit, len(result.findings)) // 2
    out.write(text + "\n")
