"""Damaged and odd repositories are scanned as far as they go, with a warning naming what was missing."""

from __future__ import annotations

import json
import subprocess

from leakbot.cli import main
from tests.gitrepo import GitRepo


def git_scan(capsys, *argv):
    code = main(["git", *argv, "--format", "json", "-j", "1"])
    out = capsys.readouterr()
    return code, json.loads(out.out) if out.out.strip() else None, out.err


def _history(tmp_path, keys, n=5):
    repo = GitRepo(tmp_path / "origin")
    repo.git("config", "uploadpack.allowFilter", "true")
    for i in range(n):
        repo.commit(f"c{i}", {f"f{i}.env": f"DEVHELM_API_TOKEN={keys.rand('dh_live_', 32)}\n"})
    return repo


def test_shallow_clone(tmp_path, keys, capsys):
    origin = _history(tmp_path, keys)
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{origin.path}", str(tmp_path / "s")],
        check=True,
    )
    code, doc, err = git_scan(capsys, str(tmp_path / "s"))
    assert code == 1 and "shallow clone" in err
    assert len(doc["findings"]) == 5  # the one commit holds all five files


def test_partial_clone_does_not_fetch_and_warns(tmp_path, keys, capsys):
    origin = _history(tmp_path, keys)
    subprocess.run(["git", "clone", "-q", "--filter=blob:none", "--no-checkout",
                    f"file://{origin.path}", str(tmp_path / "p")], check=True)  # fmt: skip
    before = subprocess.run(["git", "-C", str(tmp_path / "p"), "count-objects", "-v"],
                            capture_output=True, text=True).stdout  # fmt: skip
    code, doc, err = git_scan(capsys, str(tmp_path / "p"))
    assert "blobs are missing (partial clone)" in err
    after = subprocess.run(["git", "-C", str(tmp_path / "p"), "count-objects", "-v"],
                           capture_output=True, text=True).stdout  # fmt: skip
    assert before == after  # nothing was fetched behind our back
    assert code == 4 and doc["findings"] == [] and not doc["complete"]  # never "clean"


def test_missing_objects_in_a_damaged_repository(tmp_path, keys, capsys):
    repo = _history(tmp_path, keys, n=3)
    blob = repo.git("rev-parse", "HEAD:f2.env")
    (repo.path / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    code, doc, err = git_scan(capsys, str(repo.path))
    assert "blobs are missing (damaged repository)" in err
    assert code == 4 and len(doc["findings"]) == 2


def test_submodules_binary_blobs_and_odd_paths(tmp_path, keys, capsys):
    sub = GitRepo(tmp_path / "sub")
    sub.commit("sub", {"x.txt": "x\n"})
    repo = GitRepo(tmp_path / "r")
    repo.git(
        "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub.path), "vendor/sub"
    )
    key = keys.rand("dh_live_", 32)
    repo.commit("odd", {
        "blob.bin": b"\0\1\2" + f"DEVHELM_API_TOKEN={key}".encode(),
        "caf\u00e9 dir/na\u00efve.env": f"DEVHELM_API_TOKEN={key}\n",
    })  # fmt: skip
    latin1 = "odd-\udce9.env"  # a non-UTF-8 byte in a file name
    (repo.path / latin1).write_text(
        f"DEVHELM_API_TOKEN={keys.rand('dh_live_', 32)}\n", errors="surrogateescape"
    )
    repo.git("add", "-A")
    repo.tick += 1
    repo.git("commit", "-q", "-m", "latin1 name")
    code, doc, err = git_scan(capsys, str(repo.path))
    assert code == 1, err
    paths = sorted(f["path"] for f in doc["findings"])
    assert paths[0] == "caf\u00e9 dir/na\u00efve.env" and paths[1].startswith("odd-")
    assert doc["stats"]["binary"] == 1
    for fmt in ("text", "sarif"):  # a non-UTF-8 path prints, and SARIF percent-encodes it
        assert main(["git", str(repo.path), "--format", fmt, "-j", "1"]) == 1
        assert "odd-" in capsys.readouterr().out
