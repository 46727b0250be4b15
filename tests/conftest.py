"""Shared fixtures: no network, seeded test keys built at test time, both engines."""

from __future__ import annotations

import base64
import socket
from pathlib import Path
from typing import Any

import pytest

from rules.examples import helicone_token, random_token, seeded, uuid4
from scanner.matcher import hyperscan_available

SARIF_SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"
ENGINES = ["hyperscan", "regex"] if hyperscan_available() else ["regex"]


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests may talk to loopback only: anything else is a bug in the test or the code."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        remote = isinstance(host, str) and not (
            host.startswith("127.") or host in ("::1", "localhost")
        )
        if remote and self.family in (socket.AF_INET, socket.AF_INET6):
            raise OSError(f"network blocked in tests: {host}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(autouse=True)
def _private_homes(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """State, cache and user config of each test live in its own folders, never in ~."""
    home = tmp_path_factory.mktemp("home")
    for name in ("XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    for name in ("LEAKBOT_STATE", "LEAKBOT_CONFIG"):
        monkeypatch.delenv(name, raising=False)


class Keys:
    """Token-shaped test strings from a prefix and a seeded random body (never committed)."""

    def __init__(self, seed: str) -> None:
        self._rng = seeded(seed)

    def rand(self, prefix: str = "", length: int = 32) -> str:
        return random_token(self._rng, prefix, length)

    def b32(self, prefix: str) -> str:
        return helicone_token(self._rng, prefix)

    def uuid(self) -> str:
        return uuid4(self._rng)

    def hex(self, length: int = 64) -> str:
        return "".join(self._rng.choice("0123456789abcdef") for _ in range(length))

    @staticmethod
    def b64(text: str) -> str:
        return base64.b64encode(text.encode()).decode()


@pytest.fixture
def keys(request: pytest.FixtureRequest) -> Keys:
    return Keys(request.node.nodeid)


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL 15 server for the whole session (started on first use); skips without one."""
    from tests.needs import Postgres

    server = Postgres()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server():
    """A Redis server for the whole session (started on first use); skips without one."""
    from tests.needs import Redis

    server = Redis()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def state_url(request, tmp_path):
    """Where a test's state lives: a SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "state.db")
    return request.getfixturevalue("postgres_server").database()


@pytest.fixture
def github(tmp_path):
    """The GitHub emulator on loopback: its world (orgs, repositories, tokens, hooks)."""
    from leakbot.github.emulator import emulated
    from tests.needs import need

    need("git", "the emulator serves repositories through git http-backend")
    world, server = emulated(tmp_path / "github")
    yield world
    server.stop()
