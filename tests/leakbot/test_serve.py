"""`leakbot serve` as it runs unattended: `leakbot emulate` + the bot watching a repository and a
log file; a commit and a log line with live keys get rotated without a human; SIGKILL at random
moments loses nothing and rotates nothing twice; GitHub's signed alerts are taken, forged ones
refused."""

from __future__ import annotations

import base64
import json
import random
import time
from pathlib import Path

import httpx
import pytest

from leakbot.commands.emulate_cmd import rehearsal_config
from tests import state
from tests.emulation import (
    Bot,
    Receiver,
    emulator_keys,
    emulator_process,
    leakbot,
    wait_until,
)
from tests.gitrepo import GitRepo


def _scrape(url: str) -> dict[str, float]:
    """A /metrics page as Prometheus reads it: every sample by name and labels."""
    from prometheus_client.parser import text_string_to_metric_families

    answer = httpx.get(url, timeout=5)
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    out = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            out[sample.name + (f"{{{labels}}}" if labels else "")] = sample.value
    return out


def _config(tmp: Path, url: str, hook: str, every: str = "1s") -> None:
    (tmp / ".leakbot.toml").write_text(
        # a claim left by a killed bot is taken over after 1 s (60 s by default)
        rehearsal_config(url, "deploy.env", timeout=3).replace(
            "version = 1\n", 'version = 1\nlease = "1s"\n', 1
        )
        + f"""\
[[notify]]
type = "webhook"
url = "{hook}"
secret_env = "HOOK_SECRET"
[[targets]]
name = "service"
repo = "{tmp / "service"}"
every = "{every}"
[[targets]]
name = "api-logs"
logs = ["{tmp / "logs"}/*.log*"]
every = "{every}"
[serve]
retry_every = "2s"
"""
    )


def _env(tmp: Path, keys: dict, state_url: str = "") -> dict[str, str]:
    return {"HELICONE_ADMIN_KEY": keys["helicone"]["admin"],
            "DEVHELM_ADMIN_TOKEN": keys["devhelm"]["admin"],
            "HOOK_SECRET": "hook-secret-for-tests", "LEAKBOT_STATE": state_url or str(tmp / "state.db")}  # fmt: skip


def _rows(tmp: Path, state_url: str = "") -> list[dict]:
    return state.rows(state_url or tmp / "state.db")


def _new_leak(url: str, keys: dict, vendor: str, name: str) -> str:
    """A fresh live key of the emulated organisation, made through its own key API."""
    with httpx.Client(timeout=5) as client:
        if vendor == "helicone":
            r = client.post(f"{url}/v1/api-keys", json={"api_key_name": name},
                            headers={"Authorization": f"Bearer {keys['helicone']['admin']}"})  # fmt: skip
            return r.json()["apiKey"]
        r = client.post(f"{url}/api/v1/api-keys", json={"name": name},
                        headers={"Authorization": f"Bearer {keys['devhelm']['admin']}"})  # fmt: skip
        return r.json()["data"]["key"]


def _assert_each_rotated_once(tmp: Path, url: str, leaked: list[str], state_url: str = "") -> None:
    import hashlib

    rows = _rows(tmp, state_url)
    by_sha = {r["secret_sha256"]: r for r in rows}
    view = emulator_keys(url)
    for secret in leaked:
        row = by_sha[hashlib.sha256(secret.encode()).hexdigest()]  # nothing lost
        assert row["status"] == "done", row
        made = [k for k in view if k["name"] == row["new_key_name"]]
        assert [k["revoked"] for k in made].count(False) == 1, made
        old = hashlib.sha256(f"Bearer {secret}".encode()).hexdigest()
        assert next(k for k in view if k["hash"] == old)["revoked"]
    live_made = [k for k in view if k["name"].startswith("leakbot-") and not k["revoked"]]
    assert len(live_made) == len(leaked)  # no duplicate key anywhere


