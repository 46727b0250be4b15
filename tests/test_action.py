"""action.yml and the README's workflows, checked as GitHub and its linters read them: every
action pinned by SHA to a node24 release, leakbot in its own virtualenv from hashed pins, and
workflows that pass zizmor and GitHub's schemas."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

from tests.needs import need

ROOT = Path(__file__).resolve().parents[1]
ACTION = ROOT / "action.yml"
PINS = ROOT / "requirements" / "action.txt"
# The first major release of each action that runs on node24 (node20 is retired on runners).
NODE24 = {"actions/checkout": 5, "actions/setup-python": 6, "actions/cache": 5,
          "github/codeql-action": 4}  # fmt: skip
USES = re.compile(r"uses: ([\w.-]+/[\w.-]+)(/[\w./-]+)?@(\S+)(?: # v(\d+)\.\d+\.\d+)?")


def _workflows() -> dict[str, str]:
    """The README's workflow files: ```yaml blocks that start with their path."""
    blocks = re.findall(
        r"```yaml\n(# \.github/workflows/\S+\n.*?)```", (ROOT / "README.md").read_text(), re.S
    )
    return {block.split()[1]: block for block in blocks}


def _uses(text: str) -> list[tuple[str, str, int | None]]:
    return [(repo, ref, int(major) if major else None)
            for repo, _, ref, major in USES.findall(text)]  # fmt: skip


@pytest.mark.parametrize("name", ["action.yml", *_workflows()])
def test_every_action_is_pinned_by_sha_to_a_node24_release(name):
    text = ACTION.read_text() if name == "action.yml" else _workflows()[name]
    used = [u for u in _uses(text) if u[0] != "leakbot/leakbot"]
    assert used
    for repo, ref, major in used:
        assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{repo}@{ref} is not pinned by SHA"
        assert major is not None, f"{repo}@{ref}: say which release the SHA is (# vX.Y.Z)"
        assert major >= NODE24[repo], f"{repo} v{major} runs on node20"


def test_the_action_is_a_composite_whose_inputs_reach_scripts_through_env():
    doc = yaml.safe_load(ACTION.read_text())
    assert doc["runs"]["using"] == "composite"
    assert {"config", "fail-on-findings", "verify", "revoke", "sarif-file", "version",
            "history"} <= set(doc["inputs"])  # fmt: skip
    assert {"findings", "sarif-file"} <= set(doc["outputs"])
    for step in doc["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), "inputs reach scripts through env:, never inline"


def test_leakbot_runs_from_its_own_venv_never_the_callers_python():
    doc = yaml.safe_load(ACTION.read_text())
    steps = doc["runs"]["steps"]
    setup = next(s for s in steps if "setup-python" in s.get("uses", ""))
    assert setup["with"]["update-environment"] is False
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "GITHUB_PATH" not in runs and "GITHUB_ENV" not in runs
    assert "--require-hashes" in runs and "requirements/action.txt" in runs
    scan = next(s for s in steps if s.get("id") == "scan")
    assert scan["run"] == '"$LEAKBOT" ci' and "leakbot-venv/bin/leakbot" in scan["env"]["LEAKBOT"]
    assert any("actions/cache@" in s.get("uses", "") and "leakbot-pip" in s["with"]["path"]
               for s in steps)  # fmt: skip


def _pins() -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) from requirements/action.txt."""
    out = {}
    for entry in re.split(r"\n(?=\S)", PINS.read_text()):
        if entry.startswith("#") or not entry.strip():
            continue
        name, version = re.match(r"([\w.-]+)==([\w.]+)", entry).groups()
        out[name.lower().replace("_", "-")] = (version, entry.count("--hash=sha256:"))
    return out


def test_the_hashed_pins_cover_every_dependency_and_satisfy_it():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    extras = project["project"]["optional-dependencies"]
    wanted = [*project["project"]["dependencies"], *extras["bot"], *extras["state"],
              *project["build-system"]["requires"]]  # fmt: skip
    pins = _pins()
    for line in wanted:
        req = Requirement(line)
        name = req.name.lower().replace("_", "-")
        if name == "leakbot":  # an extra naming another (bot = [leakbot[state], ...])
            continue
        assert name in pins, f"{name} is not in {PINS.name}: run requirements/update-action"
        version = pins[name][0]
        assert req.specifier.contains(version), f"{name}=={version} does not satisfy {req}"
    assert all(hashes for _, hashes in pins.values())


def _written(tmp_path: Path) -> Path:
    """The README's workflows as files, leakbot's own action pinned as the README asks."""
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    for name, text in _workflows().items():
        pinned = text.replace("leakbot/leakbot@v0.1.0", "leakbot/leakbot@" + "0" * 40 + " # v0.1.0")
        (folder / Path(name).name).write_text(pinned)
    return folder


def test_the_readme_workflows_and_the_action_pass_zizmor(tmp_path):
    zizmor = need("zizmor", "pip install -e '.[test]' brings it")
    folder = _written(tmp_path)
    for target in (folder, ACTION):
        run = subprocess.run([zizmor, "--offline", "--persona", "pedantic", "--format", "json",
                              str(target)],
                             capture_output=True, text=True)  # fmt: skip
        assert run.returncode == 0 and json.loads(run.stdout) == [], run.stdout + run.stderr


def test_the_readme_workflows_and_the_action_match_githubs_schemas(tmp_path):
    check = need("check-jsonschema", "pip install -e '.[test]' brings it")
    folder = _written(tmp_path)
    for schema, files in (("vendor.github-workflows", sorted(folder.iterdir())),
                          ("vendor.github-actions", [ACTION])):  # fmt: skip
        run = subprocess.run([check, "--builtin-schema", schema, *map(str, files)],
                             capture_output=True, text=True)  # fmt: skip
        assert run.returncode == 0, run.stdout + run.stderr


def test_the_readme_workflows_follow_the_hardening_they_promise():
    workflows = {name: yaml.safe_load(text) for name, text in _workflows().items()}
    assert len(workflows) == 2
    for name, doc in workflows.items():
        assert doc["permissions"] == {}, name
        assert "concurrency" in doc, name
        for job in doc["jobs"].values():
            assert "permissions" in job and "timeout-minutes" in job, name
            for step in job["steps"]:
                if "actions/checkout" in step.get("uses", ""):
                    assert step["with"]["persist-credentials"] is False, name
    rotate = next(doc for doc in workflows.values()
                  if any("revoke" in s.get("with", {}) for j in doc["jobs"].values() for s in j["steps"]))  # fmt: skip
    assert all("environment" in job for job in rotate["jobs"].values())
