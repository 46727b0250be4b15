"""The findings list, a credential's page, triage, bulk actions and exports over HTTP, on SQLite
and on PostgreSQL: filters and pages are the store's SQL, triage goes through the audit log, a
false positive lands in the baseline, and a triaged credential seen somewhere new reopens."""

from __future__ import annotations

import csv
import io
import json
import re

from leakbot.store.sightings import Sighting
from tests.leakbot.web.rig import APPROVER, VIEWER, csrf_of, leak


def _ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/credentials/(\d+)"', page)]


def test_findings_are_filtered_searched_sorted_and_paged(rig):
    for n in range(60):
        leak(rig.store, n, vendor="devhelm" if n % 3 else "helicone",
             verdict="dead" if n % 5 == 0 else "live", target="api" if n < 30 else "web",
             path=f"src/module_{n}.py")  # fmt: skip
    viewer = rig.client(VIEWER)
    first = viewer.get("/", params={"per_page": 25, "triage": "all"}).text
    assert '<span id="total">60</span> credentials' in first and len(_ids(first)) == 25
    last = viewer.get("/", params={"per_page": 25, "page": 3, "triage": "all"}).text
    assert len(_ids(last)) == 10 and not set(_ids(first)) & set(_ids(last))
    helicone = viewer.get("/", params={"vendor": "helicone", "per_page": 100}).text
    assert len(_ids(helicone)) == 20
    dead_web = viewer.get("/", params={"verdict": "dead", "target": "web"}).text
    assert len(_ids(dead_web)) == 6
    found = viewer.get("/", params={"q": "module_42"}).text  # a place's path
    assert len(_ids(found)) == 1
    by_id = _ids(viewer.get("/", params={"sort": "id", "desc": "0", "per_page": 100}).text)
    assert by_id == sorted(by_id) and len(by_id) == 60
    garbage = viewer.get("/", params={"page": "-1", "per_page": "1e9", "sort": "x;drop"})
    assert garbage.status_code == 200 and len(_ids(garbage.text)) == 50  # defaults, no error


def test_a_credential_shows_every_place_it_leaked(rig):
    rid = leak(rig.store, 7, path="app/settings.py")
    leak(rig.store, 7, path="deploy/ci.yml", target="ci")  # the same key elsewhere: one row
    page = rig.client(VIEWER).get(f"/credentials/{rid}").text
    for text in (
        "app/settings.py",
        "deploy/ci.yml",
        "Dev &lt;dev@x.io&gt;",
        "refs/heads/main",
        "0" * 39 + "7"[:1],
        "the key service said so",
    ):
        assert text[:12] in page, text


def test_a_false_positive_is_baselined_and_reopens_when_seen_somewhere_new(rig):
    rid = leak(rig.store, 1, path="tests/fixtures/keys.py")
    approver = rig.client(APPROVER)
    token = csrf_of(approver.get(f"/credentials/{rid}").text)
    answer = approver.post(f"/credentials/{rid}/triage",
                           data={"csrf": token, "resolution": "false_positive",
                                 "note": "a fixture"})  # fmt: skip
    assert answer.status_code == 303
    entries = json.loads(rig.baseline.read_text())
    entries = entries.get("findings", entries) if isinstance(entries, dict) else entries
    assert [e["path"] for e in entries] == ["tests/fixtures/keys.py"]
    assert rid not in _ids(approver.get("/").text)  # open only, by default
    assert rid in _ids(approver.get("/", params={"triage": "false_positive"}).text)
    assert rig.store.triage.decision(rid).note == "a fixture"

    row = rig.store.ledger.get(rid)  # the same key, now in a place nobody looked at
    rig.store.ledger.record(row.vendor, row.secret_sha256, row.rule_id, row.preview,
                            {"path": "src/prod.py"}, "live", "again",
                            seen=[Sighting("src/prod.py", 9, "fp-new", row.rule_id)])  # fmt: skip
    assert rig.store.triage.decision(rid) is None and rid in _ids(approver.get("/").text)
    actions = [what for _, _, what, r, _ in rig.store.ledger.audit_trail() if r == rid]
    assert actions[-3:] == ["triaged", "baselined", "reopened"], actions


def test_a_bulk_action_takes_every_row_the_filter_matches_and_nothing_else(rig):
    ids = {n: leak(rig.store, n, vendor="helicone" if n < 5 else "devhelm") for n in range(12)}
    approver = rig.client(APPROVER)
    token = csrf_of(approver.get("/").text)
    answer = approver.post("/bulk", data={"csrf": token, "action": "used_in_tests",
                                          "scope": "all", "vendor": "helicone"})  # fmt: skip
    assert answer.status_code == 303
    resolved = {rid for rid in ids.values() if rig.store.triage.decision(rid)}
    assert resolved == {ids[n] for n in range(5)}
    ticked = approver.post("/bulk", data={"csrf": token, "action": "reopen",
                                          "id": [str(ids[0]), str(ids[1])]})  # fmt: skip
    assert ticked.status_code == 303
    assert rig.store.triage.decision(ids[0]) is None and rig.store.triage.decision(ids[2])


def test_exports_hold_the_selection_and_no_formula(rig):
    for n in range(3):
        leak(rig.store, n, target='=HYPERLINK("http://evil.example")' if n == 0 else "api")
    viewer = rig.client(VIEWER)
    rows = list(csv.DictReader(io.StringIO(viewer.get("/export.csv").text)))
    assert len(rows) == 3 and all(not r["targets"].startswith(("=", "+", "-", "@")) for r in rows)
    assert any(r["targets"].startswith("'=HYPERLINK") for r in rows)
    docs = viewer.get("/export.json", params={"target": "api"}).json()
    assert len(docs) == 2 and {"secret_sha256", "preview", "verdict"} <= set(docs[0])
    assert 'secret"' not in json.dumps(docs)  # hashes and previews, never a key
