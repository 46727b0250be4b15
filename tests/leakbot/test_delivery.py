"""Delivery per key, end to end: two live Helicone keys of one organisation leak in one
repository, and each key's replacement goes where that key came from, never over the other's.
Real processes: `leakbot emulate`, `leakbot git --verify`, `leakbot revoke --execute`."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx

from tests import state
from tests.emulation import emulator_keys, emulator_process, leakbot
from tests.gitrepo import GitRepo


def _second_key(keys: dict, name: str) -> str:
    """Another live key of the organisation, made through Helicone's own API."""
    answer = httpx.post(f"{keys['url']}/v1/api-keys", json={"api_key_name": name,
                        "key_permissions": "rw"},
                        headers={"Authorization": f"Bearer {keys['helicone']['admin']}"})  # fmt: skip
    assert answer.status_code == 200, answer.text
    return str(answer.json()["apiKey"])


def _config(tmp: Path, url: str, extra: str = "") -> None:
    (tmp / ".leakbot.toml").write_text(f"""\
version = 1
lease = "1s"

[vendors.helicone]
base_url = "{url}"
eu_base_url = "{url}"
admin_env = "HELICONE_ADMIN_KEY"
timeout = 1
policy = "auto"
deliver = ["app-env"]

[sinks.app-env]
type = "dotenv"
path = "app.env"

[sinks.backend-env]
type = "dotenv"
path = "backend.env"
{extra}""")


def _env(tmp: Path, keys: dict, state_url: str = "") -> dict[str, str]:
    return {"HELICONE_ADMIN_KEY": keys["helicone"]["admin"],
            "LEAKBOT_STATE": state_url or str(tmp / "state.db")}  # fmt: skip


def _leaked(tmp: Path, keys: dict, files: dict[str, str],
            state_url: str = "") -> tuple[GitRepo, dict[str, str]]:  # fmt: skip
    """A repository holding `files`, the config, and `leakbot git --verify` run on it: the
    repository and the env for the leakbot commands that follow."""
    repo = GitRepo(tmp / "service")
    repo.commit("env", files)
    _config(tmp, keys["url"])
    env = _env(tmp, keys, state_url)
    found = leakbot("git", str(repo.path), "--verify", cwd=tmp, env=env)
    assert found.returncode == 1 and found.stdout.count("[LIVE]") == 2, found.stdout
    return repo, env


def _key(url: str, secret: str) -> dict:
    digest = hashlib.sha256(f"Bearer {secret}".encode()).hexdigest()
    return next(k for k in emulator_keys(url) if k["hash"] == digest)


def _dotenv(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def _made_by_leakbot(url: str) -> list[dict]:
    return [k for k in emulator_keys(url) if k["vendor"] == "helicone"
            and k["name"].startswith("leakbot-") and not k["revoked"]]  # fmt: skip


def test_two_keys_named_on_their_lines_get_two_new_keys_in_two_places(tmp_path, state_url):
    with emulator_process(tmp_path) as (_, keys):
        ci_key, app_key = _second_key(keys, "ci"), keys["helicone"]["live"]
        repo, env = _leaked(tmp_path, keys, {"ci/.env": f"HELICONE_API_KEY_CI={ci_key}\n",
                      "app/settings.env": f'export HELICONE_API_KEY="{app_key}"\n'},
                      state_url)  # fmt: skip
        done = leakbot("revoke", "--execute", cwd=tmp_path, env=env)
        assert done.returncode == 0, done.stderr

        delivered = _dotenv(tmp_path / "app.env")
        assert sorted(delivered) == ["HELICONE_API_KEY", "HELICONE_API_KEY_CI"]
        assert delivered["HELICONE_API_KEY"] != delivered["HELICONE_API_KEY_CI"]
        for value in delivered.values():  # each a live key leakbot made
            made = _key(keys["url"], value)
            assert made["name"].startswith("leakbot-") and not made["revoked"]
        assert len(_made_by_leakbot(keys["url"])) == 2
        assert _key(keys["url"], ci_key)["revoked"] and _key(keys["url"], app_key)["revoked"]
        rows = state.rows(env["LEAKBOT_STATE"])
        assert sorted(r["variable"] for r in rows) == ["HELICONE_API_KEY", "HELICONE_API_KEY_CI"]
        assert sorted(r["key_name"] for r in rows) == ["ci", "ci-pipeline"]

        # The new CI key leaks again, on a line that names nothing: it goes back where it went.
        repo.commit("log", {"build.log": f"token {delivered['HELICONE_API_KEY_CI']}\n"})
        leakbot("git", str(repo.path), "--verify", cwd=tmp_path, env=env)
        again = leakbot("revoke", "--execute", cwd=tmp_path, env=env)
        assert again.returncode == 0, again.stderr
        after = _dotenv(tmp_path / "app.env")
        assert after["HELICONE_API_KEY"] == delivered["HELICONE_API_KEY"]
        assert after["HELICONE_API_KEY_CI"] != delivered["HELICONE_API_KEY_CI"]
        assert not _key(keys["url"], after["HELICONE_API_KEY_CI"])["revoked"]
        assert _key(keys["url"], delivered["HELICONE_API_KEY_CI"])["revoked"]


def test_two_keys_in_one_slot_wait_for_a_human_then_go_where_the_config_maps_them(tmp_path):
    with emulator_process(tmp_path) as (_, keys):
        backend_key, app_key = _second_key(keys, "backend"), keys["helicone"]["live"]
        _, env = _leaked(tmp_path, keys, {"backend/.env": f"HELICONE_API_KEY={backend_key}\n",
                                       "app/.env": f"HELICONE_API_KEY={app_key}\n"})  # fmt: skip

        plan = leakbot("revoke", cwd=tmp_path, env=env)
        assert plan.stdout.count("needs_target") == 2, plan.stdout
        assert "key_name = 'backend'" in plan.stdout and "key_name = 'ci-pipeline'" in plan.stdout
        waiting = leakbot("revoke", "--execute", cwd=tmp_path, env=env)
        assert waiting.returncode == 1, waiting.stderr  # still open: nothing was done
        assert {r["status"] for r in state.rows(env["LEAKBOT_STATE"])} == {"needs_target"}
        assert _made_by_leakbot(keys["url"]) == [] and not (tmp_path / "app.env").exists()
        assert not _key(keys["url"], app_key)["revoked"]  # no key is revoked unreplaced
        status = leakbot("status", cwd=tmp_path, env=env)
        assert status.stdout.count("needs_target") == 2 and "2 needs target" in status.stdout
        assert status.stdout.count("give this key its own in [[deliveries]]") == 2

        _config(
            tmp_path,
            keys["url"],
            extra="""
[[deliveries]]
vendor = "helicone"
key_name = "backend"
deliver = ["backend-env"]
""",
        )
        done = leakbot("revoke", "--execute", cwd=tmp_path, env=env)
        assert done.returncode == 0, done.stderr
        app, backend = _dotenv(tmp_path / "app.env"), _dotenv(tmp_path / "backend.env")
        assert list(app) == ["HELICONE_API_KEY"] and list(backend) == ["HELICONE_API_KEY"]
        assert app["HELICONE_API_KEY"] != backend["HELICONE_API_KEY"]
        assert len(_made_by_leakbot(keys["url"])) == 2
        assert _key(keys["url"], backend_key)["revoked"] and _key(keys["url"], app_key)["revoked"]
