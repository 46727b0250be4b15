"""The web view in a real browser (Debian's chromium through Playwright) against `leakbot serve`
and `leakbot emulate` as a user runs them: log in, filter, approve a rotation and watch its
timeline reach done, triage a false positive and see its baseline entry; and the refusals: an
anonymous visit, a form post without its CSRF token, a name that is not ours (DNS rebinding).

LEAKBOT_SCREENSHOTS=1 writes the README's screenshots into docs/."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from leakbot.commands.emulate_cmd import rehearsal_config
from tests import state
from tests.emulation import Bot, emulator_keys, emulator_process, wait_until
from tests.gitrepo import GitRepo

TOKEN, VIEWER = "browser-approver-token", "browser-viewer-token"
DOCS = Path(__file__).resolve().parents[3] / "docs"


def _shot(page, tmp_path: Path, name: str) -> None:
    folder = DOCS if os.environ.get("LEAKBOT_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=True)


@pytest.fixture
def served(tmp_path):
    """`leakbot serve` watching a repository with a live DevHelm key (policy approve: it waits
    for a person) and a revoked one, the vendors emulated; its URL and the emulator's keys."""
    with emulator_process(tmp_path) as (_, keys):
        config = _devhelm_approve(rehearsal_config(keys["url"], "deploy.env", timeout=3))
        repo = GitRepo(tmp_path / "service")
        repo.commit("init", {"README": "service\n"})
        repo.commit("settings", {"app/settings.py": f'DEVHELM_API_TOKEN = "{keys["devhelm"]["live"]}"\n',
                                 "tests/fixtures.py": f'OLD = "{keys["devhelm"]["revoked"]}"\n'})  # fmt: skip
        (tmp_path / ".leakbot.toml").write_text(config + (
            f'[[targets]]\nname = "service"\nrepo = "{repo.path}"\nevery = "1s"\n'
            '[serve]\nretry_every = "1s"\n'))  # fmt: skip
        env = {"DEVHELM_ADMIN_TOKEN": keys["devhelm"]["admin"],
               "HELICONE_ADMIN_KEY": keys["helicone"]["admin"],
               "LEAKBOT_STATE": str(tmp_path / "state.db"),
               "LEAKBOT_WEB_TOKEN": TOKEN, "LEAKBOT_WEB_VIEWER_TOKEN": VIEWER}  # fmt: skip
        bot = Bot(tmp_path, env)
        try:
            url = bot.url()
            rows = wait_until(lambda: len(state.rows(tmp_path / "state.db")) == 2, timeout=60)
            assert rows, bot.messages()
            yield {"url": url, "keys": keys, "tmp": tmp_path, "bot": bot}
        finally:
            assert bot.stop() == 0


def _devhelm_approve(config: str) -> str:
    """The rehearsal config with DevHelm's keys rotated only once a person approves."""
    head, _, tail = config.partition("[vendors.devhelm]\n")
    body, sep, rest = tail.partition("[vendors.")
    return (
        head
        + "[vendors.devhelm]\n"
        + body.replace('policy = "auto"', 'policy = "approve"')
        + sep
        + rest
    )


def _log_in(page, url: str, token: str = TOKEN, name: str = "ana") -> None:
    page.goto(f"{url}/login")
    page.fill("input[name=token]", token)
    page.fill("input[name=name]", name)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.url == f"{url}/", (page.url, page.content()[:3000])


def test_log_in_filter_approve_and_watch_the_rotation_complete(served, page, tmp_path):
    url = served["url"]
    page.goto(f"{url}/")
    assert page.url == f"{url}/login?next=/"  # nothing before a login
    _log_in(page, url)
    assert page.inner_text("#total") == "2"
    _shot(page, tmp_path, "web-findings.png")

    page.select_option("select[name=verdict]", "dead")  # htmx swaps the results in place
    expect(page.locator("#total")).to_have_text("1")
    expect(page.locator("tr.finding .badge").first).to_have_text("dead")
    assert "verdict=dead" in page.url  # the filter is in the address: a link to share
    page.select_option("select[name=verdict]", "live")
    expect(page.locator("tr.finding .badge").first).to_have_text("live")
    expect(page.locator("#total")).to_have_text("1")
    page.click("tr.finding a")
    assert page.inner_text("#status").strip() == "awaiting approval"

    page.click("#approve")
    page.wait_for_selector("#timeline[data-status=done]", timeout=60_000)  # polled by htmx
    expect(page.locator("#status")).to_have_text("done")  # and the page reloaded once settled
    assert page.locator("#approve").count() == 0
    timeline = page.inner_text("#timeline")
    assert "new key" in timeline and "revoke" in timeline.lower()
    _shot(page, tmp_path, "web-timeline.png")
    live = served["keys"]["devhelm"]["live"]
    import hashlib

    old = hashlib.sha256(f"Bearer {live}".encode()).hexdigest()
    assert next(k for k in emulator_keys(served["keys"]["url"]) if k["hash"] == old)["revoked"]
    assert "approved" in page.inner_text("table.audit") and "ana@web" in page.inner_text(
        "table.audit"
    )


def test_triage_a_false_positive_and_see_its_baseline_entry(served, page):
    url = served["url"]
    _log_in(page, url)
    page.goto(f"{url}/?verdict=dead")
    page.click("tr.finding a")
    page.select_option("select[name=resolution]", "false_positive")
    page.fill(".triage input[name=note]", "an old fixture key")
    page.click("#triage-button")
    assert "false positive by ana@web" in page.inner_text("#triage")
    audit = page.inner_text("table.audit")
    assert "baselined" in audit and ".leakbot-baseline.json" in audit
    entries = json.loads((served["tmp"] / ".leakbot-baseline.json").read_text())
    listed = entries["findings"] if isinstance(entries, dict) else entries
    assert [e["path"] for e in listed] == ["tests/fixtures.py"]
    page.goto(f"{url}/")  # open credentials only: it is gone from the list
    assert page.inner_text("#total") == "1"


def test_anonymous_cross_site_and_rebound_requests_are_refused(served, page, browser):
    url = served["url"]
    page.goto(f"{url}/credentials/1")
    assert page.url.startswith(f"{url}/login?next=/credentials/1")
    _log_in(page, url, VIEWER, "vic")
    assert (
        page.locator("#approve").count() == 0 and page.locator("select[name=action]").count() == 0
    )

    _log_in(page, url)  # the approver, in the same browser
    no_csrf = page.request.post(f"{url}/credentials/1/approve", form={"note": "x"})
    assert no_csrf.status == 403 and "CSRF" in no_csrf.text()
    forged = page.request.post(f"{url}/credentials/1/approve", form={"csrf": "forged"})
    assert forged.status == 403

    port = url.rsplit(":", 1)[1]
    rebound = browser.new_page()
    answer = rebound.goto(f"http://rebound.example:{port}/login")
    assert answer.status == 400 and "Invalid host" in rebound.content()
    rebound.close()
    assert httpx.get(f"{url}/", timeout=5).status_code == 401
