"""Every planted key in a realistic tree is found with the right vendor; decoys are not; the
Hyperscan and pure-regex paths give identical findings."""

from __future__ import annotations

from rules import builtin_rules
from scanner import pipeline
from scanner.engine import Engine
from scanner.pipeline import run_scan
from tests.corpus import build


def _scan(root, engine_name, jobs=1):
    return run_scan(Engine(builtin_rules(), engine_name), [str(root)], jobs=jobs)


def test_every_key_found_with_its_vendor_and_no_decoy(tmp_path, keys, engine_name):
    corpus = build(tmp_path, keys)
    result = _scan(tmp_path, engine_name)
    got = {(f.path, f.vendor, f.secret_sha256) for f in result.findings}
    assert got - corpus.expected == set(), "false alarms"
    assert corpus.expected - got == set(), "missed keys"
    assert result.stats.binary == 1


def test_engines_give_identical_findings(tmp_path, keys):
    build(tmp_path, keys)
    reports = [
        [f.to_dict() for f in _scan(tmp_path, name).findings] for name in ("hyperscan", "regex")
    ]
    assert reports[0] == reports[1]


def test_parallel_scan_matches_inline_scan(tmp_path, keys, monkeypatch):
    build(tmp_path, keys)
    inline = _scan(tmp_path, "auto", jobs=1)
    monkeypatch.setattr(pipeline, "INLINE_BYTES", 0)  # force the process pool...
    monkeypatch.setattr(pipeline, "BATCH_FILES", 3)  # ...with several work units
    progress = []
    pooled = run_scan(Engine(builtin_rules()), [str(tmp_path)], jobs=2,
                      progress=lambda done, total: progress.append((done, total)))  # fmt: skip
    assert [f.to_dict() for f in inline.findings] == [f.to_dict() for f in pooled.findings]
    assert inline.stats == pooled.stats and inline.notes == pooled.notes
    assert progress[-1][0] == progress[-1][1] > 0


def test_pairs_carry_their_partner_hash(tmp_path, keys):
    build(tmp_path, keys)
    findings = _scan(tmp_path, "auto").findings
    by_path = {(f.path.rsplit("/", 1)[-1], f.rule_id): f for f in findings}
    env_secret = by_path[(".env", "devdraft.secret-key")]
    assert env_secret.partner_rule_id in ("devdraft.public-key", "devdraft.env-key")
    assert env_secret.partner_sha256 and env_secret.partner_sha256 != env_secret.secret_sha256
    client_secret = by_path[("pair.py", "diffhook.client-secret")]
    assert client_secret.partner_rule_id == "diffhook.client-id"
