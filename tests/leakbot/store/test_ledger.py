"""The ledger in the store, on SQLite and on a real PostgreSQL: one row per credential, steps
recorded, leases that need no pid and fence a process that lost its claim."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from leakbot.store import locate, open_store
from leakbot.store.ledger import LeaseLost

WHERE = {"path": "/srv/app/.env", "line": 2}


def _record(ledger, sha="a" * 64, verdict="live", vendor="devhelm"):
    return ledger.record(vendor, sha, f"{vendor}.api-key", "dh_live_…", WHERE, verdict, "ok", "k")


def test_one_row_per_credential_and_a_done_row_stays_done(state_url):
    with open_store(locate(state_url)) as store:
        ledger = store.ledger
        first = ledger.record("devhelm", "a" * 64, "devhelm.api-key", "dh_live_…", WHERE, "live",
                              "auth/me answered", "key-1")  # fmt: skip
        again = ledger.record("devhelm", "a" * 64, "devhelm.api-key", "dh_live_…", WHERE, "unknown",
                              "HTTP 500")  # fmt: skip
        assert again.id == first.id and again.old_key_id == "key-1" and again.verdict == "unknown"
        ledger.update(first.id, status="done")
        ledger.record("devhelm", "a" * 64, "devhelm.api-key", "dh_live_…", WHERE, "dead", "401")
        assert ledger.get(first.id).status == "done"
        dead = _record(ledger, "b" * 64, "dead", "helicone")
        assert dead.status == "dead"
        assert [r.id for r in ledger.rows(("new", "dead"))] == [dead.id]
        assert ledger.get(first.id).place == "/srv/app/.env:2"
        assert ledger.counts() == {("devhelm", "done"): 1, ("helicone", "dead"): 1}
        assert [a[2] for a in ledger.audit_trail()] == ["recorded", "recorded"]
        with pytest.raises(ValueError, match="not a ledger column"):
            ledger.update(first.id, secret="x")


def test_a_row_keeps_the_variable_it_leaked_under_and_the_vendors_name_for_it(state_url):
    with open_store(locate(state_url)) as store:
        ledger = store.ledger
        first = ledger.record("helicone", "c" * 64, "helicone.api-key", "sk-…", WHERE, "unknown",
                              "HTTP 500", variable="HELICONE_API_KEY_CI")  # fmt: skip
        assert (first.variable, first.key_name, first.slot) == ("HELICONE_API_KEY_CI", None, None)
        # found again elsewhere (a line naming another variable), now verified with its name
        again = ledger.record("helicone", "c" * 64, "helicone.api-key", "sk-…", WHERE, "live",
                              "ok", "key-9", variable="OTHER_KEY", key_name="ci")  # fmt: skip
        assert (again.variable, again.key_name) == ("HELICONE_API_KEY_CI", "ci")
        assert [r.id for r in ledger.rows(vendor="helicone")] == [first.id]
        assert ledger.rows(vendor="devhelm") == []


def test_steps_are_recorded_before_and_after_under_the_lease(state_url):
    with open_store(locate(state_url)) as store:
        ledger = store.ledger
        row = _record(ledger)
        with pytest.raises(LeaseLost):  # no claim, no step
            ledger.begin(row.id, "reissue")
        assert ledger.claim(row.id)
        ledger.begin(row.id, "reissue", new_key_name="leakbot-1-aaaaaaaa")
        assert (ledger.get(row.id).step, ledger.get(row.id).phase) == ("reissue", "started")
        ledger.done(row.id, "reissue", new_key_id="k2")
        fresh = ledger.get(row.id)
        assert (fresh.phase, fresh.new_key_id, fresh.new_key_name) == ("done", "k2",
                                                                     "leakbot-1-aaaaaaaa")  # fmt: skip
        assert [(s, e) for _, s, e, _ in ledger.events(row.id)] == [("reissue", "started"),
                                                                   ("reissue", "done")]  # fmt: skip
        ledger.release(row.id)
        assert ledger.get(row.id).lease_owner is None


HOLDER = """
import sys, time
from leakbot.store import locate, open_store
store = open_store(locate(sys.argv[1]), lease=float(sys.argv[2]))
assert store.ledger.claim(int(sys.argv[3]))
print("claimed", flush=True)
time.sleep(600)
"""


def test_a_claim_outlives_its_holder_only_by_one_lease(state_url):
    """Another process (killed with SIGKILL, so it never releases) holds the row: refused while
    its lease runs, even though it renews nothing once dead; taken over after."""
    with open_store(locate(state_url), lease=1.5) as store:
        row = _record(store.ledger)
        holder = subprocess.Popen([sys.executable, "-c", HOLDER, state_url, "1.5", str(row.id)],
                                  stdout=subprocess.PIPE, text=True)  # fmt: skip
        try:
            assert holder.stdout.readline().strip() == "claimed"
            time.sleep(2.0)  # longer than a lease: only its renewals keep the claim
            assert not store.ledger.claim(row.id)  # alive: it renews
        finally:
            os.kill(holder.pid, signal.SIGKILL)
            holder.wait()
        held_by = store.ledger.get(row.id).lease_owner
        assert held_by and held_by.split(":")[1] == str(holder.pid)
        assert not store.ledger.claim(row.id)  # dead, but its lease still runs
        deadline = time.time() + 10
        while not store.ledger.claim(row.id):
            assert time.time() < deadline
            time.sleep(0.2)
        assert store.ledger.get(row.id).lease_owner == store.owner


def test_a_process_that_lost_its_claim_is_stopped_before_its_next_step(state_url):
    with open_store(locate(state_url), lease=0.5) as slow, \
            open_store(locate(state_url), lease=0.5) as other:  # fmt: skip
        row = _record(slow.ledger)
        assert slow.ledger.claim(row.id)
        slow.ledger.leases.drop(row.id)  # it stalls: no renewals
        time.sleep(0.7)
        assert other.ledger.claim(row.id)
        with pytest.raises(LeaseLost, match="another process holds it now"):
            slow.ledger.begin(row.id, "revoke")
        other.ledger.begin(row.id, "revoke")  # the new holder goes on
        assert slow.ledger.get(row.id).step == "revoke"


def test_workers_claiming_the_next_row_at_once_each_get_their_own(state_url):
    """Four workers (each its own store and owner) take rows from one queue concurrently: every
    due row is claimed exactly once; rows leased elsewhere or not yet due are skipped."""
    import threading

    with open_store(locate(state_url)) as setup:
        ids = [_record(setup.ledger, f"{n:064x}").id for n in range(12)]
        later = _record(setup.ledger, "f" * 64)
        setup.ledger.update(later.id, next_attempt=time.time() + 3600)
        assert setup.ledger.claim(ids[0])  # held by a live worker elsewhere
    taken: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        with open_store(locate(state_url)) as store:
            while (row := store.ledger.claim_next()) is not None and len(taken) < 100:
                with lock:
                    taken.append(row.id)
                assert store.ledger.get(row.id).lease_owner == store.owner

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(taken) == ids[1:]
