"""`leakbot emulate`: Helicone's and DevHelm's key services on loopback, for tests and rehearsals.

Helicone: GET/POST /v1/api-keys, DELETE /v1/api-keys/{id} (unknown id: 500, as the real one).
DevHelm:  GET /api/v1/auth/me, GET/POST /api/v1/api-keys, POST /api/v1/api-keys/{id}/revoke and
          /regenerate, DELETE /api/v1/api-keys/{id}.
DiffHook: POST /api/oauth/token (client credentials), GET /api/monitors (old-style Bearer key).
Devdraft: GET /api/v0/health with x-client-key + x-client-secret.
Faults (latency, errors, dropped connections, auth-cache delay) come from State.faults.
GET /_emulator/keys lists keys by hash and state, never their values.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from revoker.emulator.state import Key, State

_KEY_PATH = re.compile(r"^/v1/api-keys/([^/]+)$")
_DEVHELM_KEY = re.compile(r"^/api/v1/api-keys/([^/]+)(/revoke|/regenerate)?$")


def _stamp(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: never echo headers
        pass

    # -- plumbing -------------------------------------------------------------------------------

    def _send(self, status: int, body: Any = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _bearer(self) -> str:
        value = self.headers.get("Authorization", "")
        return value[7:] if value.startswith("Bearer ") else ""

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            return {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
        try:
            doc = json.loads(raw or b"{}")
        except ValueError:
            return {}
        return doc if isinstance(doc, dict) else {}

    def _fault(self) -> bool:
        faults, rng = self.server.state.faults, self.server.state.rng
        if faults.latency:
            time.sleep(faults.latency)
        with self.server.state.lock:
            roll = rng.random()
        if roll < faults.hang_rate:
            time.sleep(faults.hang)
            self.close_connection = True
            return True
        roll -= faults.hang_rate
        if roll < faults.drop_rate:
            self.close_connection = True
            return True
        if roll < faults.drop_rate + faults.error_rate:
            self._send(faults.error_status, {"error": "injected fault"})
            return True
        return False

    def _route(self, method: str) -> None:
        if self.path == "/_emulator/keys" and method == "GET":
            return self._send(200, [{"vendor": k.vendor, "id": k.key_id, "name": k.name,
                                     "hash": k.helicone_hash, "revoked": k.revoked_at is not None}
                                    for k in self.server.state.keys])  # fmt: skip
        with self.server.state.lock:
            self.server.state.requests += 1
        if self._fault():
            return None
        if self.path.startswith("/v1/"):
            return self._helicone(method)
        if self.path.startswith("/api/v1/"):
            return self._devhelm(method)
        if self.path.startswith(("/api/oauth/token", "/api/monitors")):
            return self._diffhook(method)
        if self.path.startswith("/api/v0/"):
            return self._devdraft()
        return self._send(404, {"error": "not found"})

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def do_DELETE(self) -> None:
        self._route("DELETE")

    # -- Helicone ---------------------------------------------------------------------------------

    def _helicone(self, method: str) -> None:
        state = self.server.state
        caller = state.authenticate("helicone", self._bearer())
        if caller is None or (method == "GET" and caller.permissions == "w"):
            return self._send(401, {"data": None, "error": "Unauthorized"})
        if self.path == "/v1/api-keys" and method == "GET":
            rows = [{"id": k.key_id, "api_key_hash": k.helicone_hash, "api_key_name": k.name,
                     "key_permissions": k.permissions, "created_at": _stamp(k.created)}
                    for k in state.live("helicone")]  # fmt: skip
            return self._send(200, {"data": rows, "error": None})
        if self.path == "/v1/api-keys" and method == "POST":
            body = self._body()
            key = state.add("helicone", str(body.get("api_key_name", "leakbot")),
                            permissions=str(body.get("key_permissions", "rw")))  # fmt: skip
            return self._send(
                200, {"id": key.key_id, "apiKey": key.secret, "hashedKey": key.helicone_hash}
            )
        match = _KEY_PATH.match(self.path)
        if match and method == "DELETE":
            target = state.find("helicone", match.group(1))
            if target is None:
                return self._send(500, {"error": "internal error"})
            state.revoke(target)
            return self._send(200, {"hashedKey": target.helicone_hash})
        return self._send(404, {"error": "not found"})

    # -- DevHelm ----------------------------------------------------------------------------------

    def _devhelm(self, method: str) -> None:
        state = self.server.state
        caller = state.authenticate("devhelm", self._bearer())
        if caller is None:
            return self._send(
                401, {"status": 401, "message": "Unauthorized", "timestamp": _stamp(time.time())}
            )
        if self.path == "/api/v1/auth/me" and method == "GET":
            org = {"id": 1, "name": "Emulated Org"}
            return self._send(200, {"data": {"key": _devhelm_view(caller), "organization": org}})
        if self.path.startswith("/api/v1/api-keys") and method == "GET":
            return self._send(200, {"data": [_devhelm_view(k) for k in state.live("devhelm")]})
        if self.path == "/api/v1/api-keys" and method == "POST":
            key = state.add("devhelm", str(self._body().get("name") or "leakbot"))
            return self._send(201, {"data": {**_devhelm_view(key), "key": key.secret}})
        match = _DEVHELM_KEY.match(self.path)
        target = state.find("devhelm", match.group(1)) if match else None
        if match and target is not None:
            action = match.group(2)
            if method == "POST" and action == "/revoke":
                state.revoke(target)
                return self._send(200, {"data": _devhelm_view(target)})
            if method == "POST" and action == "/regenerate" and target.revoked_at is None:
                state.regenerate(target)
                return self._send(200, {"data": {**_devhelm_view(target), "key": target.secret}})
            if method == "DELETE" and action is None:
                state.revoke(target)
                return self._send(204)
        return self._send(
            404, {"status": 404, "message": "Not found", "timestamp": _stamp(time.time())}
        )

    # -- DiffHook and Devdraft: checks only (their keys are managed in a dashboard) ----------------

    def _diffhook(self, method: str) -> None:
        state = self.server.state
        if self.path == "/api/oauth/token" and method == "POST":
            form = self._body()
            secret, client_id = str(form.get("client_secret", "")), str(form.get("client_id", ""))
            if form.get("grant_type") != "client_credentials":
                return self._send(400, {"error": "unsupported_grant_type"})
            if state.authenticate("diffhook", secret, partner=client_id) is None:
                return self._send(401, {"error": "invalid_client"})
            token = {"access_token": f"emulated-{uuid.uuid4().hex}", "token_type": "bearer"}
            return self._send(200, {**token, "expires_in": 3600})
        if self.path.startswith("/api/monitors") and method == "GET":
            if state.authenticate("diffhook", self._bearer()) is None:
                return self._send(401, {"error": "Unauthorized"})
            return self._send(200, {"data": [], "has_more": False})
        return self._send(404, {"error": "not found"})

    def _devdraft(self) -> None:
        key, secret = self.headers.get("x-client-key", ""), self.headers.get("x-client-secret", "")
        if self.path != "/api/v0/health":
            return self._send(404, {"error": "not found"})
        if self.server.state.authenticate("devdraft", secret, partner=key) is None:
            return self._send(401, {"authenticated": False})
        return self._send(200, {"status": "ok", "authenticated": True})


def _devhelm_view(key: Key) -> dict[str, Any]:
    return {"id": key.key_id, "name": key.name, "createdAt": _stamp(key.created),
            "expiresAt": None, "lastUsedAt": None}  # fmt: skip


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: State, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__((host, port), Handler)
        self.state = state

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, daemon=True)
        thread.start()
        return thread
