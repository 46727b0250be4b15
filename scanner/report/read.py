"""Reports read back into findings: leakbot's JSON (`{"findings": [...]}`), JSON lines, and its
SARIF (the properties it writes carry what a finding needs). A report holds no secret unless it
was written with --show-secrets; a finding read back has the secret only then."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from scanner.errors import ScanError
from scanner.finding import Finding

NOT_A_REPORT = "not a leakbot report (leakbot scan --format json, or --format sarif)"


def read_report(name: str) -> list[Finding]:
    """The findings of the report at `name` ("-": stdin); ScanError naming the file and what is
    wrong with it (unreadable, not a report, which finding is not a finding)."""
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScanError(f"{name}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    docs = _documents(text)
    if docs is None:
        raise ScanError(f"{name}: {NOT_A_REPORT}")
    findings = []
    for n, doc in enumerate(docs):
        try:
            findings.append(Finding.from_dict(doc))
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ScanError(f"{name}: finding {n + 1} is not a leakbot finding") from None
    return findings


def _documents(text: str) -> list[dict[str, Any]] | None:
    try:
        doc = json.loads(text)
    except ValueError:
        try:  # JSON lines: one finding a line
            docs: Any = [json.loads(line) for line in text.splitlines() if line.strip()]
        except ValueError:
            return None
    else:
        if isinstance(doc, dict) and isinstance(doc.get("runs"), list):
            docs = _from_sarif(doc)
        else:
            docs = doc.get("findings") if isinstance(doc, dict) else None
    if not isinstance(docs, list) or not all(isinstance(d, dict) for d in docs):
        return None
    return docs


def _from_sarif(doc: dict[str, Any]) -> list[Any]:
    """Each result of leakbot's runs as the finding document `Finding.from_dict` reads."""
    out: list[Any] = []
    for run in doc["runs"]:
        driver = ((run or {}).get("tool") or {}).get("driver") or {}
        if driver.get("name") != "leakbot":
            continue  # another tool's run: its results are not ours to read
        out.extend(_sarif_result(r) for r in run.get("results") or [])
    return out


def _sarif_result(result: Any) -> Any:
    if not isinstance(result, dict):
        return result  # not a finding: from_dict says so
    props = result.get("properties") or {}
    physical = (result.get("locations") or [{}])[0].get("physicalLocation") or {}
    region = physical.get("region") or {}
    uri = str((physical.get("artifactLocation") or {}).get("uri", ""))
    path = urlparse(uri).path if uri.startswith("file:") else uri
    return {**props, "rule_id": result.get("ruleId"), "path": unquote(path),
            "line": region.get("startLine", 1), "column": region.get("startColumn", 1),
            "end_column": region.get("endColumn", region.get("startColumn", 1)),
            "fingerprint": (result.get("partialFingerprints") or {}).get("leakbot/v1", ""),
            "description": str((result.get("message") or {}).get("text", "")).split(":")[0],
            "preview": props.get("preview", "")}  # fmt: skip
