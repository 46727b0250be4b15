"""Whole-history scans: every ref, every commit, once per credential, at the introducing commit."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from leakbot.cli import main
from rules import builtin_rules
from scanner import pipeline
from scanner.engine import Engine
from scanner.git.run import open_repo
from scanner.git.scan import scan_history
from tests.gitrepo import GitRepo


def git_scan(capsys, *argv):
    code = main(["git", *argv, "--format", "json", "-j", "1"])
    out = capsys.readouterr()
    return code, json.loads(out.out) if out.out.strip() else None, out.err


@pytest.fixture
def planted(tmp_path, keys):
    """A history with keys on a side branch, in a merge, behind a tag only, deleted later, and
    in a stash; plus one key repeated through 40 versions of a file."""
    repo = GitRepo(tmp_path / "repo")
    expect = {}
    repo.commit("init", {"README.md": "hello\n", "app.py": "print(1)\n"})

    repo.git("checkout", "-q", "-b", "side")
    key = keys.rand("dh_live_", 32)
    expect["side"] = (
        key,
        repo.commit("side key", {"side.env": f"DEVHELM_API_TOKEN={key}\n"}),
        "side.env",
    )

    repo.git("checkout", "-q", "main")
    key = keys.b32("sk-helicone-")
    expect["deleted"] = (key, repo.commit("add key", {"cfg.py": f"HELICONE = '{key}'\n"}), "cfg.py")
    repo.commit("remove key", {"cfg.py": None})

    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("feature work", {"feature.txt": "f\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("main work", {"main.txt": "m\n"})
    key = keys.rand("sk_live_", 40)
    repo.git("merge", "-q", "--no-commit", "feature")
    repo.write({"merge.env": f"HELIOS_API_KEY={key}\n"})
    repo.tick += 1
    repo.git("commit", "-q", "-m", "evil merge")
    expect["merge"] = (key, repo.head(), "merge.env")

    repo.git("checkout", "-q", "-b", "tmp")
    key = keys.rand("dh_live_", 32)
    expect["tag"] = (key, repo.commit("tagged", {"t.env": f"DIFFHOOK_API_KEY={key}\n"}), "t.env")
    repo.git("tag", "v1-odd/name")
    repo.git("checkout", "-q", "main")
    repo.git("branch", "-q", "-D", "tmp")

    key = keys.rand("dh_live_", 32)
    for version in range(40):
        repo.commit(
            f"v{version}", {"settings.py": f"VERSION = {version}\nDEVHELM_API_TOKEN = '{key}'\n"}
        )
        if version == 0:
            expect["versions"] = (key, repo.head(), "settings.py")

    key = keys.rand("dh_live_", 32)
    (repo.path / "wip.env").write_text(f"DEVHELM_API_TOKEN={key}\n")
    repo.git("add", "wip.env")
    repo.tick += 1
    repo.git("stash", "-q")
    stash = repo.git("rev-parse", "refs/stash")
    expect["stash"] = (key, None, "wip.env")
    return repo, expect, stash


def test_every_planted_key_once_at_its_introducing_commit(planted, capsys):
    repo, expect, stash = planted
    code, doc, err = git_scan(capsys, str(repo.path))
    assert code == 1, err
    from scanner.finding import sha256_hex

    by_secret = {f["secret_sha256"]: f for f in doc["findings"]}
    assert len(doc["findings"]) == len(expect)
    for name, (key, commit, path) in expect.items():
        finding = by_secret[sha256_hex(key.encode())]
        assert finding["path"] == path, name
        if commit:
            assert finding["commit"] == commit, name
        assert finding["author"] == "Ada Tester"
    assert any(
        r == "refs/tags/v1-odd/name"
        for r in by_secret[sha256_hex(expect["tag"][0].encode())]["refs"]
    )
    versions = by_secret[sha256_hex(expect["versions"][0].encode())]
    assert len(versions["occurrences"]) == 40 and versions["line"] == 2
    assert by_secret[sha256_hex(expect["stash"][0].encode())]["refs"] == ["refs/stash"]
    assert stash


def test_bare_clone_gives_the_same_findings(planted, tmp_path, capsys):
    repo, _, _ = planted
    subprocess.run(
        ["git", "clone", "-q", "--mirror", str(repo.path), str(tmp_path / "bare.git")], check=True
    )
    _, full, _ = git_scan(capsys, str(repo.path))
    _, bare, _ = git_scan(capsys, str(tmp_path / "bare.git"))
    assert [(f["secret_sha256"], f["commit"], f["path"]) for f in bare["findings"]] == [
        (f["secret_sha256"], f["commit"], f["path"]) for f in full["findings"]
    ]


def test_pool_and_inline_agree(planted, monkeypatch):
    repo, _, _ = planted
    engine = Engine(builtin_rules())
    inline = scan_history(engine, open_repo(str(repo.path)), ["--all"], jobs=1)
    monkeypatch.setattr(pipeline, "INLINE_BYTES", 0)
    monkeypatch.setattr("scanner.git.scan.INLINE_BYTES", 0)
    monkeypatch.setattr(
        "scanner.git.blobs.units", lambda blobs, count, floor=0: [blobs[i::3] for i in range(3)]
    )
    pooled = scan_history(engine, open_repo(str(repo.path)), ["--all"], jobs=2)
    assert [f.to_dict() for f in inline.findings] == [f.to_dict() for f in pooled.findings]
    assert inline.stats.files == pooled.stats.files > 40
    assert len(inline.findings) == 6 and inline.notes == pooled.notes == []


def test_remote_url_is_mirrored_and_fetched(planted, keys, capsys):
    repo, expect, _ = planted
    url = f"file://{repo.path}"
    _, first, _ = git_scan(capsys, url)
    assert len(first["findings"]) == len(expect)  # a mirror keeps every ref, the stash too
    key = keys.rand("dh_live_", 32)
    repo.commit("later", {"late.env": f"DEVHELM_API_TOKEN={key}\n"})
    _, second, _ = git_scan(capsys, url)
    assert len(second["findings"]) == len(expect) + 1
    code, _, err = git_scan(capsys, "https://user:tok@example.org/r.git")
    assert code == 2 and "credential helper" in err and "tok" not in err


def test_a_mirror_drops_deleted_refs_and_a_damaged_cache_is_cloned_again(tmp_path, keys, capsys):
    from scanner.git.remote import cache_root

    origin = GitRepo(tmp_path / "origin")
    origin.commit("base", {"README.md": "hi\n"})
    origin.git("checkout", "-q", "-b", "topic")
    origin.commit("topic", {"t.env": f"DEVHELM_API_TOKEN={keys.rand('dh_live_', 32)}\n"})
    origin.git("checkout", "-q", "main")
    url = f"file://{origin.path}"
    assert len(git_scan(capsys, url)[1]["findings"]) == 1
    origin.git("branch", "-q", "-D", "topic")
    origin.git("reflog", "expire", "--expire=now", "--all")
    (mirror,) = cache_root().iterdir()
    code, doc, _ = git_scan(capsys, url)
    assert code == 0 and doc["findings"] == []  # the pruned branch's commit is unreachable
    (mirror / "HEAD").write_text("garbage\n")  # a damaged cache: cloned again, not trusted
    code, doc, err = git_scan(capsys, url)
    assert code == 0 and (mirror / "HEAD").read_text().startswith("ref: "), err


@pytest.mark.parametrize("url, message", [
    ("file:///nowhere/at/all.git", "git clone failed: fatal: "),
    ("ext::sh -c touch% /tmp/leakbot-ext-pwned% file://x", "refusing an unsafe git transport"),
])  # fmt: skip
def test_a_url_that_cannot_be_cloned_is_one_line_naming_it(capsys, url, message):
    code, _, err = git_scan(capsys, url)
    assert code == 2 and message in err and err.count("\n") == 1, err
    assert not Path("/tmp/leakbot-ext-pwned").exists()


def test_not_a_repository(tmp_path, capsys):
    code, _, err = git_scan(capsys, str(tmp_path))
    assert code == 2 and f"{tmp_path}: not a git repository" in err


def test_vendor_known_only_from_the_path(tmp_path, keys, capsys):
    """Blobs are first read without a path; those whose findings depend on it are read again."""
    repo = GitRepo(tmp_path / "r")
    dh, sk = keys.rand("dh_live_", 32), keys.rand("sk_live_", 32)
    repo.commit("keys", {"services/diffhook/settings.py": f"TOKEN = '{dh}'\n",
                         "helios/config.py": f"KEY = '{sk}'\n",
                         "billing/config.py": f"KEY = '{keys.rand('sk_live_', 32)}'\n"})  # fmt: skip
    _, doc, _ = git_scan(capsys, str(repo.path))
    from scanner.finding import sha256_hex

    got = {f["secret_sha256"]: (f["vendor"], f["path"]) for f in doc["findings"]}
    assert got == {
        sha256_hex(dh.encode()): ("diffhook", "services/diffhook/settings.py"),
        sha256_hex(sk.encode()): ("helios", "helios/config.py"),
    }


def test_the_text_summary_counts_commits_and_blobs(tmp_path, keys, capsys):
    repo = GitRepo(tmp_path / "repo")
    repo.commit("one", {"a.txt": "a\n"})
    repo.commit("two", {"a.txt": "b\n", "b.txt": "b\n"})  # one blob at two paths
    repo.commit("three", {"a.txt": "a\n"})  # the first blob again: read once
    assert main(["git", str(repo.path), "-j", "1"]) == 0
    assert capsys.readouterr().out.strip() == "no leaks found in 3 commits (2 blobs, 4 B)"
