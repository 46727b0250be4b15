"""The defects of the bot's old stdlib HTTP server, each tried against the uvicorn server with
leakbot's guard: a negative or garbage Content-Length, a huge body, idle and trickling
connections, a client that leaves mid-reply. Raw sockets: an HTTP client would refuse to send
most of these."""

from __future__ import annotations

import os
import socket
import time

import pytest

from leakbot.web import guard
from tests.leakbot.web.rig import leak


def _connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    return sock


def _answer(sock: socket.socket) -> bytes:
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except (ConnectionResetError, TimeoutError):
        pass
    return data


def _status(raw: bytes) -> int:
    return int(raw.split(b" ", 2)[1]) if raw.startswith(b"HTTP/1.1 ") else 0


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _no_tracebacks(web_log, capfd) -> None:
    err = capfd.readouterr().err
    said = "\n".join(web_log.kept.lines)
    assert "Traceback" not in err + said and "Exception" not in err + said, (err, said)


@pytest.mark.parametrize("length", [b"-1", b"abc", b"1e9", b"0x10", b"5, 7"])
def test_a_bad_content_length_is_a_400_not_a_read_to_the_end(sqlite_rig, web_log, capfd, length):
    sock = _connect(sqlite_rig.url)
    sock.sendall(b"POST /github/secret-scanning HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 b"Content-Length: " + length + b"\r\n\r\n" + b"x" * 4096)  # fmt: skip
    raw = _answer(sock)
    sock.close()
    assert _status(raw) == 400, raw[:200]
    _no_tracebacks(web_log, capfd)


def test_a_huge_body_is_refused_at_once_and_a_streamed_one_after_the_cap(sqlite_rig):
    sock = _connect(sqlite_rig.url)
    sock.sendall(
        b"POST /github/secret-scanning HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Length: 314572800\r\n\r\n"
    )  # 300 MB announced: not waited for
    assert _status(_answer(sock)) == 413
    sock.close()

    before = _rss()
    # read as it streams in (a login form) and not read at all (no alerts here: a 404)
    for path, refused in ((b"/login", 413), (b"/github/secret-scanning", 404)):
        sock = _connect(sqlite_rig.url)
        sock.sendall(b"POST " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: application/x-www-form-urlencoded\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")  # fmt: skip
        chunk = b"%x\r\n%s\r\n" % (1 << 16, b"y" * (1 << 16))
        sent = 0
        try:
            while sent < 300 << 20:  # 300 MB, a chunk at a time, until the server hangs up
                sock.sendall(chunk)
                sent += 1 << 16
        except (BrokenPipeError, ConnectionResetError):
            pass
        raw = _answer(sock)
        sock.close()
        assert sent < 64 << 20, (path, sent)  # it stopped reading soon after answering
        assert _status(raw) in (refused, 0), raw[:100]  # the answer, unless the reset came first
    assert _rss() - before < 64 << 20  # the body was never held


def test_idle_connections_are_closed_and_never_exhaust_the_process(sqlite_rig, monkeypatch):
    monkeypatch.setattr(guard, "REQUEST_SECONDS", 1.0)
    fds = len(os.listdir("/proc/self/fd"))
    idle = [_connect(sqlite_rig.url) for _ in range(300)]  # more than MAX_CONNECTIONS
    time.sleep(2.5)
    for sock in idle:
        sock.settimeout(2)
        assert _answer(sock) == b""  # the server hung up on each of them
        sock.close()
    assert len(os.listdir("/proc/self/fd")) < fds + 10
    sqlite_rig.client(None).get("/healthz").raise_for_status()  # and it still answers


def test_a_trickling_client_is_cut_off_at_the_deadline(sqlite_rig, monkeypatch):
    monkeypatch.setattr(guard, "REQUEST_SECONDS", 1.0)
    sock = _connect(sqlite_rig.url)
    started = time.monotonic()
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200
    try:
        for byte in request:  # slowloris: a byte every 50 ms, never the end of the headers
            sock.sendall(bytes([byte]))
            time.sleep(0.05)
    except (BrokenPipeError, ConnectionResetError):
        pass
    took = time.monotonic() - started
    assert took < 5, took  # cut off after about a second, not after 10 s of trickle
    sock.close()


def test_a_keep_alive_connection_gets_a_fresh_deadline_per_request(sqlite_rig, monkeypatch):
    monkeypatch.setattr(guard, "REQUEST_SECONDS", 1.0)
    sock = _connect(sqlite_rig.url)
    for _ in range(3):  # three requests over 1.8 s on one connection: each within its deadline
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        raw = b""
        while not raw.endswith(b'{"status":"ok"}'):
            raw += sock.recv(65536) or b"!closed"
        assert raw.startswith(b"HTTP/1.1 200"), raw
        time.sleep(0.6)
    sock.close()


def test_a_client_that_leaves_mid_reply_leaves_no_traceback(sqlite_rig, web_log, capfd):
    for n in range(400):
        leak(sqlite_rig.store, n)
    for _ in range(5):
        sock = _connect(sqlite_rig.url)
        sock.sendall(b"GET /export.csv?triage=all HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Authorization: Bearer viewer-token-for-tests\r\n\r\n")  # fmt: skip
        sock.recv(10)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()  # a reset, mid-reply
    time.sleep(0.5)
    sqlite_rig.client(None).get("/healthz").raise_for_status()
    _no_tracebacks(web_log, capfd)
