"""Counters and a histogram in Prometheus' text format (version 0.0.4), kept in memory.

The ledger gauge (leaked keys by vendor and state) is read from the database at scrape time, so
it is right after a restart; counters start again from zero, as Prometheus expects of a restarted
process.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Mapping

LATENCY_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0, 86400.0)

HELP = {
    "leakbot_scans_total": ("counter", "Target runs, by target and outcome."),
    "leakbot_scan_bytes_total": ("counter", "Bytes scanned, by target."),
    "leakbot_findings_total": ("counter", "Credentials found (each once a run), by vendor."),
    "leakbot_verifications_total": ("counter", "Verification answers, by vendor and verdict."),
    "leakbot_alerts_total": ("counter", "GitHub secret-scanning alert requests, by result."),
    "leakbot_ledger_keys": ("gauge", "Leaked keys in the ledger, by vendor and state."),
}
LATENCY = "leakbot_revocation_latency_seconds"


def _labels(labels: Mapping[str, str]) -> str:
    if not labels:
        return ""
    escaped = (
        f'{k}="{str(v).replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
        for k, v in sorted(labels.items())
    )
    return "{" + ",".join(escaped) + "}"


class Metrics:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counters: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.buckets = [0] * len(LATENCY_BUCKETS)
        self.latency_sum = 0.0
        self.latency_count = 0

    def inc(self, name: str, amount: float = 1.0, **labels: str) -> None:
        with self.lock:
            self.counters[name][_labels(labels)] += amount

    def observe_latency(self, seconds: float) -> None:
        """Seconds from the leak (commit date, or when the log line was read) to the revocation."""
        with self.lock:
            for n, bound in enumerate(LATENCY_BUCKETS):
                if seconds <= bound:
                    self.buckets[n] += 1
            self.latency_sum += seconds
            self.latency_count += 1

    def render(self, ledger: Mapping[tuple[str, str], int]) -> str:
        """`ledger`: the ledger's rows counted by (vendor, status)."""
        lines: list[str] = []
        with self.lock:
            for name, (kind, text) in HELP.items():
                lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]
                if name == "leakbot_ledger_keys":
                    lines += [f"{name}{_labels({'vendor': v, 'state': s})} {n}"
                              for (v, s), n in sorted(ledger.items())]  # fmt: skip
                    continue
                for labels, value in sorted(self.counters[name].items()):
                    lines.append(f"{name}{labels} {value:g}")
            lines += [f"# HELP {LATENCY} Seconds from the leak to the revoked key.",
                      f"# TYPE {LATENCY} histogram"]  # fmt: skip
            for bound, count in zip(LATENCY_BUCKETS, self.buckets, strict=True):
                lines.append(f'{LATENCY}_bucket{{le="{bound:g}"}} {count}')
            lines.append(f'{LATENCY}_bucket{{le="+Inf"}} {self.latency_count}')
            lines.append(f"{LATENCY}_sum {self.latency_sum:g}")
            lines.append(f"{LATENCY}_count {self.latency_count}")
        return "\n".join(lines) + "\n"
