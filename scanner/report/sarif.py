"""SARIF 2.1.0 for code scanning: one run, rules for what was found, redacted messages."""

from __future__ import annotations

import json
from typing import Any, TextIO

from scanner.finding import Finding
from scanner.report.locations import Locator
from scanner.result import ScanResult
from scanner.version import tool_version

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://github.com/leakbot/leakbot"


def _message(f: Finding) -> str:
    who = f.vendor or " or ".join(f.candidates)
    return f"{f.description}: {f.preview} ({who}; sha256 {f.secret_sha256[:12]}…)"


def _result(f: Finding, index: int, locator: Locator) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": f.line, "startColumn": f.column}
    if f.end_column > f.column:
        region["endColumn"] = f.end_column
    props: dict[str, Any] = {
        "vendor": f.vendor,
        "candidates": list(f.candidates),
        "secret_sha256": f.secret_sha256,
        "encoding": f.encoding,
    }
    if f.partner_sha256:
        props["partner_sha256"] = f.partner_sha256
    if f.verification:
        props["verification"] = f.verification
    if f.commit:
        props.update(commit=f.commit, author=f.author, date=f.date, refs=list(f.refs))
    return {
        "ruleId": f.rule_id,
        "ruleIndex": index,
        "level": "error",
        "message": {"text": _message(f)},
        "locations": [
            {"physicalLocation": {"artifactLocation": locator.artifact(f.path), "region": region}}
        ],
        "partialFingerprints": {"leakbot/v1": f.fingerprint},
        "properties": props,
    }


def _notifications(result: ScanResult) -> list[dict[str, Any]]:
    """What the scan could not do (errors: executionSuccessful is then false), then notes."""
    return [
        *({"message": {"text": n}, "level": "error"} for n in result.incomplete),
        *({"message": {"text": n}, "level": "warning"} for n in result.notes),
    ]


def sarif_dict(result: ScanResult) -> dict[str, Any]:
    locator = Locator(result.repo_paths, result.root)
    rule_index: dict[str, int] = {}
    rules: list[dict[str, Any]] = []
    for f in result.findings:
        if f.rule_id not in rule_index:
            rule_index[f.rule_id] = len(rules)
            rules.append(
                {
                    "id": f.rule_id,
                    "name": f.rule_id.replace(".", "/"),
                    "shortDescription": {"text": f.description},
                    "defaultConfiguration": {"level": "error"},
                    "properties": {"tags": ["security", "secret"]},
                }
            )
    results = [_result(f, rule_index[f.rule_id], locator) for f in result.findings]
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
                        "toolExecutionNotifications": _notifications(result),
                    }
                ],
            }
        ],
    }


def write_sarif(result: ScanResult, out: TextIO, **_: Any) -> None:
    json.dump(sarif_dict(result), out, indent=2)
    out.write("\n")
