"""The ledger in a real SQLite file: one row per credential, steps recorded, leases."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from revoker.errors import RevokerError
from revoker.ledger import Ledger

WHERE = {"path": "/srv/app/.env", "line": 2}


def test_one_row_per_credential_and_a_done_row_stays_done(tmp_path):
    with Ledger(tmp_path / "s.db") as ledger:
        first = ledger.record("devhelm", "a" * 64, "devhelm.api-key", "dh_live_…", WHERE, "live",
                              "auth/me answered", "key-1")  # fmt: skip
        again = ledger.record("devhelm", "a" * 64, "devhelm.api-key", "dh_live_…", WHERE, "unknown",
                              "HTTP 500")  # fmt: skip
        assert again.id == first.id and again.old_key_id == "key-1" and again.verdict == "unknown"
        ledger.update(first.id, status="done")
        ledger.record("devhelm", "a" * 64, "devhelm.api-key", "dh_live_…", WHERE, "dead", "401")
        assert ledger.get(first.id).status == "done"
        dead = ledger.record("helicone", "b" * 64, "helicone.api-key", "sk-…", WHERE, "dead", "401")
        assert dead.status == "dead"
        assert [r.id for r in ledger.rows(("new", "dead"))] == [dead.id]
        assert ledger.get(first.id).place == "/srv/app/.env:2"


def test_steps_are_recorded_before_and_after(tmp_path):
    with Ledger(tmp_path / "s.db") as ledger:
        row = ledger.record("devhelm", "a" * 64, "r", "p", WHERE, "live", "ok", "k")
        ledger.begin(row.id, "reissue", new_key_name="leakbot-1-aaaaaaaa")
        assert (ledger.get(row.id).step, ledger.get(row.id).phase) == ("reissue", "started")
        ledger.done(row.id, "reissue", new_key_id="k2")
        fresh = ledger.get(row.id)
        assert (fresh.phase, fresh.new_key_id, fresh.new_key_name) == ("done", "k2",
                                                                     "leakbot-1-aaaaaaaa")  # fmt: skip
        assert [(s, e) for _, s, e, _ in ledger.events(row.id)] == [("reissue", "started"),
                                                                   ("reissue", "done")]  # fmt: skip


def test_a_lease_held_by_a_live_process_blocks_and_a_dead_one_does_not(tmp_path):
    with Ledger(tmp_path / "s.db") as ledger:
        row = ledger.record("devhelm", "a" * 64, "r", "p", WHERE, "live", "ok")
        other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
        try:
            ledger.update(row.id, lease_pid=other.pid, lease_until=9e12)
            assert not ledger.claim(row.id)
        finally:
            other.kill()
            other.wait()
        assert ledger.claim(row.id)  # its holder is gone (kill -9 leaves such leases behind)
        assert ledger.claim(row.id)  # and this process may claim again


def test_a_ledger_from_a_newer_leakbot_is_refused(tmp_path):
    Ledger(tmp_path / "s.db").close()
    with sqlite3.connect(tmp_path / "s.db") as db:
        db.execute("UPDATE schema_versions SET version = 99 WHERE component = 'revoker'")
    with pytest.raises(RevokerError, match="newer leakbot"):
        Ledger(tmp_path / "s.db")
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(RevokerError, match=r"junk\.db: cannot use state database"):
        Ledger(tmp_path / "junk.db")
