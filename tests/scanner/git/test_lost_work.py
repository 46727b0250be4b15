"""A git scan that could not do all its work says so: exit 4, SARIF executionSuccessful false,
the findings it did make still reported. Revisions from flags, payloads and the environment are
checked as commits and never reach git as options."""

from __future__ import annotations

import json
import subprocess

import jsonschema

from leakbot.cli import main
from tests.conftest import SARIF_SCHEMA
from tests.gitrepo import GitRepo


def _corrupt_loose_object(repo: GitRepo, sha: str) -> None:
    path = repo.path / ".git" / "objects" / sha[:2] / sha[2:]
    path.chmod(0o644)
    path.write_bytes(path.read_bytes()[:12])  # a zlib stream cut short: unreadable


def _leaky(tmp_path, keys, n=3):
    repo = GitRepo(tmp_path / "r")
    for i in range(n):
        repo.commit(f"c{i}", {f"f{i}.env": f"DEVHELM_API_TOKEN={keys.rand('dh_live_', 32)}\n"})
    return repo


def test_a_corrupt_head_tree_is_an_incomplete_scan_that_keeps_its_findings(tmp_path, keys, capsys):
    repo = _leaky(tmp_path, keys)
    _corrupt_loose_object(repo, repo.git("rev-parse", "HEAD^{tree}"))
    sarif = tmp_path / "out.sarif"
    code = main(["git", str(repo.path), "-j", "1", "--format", "sarif", "-o", str(sarif)])
    err = capsys.readouterr().err
    assert code == 4
    assert "git log stopped early" in err and "no leaks found" not in err
    doc = json.loads(sarif.read_text())
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(doc)
    invocation = doc["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert any(n["level"] == "error" for n in invocation["toolExecutionNotifications"])
    assert len(doc["runs"][0]["results"]) == 3  # every blob was read: nothing found is lost


def test_text_report_of_an_incomplete_clean_scan_never_says_clean(tmp_path, capsys):
    repo = GitRepo(tmp_path / "r")
    repo.commit("one", {"a.txt": "nothing\n"})
    repo.commit("two", {"b.txt": "nothing\n"})
    _corrupt_loose_object(repo, repo.git("rev-parse", "HEAD^{tree}"))
    assert main(["git", str(repo.path), "-j", "1"]) == 4
    out = capsys.readouterr().out
    assert "INCOMPLETE" in out and "no leaks found in what could be read" in out


def test_range_with_a_commit_the_clone_lacks_is_an_error(tmp_path, keys, capsys):
    repo = _leaky(tmp_path, keys)
    missing = "1234567" * 5 + "89abc"
    assert main(["git", str(repo.path), "--range", f"{missing}..HEAD"]) == 2
    assert f"--range base '{missing}' is not a commit here" in capsys.readouterr().err


def test_pull_request_in_a_shallow_clone_is_incomplete_not_clean(tmp_path, keys, capsys):
    origin = GitRepo(tmp_path / "origin")
    base = origin.commit("base", {"README.md": "hi\n"})
    for i in range(3):
        origin.commit(f"k{i}", {f"k{i}.env": f"DEVHELM_API_TOKEN={keys.rand('dh_live_', 32)}\n"})
    head = origin.head()
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{origin.path}", str(clone)],
                   check=True)  # fmt: skip
    event = tmp_path / "pr.json"
    event.write_text(json.dumps({"pull_request": {"base": {"sha": base}, "head": {"sha": head}}}))
    sarif = tmp_path / "leakbot.sarif"
    code = main(["ci", str(clone), "--event-name", "pull_request", "--event-path", str(event),
                 "--sarif-file", str(sarif)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 4
    assert "::error title=leakbot: scan incomplete::" in out and "fetch-depth: 0" in out
    doc = json.loads(sarif.read_text())
    assert doc["runs"][0]["invocations"][0]["executionSuccessful"] is False
    full = main(["ci", str(origin.path), "--event-name", "pull_request", "--event-path",
                 str(event), "--sarif-file", str(sarif)])  # fmt: skip
    assert full == 1 and len(json.loads(sarif.read_text())["runs"][0]["results"]) == 3


def test_an_option_in_a_payload_never_reaches_git(tmp_path, keys, capsys):
    repo = _leaky(tmp_path, keys)
    planted = tmp_path / "written-by-git"
    event = tmp_path / "pr.json"
    event.write_text(json.dumps({"pull_request": {
        "base": {"sha": f"--output={planted}"}, "head": {"sha": repo.head()},
    }}))  # fmt: skip
    code = main(["ci", str(repo.path), "--event-name", "pull_request", "--event-path",
                 str(event), "--sarif-file", str(tmp_path / "s.sarif")])  # fmt: skip
    assert code == 4 and not planted.exists()
    push = tmp_path / "push.json"
    push.write_text(json.dumps({"before": f"--output={planted}", "after": repo.head()}))
    code = main(["ci", str(repo.path), "--event-name", "push", "--event-path", str(push),
                 "--sarif-file", str(tmp_path / "s.sarif")])  # fmt: skip
    assert code == 1 and not planted.exists()  # an unknown old tip: the new commits are scanned


def test_an_option_in_a_flag_or_the_hook_environment_never_reaches_git(
    tmp_path, keys, capsys, monkeypatch
):
    repo = _leaky(tmp_path, keys)
    planted = tmp_path / "written-by-git"
    assert main(["git", str(repo.path), f"--range=--output={planted}..HEAD"]) == 2
    assert main(["git", str(repo.path), f"--range=HEAD~1..--output={planted}"]) == 2
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", f"--output={planted}")
    monkeypatch.setenv("PRE_COMMIT_TO_REF", "HEAD")
    assert main(["git", str(repo.path), "--push"]) == 2
    assert "is not a commit here" in capsys.readouterr().err
    assert not planted.exists()
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", repo.git("rev-parse", "HEAD~1"))
    assert main(["git", str(repo.path), "--push", "--format", "json"]) == 1
    assert len(json.loads(capsys.readouterr().out)["findings"]) == 1


def test_a_failing_git_log_in_a_range_is_incomplete(tmp_path, keys, capsys):
    repo = _leaky(tmp_path, keys)
    _corrupt_loose_object(repo, repo.git("rev-parse", "HEAD^{tree}"))
    code = main(["git", str(repo.path), "--range", "HEAD~2..HEAD", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 4 and not doc["complete"]
    assert any("git log failed" in p for p in doc["incomplete"])


def test_since_last_keeps_its_cursor_when_the_scan_was_incomplete(tmp_path, keys, capsys):
    repo = _leaky(tmp_path, keys)
    tree = repo.git("rev-parse", "HEAD^{tree}")
    obj = repo.path / ".git" / "objects" / tree[:2] / tree[2:]
    whole = obj.read_bytes()
    state = ["--state", str(tmp_path / "state.db")]
    _corrupt_loose_object(repo, tree)
    assert main(["git", str(repo.path), "--since-last", "-j", "1", *state]) == 4
    obj.write_bytes(whole)  # repaired: the next run scans everything again
    capsys.readouterr()
    assert main(["git", str(repo.path), "--since-last", "-j", "1", "--format", "json", *state]) == 1
    assert len(json.loads(capsys.readouterr().out)["findings"]) == 3