def test_a_commit_and_a_log_line_are_rotated_without_a_human(tmp_path):
    receiver = Receiver()
    try:
        with emulator_process(tmp_path, "--auth-cache", "1") as (_, keys):
            url = keys["url"]
            repo = GitRepo(tmp_path / "service")
            repo.commit("init", {"README": "service\n"})
            (tmp_path / "logs").mkdir()
            (tmp_path / "logs" / "api.log").write_text("level=info msg=start\n")
            _config(tmp_path, url, receiver.url, every="2s")
            bot = Bot(tmp_path, _env(tmp_path, keys))
            base = bot.url()
            time.sleep(2.5)  # the first runs: nothing to find
            leaked = [keys["helicone"]["live"], keys["devhelm"]["live"]]
            start = time.time()
            repo.commit("oops", {"settings.py": f'HELICONE_API_KEY = "{leaked[0]}"\n'})
            with open(tmp_path / "logs" / "api.log", "a") as fh:
                fh.write(f"level=debug env DEVHELM_API_TOKEN={leaked[1]}\n")
            done = wait_until(lambda: [r for r in _rows(tmp_path) if r["status"] == "done"]
                              if len(_rows(tmp_path)) == 2 and all(r["status"] == "done"
                                                                   for r in _rows(tmp_path)) else None,
                              timeout=60)  # fmt: skip
            took = time.time() - start
            assert done, (_rows(tmp_path), bot.messages())
            assert took < 2 * 2 + 8, took  # two ticks, plus the rotation's own checks
            health = httpx.get(f"{base}/healthz", timeout=5).json()
            assert health["status"] == "ok" and {t["name"] for t in health["targets"]} == {
                "service", "api-logs"}  # fmt: skip
            metrics = _scrape(f"{base}/metrics")
            assert metrics['leakbot_ledger_keys{state="done",vendor="helicone"}'] == 1
            assert metrics['leakbot_ledger_keys{state="done",vendor="devhelm"}'] == 1
            assert metrics["leakbot_revocation_latency_seconds_count"] == 2
            assert metrics['leakbot_findings_total{vendor="helicone"}'] == 1
            for target in ("service", "api-logs"):
                when = metrics[
                    f'leakbot_target_last_success_timestamp_seconds{{target="{target}"}}'
                ]
                assert time.time() - 120 < when <= time.time()
            build = next(k for k in metrics if k.startswith("leakbot_build_info{"))
            assert 'version="' in build and metrics[build] == 1
            assert bot.stop() == 0
            assert any(m == "stopped" for m in bot.messages())
            _assert_each_rotated_once(tmp_path, url, leaked)
            status = leakbot("status", cwd=tmp_path, env=_env(tmp_path, keys)).stdout
            assert "service" in status and "api-logs" in status and "2 done" in status
            # stopped: no next runs shown
            assert [t.next_run for t in state.targets(tmp_path / "state.db")] == [None, None]
            assert sorted(line.split("=", 1)[0] for line in
                          (tmp_path / "deploy.env").read_text().splitlines()) == [
                "DEVHELM_API_TOKEN", "HELICONE_API_KEY"]  # fmt: skip
    finally:
        receiver.close()
    events = [json.loads(body)["event"] for _, body in receiver.received]
    assert events.count("rotated") == 2
    logged = "".join(bot.lines)
    assert all(secret not in logged for secret in leaked)
    assert all(json.loads(line) for line in bot.lines)  # structured: one JSON object a line


def test_sigkill_at_random_moments_loses_nothing_and_rotates_once(tmp_path, state_url):
    rng = random.Random(20261123)
    receiver = Receiver()
    try:
        with emulator_process(tmp_path, "--auth-cache", "0.5", "--latency", "0.02") as (_, keys):
            url = keys["url"]
            repo = GitRepo(tmp_path / "service")
            repo.commit("init", {"README": "service\n"})
            (tmp_path / "logs").mkdir()
            log = tmp_path / "logs" / "api.log"
            log.write_text("")
            _config(tmp_path, url, receiver.url, every="0.5s")
            env = _env(tmp_path, keys, state_url)
            leaked: list[str] = []
            for n in range(20):
                # a new leak every other cycle, in git or the log; each key an app's own (its
                # own variable: two keys never share a slot)
                if n < 12 and n % 2 == 0:
                    vendor = "helicone" if n % 4 == 0 else "devhelm"
                    secret = _new_leak(url, keys, vendor, f"leak-{n}")
                    leaked.append(secret)
                    if n % 4 == 0:
                        repo.commit(
                            f"leak {n}", {f"conf{n}.py": f'HELICONE_API_KEY_{n} = "{secret}"\n'}
                        )
                    else:
                        with open(log, "a") as fh:
                            fh.write(f"n={n} DEVHELM_API_TOKEN_{n}={secret}\n")
                bot = Bot(tmp_path, env)
                bot.url()
                time.sleep(rng.uniform(0.1, 2.0))
                bot.kill()
            bot = Bot(tmp_path, env)
            bot.url()
            settled = wait_until(lambda: len(_rows(tmp_path, state_url)) == len(leaked) and all(
                r["status"] == "done" for r in _rows(tmp_path, state_url)), timeout=90)  # fmt: skip
            assert settled, (_rows(tmp_path, state_url), bot.messages()[-20:])
            assert bot.stop() == 0
            _assert_each_rotated_once(tmp_path, url, leaked, state_url)
    finally:
        receiver.close()


