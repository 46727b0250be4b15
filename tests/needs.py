"""Tools and services the tests use that the Python install does not bring: a test that needs
one asks `need()`, which skips with the reason on a user's machine and fails in CI."""

from __future__ import annotations

import os
import shutil
import sys

import pytest

# .ci/run sets this: there a tool or service a test needs is never missing, so a skip for want of
# one would hide a test that did not run. It fails instead.
REQUIRE_ALL = os.environ.get("LEAKBOT_TEST_REQUIRE_ALL") == "1"


def need(tool: str, why: str) -> str:
    """The path of `tool` (from this Python's bin folder first, then PATH), or skip saying why;
    under LEAKBOT_TEST_REQUIRE_ALL a missing tool fails the test."""
    found = shutil.which(tool, path=os.pathsep.join([os.path.dirname(sys.executable),
                                                     os.environ.get("PATH", "")]))  # fmt: skip
    if found:
        return found
    message = f"{tool} is not installed: {why}"
    if REQUIRE_ALL:
        pytest.fail(message + " (LEAKBOT_TEST_REQUIRE_ALL=1: CI must run this)")
    pytest.skip(message)


PG_BIN = "/usr/lib/postgresql/15/bin"


class Postgres:
    """A PostgreSQL 15 server of the tests' own, in a temporary folder: Unix socket only, trust
    auth, one fresh database per `database()`. As root (CI) it runs as the postgres user, since
    PostgreSQL refuses to run as root."""

    def __init__(self) -> None:
        import pwd
        import subprocess
        import tempfile

        self.subprocess = subprocess
        binaries = PG_BIN
        if not os.path.exists(os.path.join(binaries, "pg_ctl")):  # elsewhere: on PATH?
            binaries = os.path.dirname(need("pg_ctl", f"PostgreSQL 15 server (not in {PG_BIN})"))
        self.bin = binaries
        self.root = tempfile.mkdtemp(prefix="leakbot-pg-")
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            user = "postgres" if _user_exists("postgres") else "nobody"
            entry = pwd.getpwnam(user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
            self.as_user = ["runuser", "-u", user, "--"]
        self.data, self.port = os.path.join(self.root, "data"), _free_port()
        self._run("initdb", "-D", self.data, "-A", "trust", "-U", "leakbot", "--no-sync", "-E",
                  "UTF8")  # fmt: skip
        options = f"-k {self.root} -p {self.port} -c listen_addresses='' -c fsync=off"
        self._run("pg_ctl", "-D", self.data, "-o", options, "-w", "-l",
                  os.path.join(self.root, "log"), "start")  # fmt: skip
        self.count = 0

    def _run(self, tool: str, *args: str) -> None:
        proc = self.subprocess.run([*self.as_user, os.path.join(self.bin, tool), *args],
                                   capture_output=True, text=True)  # fmt: skip
        if proc.returncode != 0:
            raise RuntimeError(f"{tool} failed: {proc.stderr.strip() or proc.stdout.strip()}")

    def database(self) -> str:
        """A new, empty database; its URL (no password: trust auth on the socket)."""
        self.count += 1
        name = f"t{self.count}"
        self._run("createdb", "-h", self.root, "-p", str(self.port), "-U", "leakbot", name)
        return f"postgresql://leakbot@/{name}?host={self.root}&port={self.port}"

    def stop(self) -> None:
        import shutil

        try:
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Redis:
    """A Redis server of the tests' own (Debian's redis-server): loopback, a free port, nothing
    saved to disk, in a temporary folder."""

    def __init__(self) -> None:
        import subprocess
        import tempfile
        import time

        binary = need("redis-server", "distributed mode's broker (apt-get install redis-server)")
        self.root = tempfile.mkdtemp(prefix="leakbot-redis-")
        self.port = _free_port()
        self.proc = subprocess.Popen([binary, "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no", "--dir", self.root,
                                      "--protected-mode", "yes"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        deadline = time.time() + 10
        while not self._answers() and time.time() < deadline:
            time.sleep(0.05)
        if not self._answers():
            self.stop()
            raise RuntimeError("redis-server did not start")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _answers(self) -> bool:
        import socket

        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        import shutil

        self.proc.terminate()
        self.proc.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)
