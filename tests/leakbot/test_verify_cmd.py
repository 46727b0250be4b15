"""`leakbot verify REPORT`: the report holds no secret, so each key is read again from where the
report says it is (a file, or a git blob under --root) and asked of the vendor."""

from __future__ import annotations

import json

import pytest

from leakbot.cli import main
from revoker.emulator.server import Server
from revoker.emulator.state import State
from tests.gitrepo import GitRepo


@pytest.fixture
def emulator():
    server = Server(State(seed="verify-cmd"))
    server.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def project(emulator, tmp_path, monkeypatch):
    state = emulator.state
    keys = {"admin": state.add("devhelm", "admin"), "live": state.add("devhelm", "ci"),
            "dead": state.add("devhelm", "old", revoked=True)}  # fmt: skip
    (tmp_path / ".leakbot.toml").write_text(
        f'version = 1\n[vendors.devhelm]\nbase_url = "{emulator.url}"\nadmin_env = "DH_ADMIN"\n'
    )
    monkeypatch.setenv("DH_ADMIN", keys["admin"].secret)
    monkeypatch.setenv("LEAKBOT_STATE", str(tmp_path / "state.db"))
    monkeypatch.chdir(tmp_path)
    return keys


def _report(capsys, *args) -> dict:
    capsys.readouterr()
    code = main([*args, "--format", "json", "-q"])
    out = capsys.readouterr().out
    return {"code": code, **json.loads(out)}


def test_verify_reads_each_key_again_from_the_files(project, tmp_path, capsys):
    (tmp_path / "app.env").write_text(f"DEVHELM_API_TOKEN={project['live'].secret}\n"
                                      f"DEVHELM_OLD={project['dead'].secret} # devhelm\n")  # fmt: skip
    scan = _report(capsys, "scan", "app.env")
    (tmp_path / "report.json").write_text(json.dumps(scan))
    verified = _report(capsys, "verify", "report.json")
    assert verified["code"] == 1
    assert [f["verification"]["status"] for f in verified["findings"]] == ["live", "dead"]
    assert verified["findings"][0]["verification"]["key_id"] == project["live"].key_id
    assert main(["status"]) == 0
    assert "1 new, 1 dead" in capsys.readouterr().out

    # The key has since been removed from the file: not verified, and said so.
    (tmp_path / "app.env").write_text("DEVHELM_API_TOKEN=\n")
    capsys.readouterr()
    assert main(["verify", "report.json", "--format", "json"]) == 1
    captured = capsys.readouterr()
    assert "app.env:1: the key is no longer there" in captured.err
    statuses = [f["verification"]["status"] for f in json.loads(captured.out)["findings"]]
    assert statuses == ["unknown", "unknown"]


def test_verify_reads_git_blobs_under_root_and_takes_stdin(project, tmp_path, capsys, monkeypatch):
    repo = GitRepo(tmp_path / "svc")
    repo.commit("add", {"cfg.py": f'DEVHELM_API_TOKEN = "{project["live"].secret}"\n'})
    repo.commit("remove", {"cfg.py": "DEVHELM_API_TOKEN = os.environ['DEVHELM_API_TOKEN']\n"})
    scan = _report(capsys, "git", str(repo.path))
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(scan)))
    verified = _report(capsys, "verify", "-", "--root", str(repo.path))
    assert [f["verification"]["status"] for f in verified["findings"]] == ["live"]


def test_verify_rejects_what_is_not_a_report(project, tmp_path, capsys):
    (tmp_path / "junk.json").write_text("[1, 2, 3]\n")
    assert main(["verify", "junk.json"]) == 2
    assert "junk.json: not a leakbot report" in capsys.readouterr().err
    (tmp_path / "odd.json").write_text('{"findings": [{"rule_id": "x"}]}')
    assert main(["verify", "odd.json"]) == 2
    assert "odd.json: finding 1 is not a leakbot finding" in capsys.readouterr().err
    assert main(["verify", "missing.json"]) == 2
    assert "missing.json: cannot read" in capsys.readouterr().err


def test_revoke_and_status_on_an_empty_ledger(project, capsys):
    assert main(["revoke"]) == 0
    assert "the ledger is empty" in capsys.readouterr().err
    assert main(["status"]) == 0
    assert "is empty" in capsys.readouterr().out
    assert main(["revoke", "--approve", "5"]) == 2
    assert "--approve 5: no such rotation" in capsys.readouterr().err


def test_approve_an_unknown_id_is_a_usage_error(project, tmp_path, capsys):
    (tmp_path / "a.env").write_text(f"DEVHELM_API_TOKEN={project['live'].secret}\n")
    assert main(["scan", "a.env", "--verify", "-q"]) == 1
    assert main(["revoke", "--approve", "42"]) == 2
    assert "--approve 42: no such rotation" in capsys.readouterr().err
    # Policy approve (the default) with no sink: the plan says what is missing.
    assert main(["revoke"]) == 0
    out = capsys.readouterr().out
    assert "blocked: no delivery sink for devhelm" in out


def test_a_sink_missing_an_option_is_a_config_error_naming_it(project, tmp_path, capsys):
    config = tmp_path / ".leakbot.toml"
    config.write_text(config.read_text() + '[sinks.env]\ntype = "dotenv"\n')
    (tmp_path / "a.env").write_text(f"DEVHELM_API_TOKEN={project['live'].secret}\n")
    assert main(["scan", "a.env", "-q"]) == 2  # when the config loads, not when revoke runs
    assert main(["revoke"]) == 2
    for err in capsys.readouterr().err.strip().splitlines():
        assert err.endswith(".leakbot.toml: sinks.env: a dotenv sink needs 'path'")


def test_execute_exits_1_while_a_rotation_awaits_approval(project, tmp_path, capsys):
    config = tmp_path / ".leakbot.toml"
    config.write_text(config.read_text() + 'deliver = ["env"]\n[sinks.env]\ntype = "dotenv"\n'
                      'path = "app.env"\n')  # fmt: skip
    (tmp_path / "a.env").write_text(f"DEVHELM_API_TOKEN={project['live'].secret}\n")
    assert main(["scan", "a.env", "--verify", "-q"]) == 1
    capsys.readouterr()
    assert main(["revoke", "--execute"]) == 1  # nothing was done: the row still waits
    assert "await: policy approve: leakbot revoke --approve 1" in capsys.readouterr().out
    assert main(["status"]) == 0
    assert "1 awaiting approval" in capsys.readouterr().out
