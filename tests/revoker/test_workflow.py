"""The rotation workflow against the key-service emulator (real HTTP on loopback, real SQLite):
policies, the never-on-UNKNOWN rule, and a crash at every step boundary converging to one new
key and one revoked key."""

from __future__ import annotations

import httpx
import pytest

from leakbot.store import locate, open_store
from revoker.emulator.state import Key
from revoker.errors import RevokerError
from revoker.http import make_client
from revoker.registry import build
from revoker.sinks.dotenv import DotenvSink
from revoker.workflow import Rotator, VendorPolicy

VENDORS = ("helicone", "devhelm")
VARIABLE = {"helicone": "HELICONE_API_KEY", "devhelm": "DEVHELM_API_TOKEN"}


class Crash(BaseException):
    """Stands for kill -9: nothing after it runs (not even the workflow's error handling)."""


class Recorder:
    """Collects notifications as a webhook receiver would."""

    name = "recorder"

    def __init__(self) -> None:
        self.events: list[dict] = []

    def send(self, event) -> None:
        self.events.append(dict(event))


class Tripwire:
    """Wraps a service and a sink; raises Crash right after the n-th call of theirs returns
    (the vendor acted, leakbot never heard), or before it when `before` is set."""

    def __init__(self, target, calls: list[str], crash_at: int | None, before: bool) -> None:
        self.target, self.calls, self.crash_at, self.before = target, calls, crash_at, before

    def __getattr__(self, name):
        value = getattr(self.target, name)
        if not callable(value):
            return value

        def wrapped(*args, **kwargs):
            self.calls.append(name)
            hit = self.crash_at is not None and len(self.calls) == self.crash_at
            if hit and self.before:
                raise Crash(name)
            result = value(*args, **kwargs)
            if hit:
                raise Crash(name)
            return result

        return wrapped


@pytest.fixture
def client():
    with make_client(httpx.Timeout(3.0)) as c:
        yield c


@pytest.fixture
def world(emulator, client, tmp_path):
    yield from make_world(emulator, client, tmp_path)


def make_world(emulator, client, tmp_path):
    """An organisation per vendor with an admin key and a leaked live key, a ledger row each."""
    state = emulator.state
    admins = {v: state.add(v, "admin") for v in VENDORS}
    leaked = {v: state.add(v, "ci-pipeline") for v in VENDORS}
    settings = {v: {"base_url": emulator.url} for v in VENDORS}
    settings["helicone"]["eu_base_url"] = emulator.url
    services = build(client, settings, {v: admins[v].secret for v in VENDORS})
    store = open_store(locate(str(tmp_path / "state.db")))
    ledger = store.ledger
    rows = {}
    for vendor, key in leaked.items():
        answer = services[vendor].verify(key.secret.encode())
        rows[vendor] = ledger.record(vendor, _sha(key), f"{vendor}.api-key", "preview…",
                                     {"path": "app.py", "line": 1}, answer.verdict.value,
                                     answer.reason, answer.key_id)  # fmt: skip
    yield {"state": state, "services": services, "ledger": ledger, "leaked": leaked,
           "rows": rows, "env": tmp_path / "app.env"}  # fmt: skip
    store.close()


def _sha(key: Key) -> str:
    import hashlib

    return hashlib.sha256(key.secret.encode()).hexdigest()


def rotator(world, policy="auto", services=None, sinks=None, notifier=None, **kw) -> Rotator:
    policies = {v: VendorPolicy(policy, ("env",), VARIABLE[v]) for v in VENDORS}
    return Rotator(world["ledger"], services or world["services"], policies,
                   sinks or {"env": DotenvSink("env", str(world["env"]))},
                   [notifier] if notifier else [], confirm_delays=(0.05, 0.1, 0.2, 0.4, 0.8),
                   **kw)  # fmt: skip


def assert_rotated_once(world, vendor: str) -> None:
    state = world["state"]
    row = world["ledger"].get(world["rows"][vendor].id)
    made = [k for k in state.keys if k.vendor == vendor and k.name == row.new_key_name]
    live = [k for k in made if k.revoked_at is None]
    assert row.status == "done", (row.status, row.step, row.phase, row.last_error)
    assert len(live) == 1, [(k.name, k.revoked_at) for k in made]
    assert live[0].key_id == row.new_key_id
    assert world["leaked"][vendor].revoked_at is not None
    env = world["env"].read_text()
    assert f"{VARIABLE[vendor]}={live[0].secret}\n" in env


def run_all(rot: Rotator, world) -> None:
    for vendor, key in world["leaked"].items():
        row = world["ledger"].get(world["rows"][vendor].id)
        rot.run(row, key.secret.encode())


