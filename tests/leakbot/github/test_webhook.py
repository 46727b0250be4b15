"""Push webhooks into `leakbot serve`: a signed push with a live key in it is scanned at once
and the key rotated within seconds (the org's scheduled run is an hour away), and deliveries
that are unsigned, badly signed, for an org nobody watches, malformed or of another event
change nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import httpx
import pytest

from leakbot.commands.emulate_cmd import rehearsal_config
from tests import state
from tests.emulation import Bot, emulator_keys, emulator_process, wait_until

SECRET = "webhook-secret-for-tests"


@pytest.fixture
def served(github, tmp_path):
    with emulator_process(tmp_path) as (_, keys):
        for n in range(5):
            github.add_repo("acme", f"svc-{n}")
        (tmp_path / ".leakbot.toml").write_text(
            rehearsal_config(keys["url"], "deploy.env", timeout=3)
            + f'[[targets]]\nname = "acme"\norg = "acme"\ngithub_url = "{github.url}"\n'
            'every = "1h"\nwebhook_secret_env = "ACME_HOOK_SECRET"\n'
            '[serve]\nretry_every = "1s"\n'
        )  # fmt: skip
        env = {"GITHUB_TOKEN": github.token(), "ACME_HOOK_SECRET": SECRET,
               "DEVHELM_ADMIN_TOKEN": keys["devhelm"]["admin"],
               "HELICONE_ADMIN_KEY": keys["helicone"]["admin"],
               "LEAKBOT_STATE": str(tmp_path / "state.db"), "LEAKBOT_WEB_TOKEN": "web-token",
               "XDG_CACHE_HOME": str(tmp_path / "cache")}  # fmt: skip
        bot = Bot(tmp_path, env)
        try:
            url = bot.url()
            first = wait_until(lambda: any("target acme: " in m and "finding" in m
                                           for m in bot.messages()), timeout=60)  # fmt: skip
            assert first, bot.messages()
            github.hooks["acme"] = (f"{url}/github/webhook", SECRET)
            yield {"url": url, "keys": keys, "tmp": tmp_path, "bot": bot}
        finally:
            assert bot.stop() == 0


def test_a_pushed_live_key_is_rotated_within_seconds_of_the_webhook(github, served):
    live = served["keys"]["devhelm"]["live"]
    pushed = time.time()
    github.commit("acme/svc-2", {"app/settings.py": f'DEVHELM_API_TOKEN = "{live}"\n'})
    old = hashlib.sha256(f"Bearer {live}".encode()).hexdigest()

    def revoked():
        return next(k for k in emulator_keys(served["keys"]["url"]) if k["hash"] == old)["revoked"]

    assert wait_until(revoked, timeout=60), served["bot"].messages()[-20:]
    took = time.time() - pushed
    assert took < 60, took
    (row,) = state.rows(served["tmp"] / "state.db")
    assert row["status"] == "done"
    page = httpx.get(f"{served['url']}/targets", headers={"Authorization": "Bearer web-token"},
                     timeout=10).text  # fmt: skip
    assert page.count("acme/svc-") == 5 and "scanned" in page  # the org's repositories


def _deliver(url, doc, event="push", secret=SECRET, raw=None):
    body = raw if raw is not None else json.dumps(doc).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return httpx.post(f"{url}/github/webhook", content=body, timeout=10,
                      headers={"X-GitHub-Event": event, "X-Hub-Signature-256": signature,
                               "Content-Type": "application/json"})  # fmt: skip


def test_bad_and_other_deliveries_change_nothing(github, served):
    url = served["url"]
    push = {"ref": "refs/heads/main", "repository": {"full_name": "acme/svc-1"},
            "organization": {"login": "acme"}}  # fmt: skip
    assert _deliver(url, push, secret="wrong").status_code == 401
    unsigned = httpx.post(f"{url}/github/webhook", json=push, timeout=10,
                          headers={"X-GitHub-Event": "push"})  # fmt: skip
    assert unsigned.status_code == 401
    other_org = {"repository": {"full_name": "globex/api"}, "organization": {"login": "globex"}}
    assert _deliver(url, other_org).status_code == 404
    assert _deliver(url, None, raw=b"{not json").status_code == 400
    crafted = {"repository": {"full_name": "acme/../../etc"}, "organization": {"login": "acme"}}
    assert _deliver(url, crafted).status_code == 400
    ping = _deliver(url, {"zen": "Keep it simple.", "organization": {"login": "acme"}}, "ping")
    assert ping.status_code == 200 and ping.json() == {"ignored": "ping"}
    deleted = _deliver(url, {**push, "deleted": True})
    assert deleted.status_code == 200  # a deleted branch: nothing to scan
    assert _deliver(url, push).status_code == 202
    assert state.rows(served["tmp"] / "state.db") == []