# -- GitHub's secret-scanning alerts (in-process: a Bot, its web side, a fake key list) ----------


@pytest.fixture
def alert_bot(tmp_path, monkeypatch):
    import logging
    from concurrent.futures import ThreadPoolExecutor

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from leakbot import config as config_mod
    from leakbot.bot.core import Bot as InProcessBot
    from leakbot.store import locate, open_store
    from leakbot.web.alerts import GitHubKeys
    from leakbot.web.app import build
    from leakbot.web.auth import Auth
    from leakbot.web.server import WebServer
    from leakbot.web.site import Alerts, Site
    from revoker.emulator.server import Server
    from revoker.emulator.state import State
    from tests.emulation import JSONHandler, serve

    github_key = ec.generate_private_key(ec.SECP256R1())
    pem = (
        github_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )

    class GitHubMeta(JSONHandler):
        def do_GET(self):
            self.reply(200, {"public_keys": [{"key_identifier": "kid-1", "key": pem,
                                              "is_current": True}]})  # fmt: skip

    meta, meta_url = serve(GitHubMeta)
    emulator = Server(State(seed="alerts"))
    emulator.start()
    admin = emulator.state.add("devhelm", "admin")
    (tmp_path / ".leakbot.toml").write_text(
        f'version = 1\n[vendors.devhelm]\nbase_url = "{emulator.url}"\n'
        f'admin_env = "DH_ADMIN"\npolicy = "auto"\ndeliver = ["env"]\n'
        f'[sinks.env]\ntype = "dotenv"\npath = "deploy.env"\n')  # fmt: skip
    monkeypatch.setenv("DH_ADMIN", admin.secret)
    cfg = config_mod.load(str(tmp_path / ".leakbot.toml"))
    store = open_store(locate(str(tmp_path / "state.db")))
    bot = InProcessBot(cfg, store, logging.getLogger("test.bot"))
    pool = ThreadPoolExecutor(1)  # the scheduler's rotate executor, as serve has it
    counted: list[str] = []
    held: list = []  # work a test holds back instead of running it

    def later(work):
        held.append(work) if held else pool.submit(work)

    site = Site(store=store, auth=Auth.from_env("NO_SUCH_TOKEN_ENV", "NO_SUCH_VIEWER_ENV"),
                alerts=Alerts(GitHubKeys(bot.client, meta_url),
                              lambda alerts: bot.alert(alerts, later)),
                count_alert=counted.append)  # fmt: skip
    web = WebServer(build(site), "127.0.0.1", 0)
    web.start()
    yield {"bot": bot, "web": web, "key": github_key, "emulator": emulator, "store": store,
           "counted": counted, "held": held}  # fmt: skip
    web.stop()
    pool.shutdown(wait=True)
    bot.close()
    store.close()
    emulator.shutdown()
    emulator.server_close()
    meta.shutdown()


def _post(web, body: bytes, key=None, key_id="kid-1") -> httpx.Response:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    headers = {"Content-Type": "application/json"}
    if key is not None:
        signature = key.sign(body, ec.ECDSA(hashes.SHA256()))
        headers["Github-Public-Key-Identifier"] = key_id
        headers["Github-Public-Key-Signature"] = base64.b64encode(signature).decode()
    return httpx.post(f"{web.url}/github/secret-scanning", content=body, headers=headers,
                      timeout=10)  # fmt: skip


