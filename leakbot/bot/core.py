"""What the bot does on each tick: scan a target from its cursor, verify, keep the findings in the
ledger, save the cursor (only then), and act on live keys by policy; retry what is open.

Raw keys stay in this process's memory (`Bot.keys`, by hash) from the scan that found them to
the end of their rotation; after a restart they are read again from where they were found.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from typing import Any

from leakbot import pipeline
from leakbot.bot.metrics import Metrics
from leakbot.bot.org import OrgRunner
from leakbot.config import VENDORS, Config
from leakbot.rotation import make_rotator, read_again, vendor_services
from leakbot.settings import Target
from leakbot.store import Store
from revoker.errors import RevokerError
from revoker.kinds import OPEN, SETTLED, Status
from revoker.ledger import Ledger, Rotation
from scanner.engine import Engine
from scanner.errors import ScanError
from scanner.finding import Finding, fingerprint, printable, redact, sha256_hex
from scanner.fragment import Fragment
from scanner.recover import location_of
from scanner.state import Cursors

Where = Callable[[Finding], dict[str, Any]]


class Bot:
    def __init__(self, cfg: Config, store: Store, log: logging.Logger) -> None:
        self.cfg = cfg
        self.store = store  # shared by every thread: the engine's pool hands out connections
        self.log = log
        self.stop = threading.Event()
        self.metrics = Metrics(self._ledger_counts, self._last_success)
        self.engine = Engine(cfg.rules, "auto")
        self.scan_lock = threading.Lock()  # one scan at a time: the engine is not shared
        self.alert_engine: Engine | None = None  # GitHub's alerts, made at the first
        self.alert_lock = threading.Lock()
        self.keys: dict[str, tuple[bytes, bytes]] = {}  # secret_sha256 -> (secret, partner)
        self.keys_lock = threading.Lock()
        self.rows_lock = threading.Lock()  # one thread acts on the ledger's rows at a time
        self.stack = ExitStack()
        # How found keys are handed to the rotation: now, on this thread (--once), or queued
        # by `leakbot serve` so that a target's next scan never waits for a rotation's checks.
        self.act_later: Callable[[set[str]], None] = self.act
        self.client, self.services = self.stack.enter_context(vendor_services(cfg))
        self.orgs = OrgRunner(self)
        self._rotator(store.ledger)  # a bad sink or notifier fails now, not at 3 a.m.

    def close(self) -> None:
        self.stack.close()

    def _rotator(self, ledger: Ledger) -> Any:
        return make_rotator(self.cfg, ledger, self._say, self.client, self.services, self.stop)

    def _ledger_counts(self) -> dict[tuple[str, str], int]:
        return self.store.ledger.counts()

    def _last_success(self) -> dict[str, float]:
        return {r.name: r.last_success for r in self.store.runs.all() if r.last_success}

    def _say(self, text: str) -> None:
        self.log.info(text)

    # -- a target's run --------------------------------------------------------------------------

    def run_target(self, target: Target) -> bool:
        """One run of a target; False when it could not be scanned (the error is logged and
        kept for `leakbot status`)."""
        if self.stop.is_set():
            return True
        runs = self.store.runs
        runs.started(target.name, target.kind)
        started = time.monotonic()
        error: str | None = None
        found: list[Finding] = []
        read: list[int] = []  # bytes the scan read, once it has
        try:  # an incomplete run still acts on the keys it found
            if target.kind == "org":
                found, error = self.orgs.run(target, read)
            else:
                found, error = self.scan_target(target, read)
        except (ScanError, RevokerError, OSError) as exc:
            error = str(exc)
        except Exception as exc:  # the type only: a message could hold input bytes
            error = f"unexpected {type(exc).__name__}"
            self.log.error("target %s: %s", target.name, error)
        finally:
            runs.ended(target.name, error, len(found), sum(read) if read else None)
        outcome = "ok" if error is None else "error"
        self.metrics.scans.labels(target=target.name, outcome=outcome).inc()
        if error:
            self.log.warning("target %s: run failed: %s", target.name, error)
        else:
            self.log.info("target %s: %d finding(s) in %.2f s", target.name, len(found),
                          time.monotonic() - started)  # fmt: skip
        if found and not self.stop.is_set():
            self.act_later({f.secret_sha256 for f in found})
        return error is None

    def pushed(self, full_name: str) -> None:
        """GitHub said `full_name` was pushed to: scan it now (then rotate what it holds)."""
        found = self.orgs.pushed(full_name, {t.name: t for t in self.cfg.targets})
        if found and not self.stop.is_set():
            self.act_later({f.secret_sha256 for f in found})

    def scan_target(self, target: Target, read: list[int]) -> tuple[list[Finding], str | None]:
        """The findings (kept in the ledger), and what the scan could not do, if anything."""
        state = self.store.cursors
        with self.scan_lock:
            result, cursor_key, cursor, located = self._scan(target, state)
        read.append(result.stats.bytes)

        def where(finding: Finding) -> dict[str, Any]:  # the target too: [[deliveries]] match it
            place = {**located(finding), "target": target.name}
            if target.repo_name:
                place["repo_name"] = target.repo_name
            return place

        found = self.kept(target.name, result, where)
        if result.incomplete:  # the cursor stays: the next run tries the lost work again
            return found, "; ".join(printable(p) for p in result.incomplete)
        state.set_cursor(cursor_key, cursor)  # only now: the findings are in the ledger
        return found, None

    def _scan(self, target: Target, state: Cursors) -> tuple[Any, str, str, Where]:
        if target.kind == "logs":
            from scanner.sources.logtail import scan_logs

            result, cursor = scan_logs(self.engine, target.logs, state.cursor(target.cursor_key))
            return result, target.cursor_key, cursor, location_of
        from scanner.git.remote import is_url, mirror
        from scanner.git.run import open_repo
        from scanner.git.scan import cursor_target, since_last

        path = mirror(target.repo) if is_url(target.repo) else target.repo
        repo = open_repo(path)
        result, cursor = since_last(self.engine, repo, state, 1, refs=target.refs)
        return result, cursor_target(repo, target.refs), cursor, lambda f: location_of(f, path)

    def kept(self, name: str, result: Any, where: Where) -> list[Finding]:
        """A scan's findings, less those allowed or baselined (the web view's false positives
        too), verified and in the ledger; its notes logged."""
        triaged = self.cfg.triage_baseline()
        own = None if self.cfg.baseline or not triaged.exists() else str(triaged)
        pipeline.suppress(result, self.cfg, own)
        for note in result.notes:
            self.log.warning("target %s: %s", name, note)
        self.metrics.scan_bytes.labels(target=name).inc(result.stats.bytes)
        if result.findings:
            self.keep(result.findings, where)
        found: list[Finding] = result.findings
        return found

    def keep(self, findings: list[Finding], where: Where) -> None:
        """Verify the findings, hold their keys in memory, and put them in the ledger."""
        from revoker.verify import verify_findings

        verify_findings(findings, self.services)
        self._hold(findings)
        for f in findings:
            self.metrics.findings.labels(vendor=f.vendor or "ambiguous").inc()
            verdict = (f.verification or {}).get("status", "unknown")
            self.metrics.verifications.labels(vendor=f.vendor or "ambiguous", verdict=verdict).inc()
        pipeline.record(self.store.ledger, findings, where)

    def _hold(self, findings: list[Finding]) -> None:
        with self.keys_lock:
            for f in findings:
                self.keys[f.secret_sha256] = (f.secret, f.partner_secret)

    # -- acting on the ledger --------------------------------------------------------------------

    def retry(self) -> None:
        """Rows still open: resumed, verified again, or retried once their backoff has passed."""
        now = time.time()
        due = {r.secret_sha256 for r in self.store.ledger.rows(OPEN) if _due(r, now)}
        if due:
            self.act(due)

    def act(self, hashes: Iterable[str]) -> None:
        wanted = set(hashes)
        with self.rows_lock:
            ledger = self.store.ledger
            rot = self._rotator(ledger)
            for row in ledger.rows(OPEN):
                if row.secret_sha256 not in wanted or self.stop.is_set():
                    continue
                key = self._key(row)
                if key is None:
                    rot.lost(row)
                    continue
                after = rot.run(row, *key)
                if after.status == "done" and after.rotated_at and after.leaked_at:
                    self.metrics.latency.observe(after.rotated_at - after.leaked_at)
                if after.status in SETTLED:
                    with self.keys_lock:
                        self.keys.pop(row.secret_sha256, None)

    def _key(self, row: Rotation) -> tuple[bytes, bytes] | None:
        with self.keys_lock:
            held = self.keys.get(row.secret_sha256)
        if held:
            return held
        with self.scan_lock:
            found = read_again(self.engine, row)
        if found is None:  # an org's repository whose mirror this host lacks: mirrored again
            found = self.orgs.read_again(row)
        if found is None:
            return None
        with self.keys_lock:
            self.keys[row.secret_sha256] = (found.secret, found.partner_secret)
        return found.secret, found.partner_secret

    # -- the web side's hooks --------------------------------------------------------------------

    def health(self) -> tuple[int, dict[str, Any]]:
        targets = [vars(r) for r in self.store.runs.all()]
        stopping = self.stop.is_set()
        return (503 if stopping else 200), {"status": "stopping" if stopping else "ok",
                                             "targets": targets}  # fmt: skip

    def alert(self, alerts: list[dict[str, Any]],
              later: Callable[[Callable[[], None]], None]) -> list[dict[str, str]]:  # fmt: skip
        """GitHub's alerted tokens: put in the ledger now, unverified (a restart cannot lose
        them), then verified and rotated by `later`, off the request: GitHub wants its answer at
        once. The feedback labels the tokens whose verdict the ledger already holds:
        true_positive for a live key, false_positive for a dead one; the others get theirs when
        GitHub sends them again."""
        known = self.store.ledger.verdicts([sha256_hex(str(a["token"]).encode()) for a in alerts])
        labels = {"live": "true_positive", "dead": "false_positive"}
        feedback = []
        for alert in alerts:
            digest = sha256_hex(str(alert["token"]).encode())
            label = labels.get(known.get(digest, ""))
            if label:
                feedback.append({"token_hash": digest, "token_type": str(alert["type"]),
                                 "label": label})  # fmt: skip
        findings = [f for f in map(self._alert_finding, alerts) if f.candidates]  # ours only
        fresh = [f for f in findings if f.secret_sha256 not in known]
        for f in fresh:
            f.verification = {"status": "unknown", "reason": "alerted by GitHub, not verified yet"}
        self._hold(fresh)
        pipeline.record(self.store.ledger, fresh, _alert_place)
        if findings:
            later(lambda: self._alerted(findings))
        return feedback

    def _alerted(self, findings: list[Finding]) -> None:
        self.keep(findings, _alert_place)
        self.act({f.secret_sha256 for f in findings})

    def _alert_finding(self, alert: dict[str, Any]) -> Finding:
        token = str(alert["token"]).encode()
        kind = str(alert["type"]).lower()
        vendor = next((v for v in VENDORS if v in kind), None)
        with self.alert_lock:  # an engine of its own: the answer never waits on a long scan
            if self.alert_engine is None:
                self.alert_engine = Engine(self.cfg.rules, "auto")
            scanned = self.alert_engine.scan(Fragment(token, "github-alert"), [])
        if vendor is None and scanned:
            vendor = scanned[0].vendor
        candidates = (vendor,) if vendor else (scanned[0].candidates if scanned else ())
        digest = sha256_hex(token)
        url = str(alert.get("url") or "github-alert")
        rule = scanned[0].rule_id if scanned else f"github.{kind}"
        return Finding(rule_id=rule, vendor=vendor, candidates=candidates,
                       description=f"GitHub secret-scanning alert ({alert['type']})", path=url,
                       line=0, column=0, end_column=0, secret_sha256=digest,
                       preview=redact(token), fingerprint=fingerprint(rule, digest, url),
                       secret=token)  # fmt: skip


def _alert_place(finding: Finding) -> dict[str, Any]:
    return {"path": finding.path, "line": 0, "source": "github-alert"}


def _due(row: Rotation, now: float) -> bool:
    if row.status == Status.AWAITING_APPROVAL:
        return bool(row.approved)
    return row.next_attempt is None or row.next_attempt <= now
