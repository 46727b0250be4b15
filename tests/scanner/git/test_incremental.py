"""Pushed ranges, staged changes and --since-last scan exactly what is new."""

from __future__ import annotations

import json

from leakbot.cli import main
from scanner.finding import sha256_hex
from tests.gitrepo import GitRepo

ZERO = "0" * 40


def git_scan(capsys, *argv):
    code = main(["git", *argv, "--format", "json", "-j", "1"])
    out = capsys.readouterr()
    return code, json.loads(out.out) if out.out.strip() else None, out.err


def secrets(doc):
    return sorted(f["secret_sha256"] for f in doc["findings"])


def test_push_range_scans_only_its_three_commits(tmp_path, keys, capsys):
    repo = GitRepo(tmp_path / "r")
    old = keys.rand("dh_live_", 32)
    base = repo.commit("old", {"old.env": f"DEVHELM_API_TOKEN={old}\n"})
    new = [keys.rand("dh_live_", 32) for _ in range(3)]
    commits = [
        repo.commit(f"c{i}", {f"n{i}.env": f"DEVHELM_API_TOKEN={k}\n"}) for i, k in enumerate(new)
    ]
    # The old key moved by a later commit is not "added" as a credential line... unless re-added:
    code, doc, _ = git_scan(capsys, str(repo.path), "--range", f"{base}..{commits[-1]}")
    assert code == 1
    assert secrets(doc) == sorted(sha256_hex(k.encode()) for k in new)
    assert [f["commit"] for f in doc["findings"]] == commits
    assert [f["line"] for f in doc["findings"]] == [1, 1, 1]


def test_new_branch_range_with_zero_base(tmp_path, keys, capsys):
    repo = GitRepo(tmp_path / "r")
    on_main = keys.rand("dh_live_", 32)
    repo.commit("main", {"m.env": f"DEVHELM_API_TOKEN={on_main}\n"})
    repo.git("checkout", "-q", "-b", "topic")
    on_topic = keys.rand("dh_live_", 32)
    head = repo.commit("topic", {"t.env": f"DEVHELM_API_TOKEN={on_topic}\n"})
    _, doc, _ = git_scan(capsys, str(repo.path), "--range", f"{ZERO}..{head}")
    assert secrets(doc) == [sha256_hex(on_topic.encode())]


def test_removed_lines_and_clean_merges_add_nothing(tmp_path, keys, capsys):
    repo = GitRepo(tmp_path / "r")
    key = keys.rand("dh_live_", 32)
    base = repo.commit("key", {"a.env": f"DEVHELM_API_TOKEN={key}\n"})
    repo.git("checkout", "-q", "-b", "other")
    other_key = keys.rand("dh_live_", 32)
    other = repo.commit("other", {"o.env": f"DEVHELM_API_TOKEN={other_key}\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("drop key", {"a.env": "nothing\n"})
    repo.tick += 1
    repo.git("merge", "-q", "--no-edit", "other")
    # base..main holds "drop key" (removes a line), "other" (adds other_key) and a clean merge
    # (remerge-diff: nothing of its own). Only other_key, at the commit that added it.
    _, doc, _ = git_scan(capsys, str(repo.path), "--range", f"{base}..main")
    assert [(f["secret_sha256"], f["commit"]) for f in doc["findings"]] == [
        (sha256_hex(other_key.encode()), other)
    ]


def test_staged_changes_only(tmp_path, keys, capsys):
    repo = GitRepo(tmp_path / "r")
    staged, unstaged = keys.rand("dh_live_", 32), keys.rand("dh_live_", 32)
    repo.write({"s.env": f"DEVHELM_API_TOKEN={staged}\n"})  # before the first commit
    (repo.path / "u.env").write_text(f"DEVHELM_API_TOKEN={unstaged}\n")
    code, doc, _ = git_scan(capsys, str(repo.path), "--staged")
    assert code == 1 and secrets(doc) == [sha256_hex(staged.encode())]
    assert doc["findings"][0]["path"] == "s.env" and doc["findings"][0]["line"] == 1
    repo.commit("first")
    assert git_scan(capsys, str(repo.path), "--staged")[0] == 0


def test_since_last_scans_only_new_commits(tmp_path, keys, capsys, monkeypatch):
    monkeypatch.setenv("LEAKBOT_STATE", str(tmp_path / "state.db"))
    repo = GitRepo(tmp_path / "r")
    first = keys.rand("dh_live_", 32)
    repo.commit("one", {"a.env": f"DEVHELM_API_TOKEN={first}\n"})
    _, doc, _ = git_scan(capsys, str(repo.path), "--since-last")
    assert secrets(doc) == [sha256_hex(first.encode())]
    code, doc, _ = git_scan(capsys, str(repo.path), "--since-last")
    assert code == 0 and doc["findings"] == [] and doc["stats"]["files"] == 0
    second = keys.rand("dh_live_", 32)
    repo.commit("two", {"b.env": f"DEVHELM_API_TOKEN={second}\n"})
    _, doc, _ = git_scan(capsys, str(repo.path), "--since-last")
    assert secrets(doc) == [sha256_hex(second.encode())]
    # A force push and gc that drop the cursor's commit: the history still there is rescanned.
    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.git("reflog", "expire", "--expire=now", "--all")
    repo.git("gc", "-q", "--prune=now")
    code, doc, _ = git_scan(capsys, str(repo.path), "--since-last")
    assert code == 1 and secrets(doc) == [sha256_hex(first.encode())]


def test_a_state_database_that_cannot_be_used_is_one_line(tmp_path, capsys, monkeypatch):
    db = tmp_path / "state.db"
    db.write_bytes(b"not a database" * 100)
    repo = GitRepo(tmp_path / "r")
    repo.commit("one")
    code, _, err = git_scan(capsys, str(repo.path), "--state", str(db))
    assert code == 2 and f"{db}: cannot use the state database" in err
    assert err.count("\n") == 1
