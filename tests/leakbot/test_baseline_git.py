"""One identity for a credential at a path (rule, secret hash, path) across scan, git, diff and
ci: a baseline made from a repository's history keeps all of them quiet, and only a new key
fails the build."""

from __future__ import annotations

import json

from leakbot.cli import main
from tests.gitrepo import GitRepo


def test_a_history_baseline_holds_for_history_tree_range_and_diff(
    tmp_path, keys, capsys, monkeypatch
):
    old = keys.rand("dh_live_", 32)
    repo = GitRepo(tmp_path / "r")
    repo.commit("key", {"app.env": f"DEVHELM_API_TOKEN={old}\n"})
    repo.commit("copy", {"deploy/app.env": f"# copied\nDEVHELM_API_TOKEN={old}\n"})
    base = str(tmp_path / "base.json")
    assert main(["baseline", "create", "--git", str(repo.path), "-o", base, "-q", "-j", "1"]) == 0
    doc = json.loads((tmp_path / "base.json").read_text())
    assert sorted(e["path"] for e in doc["findings"]) == ["app.env", "deploy/app.env"]
    assert old not in (tmp_path / "base.json").read_text()

    assert main(["git", str(repo.path), "--baseline", base, "-q", "-j", "1"]) == 0
    assert main(["scan", str(repo.path), "--baseline", base, "-q"]) == 1  # paths from cwd...
    capsys.readouterr()
    monkeypatch.chdir(repo.path)  # ...the tree scanned from the repository's root: all quiet
    assert main(["scan", ".", "--baseline", base, "-q"]) == 0

    new = keys.rand("dh_live_", 32)
    repo.commit("moved and new", {"app.env": f"# moved down\n\nDEVHELM_API_TOKEN={old}\n",
                                  "new.env": f"DEVHELM_API_TOKEN={new}\n"})  # fmt: skip
    assert main(["git", str(repo.path), "--range", "HEAD~1..HEAD", "--baseline", base,
                 "--format", "json", "-q"]) == 1  # fmt: skip
    found = json.loads(capsys.readouterr().out)["findings"]
    assert [f["path"] for f in found] == ["new.env"]

    diff = repo.git("diff", "HEAD~1", "HEAD")
    (tmp_path / "change.patch").write_text(diff + "\n")
    assert (
        main(["diff", str(tmp_path / "change.patch"), "--baseline", base, "--format", "json"]) == 1
    )
    assert [f["path"] for f in json.loads(capsys.readouterr().out)["findings"]] == ["new.env"]


def test_baseline_git_takes_one_repository(tmp_path, capsys):
    assert main(["baseline", "create", "--git", "a", "b"]) == 2
    assert "--git takes one repository" in capsys.readouterr().err
