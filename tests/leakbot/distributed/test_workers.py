"""Distributed mode end to end, every part real: PostgreSQL, Redis, the GitHub and vendor
emulators, `leakbot serve` scheduling and two `leakbot worker` processes. An org of 50
repositories is discovered and scanned by both workers, its leaked keys rotated; a push with a
live key is rotated within seconds of its webhook; `kill -9` of a worker and of the scheduler
mid-run loses nothing and rotates nothing twice; a second serve stands by."""

from __future__ import annotations

import hashlib
import time

import httpx
import pytest

from leakbot.commands.emulate_cmd import rehearsal_config
from leakbot.store import locate, open_store
from tests.emulation import Bot, emulator_keys, emulator_process, wait_until

SECRET = "hook-secret-for-tests"


def _new_key(url: str, admin: str, name: str) -> str:
    with httpx.Client(timeout=5) as client:
        r = client.post(f"{url}/api/v1/api-keys", json={"name": name},
                        headers={"Authorization": f"Bearer {admin}"})  # fmt: skip
        return str(r.json()["data"]["key"])


@pytest.fixture
def cluster(github, tmp_path, postgres_server, redis_server):
    state_url = postgres_server.database()
    with emulator_process(tmp_path, "--auth-cache", "1") as (_, keys):
        for n in range(50):
            github.add_repo("acme", f"svc-{n:02d}")
        planted = [keys["devhelm"]["live"], keys["helicone"]["live"]]
        github.commit("acme/svc-07", {"settings.py": f'DEVHELM_API_TOKEN = "{planted[0]}"\n'})
        github.commit("acme/svc-31", {"ci.env": f"HELICONE_API_KEY={planted[1]}\n"})
        (tmp_path / ".leakbot.toml").write_text(
            rehearsal_config(keys["url"], "deploy.env", timeout=3).replace(
                "version = 1\n", 'version = 1\nlease = "2s"\n', 1)
            + f'[[targets]]\nname = "acme"\norg = "acme"\ngithub_url = "{github.url}"\n'
            'every = "2s"\nwebhook_secret_env = "ACME_HOOK_SECRET"\n'
            f'[serve]\nretry_every = "1s"\nbroker = "{redis_server.url}"\n'
        )  # fmt: skip
        env = {"GITHUB_TOKEN": github.token(), "ACME_HOOK_SECRET": SECRET,
               "DEVHELM_ADMIN_TOKEN": keys["devhelm"]["admin"],
               "HELICONE_ADMIN_KEY": keys["helicone"]["admin"], "LEAKBOT_STATE": state_url,
               "XDG_CACHE_HOME": str(tmp_path / "cache"), "LEAKBOT_WEB_TOKEN": "t"}  # fmt: skip
        procs: list[Bot] = []

        def start(command: str) -> Bot:
            argv = ("serve", "--listen", "127.0.0.1:0") if command == "serve" else ("worker",)
            proc = Bot(tmp_path, env, command=argv)
            procs.append(proc)
            return proc

        try:
            yield {"start": start, "keys": keys, "state": state_url, "planted": planted,
                   "tmp": tmp_path, "procs": procs}  # fmt: skip
        finally:
            for proc in procs:
                if proc.proc.poll() is None:
                    proc.kill()


def _watched(state_url):
    with open_store(locate(state_url)) as store:
        return store.github.watched("acme"), store.ledger.rows()


def _story(cluster) -> str:
    """What the store and the processes say, for a failure's message."""
    watched, rows = _watched(cluster["state"])
    lines = [f"due: {[w.full_name for w in watched if w.due]}"]
    lines += [f"#{r.id} {r.status} {r.step} {r.last_error}" for r in rows]
    for proc in cluster["procs"]:
        lines += ["--", *proc.messages()[-6:]]
    return "\n".join(lines)


def _revoked(keys, secret):
    old = hashlib.sha256(f"Bearer {secret}".encode()).hexdigest()
    return next(k for k in emulator_keys(keys["url"]) if k["hash"] == old)["revoked"]


def _each_rotated_once(keys, leaked, rows):
    by_sha = {r.secret_sha256: r for r in rows}
    view = emulator_keys(keys["url"])
    for secret in leaked:
        row = by_sha[hashlib.sha256(secret.encode()).hexdigest()]
        assert row.status == "done", row
        made = [k for k in view if k["name"] == row.new_key_name]
        assert len(made) == 1 and not made[0]["revoked"], made  # one new key, not two
        assert _revoked(keys, secret)


