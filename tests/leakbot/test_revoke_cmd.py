"""The revoker as a new user meets it: `leakbot emulate` running, `.leakbot.toml` pointing Helicone
and DevHelm at it, a repository with a live and a revoked key of each; then `git --verify`,
`revoke` (dry run), `revoke --execute` twice, `status`. Real processes, real HTTP, real SQLite,
and kill -9 in the middle of a rotation."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from revoker.notify import sign
from tests import state
from tests.emulation import Receiver, emulator_keys, emulator_process, leakbot
from tests.gitrepo import GitRepo
from tests.needs import need

SINK_SCRIPT = """\
import json, sys
value = sys.stdin.read()
with open(sys.argv[1], "a") as fh:
    fh.write(json.dumps({"argv": sys.argv, "got_value": len(value) > 20}) + "\\n")
"""


def _setup(
    tmp: Path, keys: dict, hook_url: str, state_url: str = ""
) -> tuple[Path, dict[str, str]]:
    repo = GitRepo(tmp / "service")
    repo.commit("settings", {"app/settings.py": (
        f'HELICONE_API_KEY = "{keys["helicone"]["live"]}"\n'
        f'HELICONE_OLD = "{keys["helicone"]["revoked"]}"  # helicone\n'
        f'DEVHELM_API_TOKEN = "{keys["devhelm"]["live"]}"\n'
        f'DEVHELM_TOKEN_OLD = "{keys["devhelm"]["revoked"]}"  # devhelm\n'
    )})  # fmt: skip
    (tmp / "sink.py").write_text(SINK_SCRIPT)
    url = keys["url"]
    (tmp / ".leakbot.toml").write_text(f"""\
version = 1
lease = "1s"  # a claim left by a killed run is taken over after 1 s (60 s by default)

[vendors.helicone]
base_url = "{url}"
eu_base_url = "{url}"
admin_env = "HELICONE_ADMIN_KEY"
timeout = 1
policy = "auto"
deliver = ["app-env", "ci-secret"]

[vendors.devhelm]
base_url = "{url}"
admin_env = "DEVHELM_ADMIN_TOKEN"
timeout = 1
policy = "auto"
deliver = ["app-env"]

[sinks.app-env]
type = "dotenv"
path = "{tmp / "deploy.env"}"

[sinks.ci-secret]
type = "command"
command = ["{sys.executable}", "{tmp / "sink.py"}", "{tmp / "sink-calls.jsonl"}", "{{name}}"]

[[notify]]
type = "webhook"
url = "{hook_url}"
secret_env = "LEAKBOT_WEBHOOK_SECRET"
""")
    env = {
        "HELICONE_ADMIN_KEY": keys["helicone"]["admin"],
        "DEVHELM_ADMIN_TOKEN": keys["devhelm"]["admin"],
        "LEAKBOT_WEBHOOK_SECRET": "whsec-test-" + "x" * 24,
        "LEAKBOT_STATE": state_url or str(tmp / "state.db"),
    }
    return repo.path, env


def _leakbot_keys(url: str, vendor: str) -> list[dict]:
    return [k for k in emulator_keys(url) if k["vendor"] == vendor and
            k["name"].startswith("leakbot-")]  # fmt: skip


def _by_hash(url: str, secret: str) -> dict:
    digest = hashlib.sha256(f"Bearer {secret}".encode()).hexdigest()
    return next(k for k in emulator_keys(url) if k["hash"] == digest)


def _assert_converged(tmp: Path, keys: dict) -> None:
    """Per vendor: exactly one live key made by leakbot, its value in deploy.env, the leak revoked."""
    env_file = (tmp / "deploy.env").read_text()
    for vendor, variable in (("helicone", "HELICONE_API_KEY"), ("devhelm", "DEVHELM_API_TOKEN")):
        live = [k for k in _leakbot_keys(keys["url"], vendor) if not k["revoked"]]
        assert len(live) == 1, _leakbot_keys(keys["url"], vendor)
        assert _by_hash(keys["url"], keys[vendor]["live"])["revoked"]
        value = next(line.split("=", 1)[1] for line in env_file.splitlines()
                     if line.startswith(variable + "="))  # fmt: skip
        assert _by_hash(keys["url"], value) == live[0]
    assert os.stat(tmp / "deploy.env").st_mode & 0o777 == 0o600


def _assert_one_rotated_webhook_per_vendor(receiver: Receiver) -> None:
    rotated = [json.loads(body) for _, body in receiver.received]
    assert sorted(e["vendor"] for e in rotated if e["event"] == "rotated") == ["devhelm",
                                                                              "helicone"]  # fmt: skip


def _secrets(tmp: Path, keys: dict) -> list[str]:
    """Every key value in play: the emulator's (leaked, revoked, admin) and the new ones."""
    values = [v for vendor in keys.values() if isinstance(vendor, dict) for v in vendor.values()]
    if (tmp / "deploy.env").exists():
        values += [line.split("=", 1)[1] for line in (tmp / "deploy.env").read_text().splitlines()]
    return [v for v in values if len(v) > 20]