def test_auto_policy_rotates_each_live_key_once_and_a_second_run_does_nothing(world):
    world["env"].write_text("# app settings\nOTHER=1\nexport HELICONE_API_KEY=old\n")
    recorder = Recorder()
    run_all(rotator(world, notifier=recorder), world)
    for vendor in VENDORS:
        assert_rotated_once(world, vendor)
    text = world["env"].read_text()
    assert text.startswith("# app settings\nOTHER=1\nexport HELICONE_API_KEY=sk-helicone-")
    assert (world["env"].stat().st_mode & 0o777) == 0o644  # the file keeps its own mode
    assert [e["event"] for e in recorder.events] == ["rotated", "rotated"]
    before = len(world["state"].keys)
    requests = world["state"].requests
    run_all(rotator(world, notifier=recorder), world)
    assert len(world["state"].keys) == before and world["state"].requests == requests
    assert len(recorder.events) == 2


def test_approve_policy_waits_for_approval(world):
    recorder = Recorder()
    rot = rotator(world, policy="approve", notifier=recorder)
    run_all(rot, world)
    rows = world["ledger"].rows()
    assert {r.status for r in rows} == {"awaiting_approval"}
    assert not any(k.name.startswith("leakbot-") for k in world["state"].keys)
    assert [e["event"] for e in recorder.events] == ["awaiting_approval"] * 2
    run_all(rot, world)  # asked again: no second notification
    assert len(recorder.events) == 2
    world["ledger"].update(world["rows"]["devhelm"].id, approved=1)
    run_all(rot, world)
    assert_rotated_once(world, "devhelm")
    assert world["ledger"].get(world["rows"]["helicone"].id).status == "awaiting_approval"


def test_notify_policy_sends_the_playbook_and_touches_nothing(world):
    recorder = Recorder()
    run_all(rotator(world, policy="notify", notifier=recorder), world)
    assert {r.status for r in world["ledger"].rows()} == {"manual"}
    assert all(e["playbook"] and e["event"] == "manual" for e in recorder.events)
    assert all(k.revoked_at is None for k in world["leaked"].values())


def test_unknown_verdicts_never_act(world):
    world["state"].faults.error_rate = 1.0
    world["state"].faults.error_status = 429
    run_all(rotator(world), world)
    world["state"].faults.error_rate = 0.0
    assert {r.status for r in world["ledger"].rows()} == {"blocked"}
    assert {r.verdict for r in world["ledger"].rows()} == {"unknown"}
    assert not any(k.name.startswith("leakbot-") for k in world["state"].keys)
    run_all(rotator(world), world)  # the vendor answers again: now it is done
    for vendor in VENDORS:
        assert_rotated_once(world, vendor)


def test_a_failing_sink_keeps_the_old_key_and_the_retry_replaces_the_undelivered_one(world):
    class Broken:
        name = "env"

        def deliver(self, variable, value):
            raise RevokerError("sink env: disk full")

    run_all(rotator(world, sinks={"env": Broken()}), world)
    for vendor in VENDORS:
        row = world["ledger"].get(world["rows"][vendor].id)
        assert (row.status, row.step, row.phase) == ("failed", "deliver", "started")
        assert "disk full" in row.last_error and row.next_attempt
        assert world["leaked"][vendor].revoked_at is None
    run_all(rotator(world), world)
    for vendor in VENDORS:
        assert_rotated_once(world, vendor)


@pytest.mark.parametrize("before", [False, True], ids=["after-call", "before-call"])
def test_a_crash_at_any_call_converges_to_one_new_key_and_one_revoked_key(
    emulator, client, tmp_path, before
):
    """Crash after (or before) the n-th vendor or sink call, for every n a rotation makes, then
    start again: every time the same end state."""
    n = 1
    while True:
        world_dir = tmp_path / f"{n}"
        world_dir.mkdir()
        gen = make_world(emulator, client, world_dir)
        world = next(gen)
        calls: list[str] = []
        trip = {v: Tripwire(s, calls, n, before) for v, s in world["services"].items()}
        sink = Tripwire(DotenvSink("env", str(world["env"])), calls, n, before)
        try:
            run_all(rotator(world, services=trip, sinks={"env": sink}), world)
            crashed = False
        except Crash:
            crashed = True
        run_all(rotator(world), world)  # started again, no crash
        run_all(rotator(world), world)  # and once more: nothing changes
        for vendor in VENDORS:
            assert_rotated_once(world, vendor)
        gen.close()
        if not crashed:
            break
        n += 1
    assert n > 12  # every call of both rotations got its crash


def test_a_key_whose_value_is_lost_is_retried_then_handed_to_the_owner(world):
    from revoker.workflow import LOST_TRIES

    recorder = Recorder()
    rot = rotator(world, notifier=recorder)
    row_id = world["rows"]["helicone"].id
    for attempt in range(1, LOST_TRIES):
        row = rot.lost(world["ledger"].get(row_id))
        assert (row.status, row.attempts) == ("blocked", attempt)
        assert row.last_error == "the key is no longer at app.py:1" and row.next_attempt
        assert recorder.events == []
    row = rot.lost(world["ledger"].get(row_id))
    assert row.status == "manual" and "rotate it by hand" in row.last_error
    assert [e["event"] for e in recorder.events] == ["manual"] and recorder.events[0]["playbook"]
    assert world["leaked"]["helicone"].revoked_at is None  # nothing was touched
    assert not any(k.name.startswith("leakbot-") for k in world["state"].keys)
