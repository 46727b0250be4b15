"""GitHub Actions: what an event asks to scan, and how results are handed back to the job.

push           before..after; an all-zero `before` (new branch) scans the commits no other
               ref reaches; a force push or a `before` this clone lacks scans what is new
pull_request   base.sha..head.sha
anything else  the whole history (schedule, workflow_dispatch, ...), or with history
               "incremental" only the commits no ref reached at the last run (the state file
               carried between runs: the action keeps it in the Actions cache)
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leakbot.errors import UsageError
from scanner.finding import Finding, printable, printable_path
from scanner.git.history import ZERO
from scanner.git.run import Repo


@dataclass(frozen=True)
class Plan:
    mode: str  # "range", "history", "since_last", "nothing" or "missing" (cannot be scanned)
    range: str | None = None
    why: str = ""


def load_event(path: str | None) -> dict[str, Any]:
    if not path:
        return {}
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the event payload: {exc}") from None
    if not isinstance(doc, dict):
        raise UsageError(f"{path}: the event payload is not a JSON object")
    return doc


HISTORY = ("full", "incremental")


def plan(event_name: str, event: dict[str, Any], repo: Repo, history: str = "full") -> Plan:
    if history not in HISTORY:
        raise UsageError(f"history must be full or incremental, not {history!r}")
    if event_name == "push":
        before, after = str(event.get("before") or ZERO), str(event.get("after") or "")
        if event.get("deleted") or not after.strip("0"):
            return Plan("nothing", why="a branch deletion adds nothing")
        if not before.strip("0"):
            return Plan("range", f"{ZERO}..{after}", "new branch: its own commits")
        if not repo.has_commit(before):
            # A force push (or a shallow checkout) whose old tip this clone never had.
            return Plan("range", f"{ZERO}..{after}", "old tip unknown here: commits no ref reaches")
        why = "force push: what is new" if event.get("forced") else "push"
        return Plan("range", f"{before}..{after}", why)
    if event_name in ("pull_request", "pull_request_target"):
        pr = event.get("pull_request") or {}
        base, head = (pr.get("base") or {}).get("sha"), (pr.get("head") or {}).get("sha")
        if not base or not head:
            raise UsageError("pull_request event without base.sha and head.sha")
        for end, sha in (("base", str(base)), ("head", str(head))):
            if not repo.has_commit(sha):  # a shallow checkout: the diff cannot be made
                return Plan("missing", why=f"pull request {end} {printable(sha)[:40]!r} is not "
                            "in this clone (check out with fetch-depth: 0)")  # fmt: skip
        return Plan("range", f"{base}..{head}", "pull request")
    if history == "incremental":
        return Plan("since_last", why=f"{event_name or 'manual run'}: commits since the last run")
    return Plan("history", why=f"{event_name or 'manual run'}: whole history")


def escape(text: str, *, prop: bool = False) -> str:
    """GitHub workflow-command escaping (properties also escape ':' and ',')."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def annotation(f: Finding) -> str:
    who = f.vendor or " or ".join(f.candidates)
    title = escape(f"leakbot {f.rule_id}", prop=True)
    where = f"file={escape(printable_path(f.path), prop=True)},line={f.line},col={f.column}"
    if f.end_column > f.column:  # the key's own span is underlined, not the whole line
        where += f",endColumn={f.end_column}"
    message = (
        f"{who} credential {f.preview} (sha256 {f.secret_sha256[:12]}). Rotate it; if it is "
        "not a secret, add 'leakbot:allow' to the line or an allowlist to .leakbot.toml."
    )
    return f"::error {where},title={title}::{escape(message)}"


SUMMARY_BYTES = 1000 << 10  # under GitHub's 1 MiB per step summary, with room for the rest


def summary(findings: list[Finding], plan_: Plan, incomplete: Sequence[str] = ()) -> str:
    lines = [f"## leakbot: {len(findings)} leaked credential{'s' * (len(findings) != 1)}", "",
             f"Scanned: {plan_.why}.", ""]  # fmt: skip
    if incomplete:
        lines += ["**The scan is incomplete**: more keys may be missing.", ""]
        lines += [f"- {printable(problem)}" for problem in incomplete] + [""]
    if not findings and incomplete:
        return "\n".join(lines)
    if not findings:
        return "\n".join([*lines, "No leaked keys found."]) + "\n"
    lines += ["| vendor | rule | where | commit | key |", "|---|---|---|---|---|"]
    size = sum(len(line) + 1 for line in lines)
    for n, f in enumerate(findings):
        who = f.vendor or "/".join(f.candidates)
        where = f"`{printable_path(f.path)}:{f.line}`".replace("|", "\\|")
        commit = f"`{f.commit[:10]}`" if f.commit else ""
        row = f"| {who} | `{f.rule_id}` | {where} | {commit} | `{f.preview}` |"
        size += len(row.encode()) + 1
        if size > SUMMARY_BYTES:  # GitHub refuses a step summary over 1 MiB
            lines += ["", f"... and {len(findings) - n} more: see the SARIF file."]
            break
        lines.append(row)
    lines += ["", "Rotate every key listed. A false positive: add `leakbot:allow` to its line, or "
              "an allowlist to `.leakbot.toml`."]  # fmt: skip
    return "\n".join(lines) + "\n"


def append(env_name: str, text: str) -> None:
    """Append to the file GitHub names in an environment variable (when it is set)."""
    target = os.environ.get(env_name)
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(text)


def truthy(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    if value.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if value.strip().lower() in ("0", "false", "no", "off"):
        return False
    raise UsageError(f"expected true or false, got {value!r}")
