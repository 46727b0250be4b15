"""A misbehaving key service costs only its own credential's check: garbage is UNKNOWN with a
reason, a server that answers a byte at a time is cut off at the call's total time, and the scan
reports everything else. Children of the command sink see no admin credential."""

from __future__ import annotations

import json
import socket
import sys
import threading
import time

import pytest

from leakbot.cli import main
from revoker.http import make_client
from revoker.service import Verdict
from revoker.sinks import build
from revoker.vendors.devhelm import DevHelm
from tests.emulation import JSONHandler, serve

GARBAGE = {
    "html": (b"<html>oops</html>", "text/html"),
    "a list": (b"[1, 2]", "application/json"),
    "data is a list": (b'{"data": [1]}', "application/json"),
    "key is a string": (b'{"data": {"key": "x"}}', "application/json"),
    "not utf-8": (b"\xff\xfe{", "application/json"),
}


def _garbage_server(body: bytes, content_type: str):
    class Handler(JSONHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return serve(Handler)


@pytest.mark.parametrize("answer", sorted(GARBAGE))
def test_a_garbage_answer_is_unknown_with_a_reason(answer, keys):
    server, url = _garbage_server(*GARBAGE[answer])
    try:
        with make_client() as client:
            result = DevHelm(client, base_url=url).verify(keys.rand("dh_live_", 32).encode())
    finally:
        server.shutdown()
    assert result.verdict == Verdict.UNKNOWN and result.reason


def test_one_vendors_garbage_costs_no_other_finding(tmp_path, keys, capsys, monkeypatch):
    server, url = _garbage_server(*GARBAGE["html"])

    class Helicone(JSONHandler):
        def do_GET(self) -> None:
            self.reply(200, {"data": [], "error": None})

    helicone, helicone_url = serve(Helicone)
    try:
        (tmp_path / ".leakbot.toml").write_text(
            f'version = 1\n[vendors.devhelm]\nbase_url = "{url}"\n'
            f'[vendors.helicone]\nbase_url = "{helicone_url}"\n'
        )
        (tmp_path / "app.env").write_text(
            f"DEVHELM_API_TOKEN={keys.rand('dh_live_', 32)}\n"
            f"HELICONE_API_KEY={keys.b32('sk-helicone-')}\n"
        )
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("LEAKBOT_STATE", str(tmp_path / "state.db"))
        code = main(["scan", ".", "--verify", "--format", "json", "-q"])
    finally:
        server.shutdown()
        helicone.shutdown()
    found = {
        f["vendor"]: f["verification"] for f in json.loads(capsys.readouterr().out)["findings"]
    }
    assert code == 1
    assert found["helicone"]["status"] == "live"
    assert found["devhelm"]["status"] == "unknown" and found["devhelm"]["reason"]


class Trickle:
    """A server that answers one byte every `gap` seconds, for ever (until the client leaves)."""

    def __init__(self, gap: float = 0.2) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.gap = gap
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            try:
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                while True:
                    conn.sendall(b"X")  # an endless header line, a byte at a time
                    time.sleep(self.gap)
            except OSError:
                return


def test_a_byte_at_a_time_cannot_hold_a_call_past_its_total_time(keys):
    server = Trickle()
    box = {}

    def verify() -> None:
        with make_client(total=1.0) as client:
            box["answer"] = DevHelm(client, base_url=server.url).verify(b"dh_live_" + b"a" * 32)

    worker = threading.Thread(target=verify, daemon=True)
    worker.start()
    worker.join(30)  # per-read timeouts alone would never end this call
    server.sock.close()
    assert not worker.is_alive(), "the call outlived its total time"
    assert box["answer"].verdict == Verdict.UNKNOWN and "Timeout" in box["answer"].reason


def test_the_bound_reaches_every_pool_of_a_real_client():
    from revoker.deadline import bound_total_time

    with make_client() as client:
        assert bound_total_time(client) == 0  # already bound by make_client
    import httpx

    with httpx.Client() as plain:
        assert bound_total_time(plain) == 1  # the private pool attribute is still where it was


def test_the_command_sink_child_sees_no_admin_credential(tmp_path, monkeypatch):
    monkeypatch.setenv("DH_ADMIN", "admin-secret-value")
    monkeypatch.setenv("GH_TOKEN", "for-gh")
    record = tmp_path / "env.json"
    script = "import json, os, sys; open(sys.argv[1], 'w').write(json.dumps(dict(os.environ)))"
    argv = [sys.executable, "-c", script, str(record)]
    build("gh", {"type": "command", "command": argv}).deliver("X", b"v")
    seen = json.loads(record.read_text())
    assert "DH_ADMIN" not in seen and "GH_TOKEN" not in seen and "PATH" in seen
    build("gh", {"type": "command", "command": argv, "env": ["GH_TOKEN"]}).deliver("X", b"v")
    seen = json.loads(record.read_text())
    assert seen["GH_TOKEN"] == "for-gh" and "DH_ADMIN" not in seen