def test_a_signed_alert_is_verified_rotated_and_answered(alert_bot, tmp_path):
    import hashlib

    from cryptography.hazmat.primitives.asymmetric import ec

    state = alert_bot["emulator"].state
    live = state.add("devhelm", "ci")
    dead = state.add("devhelm", "old", revoked=True)
    alerts = [{"token": live.secret, "type": "devhelm_api_key", "url": "https://github.com/o/r/blob/x/a.py",
               "source": "content"},
              {"token": dead.secret, "type": "devhelm_api_key", "url": "https://gist.github.com/x",
               "source": "gist"}]  # fmt: skip
    body = json.dumps(alerts).encode()

    forged = _post(alert_bot["web"], body, ec.generate_private_key(ec.SECP256R1()))
    unsigned = _post(alert_bot["web"], body)
    unknown_id = _post(alert_bot["web"], body, alert_bot["key"], key_id="kid-9")
    assert (forged.status_code, unsigned.status_code, unknown_id.status_code) == (401, 401, 401)
    assert not (tmp_path / "deploy.env").exists() and live.revoked_at is None
    assert _rows(tmp_path) == []  # nothing recorded

    answer = _post(alert_bot["web"], body, alert_bot["key"])
    assert answer.status_code == 200
    assert answer.json() == []  # answered at once: no verdict is known yet, none is made up
    assert wait_until(lambda: live.revoked_at is not None, timeout=30)  # rotated off the request
    new = [k for k in state.keys if k.name.startswith("leakbot-")]
    assert len(new) == 1
    assert wait_until(lambda: (tmp_path / "deploy.env").exists() and (
        tmp_path / "deploy.env").read_text() == f"DEVHELM_API_TOKEN={new[0].secret}\n", timeout=10)  # fmt: skip

    sha = {a["token"]: hashlib.sha256(a["token"].encode()).hexdigest() for a in alerts}
    again = _post(alert_bot["web"], body, alert_bot["key"])  # GitHub sends them again
    assert sorted(again.json(), key=lambda a: a["label"]) == [
        {"token_hash": sha[dead.secret], "token_type": "devhelm_api_key",
         "label": "false_positive"},
        {"token_hash": sha[live.secret], "token_type": "devhelm_api_key",
         "label": "true_positive"},
    ]  # fmt: skip
    assert len([k for k in state.keys if k.name.startswith("leakbot-")]) == 1  # not twice
    assert _post(alert_bot["web"], b"not json", alert_bot["key"]).status_code == 400
    counted = alert_bot["counted"]
    assert counted.count("rejected_401") == 3 and counted.count("accepted") == 2, counted


def test_a_thousand_alerted_tokens_are_answered_in_under_a_second(alert_bot):
    import time

    state = alert_bot["emulator"].state
    alerts = [{"token": state.add("devhelm", f"k{n}").secret, "type": "devhelm_api_key",
               "url": f"https://gist.github.com/{n}"} for n in range(1000)]  # fmt: skip
    body = json.dumps(alerts).encode()
    alert_bot["held"].append(None)  # the verification is queued, not run, here
    started = time.monotonic()
    answer = _post(alert_bot["web"], body, alert_bot["key"])
    took = time.monotonic() - started
    assert answer.status_code == 200 and took < 1.0, took
    assert len(alert_bot["held"]) == 2  # queued as one piece of work, off the request


def test_an_alerted_key_lost_in_a_restart_goes_to_the_owner_not_into_silence(alert_bot, tmp_path):
    import logging

    from leakbot import config as config_mod
    from leakbot.bot.core import Bot as InProcessBot
    from revoker.workflow import LOST_TRIES

    live = alert_bot["emulator"].state.add("devhelm", "ci")
    alert = {"token": live.secret, "type": "devhelm_api_key", "url": "https://gist.github.com/y"}
    alert_bot["bot"].alert([alert], later=lambda _: None)  # killed before the rotation ran
    cfg = config_mod.load(str(tmp_path / ".leakbot.toml"))
    store = alert_bot["store"]
    restarted = InProcessBot(cfg, store, logging.getLogger("test.bot"))
    try:
        for _ in range(LOST_TRIES):
            (row,) = store.ledger.rows()
            store.ledger.update(row.id, next_attempt=0)
            restarted.retry()
    finally:
        restarted.close()
    (row,) = _rows(tmp_path)
    assert row["status"] == "manual" and "gist.github.com/y" in row["last_error"]
    assert live.revoked_at is None  # nothing leakbot could not finish was started


