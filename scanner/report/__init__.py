"""Reports: text (redacted, coloured on a terminal), JSON, JSON lines and SARIF 2.1.0.

Writers are imported when used: a pre-commit run should not pay for SARIF.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from scanner.result import ScanResult

FORMATS = {
    "text": "scanner.report.text:write_text",
    "json": "scanner.report.jsonfmt:write_json",
    "jsonl": "scanner.report.jsonfmt:write_jsonl",
    "sarif": "scanner.report.sarif:write_sarif",
}


def write_report(
    fmt: str, result: ScanResult, out: TextIO, *, show_secrets: bool = False, color: bool = False
) -> None:
    module, name = FORMATS[fmt].split(":")
    writer = getattr(importlib.import_module(module), name)
    writer(result, out, show_secrets=show_secrets, color=color)
