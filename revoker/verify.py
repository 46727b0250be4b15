"""`--verify`: ask each vendor whether found keys are live. Read-only calls, one per credential
however many places it leaked, a few at a time, spaced out per vendor. An ambiguous `dh_live_` key
is asked of DevHelm and DiffHook both; the one that accepts it settles the vendor."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor

from revoker.service import KeyService, Verdict, Verification
from scanner.finding import Finding

WORKERS = 8
MIN_INTERVAL = 0.05  # seconds between two calls to the same vendor


class Pacer:
    """Spaces calls to each vendor at least `interval` seconds apart."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.lock = threading.Lock()
        self.next: dict[str, float] = defaultdict(float)

    def wait(self, vendor: str) -> None:
        with self.lock:
            now = time.monotonic()
            slot = max(now, self.next[vendor])
            self.next[vendor] = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


def _ask(services: Mapping[str, KeyService], pacer: Pacer, vendors: tuple[str, ...],
         secret: bytes, partner: bytes) -> tuple[Verification, str | None]:  # fmt: skip
    """Ask each candidate vendor; LIVE anywhere wins (and names the vendor), then UNKNOWN; DEAD
    only when every vendor says so; otherwise UNVERIFIABLE."""
    answers: list[tuple[str, Verification]] = []
    for vendor in vendors:
        service = services.get(vendor)
        if service is None:
            answers.append(
                (vendor, Verification(Verdict.UNVERIFIABLE, "no client for this vendor"))
            )
            continue
        if "verify" in service.capabilities:
            pacer.wait(vendor)
        answers.append((vendor, _contained(service, secret, partner)))
    for vendor, answer in answers:
        if answer.verdict == Verdict.LIVE:
            return answer, vendor
    for _, answer in answers:
        if answer.verdict == Verdict.UNKNOWN:
            return answer, None
    if all(a.verdict == Verdict.DEAD for _, a in answers):
        return answers[0][1], None
    return next(a for _, a in answers if a.verdict == Verdict.UNVERIFIABLE), None


def _contained(service: KeyService, secret: bytes, partner: bytes) -> Verification:
    """One credential's check: whatever the vendor answers, it costs no other finding."""
    try:
        return service.verify(secret, partner)
    except Exception as exc:  # the type only: a message could quote the answer or the key
        return Verification(Verdict.UNKNOWN, f"the check failed: {type(exc).__name__}")


def verify_findings(findings: Iterable[Finding], services: Mapping[str, KeyService],
                    workers: int = WORKERS, interval: float = MIN_INTERVAL) -> None:  # fmt: skip
    """Set `verification` on every finding (and settle ambiguous vendors that answer LIVE)."""
    groups: dict[tuple[tuple[str, ...], str], list[Finding]] = defaultdict(list)
    for finding in findings:
        if not finding.secret:  # a report read back whose key could not be read again
            finding.verification = {"status": "unknown", "reason": "the key's value is not at hand"}
            continue
        vendors = (finding.vendor,) if finding.vendor else finding.candidates
        groups[(vendors, finding.secret_sha256)].append(finding)
    pacer = Pacer(interval)

    def run(key: tuple[tuple[str, ...], str]) -> None:
        first = groups[key][0]
        answer, settled = _ask(services, pacer, key[0], first.secret, first.partner_secret)
        for finding in groups[key]:
            finding.verification = {"status": answer.verdict.value, "reason": answer.reason}
            if answer.key_id:  # the vendor's id of the leaked key (not a secret)
                finding.verification["key_id"] = answer.key_id
            if answer.key_name:
                finding.verification["key_name"] = answer.key_name
            if settled and finding.vendor is None:
                finding.vendor, finding.candidates = settled, (settled,)

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(groups) or 1))) as pool:
        list(pool.map(run, list(groups)))