def test_serve_config_errors_name_the_file_and_key(tmp_path, capsys):
    from leakbot.cli import main

    cases = {
        "version = 1\n[[targets]]\nevery = '1s'\n": "needs one of repo",
        "version = 1\n[[targets]]\nrepo = '.'\n": "needs one of every",
        "version = 1\n[[targets]]\nrepo = '.'\nevery = 'soon'\n": "every: a duration",
        "version = 1\n[[targets]]\nrepo = '.'\ncron = 'every day'\n": "cron:",
        "version = 1\n[[targets]]\nlogs = []\nevery = '1s'\n": "at least one glob",
        "version = 1\n[serve]\nlisten = 'nowhere'\n": "listen must be HOST:PORT",
        "version = 1\n[[targets]]\nrepo = 'a'\nevery = 1\n[[targets]]\nrepo = 'a'\nevery = 2\n":
            "two targets named 'a'",
        "version = 1\n[[targets]]\norg = 'acme'\nrepo = '.'\nevery = '1h'\n": "needs one of",
        "version = 1\n[[targets]]\norg = '../etc'\nevery = '1h'\n": "organisation's name",
        "version = 1\n[[targets]]\norg = 'acme'\nevery = '1h'\ninclude = 'api'\n":
            "include must be a list",
        "version = 1\n[[targets]]\norg = 'acme'\nevery = '1h'\napp_id = '1'\n":
            "needs both app_id and app_key_file",
        "version = 1\n[[targets]]\norg = 'acme'\nevery = '1h'\ngithub_url = 'http://gh.corp'\n":
            "github_url must be https://",
        "version = 1\n[[targets]]\norg = 'acme'\nevery = '1h'\nforks = 'yes'\n":
            "forks must be true or false",
        "version = 1\n[[targets]]\norg = 'acme'\nevery = '1h'\nmirrors = 0\n":
            "mirrors must be a positive",
        "version = 1\n[[targets]]\nrepo = '.'\nevery = '1h'\ninclude = ['x']\n":
            "unknown key 'include'",
    }  # fmt: skip
    for text, message in cases.items():
        (tmp_path / ".leakbot.toml").write_text(text)
        assert main(["serve", "--once", "--config", str(tmp_path / ".leakbot.toml")]) == 2
        err = capsys.readouterr().err
        assert ".leakbot.toml" in err and message in err, (text, err)


def test_once_exits_1_naming_a_target_that_could_not_be_scanned(tmp_path, capsys, monkeypatch):
    from leakbot.cli import main

    monkeypatch.setenv("LEAKBOT_STATE", str(tmp_path / "state.db"))
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "app.log").write_text("level=info\n")
    (tmp_path / ".leakbot.toml").write_text(
        f'version = 1\n[[targets]]\nname = "gone"\nrepo = "{tmp_path / "nowhere"}"\n'
        f'every = "1m"\n[[targets]]\nlogs = ["{logs}/*.log"]\nevery = "1m"\n'
    )
    config = str(tmp_path / ".leakbot.toml")
    assert main(["serve", "--once", "--config", config]) == 1
    assert "could not scan gone" in capsys.readouterr().err
    assert main(["status", "--state", str(tmp_path / "state.db")]) == 0
    out = capsys.readouterr().out
    assert "gone" in out and "error" in out and "nowhere: no such file or directory" in out
    (tmp_path / "nowhere").mkdir()
    GitRepo(tmp_path / "nowhere").commit("init", {"a.txt": "a\n"})
    assert main(["serve", "--once", "--config", config]) == 0


def test_targets_gone_from_the_config_leave_the_status(state_url):
    from leakbot.store import locate, open_store

    with open_store(locate(state_url)) as store:
        runs = store.runs
        for name in ("api", "old-logs"):
            runs.started(name, "git")
            runs.scheduled(name, "git", 1.0)
        runs.only(["api"])
        runs.unscheduled()
        assert [(r.name, r.next_run) for r in runs.all()] == [("api", None)]