def test_verify_then_revoke_rotates_each_live_key_once(tmp_path, state_url):
    receiver = Receiver()
    try:
        with emulator_process(tmp_path, "--auth-cache", "1") as (_, keys):
            repo, env = _setup(tmp_path, keys, receiver.url, state_url)
            outputs = []

            scan = leakbot("git", str(repo), "--verify", "--format", "json", "-o",
                           str(tmp_path / "report.json"), cwd=tmp_path, env=env)  # fmt: skip
            outputs.append(scan)
            assert scan.returncode == 1, scan.stderr
            report = json.loads((tmp_path / "report.json").read_text())
            statuses = sorted(
                (f["vendor"], f["verification"]["status"]) for f in report["findings"]
            )
            assert statuses == [("devhelm", "dead"), ("devhelm", "live"), ("helicone", "dead"),
                                ("helicone", "live")]  # fmt: skip

            before = emulator_keys(keys["url"])
            plan = leakbot("revoke", cwd=tmp_path, env=env)
            outputs.append(plan)
            assert plan.returncode == 0, plan.stderr
            assert plan.stdout.count("rotate: reissue") == 2 and "dry run" in plan.stderr
            assert emulator_keys(keys["url"]) == before  # a dry run changes nothing
            planned = json.loads(
                leakbot("revoke", "--format", "json", cwd=tmp_path, env=env).stdout
            )
            assert planned["execute"] is False and "still_open" not in planned
            assert [r["decision"]["action"] for r in planned["rotations"]] == ["rotate", "rotate"]

            done = leakbot("revoke", "--execute", "--format", "json", cwd=tmp_path, env=env)
            outputs.append(done)
            assert done.returncode == 0, done.stderr
            assert done.stderr.count("rotated") == 2
            acted = json.loads(done.stdout)
            assert acted["still_open"] == 0 and {r["vendor"] for r in acted["rotations"]} == {
                "helicone", "devhelm"}  # fmt: skip
            assert [r["after"]["status"] for r in acted["rotations"]] == ["done", "done"]
            assert all(r["after"]["new_key_id"] for r in acted["rotations"])
            _assert_converged(tmp_path, keys)

            after = emulator_keys(keys["url"])
            again = leakbot("revoke", "--execute", cwd=tmp_path, env=env)
            outputs.append(again)
            assert again.returncode == 0 and "nothing open" in again.stderr
            assert emulator_keys(keys["url"]) == after

            status = leakbot("status", "--format", "json", cwd=tmp_path, env=env)
            outputs.append(status)
            rows = json.loads(status.stdout)["rotations"]
            assert sorted(r["status"] for r in rows) == ["dead", "dead", "done", "done"]
            outputs.append(leakbot("status", cwd=tmp_path, env=env))
    finally:
        receiver.close()

    # The signed webhook: one "rotated" event per live key, signature checks out.
    events = []
    for headers, body in receiver.received:
        expected = sign(env["LEAKBOT_WEBHOOK_SECRET"].encode(), headers["X-Leakbot-Timestamp"],
                        body)  # fmt: skip
        assert headers["X-Leakbot-Signature"] == expected
        events.append(json.loads(body)["event"])
    assert events == ["rotated", "rotated"]

    # The command sink got the value on stdin, never on its argv.
    calls = [json.loads(line) for line in (tmp_path / "sink-calls.jsonl").read_text().splitlines()]
    assert len(calls) == 1 and calls[0]["got_value"] and calls[0]["argv"][-1] == "HELICONE_API_KEY"

    # No raw secret, leaked or new, in any output, the database, the report, a webhook or argv.
    places = {f"{i}:{name}": text for i, out in enumerate(outputs)
              for name, text in (("stdout", out.stdout), ("stderr", out.stderr))}  # fmt: skip
    for path in tmp_path.glob("state.db*"):
        places[path.name] = path.read_bytes().decode("latin-1")
    places["ledger"] = json.dumps([state.rows(state_url), state.events(state_url)])  # PG too
    places["report"] = (tmp_path / "report.json").read_text()
    places["webhooks"] = "".join(body.decode() for _, body in receiver.received)
    places["argv"] = (tmp_path / "sink-calls.jsonl").read_text()
    secrets = _secrets(tmp_path, keys)
    assert len(secrets) >= 8
    for where, text in places.items():
        for secret in secrets:
            assert secret not in text, f"a raw secret in {where}"


