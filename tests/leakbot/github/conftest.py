import pytest


@pytest.fixture
def github(tmp_path):
    """The GitHub emulator on loopback: its world (orgs, repositories, tokens, hooks)."""
    from leakbot.github.emulator import emulated
    from tests.needs import need

    need("git", "the emulator serves repositories through git http-backend")
    world, server = emulated(tmp_path / "github")
    yield world
    server.stop()
