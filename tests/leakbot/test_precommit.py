"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit framework."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gitrepo import GitRepo

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory):
    """This tree's tracked files as they are now, committed in a repository pre-commit can clone."""
    target = tmp_path_factory.mktemp("leakbot-hooks")
    files = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others",
                            "--exclude-standard"], capture_output=True,
                           check=True).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    repo = GitRepo(target)
    repo.git("add", "-A")
    return target, repo.commit("snapshot")


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory):
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def project(tmp_path, hook_repo, pre_commit_home, monkeypatch):
    path, rev = hook_repo
    monkeypatch.setenv("PRE_COMMIT_HOME", str(pre_commit_home))
    repo = GitRepo(tmp_path / "project")
    (repo.path / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {path}\n  rev: {rev}\n  hooks:\n"
        "  - id: leakbot\n  - id: leakbot-commit-msg\n  - id: leakbot-push\n"
    )
    repo.commit(
        "config", {".pre-commit-config.yaml": (repo.path / ".pre-commit-config.yaml").read_text()}
    )
    subprocess.run([sys.executable, "-m", "pre_commit", "install", "--hook-type", "pre-commit",
                    "--hook-type", "commit-msg", "--hook-type", "pre-push"],
                   cwd=repo.path, check=True, capture_output=True)  # fmt: skip
    return repo


def commit(repo, message, files):
    repo.write(files)
    repo.tick += 1
    proc = subprocess.run(["git", "commit", "-q", "-m", message], cwd=repo.path,
                          capture_output=True, text=True, env={**repo.env(), **os.environ,
                          **{k: v for k, v in repo.env().items() if k.startswith("GIT_")}})  # fmt: skip
    return proc.returncode, proc.stdout + proc.stderr


def test_commit_with_a_leaked_key_is_blocked_with_a_redacted_message(project, keys):
    key = keys.rand("dh_live_", 32)
    code, out = commit(project, "add config", {"app.env": f"DEVHELM_API_TOKEN={key}\n"})
    assert code != 0, out
    assert "devhelm.api-key" in out and "leakbot:allow" in out
    assert key not in out
    assert project.git("log", "--oneline").count("\n") == 0  # only the config commit


def test_clean_commit_passes_and_allow_marker_works(project, keys):
    code, out = commit(project, "docs", {"README.md": "hello\n"})
    assert code == 0, out
    key = keys.rand("dh_live_", 32)
    code, out = commit(project, "fixture", {"t.env": f"DEVHELM_API_TOKEN={key}  # leakbot:allow\n"})
    assert code == 0, out


def test_key_in_commit_message_is_blocked(project, keys):
    key = keys.b32("sk-helicone-")
    code, out = commit(project, f"use Helicone-Auth: Bearer {key}", {"x.txt": "x\n"})
    assert code != 0 and "helicone" in out and key not in out


def test_push_with_a_key_committed_past_the_hook_is_blocked(project, keys, tmp_path):
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    project.git("remote", "add", "origin", str(remote))

    def push():
        proc = subprocess.run(["git", "push", "-q", "origin", "main"], cwd=project.path,
                              capture_output=True, text=True)  # fmt: skip
        return proc.returncode, proc.stdout + proc.stderr

    def sneak_in(name):
        key = keys.rand("dh_live_", 32)
        project.write({name: f"DEVHELM_API_TOKEN={key}\n"})
        project.tick += 1
        project.git("commit", "-q", "--no-verify", "-m", f"skipped the hook: {name}")
        return key

    # A first push has no base on the remote: every commit no remote ref reaches is checked.
    key = sneak_in("first.env")
    code, out = push()
    assert code != 0 and "devhelm.api-key" in out and key not in out
    project.git("reset", "-q", "--hard", "HEAD~1")
    code, out = push()
    assert code == 0, out
    # Later pushes: pre-commit names the range being pushed.
    key = sneak_in("late.env")
    code, out = push()
    assert code != 0 and "devhelm.api-key" in out and key not in out
