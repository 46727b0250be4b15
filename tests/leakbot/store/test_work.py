"""Leases on scans and the scheduler's leadership, on SQLite and PostgreSQL: one owner at a time,
a dead owner's lease runs out and is taken over, and one leader among the processes sharing
a PostgreSQL database."""

from __future__ import annotations

import time

from leakbot.store import locate, open_store


def test_a_lease_has_one_owner_until_it_runs_out(state_url):
    with open_store(locate(state_url), 0.5) as one, open_store(locate(state_url), 0.5) as two:
        assert one.work.claim("repo:acme:acme/api")
        assert not two.work.claim("repo:acme:acme/api")
        assert one.work.claim("repo:acme:acme/api")  # its own: renewed
        assert two.work.holder("repo:acme:acme/api")[0] == one.owner
        time.sleep(0.7)  # the owner died: it renewed no more
        assert two.work.holder("repo:acme:acme/api") is None
        assert two.work.claim("repo:acme:acme/api")
        assert not one.work.renew("repo:acme:acme/api")  # taken over: the old owner knows
        two.work.release("repo:acme:acme/api")
        assert one.work.claim("repo:acme:acme/api")


def test_a_held_lease_is_renewed_while_its_work_runs(state_url):
    with open_store(locate(state_url), 0.6) as one, open_store(locate(state_url), 0.6) as two:
        with one.work.held("target:api") as mine:
            assert mine
            time.sleep(1.5)  # longer than a lease: renewed meanwhile
            with two.work.held("target:api") as theirs:
                assert not theirs
        assert two.work.claim("target:api")  # released at the end of the block


def test_one_leader_among_processes_sharing_postgresql(postgres_server):
    url = postgres_server.database()
    with open_store(locate(url)) as one, open_store(locate(url)) as two:
        assert one.leadership.try_lead() and one.leadership.try_lead()
        assert not two.leadership.try_lead()
        one.leadership.resign()  # as when its process dies: the connection goes
        assert two.leadership.try_lead()
