"""Reports: text (redacted, coloured on a terminal), JSON, JSON lines and SARIF 2.1.0."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from scanner.pipeline import ScanResult
from scanner.report.jsonfmt import write_json, write_jsonl
from scanner.report.sarif import write_sarif
from scanner.report.text import write_text

Writer = Callable[..., None]
FORMATS: dict[str, Writer] = {
    "text": write_text,
    "json": write_json,
    "jsonl": write_jsonl,
    "sarif": write_sarif,
}


def write_report(
    fmt: str, result: ScanResult, out: TextIO, *, show_secrets: bool = False, color: bool = False
) -> None:
    FORMATS[fmt](result, out, show_secrets=show_secrets, color=color)