# Where each run is killed: the moment the vendor holds a new key leakbot has not yet recorded,
# then with a step written down as started and its vendor call in flight (the emulator answers
# after 0.15 s, so the window is wide), for each vendor in the order the rows are worked.
KILL_POINTS = [("helicone", "new key at the vendor"), ("helicone", "verify_new"),
               ("helicone", "revoke"), ("helicone", "confirm"),
               ("devhelm", "new key at the vendor"), ("devhelm", "revoke")]  # fmt: skip


def _row_at(where: Path, vendor: str, step: str) -> bool:
    return any((r["step"], r["phase"]) == (step, "started") for r in state.rows(where)
               if r["vendor"] == vendor)  # fmt: skip


def _reached(point: tuple[str, str], url: str, state: Path) -> bool:
    vendor, step = point
    if step == "new key at the vendor":
        return bool(_leakbot_keys(url, vendor))
    return _row_at(state, vendor, step)


def _kill_at(point: tuple[str, str], argv: list[str], env: dict[str, str], cwd: Path,
             url: str) -> None:  # fmt: skip
    """Run until `point`, SIGKILL, then wait out the killed run's lease (1 s in this config), so
    the next run may take its row over instead of passing it by for the other vendor's."""
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.time() + 60
        while not _reached(point, url, env["LEAKBOT_STATE"]):
            assert proc.poll() is None, f"the run ended before {point}"
            assert time.time() < deadline, f"{point} not reached in 60 s"
            time.sleep(0.01)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    time.sleep(1.2)


def test_kill_9_at_each_step_then_a_restart_converges(tmp_path, state_url):
    """SIGKILL at chosen points of the ledger's workflow (not at random times, so every run proves
    the same thing); each restart picks up where the ledger says, and nothing is done twice."""
    receiver = Receiver()
    try:
        with emulator_process(tmp_path, "--latency", "0.15", "--auth-cache", "1") as (_, keys):
            repo, env = _setup(tmp_path, keys, receiver.url, state_url)
            assert leakbot("git", str(repo), "--verify", "-q", cwd=tmp_path, env=env).returncode
            argv = [sys.executable, "-m", "leakbot", "revoke", "--execute"]
            for point in KILL_POINTS:
                _kill_at(point, argv, {**os.environ, **env}, tmp_path, keys["url"])

            # A key whose value died with a killed run (after reissue, before verify_new was done)
            # is replaced and the lost one revoked: twice for Helicone, once for DevHelm.
            vendor_of = {r["id"]: r["vendor"] for r in state.rows(state_url)}
            replaced = Counter(vendor_of[row] for row, _, _, detail in
                               state.events(state_url)
                               if detail.startswith("replaced a key whose value"))  # fmt: skip
            assert replaced == {"helicone": 2, "devhelm": 1}

            final = leakbot("revoke", "--execute", cwd=tmp_path, env=env)
            assert final.returncode == 0, final.stdout + final.stderr
            _assert_converged(tmp_path, keys)
            after = emulator_keys(keys["url"])
            assert leakbot("revoke", "--execute", cwd=tmp_path, env=env).returncode == 0
            assert emulator_keys(keys["url"]) == after
    finally:
        receiver.close()
    _assert_one_rotated_webhook_per_vendor(receiver)