def test_two_workers_scan_an_org_and_survive_kill_9(github, cluster):
    start, keys = cluster["start"], cluster["keys"]
    printed = _new_key(keys["url"], keys["devhelm"]["admin"], "ci")  # a key in a CI log
    github.add_run("acme/svc-40", {"deploy": f"+ export DEVHELM_API_TOKEN_CI={printed}\n"})
    planted = [*cluster["planted"], printed]
    workers = [start("worker"), start("worker")]
    serve = start("serve")
    url = serve.url()

    def settled(leaked):
        watched, rows = _watched(cluster["state"])
        done = len(rows) == len(leaked) and all(r.status == "done" for r in rows)
        return done and len(watched) == 50 and not any(w.due for w in watched)

    assert wait_until(lambda: settled(planted), timeout=120), (
        serve.messages()[-10:],
        workers[0].messages()[-10:],
        workers[1].messages()[-10:],
    )
    both = [w for w in workers if any("acme/svc-" in m for m in w.messages())]
    assert len(both) == 2  # the org's repositories went to both workers

    # a push with a live key, its webhook signed as GitHub signs it
    github.hooks["acme"] = (f"{url}/github/webhook", SECRET)
    fresh = _new_key(keys["url"], keys["devhelm"]["admin"], "pushed")
    pushed = time.time()
    # (each key its own variable: a new key never takes the place of another key's)
    github.commit("acme/svc-12", {"app.py": f'DEVHELM_API_TOKEN_PUSHED = "{fresh}"\n'})
    assert wait_until(lambda: _revoked(keys, fresh), timeout=60), "\n".join(
        map(
            str,
            (
                serve.messages()[-8:],
                workers[0].messages()[-8:],
                workers[1].messages()[-8:],
                _watched(cluster["state"])[1],
            ),
        )
    )
    took = time.time() - pushed
    assert took < 60, took

    # kill -9 a worker and the scheduler while new keys are being found and rotated
    leaked = [*planted, fresh]
    github.hooks.pop("acme")  # no webhooks now: only the scheduled runs find these
    seen = [len(w.messages()) for w in workers]
    for n in range(8):
        secret = _new_key(keys["url"], keys["devhelm"]["admin"], f"burst-{n}")
        github.commit(f"acme/svc-{20 + n}", {"config.py": f'DEVHELM_API_TOKEN_{n} = "{secret}"\n'})
        leaked.append(secret)

    def handed_out() -> bool:  # the next run has handed them to the workers
        return any("repositories handed out" in m for w, since in zip(workers, seen, strict=True)
                   for m in w.messages()[since:])  # fmt: skip

    assert wait_until(handed_out, timeout=30)
    workers[0].kill()  # with a task in hand, unacknowledged: the broker will not see it again soon
    serve.kill()
    start("worker")
    start("serve").url()  # a new scheduler takes the lead
    assert wait_until(lambda: settled(leaked), timeout=180), _story(cluster)
    _each_rotated_once(keys, leaked, _watched(cluster["state"])[1])


def test_a_second_serve_stands_by_and_takes_over(cluster):
    start = cluster["start"]
    start("worker")
    first, second = start("serve"), start("serve")
    first.url(), second.url()
    assert wait_until(lambda: any("this serve leads" in m for m in first.messages() + second.messages()),
                      timeout=30)  # fmt: skip
    time.sleep(3)
    leaders = [p for p in (first, second) if any("this serve leads" in m for m in p.messages())]
    assert len(leaders) == 1  # one scheduler at a time
    standby = second if leaders[0] is first else first
    leaders[0].kill()
    assert wait_until(lambda: any("this serve leads" in m for m in standby.messages()), timeout=30)


def test_distributed_mode_refuses_sqlite_state_and_a_password_in_the_file(tmp_path, capsys,
                                                                          monkeypatch):  # fmt: skip
    from leakbot.cli import main

    config = tmp_path / ".leakbot.toml"
    config.write_text('version = 1\n[serve]\nbroker = "redis://127.0.0.1:1/0"\n')
    monkeypatch.setenv("LEAKBOT_STATE", str(tmp_path / "state.db"))
    assert main(["worker", "--config", str(config)]) == 2
    assert "needs PostgreSQL state" in capsys.readouterr().err
    config.write_text('version = 1\n[serve]\nbroker = "redis://:hunter2@127.0.0.1:1/0"\n')
    assert main(["worker", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "without a password" in err and "hunter2" not in err
    config.write_text("version = 1\n")
    monkeypatch.delenv("LEAKBOT_BROKER", raising=False)
    assert main(["worker", "--config", str(config)]) == 2
    assert "needs a broker" in capsys.readouterr().err
