"""The bot's Prometheus metrics, kept in a prometheus-client registry of its own.

Counters and the latency histogram live in memory and start again from zero with the process,
as Prometheus expects of a restart. What the state database knows — leaked keys by vendor and
state, each target's last successful run — is read from it at scrape time, so it is right
after a restart too.
"""

from __future__ import annotations

import platform
from collections.abc import Callable, Iterator, Mapping

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    Info,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from scanner.version import tool_version

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0, 86400.0)

disable_created_metrics()  # type: ignore[no-untyped-call]  # no *_created series: they double the scrape and nobody reads them

LedgerCounts = Callable[[], Mapping[tuple[str, str], int]]  # (vendor, status) -> rows
LastSuccess = Callable[[], Mapping[str, float]]  # target -> epoch seconds


class _FromState(Collector):
    def __init__(self, ledger: LedgerCounts, last_success: LastSuccess) -> None:
        self.ledger, self.last_success = ledger, last_success

    def collect(self) -> Iterator[GaugeMetricFamily]:
        keys = GaugeMetricFamily("leakbot_ledger_keys", "Leaked keys in the ledger, by vendor "
                                 "and state.", labels=["vendor", "state"])  # fmt: skip
        for (vendor, state), count in sorted(self.ledger().items()):
            keys.add_metric([vendor, state], count)
        yield keys
        success = GaugeMetricFamily(
            "leakbot_target_last_success_timestamp_seconds",
            "When each target's last run that scanned everything ended (Unix time).",
            labels=["target"],
        )
        for target, when in sorted(self.last_success().items()):
            success.add_metric([target], when)
        yield success


class Metrics:
    def __init__(self, ledger: LedgerCounts, last_success: LastSuccess) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.scans = Counter("leakbot_scans", "Target runs, by target and outcome.",
                             ["target", "outcome"], registry=r)  # fmt: skip
        self.scan_bytes = Counter("leakbot_scan_bytes", "Bytes scanned, by target.", ["target"],
                                  registry=r)  # fmt: skip
        self.findings = Counter("leakbot_findings", "Credentials found (each once a run), by "
                                "vendor.", ["vendor"], registry=r)  # fmt: skip
        self.verifications = Counter("leakbot_verifications", "Verification answers, by vendor "
                                     "and verdict.", ["vendor", "verdict"], registry=r)  # fmt: skip
        self.alerts = Counter("leakbot_alerts", "GitHub secret-scanning alert requests, by "
                              "result.", ["result"], registry=r)  # fmt: skip
        self.github_waits = Counter("leakbot_github_wait_seconds", "Seconds spent waiting for "
                                    "GitHub's rate limits, by reason.", ["reason"],
                                    registry=r)  # fmt: skip
        self.webhooks = Counter("leakbot_github_webhooks", "GitHub webhook deliveries, by "
                                "result.", ["result"], registry=r)  # fmt: skip
        self.latency = Histogram("leakbot_revocation_latency_seconds", "Seconds from the leak "
                                 "(commit date, or when the log line was read) to the revoked "
                                 "key.", buckets=LATENCY_BUCKETS, registry=r)  # fmt: skip
        Info("leakbot_build", "The running leakbot.", registry=r).info(
            {"version": tool_version(), "python": platform.python_version()}
        )
        r.register(_FromState(ledger, last_success))

    def render(self) -> bytes:
        return generate_latest(self.registry)
