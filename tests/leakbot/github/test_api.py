"""leakbot's GitHub client against the emulator: Link pages, ETags (an unchanged org costs no
rate limit), a spent rate limit and a secondary one waited out with a log line and a metric,
bad credentials named without the token, a GitHub App's installation tokens bought and
renewed, and repositories whose clone URL is not GitHub's left out."""

from __future__ import annotations

import logging
import time

import httpx
import pytest

from leakbot.github.api import GitHubAPI, GitHubError
from leakbot.github.auth import AppAuth, TokenAuth, git_header
from leakbot.github.org import repositories
from leakbot.github.spec import OrgSpec


def _api(world, monkeypatch, token=None, **kw):
    monkeypatch.setenv("GH_TOKEN_TEST", token or world.token())
    return GitHubAPI(httpx.Client(timeout=10), world.url, TokenAuth("GH_TOKEN_TEST"), **kw)


def _org(world, org="acme", count=3, **kw):
    for n in range(count):
        world.add_repo(org, f"svc-{n:03d}", **kw)


def test_every_page_is_read_and_an_unchanged_org_costs_nothing(github, monkeypatch):
    _org(github, count=250)
    token = github.token()
    api = _api(github, monkeypatch, token)
    repos, changed = repositories(api, OrgSpec("acme", github.url))
    assert len(repos) == 250 and changed and len({r.full_name for r in repos}) == 250
    assert github.budget(token).remaining == 5000 - 3  # three pages of 100
    again, changed = repositories(api, OrgSpec("acme", github.url))
    assert again == repos and not changed
    assert github.budget(token).remaining == 5000 - 3  # three 304s: free
    github.add_repo("acme", "zzz-new")  # the last page changes
    grown, changed = repositories(api, OrgSpec("acme", github.url))
    assert changed and len(grown) == 251


def test_a_spent_rate_limit_is_waited_out_with_a_log_line_and_a_metric(github, monkeypatch,
                                                                      caplog):  # fmt: skip
    _org(github)
    token = github.token()
    github.exhaust(token, 2)
    waits = []
    api = _api(github, monkeypatch, token, waited=lambda reason, s: waits.append((reason, s)))
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, "leakbot.github"):
        repos, _ = repositories(api, OrgSpec("acme", github.url))
    assert len(repos) == 3 and 1 <= time.monotonic() - started < 10
    assert waits and waits[0][0] == "rate limit spent"
    assert "rate limit spent on /orgs/acme/repos: waiting" in caplog.text


def test_a_secondary_limit_waits_for_retry_after(github, monkeypatch):
    _org(github)
    github.secondary, github.retry_after = 2, 1
    waits = []
    api = _api(github, monkeypatch, waited=lambda reason, s: waits.append((reason, s)))
    repos, _ = repositories(api, OrgSpec("acme", github.url))
    assert len(repos) == 3 and waits == [("secondary rate limit", 1.0)] * 2


def test_bad_credentials_are_an_error_that_names_no_token(github, monkeypatch):
    _org(github)
    api = _api(github, monkeypatch, token="ghp_not_a_real_token_at_all")
    with pytest.raises(GitHubError) as err:
        repositories(api, OrgSpec("acme", github.url))
    assert "HTTP 401" in str(err.value) and "ghp_" not in str(err.value)
    monkeypatch.delenv("GH_TOKEN_TEST")
    with pytest.raises(GitHubError, match=r"\$GH_TOKEN_TEST is not set"):
        repositories(api, OrgSpec("acme", github.url))


def test_a_github_app_buys_installation_tokens_and_renews_them_before_they_expire(github,
                                                                                 tmp_path):  # fmt: skip
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from leakbot.github.emulated import App

    _org(github)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "app.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))  # fmt: skip
    github.apps["4242"] = App("4242", key.public_key(), {"acme": 7}, token_seconds=3600)
    client = httpx.Client(timeout=10)
    auth = AppAuth(client, github.url, "4242", pem, "acme")
    api = GitHubAPI(client, github.url, auth)
    assert len(repositories(api, OrgSpec("acme", github.url))[0]) == 3
    first = auth.token()
    assert auth.token() == first and first.startswith("ghs_")  # held while it is valid
    auth.held = (first, time.time() + 200)  # within five minutes of its expiry: renewed
    assert auth.token() != first
    assert git_header(auth).startswith("Authorization: Basic ")

    other = AppAuth(client, github.url, "4242", pem, "globex")  # not installed there
    with pytest.raises(GitHubError, match="installed on globex"):
        other.token()
    wrong = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem.write_bytes(wrong.private_bytes(serialization.Encoding.PEM,
                                        serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()))  # fmt: skip
    with pytest.raises(GitHubError, match="HTTP 401"):
        AppAuth(client, github.url, "4242", pem, "acme").token()


def test_a_repository_whose_clone_url_is_not_githubs_is_left_out(github, monkeypatch):
    _org(github, count=5)
    shown = github.repo_doc
    crafted = {
        "svc-000": "ext::sh -c touch% /tmp/pwned",
        "svc-001": "https://evil.example/x.git",
        "svc-002": "file:///etc",
        "svc-003": f"{github.url.replace('//', '//u:p@')}/a.git",
    }

    def doc(repo):
        d = shown(repo)
        d["clone_url"] = crafted.get(repo.name, d["clone_url"])
        return d

    monkeypatch.setattr(github, "repo_doc", doc)
    repos, _ = repositories(_api(github, monkeypatch), OrgSpec("acme", github.url))
    assert [r.full_name for r in repos] == ["acme/svc-004"]


def test_include_exclude_forks_and_archived_choose_the_repositories(github, monkeypatch):
    for name in ("api", "api-docs", "web", "legacy"):
        github.add_repo("acme", name)
    github.add_repo("acme", "api-fork", fork=True)
    github.add_repo("acme", "api-old", archived=True)
    api = _api(github, monkeypatch)

    def names(**kw):
        return sorted(r.full_name.split("/")[1] for r in repositories(api, OrgSpec(
            "acme", github.url, **kw))[0])  # fmt: skip

    assert names() == ["api", "api-docs", "legacy", "web"]
    assert names(include=("api*",), exclude=("*-docs",)) == ["api"]
    assert names(include=("api*",), forks=True, archived=True) == ["api", "api-docs",
                                                                   "api-fork", "api-old"]  # fmt: skip


def test_a_next_page_on_another_host_gets_no_token(github, monkeypatch):
    _org(github, count=3)
    api = _api(github, monkeypatch)
    real = api.client.get

    def answer(url, **kw):
        got = real(url, **kw)
        got.headers["Link"] = '<https://evil.example/orgs/acme/repos?page=2>; rel="next"'
        return got

    monkeypatch.setattr(api.client, "get", answer)
    with pytest.raises(GitHubError, match="a next page on another host"):
        repositories(api, OrgSpec("acme", github.url, include=("*",)))
