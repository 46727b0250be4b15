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


def configured(repo, hook_repo, *hooks):
    path, rev = hook_repo
    config = f"repos:\n- repo: {path}\n  rev: {rev}\n  hooks:\n" + "".join(
        f"  - id: {hook}\n" for hook in hooks
    )
    repo.commit("config", {".pre-commit-config.yaml": config})


@pytest.fixture
def project(tmp_path, hook_repo, pre_commit_home, monkeypatch):
    monkeypatch.setenv("PRE_COMMIT_HOME", str(pre_commit_home))
    repo = GitRepo(tmp_path / "project")
    configured(repo, hook_repo, "leakbot", "leakbot-commit-msg", "leakbot-push")
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


def test_all_files_finds_keys_committed_before_the_hooks(tmp_path, hook_repo, pre_commit_home,
                                                        monkeypatch, keys):  # fmt: skip
    """`pre-commit run --all-files` (what pre-commit.ci runs) with the file-mode hook fails on a
    repository that already holds keys, even in a file whose name looks like an option."""
    monkeypatch.setenv("PRE_COMMIT_HOME", str(pre_commit_home))
    repo = GitRepo(tmp_path / "project")
    old, odd = keys.rand("dh_live_", 32), keys.b32("sk-helicone-")
    repo.commit("before the hooks", {"deploy/app.env": f"DEVHELM_API_TOKEN={old}\n",
                                     "--output=x.env": f"HELICONE_API_KEY={odd}\n",
                                     "README.md": "hello\n"})  # fmt: skip

    def run_all(*hooks):
        configured(repo, hook_repo, *hooks)
        proc = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files"],
                              cwd=repo.path, capture_output=True, text=True)  # fmt: skip
        return proc.returncode, proc.stdout + proc.stderr

    code, out = run_all("leakbot-files")
    assert code == 1, out
    # The hook's own environment holds the scanner, not the bot extra.
    installed = {
        p.name.lower() for p in pre_commit_home.glob("*/py_env-*/lib/python*/site-packages/*")
    }
    assert "regex" in installed and "httpx" not in installed and "cryptography" not in installed
    assert "deploy/app.env" in out and "--output=x.env" in out, out
    assert old not in out and odd not in out
    assert not (repo.path / "x.env").exists()
    # The staged-diff hook alone sees nothing under --all-files: why leakbot-files exists.
    code, out = run_all("leakbot")
    assert code == 0, out
    repo.git("rm", "-q", "--", "deploy/app.env", "--output=x.env")
    repo.commit("keys removed (and rotated)")
    assert run_all("leakbot-files")[0] == 0


def test_the_manifest_is_valid_and_names_every_hook_init_offers():
    import yaml

    from leakbot.commands.init_cmd import pre_commit_entry

    manifest = ROOT / ".pre-commit-hooks.yaml"
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", str(manifest)],
                          capture_output=True, text=True)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    hooks = {hook["id"]: hook for hook in yaml.safe_load(manifest.read_text())}
    offered = {line.split("id:")[1].split()[0] for line in pre_commit_entry("0").splitlines()
               if "id:" in line}  # fmt: skip
    assert offered == set(hooks)
    assert {hook["minimum_pre_commit_version"] for hook in hooks.values()} == {"3.2.0"}
