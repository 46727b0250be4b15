"""JSON (one object with "version" and "findings") and JSON lines (one finding a line)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any, TextIO

from scanner.result import ScanResult

REPORT_VERSION = 1


def report_dict(result: ScanResult, *, show_secrets: bool = False) -> dict[str, Any]:
    return {
        "version": REPORT_VERSION,
        "findings": [f.to_dict(show_secret=show_secrets) for f in result.findings],
        "stats": asdict(result.stats),
        "notes": result.notes,
        "complete": not result.incomplete,
        "incomplete": result.incomplete,
    }


def write_json(result: ScanResult, out: TextIO, *, show_secrets: bool = False, **_: Any) -> None:
    json.dump(report_dict(result, show_secrets=show_secrets), out, indent=2)
    out.write("\n")


def write_jsonl(result: ScanResult, out: TextIO, *, show_secrets: bool = False, **_: Any) -> None:
    for finding in result.findings:
        out.write(json.dumps(finding.to_dict(show_secret=show_secrets)) + "\n")
