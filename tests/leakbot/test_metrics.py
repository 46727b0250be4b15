"""The bot's /metrics text, as Prometheus parses it."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

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


def test_last_success_is_kept_across_failed_runs(state_url):
    from leakbot.store import locate, open_store

    with open_store(locate(state_url)) as store:
        store.runs.started("svc", "git")
        store.runs.ended("svc", None, 0)
        (ok,) = store.runs.all()
        store.runs.started("svc", "git")
        store.runs.ended("svc", "git log failed", 0)
        (failed,) = store.runs.all()
    assert ok.last_success and failed.last_success == ok.last_success and failed.last_ok == 0
