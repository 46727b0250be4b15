"""The one detection pipeline, for `scan`, `git`, `diff`, `ci`, `verify` and the bot alike:
suppress (the config's allowlists and the baseline; inline `leakbot:allow` marks are the
engine's) -> verify (each vendor, read-only) -> record (the ledger) -> act (rotate by policy).

Commands parse arguments, call these steps and report; the bot calls the same steps on a
schedule. Nothing here prints: what a step hid or did is handed to the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from leakbot import config as config_mod
from scanner.engine import Engine
from scanner.finding import Finding, printable
from scanner.result import ScanResult

Where = Callable[[Finding], dict[str, Any]]  # how a finding's key can be read again later
Hidden = Callable[[Finding, str], None]  # a finding suppressed, and by what
Show = Callable[[Any, Any], None]  # (ledger row, decision) -> None


def load(config: str | None, search_dirs: list[Path], engine: str = "auto",
         ) -> tuple[config_mod.Config, Engine]:  # fmt: skip
    """The config in force for these folders, and an engine over its rules."""
    cfg = config_mod.load(config, search_dirs)
    return cfg, Engine(cfg.rules, engine)


def suppress(result: ScanResult, cfg: config_mod.Config, baseline: str | None = None,
             hidden: Hidden | None = None) -> None:  # fmt: skip
    """Drop what the config allows and what the baseline already knows (counted in the stats)."""
    from scanner.allow import apply_allowlists, load_baseline

    before = result.findings
    result.findings = apply_allowlists(before, cfg.allowlists)
    _tell(hidden, before, result.findings, "an allowlist in the config")
    baseline_path = Path(baseline) if baseline else cfg.baseline
    if baseline_path is not None:
        before = result.findings
        result.findings = load_baseline(baseline_path).filter(before)
        result.stats.baselined += len(before) - len(result.findings)
        _tell(hidden, before, result.findings, f"the baseline {baseline_path}")


def _tell(hidden: Hidden | None, before: list[Finding], after: list[Finding], why: str) -> None:
    if hidden is None:
        return
    kept = {id(f) for f in after}
    for f in before:
        if id(f) not in kept:
            hidden(f, why)


def verify(cfg: config_mod.Config, findings: list[Finding]) -> None:
    """Ask each finding's vendor whether its key is live (read-only; one call per credential)."""
    from leakbot.rotation import vendor_services
    from revoker.verify import verify_findings

    with vendor_services(cfg) as (_, services):
        verify_findings(findings, services)


def record(ledger: Any, findings: Iterable[Finding], where: Where) -> int:
    """Put each verified finding in the ledger (a credential leaked in many places: one row),
    all in one transaction."""
    from leakbot.rotation import leaked_at
    from leakbot.store.ledger import Leak

    leaks = []
    for finding in findings:
        if finding.verification is None:
            continue
        place = where(finding)
        leaks.append(Leak(
            finding.vendor or "|".join(finding.candidates),
            finding.secret_sha256,
            finding.rule_id,
            finding.preview,
            place,
            finding.verification["status"],
            finding.verification["reason"],
            finding.verification.get("key_id"),
            leaked_at(finding),
            finding.variable,
            finding.verification.get("key_name"),
            places(finding, place),
        ))  # fmt: skip
    ledger.record_all(leaks)
    return len(leaks)


def places(finding: Finding, where: dict[str, Any]) -> list[Any]:
    """Where the finding's key was seen, for the ledger's sightings: its place and, for history,
    every other commit and path the same key was added in."""
    from leakbot.store.sightings import Sighting
    from scanner.finding import fingerprint

    target = where.get("target")
    repo = where.get("repo_name") or where.get("repo")  # GitHub's owner/name, not a cache path
    first = Sighting(
        finding.path,
        finding.line,
        finding.fingerprint,
        finding.rule_id,
        finding.commit,
        finding.author,
        finding.date,
        finding.refs,
        target,
        repo,
    )
    out = [first]
    for other in finding.occurrences:
        path, commit = str(other.get("path", "")), other.get("commit")
        if (path, commit) == (finding.path, finding.commit) or not path:
            continue
        out.append(Sighting(path, int(other.get("line") or 0),
                            fingerprint(finding.rule_id, finding.secret_sha256, path),
                            finding.rule_id, str(commit) if commit else None, target=target,
                            repo=repo))  # fmt: skip
    return out


def act(rot: Any, rows: list[Any], execute: bool, lookup: Callable[[Any], Finding | None],
        show: Show) -> int:  # fmt: skip
    """Show each row's plan and, when executing, run it with the key `lookup` finds for it.
    Returns how many leaks are still open (failed, blocked, key not at hand)."""
    from leakbot.rotation import say
    from revoker.kinds import OPEN

    still_open = 0
    for row in rows:
        row = rot.ledger.get(row.id) or row
        decision = rot.decide(row)
        show(row, decision)
        if not execute:
            continue
        if decision.action != "nothing":
            found = lookup(row)
            if found is None:
                say(f"#{row.id}: the key is no longer at {printable(row.place)}; rescan with "
                    "--verify where it is now")  # fmt: skip
            else:
                row = rot.run(row, found.secret, found.partner_secret)
        still_open += row.status in OPEN  # awaiting approval counts: nothing was done for it
    return still_open


def act_on_found(rot: Any, findings: list[Finding], show: Show) -> int:
    """Act by policy on the ledger rows of these findings, with the keys they hold in memory
    (the Action's revoke: nothing is read again)."""
    found = {f.secret_sha256: f for f in findings if f.secret}
    rows = [rot.ledger.find(f.vendor or "|".join(f.candidates), f.secret_sha256)
            for f in found.values()]  # fmt: skip
    return act(rot, [r for r in rows if r is not None], True,
               lambda row: found[row.secret_sha256], show)  # fmt: skip
