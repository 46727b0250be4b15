"""`pip install leakbot` (no extras) is the scanner: run here with the bot's modules made
unimportable, the scan commands work with a full config, and the commands that need
leakbot[bot] say so in one line before doing anything."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from leakbot.extras import BOT
from tests.gitrepo import GitRepo

# A child in which every module of leakbot[bot] fails to import, as on a light install.
LIGHT = f"""
import sys
class Absent:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {BOT!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, Absent())
from leakbot.cli import main
sys.exit(main(sys.argv[1:]))
"""

CONFIG = """\
version = 1
[vendors.helicone]
base_url = "https://api.example.test"
admin_env = "HELICONE_ADMIN_KEY"
deliver = ["app-env"]
[sinks.app-env]
type = "dotenv"
path = "deploy.env"
[[notify]]
type = "webhook"
url = "https://hooks.example.test/leakbot"
[[targets]]
repo = "."
cron = "*/5 * * * *"
"""


def light(*args: str, cwd) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", LIGHT, *args], cwd=cwd, capture_output=True,
                          text=True, env={**os.environ, "LEAKBOT_STATE": str(cwd / "s.db")})  # fmt: skip


@pytest.fixture
def project(tmp_path, keys):
    repo = GitRepo(tmp_path / "project")
    repo.commit("config", {".leakbot.toml": CONFIG})
    repo.write({"app.env": f"DEVHELM_API_TOKEN={keys.rand('dh_live_', 32)}\n"})
    repo.git("add", "app.env")
    return repo.path


def test_the_scanner_runs_without_the_bot_extra(project):
    # The key is staged, not committed: the history holds only the config. Without the state
    # extra a full history scan keeps no cursor (nothing is written), and says nothing of it.
    expected = [(["scan", ".", "-q"], 1), (["git", "--staged", "-q"], 1), (["git", "-q"], 0),
                (["rules", "check"], 0)]  # fmt: skip
    for args, code in expected:
        run = light(*args, cwd=project)
        assert run.returncode == code, (args, run.stderr)
        assert "Traceback" not in run.stderr
    assert not (project / "s.db").exists()
    run = light("git", "--since-last", cwd=project)
    assert run.returncode == 2 and "--since-last needs leakbot[state]" in run.stderr


@pytest.mark.parametrize("args, feature", [
    (["scan", ".", "--verify"], "--verify"),
    (["git", "--verify"], "--verify"),
    (["revoke"], "leakbot revoke"),
    (["status"], "leakbot status"),
    (["serve", "--once"], "leakbot serve"),
    (["verify", "report.json"], "leakbot verify"),
])  # fmt: skip
def test_a_command_that_needs_the_bot_extra_says_so(project, args, feature):
    run = light(*args, cwd=project)
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith(f"leakbot: error: {feature} needs leakbot[bot] (httpx, "), (
        run.stderr
    )
    assert "pip install 'leakbot[bot]'" in run.stderr and run.stderr.count("\n") == 1


def test_the_action_asks_for_the_extra_when_it_verifies(project):
    run = subprocess.run([sys.executable, "-c", LIGHT, "ci"], cwd=project, capture_output=True,
                         text=True, env={**os.environ, "LEAKBOT_VERIFY": "true",
                                         "LEAKBOT_STATE": str(project / "s.db")})  # fmt: skip
    assert run.returncode == 2 and "LEAKBOT_VERIFY needs leakbot[bot]" in run.stderr, run.stderr


def test_the_commit_hook_imports_nothing_of_the_bot(project):
    probe = ("import sys, runpy; sys.argv = ['leakbot', 'git', '--staged', '-q']\n"
             "try: runpy.run_module('leakbot', run_name='__main__')\n"
             "except SystemExit: pass\n"
             f"print(sorted(m for m in sys.modules if m.split('.')[0] in {BOT!r} + ('git',)))")  # fmt: skip
    run = subprocess.run([sys.executable, "-c", probe], cwd=project, capture_output=True, text=True)
    assert run.stdout.strip().splitlines()[-1] == "[]", run.stdout + run.stderr
