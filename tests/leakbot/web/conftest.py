import logging

import pytest

from tests.leakbot.web.rig import APPROVER, VIEWER, Rig


class Kept(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def web_log():
    """The web side's log (uvicorn's warnings go to it too); `.kept.lines` is what it said."""
    log = logging.getLogger("test.web")
    kept = Kept()
    kept.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log.handlers = [kept]
    log.propagate = False
    log.kept = kept
    yield log
    log.handlers = []


@pytest.fixture
def rig(tmp_path, state_url, web_log):
    """The web view on a store (SQLite, then PostgreSQL), approver and viewer tokens known."""
    yield from _rig(tmp_path, state_url, web_log)


@pytest.fixture
def sqlite_rig(tmp_path, web_log):
    yield from _rig(tmp_path, str(tmp_path / "state.db"), web_log)


def _rig(tmp_path, state_url, log):
    from leakbot.store import locate, open_store
    from leakbot.web.app import build
    from leakbot.web.auth import Auth
    from leakbot.web.server import WebServer
    from leakbot.web.site import Site

    store = open_store(locate(state_url))
    baseline = tmp_path / ".leakbot-triage.json"
    woken = []
    site = Site(store=store, auth=Auth({"approver": APPROVER, "viewer": VIEWER}),
                baseline=baseline, wake=lambda: woken.append(1), log=log)  # fmt: skip
    server = WebServer(build(site), "127.0.0.1", 0, log)
    server.start()
    rig = Rig(server.url, store, baseline)
    rig.woken = woken
    rig.site = site
    yield rig
    rig.close()
    server.stop()
    store.close()


# -- the browser: Debian's chromium, driven by pytest-playwright (no browser download) -----------

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    import os

    from tests.needs import need

    path = CHROMIUM if os.path.exists(CHROMIUM) else need("chromium", "the web view's UI tests")
    quiet = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", "--disable-default-apps", "--metrics-recording-only",
             # a name that resolves to loopback, as a DNS-rebinding attacker's would
             "--host-resolver-rules=MAP rebound.example 127.0.0.1"]  # fmt: skip
    return {**browser_type_launch_args, "executable_path": path, "headless": True, "args": quiet}
