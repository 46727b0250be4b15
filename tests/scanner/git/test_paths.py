"""A path reads the same in every mode: git C-quotes unusual names in diffs (range, staged),
and leakbot unquotes them, so a path allowlist that works on history works on a push."""

from __future__ import annotations

import json

from leakbot.cli import main
from tests.gitrepo import GitRepo

NAMES = ["café.env", 'say "hi".env', "tab\there.env", "back\\slash.env"]


def _paths(capsys, *argv) -> list[str]:
    assert main(["git", *argv, "--format", "json", "-j", "1"]) == 1
    return sorted(f["path"] for f in json.loads(capsys.readouterr().out)["findings"])


def test_quoted_names_are_the_same_in_history_range_and_staged(tmp_path, keys, capsys):
    repo = GitRepo(tmp_path / "r")
    repo.commit("base", {"README.md": "hi\n"})
    files = {name: f"DEVHELM_API_TOKEN={keys.rand('dh_live_', 32)}\n" for name in NAMES}
    repo.commit("names", files)
    assert _paths(capsys, str(repo.path)) == sorted(NAMES)
    assert _paths(capsys, str(repo.path), "--range", "HEAD~1..HEAD") == sorted(NAMES)
    staged = {f"new-{n}": f"DEVHELM_API_TOKEN={keys.rand('dh_live_', 32)}\n" for n in NAMES}
    repo.write(staged)
    assert _paths(capsys, str(repo.path), "--staged") == sorted(staged)


def test_an_allowlisted_path_is_allowed_on_a_push_too(tmp_path, keys, capsys):
    repo = GitRepo(tmp_path / "r")
    repo.commit(
        "base",
        {"README.md": "hi\n", ".leakbot.toml": "version = 1\n[[allowlists]]\npaths = ['^café']\n"},
    )
    repo.commit("key", {"café.env": f"DEVHELM_API_TOKEN={keys.rand('dh_live_', 32)}\n"})
    assert main(["git", str(repo.path), "-j", "1", "-q"]) == 0
    assert main(["git", str(repo.path), "--range", "HEAD~1..HEAD", "-q"]) == 0
