"""`leakbot ci` with real event payload shapes against real repositories."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from leakbot.cli import main
from scanner.finding import sha256_hex
from tests.conftest import SARIF_SCHEMA
from tests.gitrepo import GitRepo

ZERO = "0" * 40
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def gh(tmp_path, monkeypatch):
    """The files GitHub hands a step, and a helper to run `leakbot ci` on an event."""
    out, summary = tmp_path / "output.txt", tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_OUTPUT", str(out))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.delenv("LEAKBOT_FAIL_ON_FINDINGS", raising=False)
    monkeypatch.delenv("LEAKBOT_HISTORY", raising=False)

    def run(repo, name, payload, capsys):
        event = tmp_path / f"{name}.json"
        event.write_text(json.dumps(payload))
        sarif = tmp_path / "leakbot.sarif"
        code = main(["ci", str(repo.path), "--event-name", name, "--event-path", str(event),
                     "--sarif-file", str(sarif)])  # fmt: skip
        std = capsys.readouterr()
        doc = json.loads(sarif.read_text())
        secrets = {r["properties"]["secret_sha256"] for r in doc["runs"][0]["results"]}
        return code, secrets, std.out, doc

    run.output, run.summary = out, summary  # type: ignore[attr-defined]
    return run


def _key_commit(repo, keys, name):
    key = keys.rand("dh_live_", 32)
    sha = repo.commit(name, {f"{name}.env": f"DEVHELM_API_TOKEN={key}\n"})
    return key, sha


def test_push_scans_exactly_the_pushed_commits(tmp_path, keys, gh, capsys):
    repo = GitRepo(tmp_path / "r")
    old, before = _key_commit(repo, keys, "old")
    new = [_key_commit(repo, keys, f"new{i}") for i in range(3)]
    code, secrets, out, doc = gh(repo, "push", {"before": before, "after": new[-1][1]}, capsys)
    assert code == 1
    assert secrets == {sha256_hex(k.encode()) for k, _ in new}
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.Draft4Validator(schema).validate(doc)
    sarif_text = json.dumps(doc)
    assert all(k not in sarif_text and k not in out for k, _ in [*new, (old, None)])
    assert out.count("::error file=new") == 3 and "leakbot:allow" in out
    assert "findings=3" in gh.output.read_text()
    text = gh.summary.read_text()
    assert "3 leaked credentials" in text and all(k not in text for k, _ in new)


def test_new_branch_push_scans_only_its_own_commits(tmp_path, keys, gh, capsys):
    repo = GitRepo(tmp_path / "r")
    _key_commit(repo, keys, "main1")
    repo.git("checkout", "-q", "-b", "topic")
    topic_key, head = _key_commit(repo, keys, "topic1")
    _, secrets, _, _ = gh(repo, "push", {"before": ZERO, "after": head, "created": True}, capsys)
    assert secrets == {sha256_hex(topic_key.encode())}


def test_force_push_scans_what_is_new(tmp_path, keys, gh, capsys):
    repo = GitRepo(tmp_path / "r")
    _key_commit(repo, keys, "base")
    rewritten_key, old_tip = _key_commit(repo, keys, "rewritten")
    repo.git("reset", "-q", "--hard", "HEAD~1")
    new_key, new_tip = _key_commit(repo, keys, "replacement")
    payload = {"before": old_tip, "after": new_tip, "forced": True}
    _, secrets, _, _ = gh(repo, "push", payload, capsys)
    assert secrets == {sha256_hex(new_key.encode())}
    # The runner's clone never had the old tip: the commits no other ref reaches are scanned.
    payload["before"] = "1" * 40
    _, secrets, _, _ = gh(repo, "push", payload, capsys)
    assert (
        sha256_hex(new_key.encode()) in secrets
        and sha256_hex(rewritten_key.encode()) not in secrets
    )


def test_pull_request_scans_base_to_head(tmp_path, keys, gh, capsys):
    repo = GitRepo(tmp_path / "r")
    _, base = _key_commit(repo, keys, "on-main")
    repo.git("checkout", "-q", "-b", "feature")
    pr_key, head = _key_commit(repo, keys, "in-pr")
    payload = {"pull_request": {"base": {"sha": base}, "head": {"sha": head}}}
    _, secrets, _, _ = gh(repo, "pull_request", payload, capsys)
    assert secrets == {sha256_hex(pr_key.encode())}


def test_schedule_scans_everything_and_fail_on_findings_off(
    tmp_path, keys, gh, capsys, monkeypatch
):
    repo = GitRepo(tmp_path / "r")
    keys_ = [_key_commit(repo, keys, f"c{i}")[0] for i in range(2)]
    monkeypatch.setenv("LEAKBOT_FAIL_ON_FINDINGS", "false")
    code, secrets, _, _ = gh(repo, "schedule", {}, capsys)
    assert code == 0 and secrets == {sha256_hex(k.encode()) for k in keys_}


def test_incremental_schedule_scans_only_what_came_since_the_last_run(
    tmp_path, keys, gh, capsys, monkeypatch
):
    repo = GitRepo(tmp_path / "r")
    first = _key_commit(repo, keys, "c0")[0]
    monkeypatch.setenv("LEAKBOT_HISTORY", "incremental")
    monkeypatch.setenv("LEAKBOT_STATE", str(tmp_path / "cache" / "state.db"))
    code, secrets, _, _ = gh(repo, "schedule", {}, capsys)
    assert code == 1 and secrets == {sha256_hex(first.encode())}  # no cursor yet: everything
    later = _key_commit(repo, keys, "c1")[0]
    _, secrets, _, _ = gh(repo, "workflow_dispatch", {}, capsys)
    assert secrets == {sha256_hex(later.encode())}
    code, secrets, _, _ = gh(repo, "schedule", {}, capsys)
    assert (code, secrets) == (0, set())
    assert "commits since the last run" in gh.summary.read_text()
    monkeypatch.setenv("LEAKBOT_HISTORY", "sometimes")
    assert main(["ci", str(repo.path), "--event-name", "schedule"]) == 2
    assert "history must be full or incremental" in capsys.readouterr().err


def test_clean_push_and_branch_deletion(tmp_path, keys, gh, capsys):
    repo = GitRepo(tmp_path / "r")
    before = repo.commit("a", {"README.md": "hi\n"})
    after = repo.commit("b", {"README.md": "hello\n"})
    code, secrets, _, _ = gh(repo, "push", {"before": before, "after": after}, capsys)
    assert (code, secrets) == (0, set())
    assert "No leaked keys found" in gh.summary.read_text()
    code, _, _, _ = gh(repo, "push", {"before": after, "after": ZERO, "deleted": True}, capsys)
    assert code == 0


def test_bad_payload_is_a_usage_error(tmp_path, capsys):
    repo = GitRepo(tmp_path / "r")
    repo.commit("a")
    (tmp_path / "e.json").write_text("{nope")
    assert main(["ci", str(repo.path), "--event-name", "push", "--event-path",
                 str(tmp_path / "e.json")]) == 2  # fmt: skip
    assert "e.json: cannot read the event payload" in capsys.readouterr().err


def test_revoke_input_rotates_a_live_key_pushed_by_policy(tmp_path, gh, capsys, monkeypatch):
    from revoker.emulator.server import Server
    from revoker.emulator.state import State

    server = Server(State(seed="ci-revoke"))
    server.start()
    try:
        admin = server.state.add("devhelm", "admin")
        leaked = server.state.add("devhelm", "ci")
        dead = server.state.add("devhelm", "old", revoked=True)
        env_file = tmp_path / "deploy.env"
        repo = GitRepo(tmp_path / "r")
        before = repo.commit("config", {".leakbot.toml": (
            f'version = 1\n[vendors.devhelm]\nbase_url = "{server.url}"\n'
            f'admin_env = "DEVHELM_ADMIN_TOKEN"\npolicy = "auto"\ndeliver = ["env"]\n'
            f'[sinks.env]\ntype = "dotenv"\npath = "{env_file}"\n')})  # fmt: skip
        after = repo.commit("oops", {"a.env": f"DEVHELM_API_TOKEN={leaked.secret}\n",
                                     "b.env": f"DEVHELM_API_TOKEN={dead.secret}\n"})  # fmt: skip
        monkeypatch.setenv("DEVHELM_ADMIN_TOKEN", admin.secret)
        monkeypatch.setenv("LEAKBOT_REVOKE", "true")
        code, secrets, out, doc = gh(repo, "push", {"before": before, "after": after}, capsys)
    finally:
        server.shutdown()
        server.server_close()
    assert code == 1 and len(secrets) == 2
    assert leaked.revoked_at is not None
    new = [k for k in server.state.keys if k.name.startswith("leakbot-")]
    assert len(new) == 1 and new[0].revoked_at is None
    assert env_file.read_text() == f"DEVHELM_API_TOKEN={new[0].secret}\n"
    statuses = sorted(r["properties"]["verification"]["status"] for r in doc["runs"][0]["results"])
    assert statuses == ["dead", "live"]
    assert leaked.secret not in out and new[0].secret not in out


def test_the_readme_local_ci_run_works_as_written(tmp_path, keys):
    """The README's "Try it locally" block, pasted into bash in a repository whose last commit
    leaks a key: one finding, exit 1, a SARIF file, no key on screen."""
    import os
    import subprocess
    import sys

    readme = (ROOT / "README.md").read_text()
    block = readme.split("Try it locally with a saved payload", 1)[1]
    block = block.split("```sh\n", 1)[1].split("```", 1)[0]
    repo = GitRepo(tmp_path / "r")
    repo.commit("a", {"app.py": "print(1)\n"})
    key = _key_commit(repo, keys, "leak")[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "LEAKBOT_"))}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env["PATH"]
    done = subprocess.run(["bash", "-c", block], cwd=repo.path, env=env, text=True,
                          capture_output=True, timeout=120)  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert done.stdout.count("::error file=leak.env,line=1") == 1, done.stdout
    assert "1 finding (push)" in done.stderr
    assert (repo.path / "leakbot.sarif").exists()
    assert key not in done.stdout + done.stderr + (repo.path / "leakbot.sarif").read_text()


def test_annotations_carry_the_column_span_and_the_summary_stays_under_1_mib():
    from leakbot import ci
    from scanner.finding import Finding

    def finding(n: int) -> Finding:
        return Finding("devhelm.api-key", "devhelm", ("devhelm",), "DevHelm API key",
                       f"deep/{'x' * 200}/f{n}.env", 3, 19, 59, f"{n:064x}", "dh_live_Ab…",
                       f"{n:064x}")  # fmt: skip

    assert ",line=3,col=19,endColumn=59,title=" in ci.annotation(finding(1))
    text = ci.summary([finding(n) for n in range(6000)], ci.Plan("range", why="push"))
    assert len(text.encode()) < 1 << 20 and "more: see the SARIF file" in text
