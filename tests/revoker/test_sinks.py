"""Delivery sinks: a real .env file, a real child process, and GitHub's and Vault's APIs as small
HTTP servers on loopback (the GitHub one holds a real Curve25519 key pair and opens the box)."""

from __future__ import annotations

import base64
import json
import os
import stat
import sys

import httpx
import pytest
from nacl.public import PrivateKey, SealedBox

from revoker.errors import InsecureURL, RevokerError
from revoker.http import make_client
from revoker.sinks import build
from revoker.sinks.dotenv import DotenvSink, replace_variable
from tests.emulation import JSONHandler, serve


@pytest.fixture
def client():
    with make_client(httpx.Timeout(3.0)) as c:
        yield c


# -- dotenv --------------------------------------------------------------------------------------


def test_dotenv_replaces_one_variable_atomically_keeping_mode_and_group(tmp_path, keys):
    path = tmp_path / ".env"
    path.write_text("# deploy\nA=1\nexport HELICONE_API_KEY=old # c\nB='two'\n")
    os.chmod(path, 0o640)  # a group-reading app keeps its access after a rotation
    group = 4242 if os.geteuid() == 0 else ([*os.getgroups(), os.getgid()][0])
    os.chown(path, -1, group)
    new = keys.rand("sk-helicone-", 30)
    DotenvSink("env", str(path)).deliver("HELICONE_API_KEY", new.encode())
    assert path.read_text() == f"# deploy\nA=1\nexport HELICONE_API_KEY={new}\nB='two'\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640 and path.stat().st_gid == group
    assert [p.name for p in tmp_path.iterdir()] == [".env"]  # no temporary file left


def test_dotenv_appends_a_missing_variable_and_creates_a_missing_file(tmp_path):
    assert replace_variable(b"A=1", b"B", b"v") == b"A=1\nB=v\n"
    assert replace_variable(b"AB=1\n", b"B", b"v") == b"AB=1\nB=v\n"
    path = tmp_path / "new.env"
    DotenvSink("env", str(path)).deliver("TOKEN", b"value")
    assert path.read_text() == "TOKEN=value\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # a new file holding a key: owner only


def test_dotenv_refuses_multiline_values_and_unwritable_folders(tmp_path):
    sink = DotenvSink("env", str(tmp_path / "missing-dir" / ".env"))
    with pytest.raises(RevokerError, match=r"sink env: .*missing-dir"):
        sink.deliver("T", b"v")
    with pytest.raises(RevokerError, match="spans lines"):
        DotenvSink("env", str(tmp_path / ".env")).deliver("T", b"a\nB=evil")


# -- command -------------------------------------------------------------------------------------


WRITER = """
import sys
from revoker.sinks.dotenv import DotenvSink
sink = DotenvSink("env", sys.argv[1])
for n in range(40):
    sink.deliver(f"{sys.argv[2]}_{n}", b"v" * 24)
"""


def test_dotenv_writers_in_two_processes_lose_no_variable(tmp_path):
    import subprocess
    import sys

    env_file = tmp_path / "deploy.env"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(env_file), name])
             for name in ("HELICONE", "DEVHELM")]  # fmt: skip
    assert [p.wait(60) for p in procs] == [0, 0]
    names = {line.split("=", 1)[0] for line in env_file.read_text().splitlines()}
    assert names == {f"{v}_{n}" for v in ("HELICONE", "DEVHELM") for n in range(40)}


def test_command_gets_the_value_on_stdin_and_never_on_argv(tmp_path, keys):
    record = tmp_path / "calls"
    script = (
        "import sys, json; open(sys.argv[1], 'w').write(json.dumps([sys.argv, sys.stdin.read()]))"
    )
    sink = build("gh", {"type": "command",
                        "command": [sys.executable, "-c", script, str(record), "{name}"]})  # fmt: skip
    value = keys.rand("dh_live_", 40)
    sink.deliver("DEVHELM_API_TOKEN", value.encode())
    argv, stdin = json.loads(record.read_text())
    assert stdin == value and argv[-1] == "DEVHELM_API_TOKEN"
    assert all(value not in arg for arg in argv)


