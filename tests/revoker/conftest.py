"""The key-service emulator on a free loopback port, for the revoker tests."""

from __future__ import annotations

import pytest

from revoker.emulator.server import Server
from revoker.emulator.state import State


@pytest.fixture
def emulator(request: pytest.FixtureRequest):
    server = Server(State(seed=request.node.nodeid))
    server.start()
    yield server
    server.shutdown()
    server.server_close()
