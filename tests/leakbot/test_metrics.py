"""The bot's /metrics text, as Prometheus parses it."""

from __future__ import annotations

import sqlite3

from prometheus_client.parser import text_string_to_metric_families

from leakbot.bot import runs
from leakbot.bot.metrics import Metrics


def _samples(text: str) -> list[tuple[str, dict[str, str], float]]:
    return [(s.name, s.labels, s.value) for family in text_string_to_metric_families(text)
            for s in family.samples]  # fmt: skip


def test_large_values_stay_exact_and_odd_labels_stay_one_sample():
    metrics = Metrics(lambda: {("helicone", "done"): 2}, lambda: {'a\n"b"': 1764633600.5})
    metrics.scan_bytes.labels(target="logs\nprod").inc(4_523_458_023)
    samples = _samples(metrics.render().decode())
    assert ("leakbot_scan_bytes_total", {"target": "logs\nprod"}, 4_523_458_023) in samples
    assert ("leakbot_ledger_keys", {"vendor": "helicone", "state": "done"}, 2) in samples
    assert ("leakbot_target_last_success_timestamp_seconds", {"target": 'a\n"b"'},
            1764633600.5) in samples  # fmt: skip
    (build,) = [s for s in samples if s[0] == "leakbot_build_info"]
    assert set(build[1]) == {"version", "python"} and build[2] == 1
    assert not [s for s in samples if s[0].endswith("_created")]


def test_last_success_is_kept_across_failed_runs_and_added_to_old_state(tmp_path):
    state = tmp_path / "state.db"
    with sqlite3.connect(state) as db:  # a bot_targets table from before last_success
        db.execute("CREATE TABLE bot_targets (name TEXT PRIMARY KEY, kind TEXT NOT NULL, "
                   "last_start REAL, last_end REAL, last_ok INTEGER, last_error TEXT, "
                   "findings INTEGER NOT NULL DEFAULT 0, next_run REAL) STRICT")  # fmt: skip
    table = runs.Runs(state)
    table.started("svc", "git")
    table.ended("svc", None, 0)
    (ok,) = table.all()
    table.started("svc", "git")
    table.ended("svc", "git log failed", 0)
    (failed,) = table.all()
    table.close()
    assert ok.last_success and failed.last_success == ok.last_success and failed.last_ok == 0
