"""Who may see and do what in the web view, against a real server: every page needs a login,
a viewer reads, an approver acts, a form post needs its CSRF token, the Host is checked, the
login never redirects off the site, sessions expire, and the pages run no inline script."""

from __future__ import annotations

import re

import httpx

from tests.leakbot.web.rig import APPROVER, VIEWER, csrf_of, leak


def test_an_anonymous_request_is_refused_everywhere_but_the_public_endpoints(sqlite_rig):
    leak(sqlite_rig.store, 1)
    anon = sqlite_rig.client(None)
    page = anon.get("/credentials/1", headers={"Accept": "text/html"})
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/credentials/1"
    for path in ("/", "/export.csv", "/export.json", "/targets", "/audit", "/credentials/1"):
        assert anon.get(path).status_code == 401, path
    assert anon.post("/credentials/1/approve", data={"csrf": "x"}).status_code == 401
    assert anon.post("/bulk", data={"action": "wont_fix"}).status_code == 401
    assert anon.get("/healthz").json() == {"status": "ok"}
    assert anon.get("/login").status_code == 200
    assert "dh_live_x1" not in anon.get("/", headers={"Accept": "text/html"}).text


def test_a_wrong_token_is_refused_and_a_bearer_token_reads(sqlite_rig):
    anon = sqlite_rig.client(None)
    wrong = anon.post("/login", data={"token": "guess", "next": "/"})
    assert (
        wrong.status_code == 403 and "not valid" in wrong.text and "set-cookie" not in wrong.headers
    )
    reader = sqlite_rig.client(None, headers={"Authorization": f"Bearer {VIEWER}"})
    assert reader.get("/export.json").status_code == 200


def test_the_session_cookie_is_httponly_strict_and_expires(sqlite_rig):
    anon = sqlite_rig.client(None)
    answer = anon.post("/login", data={"token": APPROVER, "next": "/"})
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "max-age=" in cookie
    sqlite_rig.site.auth.session_seconds = -1  # sessions made now are already over
    stale = sqlite_rig.client(APPROVER)
    assert stale.get("/export.json").status_code == 401
    forged = httpx.Client(base_url=sqlite_rig.url, cookies={"leakbot_session": "e30.bad"})
    sqlite_rig.clients.append(forged)
    assert forged.get("/export.json").status_code == 401


def test_a_viewer_reads_but_cannot_act(sqlite_rig):
    rid = leak(sqlite_rig.store, 1, status="awaiting_approval")
    viewer = sqlite_rig.client(VIEWER)
    page = viewer.get(f"/credentials/{rid}")
    assert page.status_code == 200 and "dh_live_x1" in page.text
    assert 'id="approve"' not in page.text  # no button...
    refused = viewer.post(f"/credentials/{rid}/approve", data={"csrf": csrf_of(page.text)})
    assert refused.status_code == 403 and "approvers only" in refused.text  # ...and no way round
    assert sqlite_rig.store.ledger.get(rid).approved == 0


def test_a_post_without_its_csrf_token_changes_nothing(sqlite_rig):
    rid = leak(sqlite_rig.store, 1, status="awaiting_approval")
    approver = sqlite_rig.client(APPROVER)
    token = csrf_of(approver.get(f"/credentials/{rid}").text)
    for data in ({}, {"csrf": "x" * len(token)}, {"csrf": ""}):
        answer = approver.post(f"/credentials/{rid}/approve", data=data)
        assert answer.status_code == 403 and "CSRF" in answer.text, data
    other = sqlite_rig.client(APPROVER)  # another session's token is not this one's
    assert other.post(f"/credentials/{rid}/approve", data={"csrf": token}).status_code == 403
    assert sqlite_rig.store.ledger.get(rid).approved == 0 and sqlite_rig.woken == []
    done = approver.post(f"/credentials/{rid}/approve", data={"csrf": token})
    assert done.status_code == 303
    assert sqlite_rig.store.ledger.get(rid).approved == 1 and sqlite_rig.woken == [1]
    trail = [(what, who, row) for _, who, what, row, _ in sqlite_rig.store.ledger.audit_trail()]
    assert ("approved", "tester@web", rid) in trail


def test_a_cross_site_login_or_logout_is_refused(sqlite_rig):
    anon = sqlite_rig.client(None)
    evil = {"Origin": "https://evil.example"}
    assert anon.post("/login", data={"token": APPROVER}, headers=evil).status_code == 403
    assert "set-cookie" not in anon.post("/login", data={"token": APPROVER}, headers=evil).headers
    approver = sqlite_rig.client(APPROVER)
    assert approver.post("/logout", headers=evil).status_code == 403
    assert approver.get("/export.json").status_code == 200  # still logged in


def test_a_wrong_host_is_refused(sqlite_rig):
    approver = sqlite_rig.client(APPROVER)
    for host in ("evil.example", "attacker.test:80", "127.0.0.1.evil.example"):
        answer = approver.get("/", headers={"Host": host})
        assert answer.status_code == 400, host  # DNS rebinding: the name is not ours
    assert approver.get("/", headers={"Host": "localhost"}).status_code == 200


def test_the_login_never_redirects_off_the_site(sqlite_rig):
    anon = sqlite_rig.client(None)
    for target in ("//evil.example/x", "https://evil.example", "/\\evil.example", "evil"):
        answer = anon.post("/login", data={"token": VIEWER, "next": target})
        assert answer.status_code == 303 and answer.headers["location"] == "/", target
    answer = anon.get("/login", params={"token": VIEWER, "next": "/targets?x=1"})
    assert answer.headers["location"] == "/targets?x=1"


def test_pages_carry_a_strict_policy_and_no_inline_script(sqlite_rig):
    rid = leak(sqlite_rig.store, 1)
    approver = sqlite_rig.client(APPROVER)
    for path in ("/", f"/credentials/{rid}", "/targets", "/audit", "/login"):
        answer = approver.get(path)
        policy = answer.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, path
        assert answer.headers["x-frame-options"] == "DENY"
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", answer.text, re.S)
        assert all('src="/static/' in attrs and not body.strip() for attrs, body in scripts), path
        assert not re.search(r"\son[a-z]+=", answer.text), path  # no inline handlers either
