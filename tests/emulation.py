"""Test helpers for the revoker's real-process tests: `leakbot emulate` as a child process, a
webhook receiver on loopback, and running the CLI as a user would."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx


@contextmanager
def emulator_process(folder: Path, *flags: str) -> Iterator[tuple[subprocess.Popen[str], dict]]:
    """`leakbot emulate` on a free port; yields the process and its key file (with "url")."""
    keys_file = folder / "emulator-keys.json"
    keys_file.unlink(missing_ok=True)
    argv = [sys.executable, "-m", "leakbot", "emulate", "--port", "0", "--keys-file",
            str(keys_file), *flags]  # fmt: skip
    proc = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 30
        while not keys_file.exists() and time.time() < deadline and proc.poll() is None:
            time.sleep(0.05)
        yield proc, json.loads(keys_file.read_text())
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)


def emulator_keys(url: str) -> list[dict[str, Any]]:
    """The emulator's keys by hash, name and state (its /_emulator/keys view)."""
    with httpx.Client(timeout=5) as client:
        result: list[dict[str, Any]] = client.get(f"{url}/_emulator/keys").json()
        return result


def serve(handler_cls: type[BaseHTTPRequestHandler]) -> tuple[ThreadingHTTPServer, str]:
    """A handler class served on a free loopback port from a daemon thread; the server, its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_cls)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


class JSONHandler(BaseHTTPRequestHandler):
    """A fake service's handler: JSON in, JSON out, no request log."""

    def reply(self, status: int, doc: Any = None) -> None:
        data = json.dumps(doc).encode() if doc is not None else b""
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self) -> Any:
        return json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")

    def log_message(self, *_: Any) -> None:
        pass


class Receiver:
    """A webhook endpoint on loopback that keeps every request's headers and raw body."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.received.append((dict(self.headers), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server, base = serve(Handler)
        self.url = f"{base}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def leakbot(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "leakbot", *args], cwd=cwd, text=True,
                          capture_output=True, env={**os.environ, **env}, timeout=300)  # fmt: skip


class Bot:
    """`leakbot serve` (or another long-running command: `worker`) as a child process; its JSON
    log lines are collected as they come."""

    def __init__(self, cwd: Path, env: dict[str, str], *args: str,
                 command: tuple[str, ...] = ("serve", "--listen", "127.0.0.1:0")) -> None:  # fmt: skip
        argv = [sys.executable, "-m", "leakbot", *command, *args]
        self.proc = subprocess.Popen(argv, cwd=cwd, env={**os.environ, **env}, text=True,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line)

    def messages(self) -> list[str]:
        out = []
        for line in list(self.lines):
            try:
                out.append(json.loads(line)["message"])
            except (ValueError, KeyError, TypeError):
                out.append(line)
        return out

    def url(self, timeout: float = 30) -> str:
        deadline = time.time() + timeout
        while time.time() < deadline:
            for message in self.messages():
                if message.startswith("serving on "):
                    return message.split()[2]
            time.sleep(0.05)
        raise AssertionError("leakbot serve did not start: " + "".join(self.lines))

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=120)


def wait_until(check: Any, timeout: float, step: float = 0.2) -> Any:
    deadline = time.time() + timeout
    while True:
        value = check()
        if value or time.time() > deadline:
            return value
        time.sleep(step)
