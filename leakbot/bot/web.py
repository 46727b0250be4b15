"""The bot's HTTP side: GET /healthz, GET /metrics (Prometheus), and POST /github/secret-scanning
(GitHub's partner alerts; unsigned or badly signed requests get 401 and change nothing)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from leakbot.bot import alerts
from leakbot.bot.core import Bot
from leakbot.bot.metrics import CONTENT_TYPE

MAX_BODY = 1 << 20


class Handler(BaseHTTPRequestHandler):
    server: Web
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # requests carry tokens: never echo
        pass

    def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, doc: Any) -> None:
        self._send(status, json.dumps(doc).encode())

    def do_GET(self) -> None:
        bot = self.server.bot
        if self.path == "/healthz":
            targets = [vars(r) for r in bot.store.runs.all()]
            status = "stopping" if bot.stop.is_set() else "ok"
            return self._json(503 if bot.stop.is_set() else 200,
                              {"status": status, "targets": targets})  # fmt: skip
        if self.path == "/metrics":
            return self._send(200, bot.metrics.render(), CONTENT_TYPE)
        return self._json(404, {"error": "not found"})

    def do_POST(self) -> None:
        bot = self.server.bot
        if self.path != "/github/secret-scanning":
            return self._json(404, {"error": "not found"})
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            bot.metrics.alerts.labels(result="too_large").inc()
            return self._json(413, {"error": "body too large"})
        body = self.rfile.read(length)
        try:
            tokens = alerts.check(self.server.github_keys, self.headers, body)
        except alerts.BadAlert as exc:
            bot.metrics.alerts.labels(result=f"rejected_{exc.status}").inc()
            bot.log.warning("github alert rejected: %s", exc)
            return self._json(exc.status, {"error": str(exc)})
        feedback = bot.alert(tokens, self.server.later)
        bot.metrics.alerts.labels(result="accepted").inc()
        bot.log.info("github alert: %d token(s), %d labelled", len(tokens), len(feedback))
        return self._json(200, feedback)


class Web(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, bot: Bot, host: str, port: int, github_keys: alerts.GitHubKeys,
                 later: Any) -> None:  # fmt: skip
        super().__init__((host, port), Handler)
        self.bot = bot
        self.github_keys = github_keys
        self.later = later  # rotation of alerted keys, off the request's thread

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, daemon=True)
        thread.start()
        return thread
