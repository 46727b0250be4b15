"""The ASGI app served by uvicorn on a thread of its own (the scheduler and the rotations run on
others): the guarded protocol, no access log (URLs carry login tokens), uvicorn's own warnings
through leakbot's log."""

from __future__ import annotations

import logging
import socket
import threading
import time
from typing import Any

from leakbot.web import guard


class WebServer:
    def __init__(self, app: Any, host: str, port: int, log: logging.Logger | None = None) -> None:
        import uvicorn

        self.sock = _bind(host, port)  # bound now: a busy port is an error before anything runs
        for name in ("uvicorn", "uvicorn.error"):
            quiet = logging.getLogger(name)
            quiet.propagate = False
            quiet.handlers = list(log.handlers) if log else [logging.NullHandler()]
            quiet.setLevel(logging.WARNING)
        config = uvicorn.Config(app, http=guard.GuardedH11, lifespan="off", log_config=None,
                                access_log=False, server_header=False, timeout_keep_alive=5,
                                timeout_graceful_shutdown=5, ws="none",
                                h11_max_incomplete_event_size=16 * 1024)  # fmt: skip
        self.server = uvicorn.Server(config)
        self.thread: threading.Thread | None = None
        self.made_token = ""  # a login token made at start (none was in the environment)

    @property
    def url(self) -> str:
        host, port = self.sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}"

    def start(self) -> None:
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       name="leakbot-web", daemon=True)  # fmt: skip
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and self.thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=10)
        self.sock.close()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    sock.set_inheritable(True)
    return sock