def test_listen_on_the_command_line_keeps_the_rest_of_serve(tmp_path):
    from leakbot import config
    from leakbot.commands.serve_cmd import serve_settings
    from leakbot.errors import UsageError

    (tmp_path / ".leakbot.toml").write_text(
        "version = 1\n[serve]\nlisten = '127.0.0.1:9000'\nretry_every = '2s'\n"
        "github_keys_url = 'http://127.0.0.1:1/keys'\n"
    )
    cfg = config.load(str(tmp_path / ".leakbot.toml"))
    settings = serve_settings(cfg, "127.0.0.1:0")
    assert settings.listen == ("127.0.0.1", 0)
    assert settings.retry_every == 2.0
    assert settings.github_keys_url == "http://127.0.0.1:1/keys"
    assert serve_settings(cfg, None).listen == ("127.0.0.1", 9000)
    with pytest.raises(UsageError, match="--listen"):
        serve_settings(cfg, "nowhere")


def test_an_incomplete_target_run_keeps_its_findings_and_its_cursor(
    tmp_path, capsys, monkeypatch, keys
):
    from leakbot.cli import main

    monkeypatch.setenv("LEAKBOT_STATE", str(tmp_path / "state.db"))
    repo = GitRepo(tmp_path / "svc")
    repo.commit("one", {"a.env": f"DEVHELM_API_TOKEN={keys.rand('dh_live_', 32)}\n"})
    repo.commit("two", {"b.txt": "b\n"})
    tree = repo.git("rev-parse", "HEAD^{tree}")
    obj = repo.path / ".git" / "objects" / tree[:2] / tree[2:]
    whole = obj.read_bytes()
    obj.chmod(0o644)
    obj.write_bytes(whole[:12])  # a corrupt tree: git log stops, the blobs are still read
    (tmp_path / ".leakbot.toml").write_text(
        f'version = 1\n[[targets]]\nname = "svc"\nrepo = "{repo.path}"\nevery = "1m"\n'
    )
    config = str(tmp_path / ".leakbot.toml")
    assert main(["serve", "--once", "--config", config]) == 1
    assert "could not scan svc" in capsys.readouterr().err
    assert len(_rows(tmp_path)) == 1  # the key it did find is in the ledger
    assert main(["status", "--state", str(tmp_path / "state.db")]) == 0
    assert "git log stopped early" in capsys.readouterr().out
    obj.write_bytes(whole)  # repaired: the cursor did not move, so everything is scanned again
    assert main(["serve", "--once", "--config", config]) == 0


def test_the_readme_systemd_unit_is_valid_and_sandboxed(tmp_path):
    """The README's unit, as `systemd-analyze` reads it: valid, and rated OK (exposure <= 2.0)."""
    import re
    import subprocess
    import sys

    from tests.needs import need

    analyze = need(
        "systemd-analyze", "it checks the README's unit (Debian: apt-get install systemd)"
    )
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    unit = re.search(r"```ini\n# /etc/systemd/system/leakbot.service\n(.*?)```", readme, re.S)[1]
    leakbot_bin = Path(sys.executable).parent / "leakbot"
    path = tmp_path / "leakbot.service"
    path.write_text(unit.replace("/opt/leakbot/bin/leakbot", str(leakbot_bin)))
    verify = subprocess.run([analyze, "verify", "--man=no", str(path)], capture_output=True,
                            text=True)  # fmt: skip
    assert verify.returncode == 0, verify.stdout + verify.stderr
    security = subprocess.run([analyze, "security", "--offline=true", "--threshold=20", str(path)],
                              capture_output=True, text=True)  # fmt: skip
    assert security.returncode == 0, security.stdout[-2000:]
    assert "Overall exposure level for leakbot.service: 1." in security.stdout

    worker = re.search(r"```ini\n# /etc/systemd/system/leakbot-worker@.service\n(.*?)```", readme,
                       re.S)[1]  # fmt: skip
    path = tmp_path / "leakbot-worker@1.service"  # an instance of the template
    path.write_text(worker.replace("/opt/leakbot/bin/leakbot", str(leakbot_bin)))
    verify = subprocess.run([analyze, "verify", "--man=no", str(path)], capture_output=True,
                            text=True)  # fmt: skip
    assert verify.returncode == 0, verify.stdout + verify.stderr
