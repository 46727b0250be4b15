"""What `leakbot scan` reads of a tree: `--exclude` globs prune it, and what a work tree's
.gitignore ignores (a venv, build output) is left out and counted unless --include-ignored; a
file named on the command line is always scanned."""

from __future__ import annotations

import json

from leakbot.cli import main
from tests.gitrepo import GitRepo


def _paths(capsys, *argv) -> tuple[list[str], dict]:
    main(["scan", *argv, "--format", "json", "-j", "1", "-q"])
    doc = json.loads(capsys.readouterr().out)
    return sorted(f["path"].rsplit("/", 2)[-2] + "/" + f["path"].rsplit("/", 1)[-1]
                  for f in doc["findings"]), doc["stats"]  # fmt: skip


def _tree(tmp_path, keys):
    repo = GitRepo(tmp_path / "app")
    repo.commit("ignore", {".gitignore": ".venv/\n*.log\n"})
    for rel in ("src/a.env", ".venv/lib/site.py", "build/out.env", "src/debug.log"):
        path = repo.path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"DEVHELM_API_TOKEN={keys.rand('dh_live_', 32)}\n")
    return repo.path


def test_gitignored_files_are_left_out_and_counted(tmp_path, keys, capsys):
    root = _tree(tmp_path, keys)
    found, stats = _paths(capsys, str(root))
    assert found == ["build/out.env", "src/a.env"] and stats["ignored"] == 2
    found, _ = _paths(capsys, str(root), "--include-ignored")
    assert found == ["build/out.env", "lib/site.py", "src/a.env", "src/debug.log"]
    found, _ = _paths(capsys, str(root / "src" / "debug.log"))  # named: always scanned
    assert found == ["src/debug.log"]


def test_exclude_globs_prune_names_and_paths(tmp_path, keys, capsys):
    root = _tree(tmp_path, keys)
    found, stats = _paths(capsys, str(root), "--exclude", "build", "--exclude", "src/*.env")
    assert found == [] and stats["excluded"] == 2
    assert main(["scan", str(root), "--exclude", "build", "-j", "1"]) == 1
    assert "1 excluded" in capsys.readouterr().out