def test_command_failures_name_the_sink_not_the_output(tmp_path, keys):
    value = keys.rand("dh_live_", 40)
    echo = build("gh", {"type": "command", "command": [
        sys.executable, "-c", "import sys; print(sys.stdin.read()); sys.exit(3)"]})  # fmt: skip
    with pytest.raises(RevokerError) as err:
        echo.deliver("T", value.encode())
    assert "exited with 3" in str(err.value) and value not in str(err.value)
    missing = build("x", {"type": "command", "command": ["no-such-program-leakbot"]})
    with pytest.raises(RevokerError, match="command not found"):
        missing.deliver("T", b"v")
    with pytest.raises(ValueError, match="stdin"):
        build("x", {"type": "command", "command": ["echo", "{value}"]})
    with pytest.raises(ValueError, match="list of strings"):
        build("x", {"type": "command", "command": "gh secret set"})


# -- github --------------------------------------------------------------------------------------


def test_github_actions_secret_is_sealed_with_the_repository_key(client, monkeypatch, keys):
    private = PrivateKey.generate()
    stored = {}

    class GitHub(JSONHandler):
        def do_GET(self):
            assert self.headers["Authorization"] == "Bearer ghp-test"
            assert self.path == "/repos/acme/api/environments/prod/actions/secrets/public-key"
            key = base64.b64encode(bytes(private.public_key)).decode()
            self.reply(200, {"key_id": "568250167242549743", "key": key})

        def do_PUT(self):
            doc = self.body()
            assert doc["key_id"] == "568250167242549743"
            opened = SealedBox(private).decrypt(base64.b64decode(doc["encrypted_value"]))
            stored[self.path.rsplit("/", 1)[1]] = opened.decode()
            self.reply(201 if not stored.get("seen") else 204)

    server, url = serve(GitHub)
    try:
        monkeypatch.setenv("GH_ROTATION_TOKEN", "ghp-test")
        sink = build("ci", {"type": "github", "repo": "acme/api", "environment": "prod",
                            "token_env": "GH_ROTATION_TOKEN", "api_url": url}, client)  # fmt: skip
        value = keys.rand("dh_live_", 40)
        sink.deliver("DEVHELM_API_TOKEN", value.encode())
        assert stored == {"DEVHELM_API_TOKEN": value}
        monkeypatch.delenv("GH_ROTATION_TOKEN")
        with pytest.raises(RevokerError, match=r"\$GH_ROTATION_TOKEN is not set"):
            sink.deliver("DEVHELM_API_TOKEN", value.encode())
    finally:
        server.shutdown()
    with pytest.raises(InsecureURL):
        build("ci", {"type": "github", "repo": "a/b", "api_url": "http://github.example"}, client)
    with pytest.raises(ValueError, match="owner/name"):
        build("ci", {"type": "github", "repo": "not a repo"}, client)
    with pytest.raises(ValueError):
        build("ci", {"type": "github", "repo": "a/b", "colour": "blue"}, client)


# -- vault ---------------------------------------------------------------------------------------


def test_vault_kv2_check_and_set_keeps_other_fields_and_survives_a_lost_race(client, monkeypatch):
    secret = {"version": 3, "data": {"DB_URL": "postgres://x", "HELICONE_API_KEY": "old"}}
    races = {"left": 1}

    class Vault(JSONHandler):
        def do_GET(self):
            assert self.headers["X-Vault-Token"] == "hvs.test"
            assert self.path == "/v1/kv/data/apps/api"
            self.reply(200, {"data": {"data": secret["data"],
                                      "metadata": {"version": secret["version"]}}})  # fmt: skip

        def do_POST(self):
            doc = self.body()
            if races["left"]:  # someone else wrote in between
                races["left"] -= 1
                secret["version"] += 1
            if doc["options"]["cas"] != secret["version"]:
                msg = "check-and-set parameter did not match the current version"
                return self.reply(400, {"errors": [msg]})
            secret["version"] += 1
            secret["data"] = doc["data"]
            self.reply(200, {"data": {"version": secret["version"]}})

    server, url = serve(Vault)
    try:
        monkeypatch.setenv("VAULT_TOKEN", "hvs.test")
        sink = build("vault", {"type": "vault", "addr": url, "mount": "kv", "path": "apps/api"},
                     client)  # fmt: skip
        sink.deliver("HELICONE_API_KEY", b"new-value")
    finally:
        server.shutdown()
    assert secret["data"] == {"DB_URL": "postgres://x", "HELICONE_API_KEY": "new-value"}
    assert secret["version"] == 5


def test_unknown_sink_type_is_a_clear_error():
    with pytest.raises(ValueError, match="'type' must be one of"):
        build("x", {"type": "ftp"})