def test_two_executions_at_once_rotate_each_key_once(tmp_path, state_url):
    """Two `revoke --execute` processes on one ledger (PostgreSQL, as CI jobs and a bot on other
    hosts would share it; SQLite too): the leases keep them off each other's rows."""
    receiver = Receiver()
    try:
        with emulator_process(tmp_path, "--latency", "0.05", "--auth-cache", "1") as (_, keys):
            repo, env = _setup(tmp_path, keys, receiver.url, state_url)
            assert leakbot("git", str(repo), "--verify", "-q", cwd=tmp_path, env=env).returncode
            argv = [sys.executable, "-m", "leakbot", "revoke", "--execute"]
            procs = [subprocess.Popen(argv, cwd=tmp_path, env={**os.environ, **env},
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for _ in range(2)]  # fmt: skip
            outs = [proc.communicate(timeout=120) for proc in procs]
            assert all(proc.returncode in (0, 1) for proc in procs), outs
            final = leakbot("revoke", "--execute", cwd=tmp_path, env=env)
            assert final.returncode == 0, final.stdout + final.stderr
            _assert_converged(tmp_path, keys)
            for vendor in ("helicone", "devhelm"):  # one new key each: nobody reissued twice
                assert len(_leakbot_keys(keys["url"], vendor)) == 1
    finally:
        receiver.close()
    _assert_one_rotated_webhook_per_vendor(receiver)


@pytest.mark.parametrize("faults", [["--error-rate", "0.3"], ["--drop-rate", "0.2"],
                                    ["--error-rate", "0.3", "--error-status", "429"],
                                    ["--hang-rate", "0.15"]],
                         ids=["500s", "dropped", "429s", "timeouts"])  # fmt: skip
def test_faults_converge_to_the_same_end_state(tmp_path, faults):
    receiver = Receiver()
    try:
        with emulator_process(tmp_path, "--auth-cache", "1", "--seed", "faults", *faults) as (
            _,
            keys,
        ):
            repo, env = _setup(tmp_path, keys, receiver.url)
            leakbot("git", str(repo), "--verify", "-q", cwd=tmp_path, env=env)
            for _ in range(25):
                run = leakbot("revoke", "--execute", cwd=tmp_path, env=env)
                assert run.returncode in (0, 1), run.stderr
                if run.returncode == 0 and "nothing open" in run.stderr:
                    break
            else:
                pytest.fail("did not converge in 25 runs")
            _assert_converged(tmp_path, keys)
    finally:
        receiver.close()


def test_the_readme_rehearsal_runs_as_written(tmp_path):
    """The README's "Rehearse it" block, pasted into bash (on a free port instead of 8787)."""
    need("jq", "the README's rehearsal reads the emulator's answers with it")
    need("curl", "the README's rehearsal asks the emulator with it")
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    block = readme.split("**Rehearse it**", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    block = block.replace("8787", str(port))
    bin_dir = str(Path(sys.executable).parent)  # leakbot's console script sits beside python
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ["PATH"]}
    for name in ("LEAKBOT_CONFIG", "LEAKBOT_STATE", "HELICONE_ADMIN_KEY", "DEVHELM_ADMIN_TOKEN"):
        env.pop(name, None)
    assert block.rstrip().splitlines()[-1].startswith("kill %1")  # it says how to stop it
    script = f"{block}\nwait\n"  # as pasted: no set -e (a scan with findings exits 1)
    proc = subprocess.Popen(["bash", "-c", script], cwd=tmp_path, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)  # fmt: skip
    try:
        out, err = proc.communicate(timeout=120)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # the emulator too, whatever happened
    done = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("[LIVE]") == 2 and done.stdout.count("[DEAD]") == 2, done.stdout
    assert done.stderr.count(": rotated (new key") == 2, done.stderr
    folder = tmp_path / "rehearsal"
    names = [line.split("=", 1)[0] for line in (folder / "rehearsal.env").read_text().splitlines()]
    assert names == ["HELICONE_API_KEY", "DEVHELM_API_TOKEN"]
    states = [json.loads(line) for line in done.stdout.splitlines() if line.startswith('{"vendor"')]
    for vendor in ("helicone", "devhelm"):
        mine = [s for s in states if s["vendor"] == vendor]
        assert [s["revoked"] for s in mine if s["name"] == "ci-pipeline"] == [True]
        assert [s["revoked"] for s in mine if s["name"].startswith("leakbot-")] == [False]
    keys = json.loads((folder / "emulator.json").read_text())
    for vendor in ("helicone", "devhelm"):
        for secret in (keys[vendor]["live"], keys[vendor]["revoked"]):
            assert secret not in done.stdout and secret not in done.stderr  # never the key
