"""GitHub on loopback, for tests and rehearsals: the REST endpoints an org scan uses
(`/orgs/{org}/repos` with Link pagination, ETags and rate-limit headers; a GitHub App's
installation and its tokens), repositories cloned and fetched over real HTTP through
`git http-backend`, and signed push webhooks (`World.commit`). `World.exhaust` spends a
token's budget and `World.secondary` sends secondary limits, as the real one does under load.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import threading
import time
from base64 import b64decode
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from leakbot.github.emulated import World

_REPOS = re.compile(r"^/orgs/([\w.-]+)/repos$")
_INSTALLATION = re.compile(r"^/orgs/([\w.-]+)/installation$")
_TOKENS = re.compile(r"^/app/installations/(\d+)/access_tokens$")
_GIT = re.compile(r"^/([\w.-]+/[\w.-]+)\.git(/.*)$")
_RUNS = re.compile(r"^/repos/([\w.-]+/[\w.-]+)/actions/runs$")
_RUN_LOGS = re.compile(r"^/repos/([\w.-]+/[\w.-]+)/actions/runs/(\d+)/logs$")
_BLOB = re.compile(r"^/_blobs/([0-9a-f]{32})$")


class Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # never echo a token
        pass

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    # -- plumbing --------------------------------------------------------------------------------

    def _route(self, method: str) -> None:
        world = self.server.world
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        git = _GIT.match(path)
        blob = _BLOB.match(path)
        if blob:
            status = self._blob(blob.group(1))
        elif git:
            status = self._git(method, git.group(1), git.group(2), parts.query, body)
        elif _TOKENS.match(path) or _INSTALLATION.match(path):
            status = self._app(method, path)
        else:
            status = self._api(method, path, query)
        with world.lock:
            world.log.append((method, path, status))

    def _send(self, status: int, doc: Any = None, headers: dict[str, str] | None = None) -> int:
        data = b"" if doc is None else json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        return status

    def _token(self) -> str:
        value = self.headers.get("Authorization", "")
        for scheme in ("Bearer ", "token "):
            if value.startswith(scheme):
                return value[len(scheme) :].strip()
        if value.startswith("Basic "):  # git over HTTPS: x-access-token:<token>
            try:
                return b64decode(value[6:]).decode().partition(":")[2]
            except ValueError:
                return ""
        return ""

    # -- the REST API ----------------------------------------------------------------------------

    def _api(self, method: str, path: str, query: dict[str, list[str]]) -> int:
        world = self.server.world
        token = self._token()
        org_of = world.org_of_token(token)
        if org_of is None:
            return self._send(401, {"message": "Bad credentials"})
        with world.lock:
            if world.secondary > 0:
                world.secondary -= 1
                return self._send(403, {"message": "You have exceeded a secondary rate limit"},
                                  {"Retry-After": str(world.retry_after)})  # fmt: skip
            budget = world.budget(token)
            limits = {"x-ratelimit-limit": "5000", "x-ratelimit-reset": str(int(budget.reset) + 1)}
            if budget.remaining <= 0:
                return self._send(403, {"message": "API rate limit exceeded"},
                                  {**limits, "x-ratelimit-remaining": "0"})  # fmt: skip
        found = _REPOS.match(path)
        actions = _RUNS.match(path) or _RUN_LOGS.match(path)
        if method == "GET" and actions:
            owner = actions.group(1).split("/")[0]
            if org_of not in ("", owner) or actions.group(1) not in world.repos:
                return self._send(404, {"message": "Not Found"})
            with world.lock:
                budget.remaining -= 1
            return self._actions(actions.group(1), path, query, limits)
        if method != "GET" or not found:
            return self._send(404, {"message": "Not Found"})
        org = found.group(1)
        if org_of not in ("", org):
            return self._send(404, {"message": "Not Found"})  # another org's installation
        per_page = min(100, int((query.get("per_page") or ["30"])[0]))
        page = max(1, int((query.get("page") or ["1"])[0]))
        if org not in world.orgs:
            return self._send(404, {"message": "Not Found"})
        repos = world.org_repos(org)
        docs = [world.repo_doc(r) for r in repos[(page - 1) * per_page : page * per_page]]
        body = json.dumps(docs).encode()
        etag = f'W/"{_digest(body)}"'
        headers = {**limits, "ETag": etag}
        last = max(1, -(-len(repos) // per_page))
        links = []
        if page < last:
            links.append(f'<{world.url}{path}?per_page={per_page}&page={page + 1}>; rel="next"')
            links.append(f'<{world.url}{path}?per_page={per_page}&page={last}>; rel="last"')
        if links:
            headers["Link"] = ", ".join(links)
        with world.lock:
            if self.headers.get("If-None-Match") == etag:  # a 304 costs nothing
                return self._send(
                    304, None, {**headers, "x-ratelimit-remaining": str(budget.remaining)}
                )
            budget.remaining -= 1
            headers["x-ratelimit-remaining"] = str(budget.remaining)
        return self._send(200, docs, headers)

    # -- Actions ---------------------------------------------------------------------------------

    def _actions(self, full_name: str, path: str, query: dict[str, list[str]],
                 limits: dict[str, str]) -> int:  # fmt: skip
        world = self.server.world
        runs = list(reversed(world.runs.get(full_name, [])))  # newest first, as GitHub lists
        logs = _RUN_LOGS.match(path)
        if logs:
            run = next((r for r in runs if r.id == int(logs.group(2))), None)
            if run is None or run.status != "completed":
                return self._send(404, {"message": "Not Found"})
            link = secrets.token_hex(16)
            with world.lock:
                world.blobs[link] = (world.archive(run), time.time() + 60)
            # another host, as GitHub's log storage is: a client must not send its token there
            where = world.url.replace("127.0.0.1", "localhost")
            self.send_response(302)
            self.send_header("Location", f"{where}/_blobs/{link}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return 302
        per_page = min(100, int((query.get("per_page") or ["30"])[0]))
        page = max(1, int((query.get("page") or ["1"])[0]))
        shown = runs[(page - 1) * per_page : page * per_page]
        docs = [{"id": r.id, "status": r.status, "name": "ci",
                 "conclusion": "success" if r.status == "completed" else None,
                 "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(r.created_at))}
                for r in shown]  # fmt: skip
        headers = dict(limits)
        if page * per_page < len(runs):
            headers["Link"] = f'<{world.url}{path}?per_page={per_page}&page={page + 1}>; rel="next"'
        return self._send(200, {"total_count": len(runs), "workflow_runs": docs}, headers)

    def _blob(self, link: str) -> int:
        world = self.server.world
        if self.headers.get("Authorization"):
            with world.lock:
                world.blob_auth.append(self.headers["Authorization"])
        held = world.blobs.get(link)
        if held is None or held[1] < time.time():
            return self._send(404, {"message": "link expired"})
        self.send_response(200)
        self.send_header("Content-Type", "application/zip")
        self.send_header("Content-Length", str(len(held[0])))
        self.end_headers()
        self.wfile.write(held[0])
        return 200

    # -- a GitHub App ----------------------------------------------------------------------------

    def _app(self, method: str, path: str) -> int:
        import jwt

        world = self.server.world
        app = None
        try:
            claims = jwt.decode(self._token(), options={"verify_signature": False})
            app = world.apps.get(str(claims.get("iss")))
            if app is None:
                raise jwt.InvalidTokenError("unknown app")
            claims = jwt.decode(self._token(), app.public_key, algorithms=["RS256"],
                                options={"require": ["iat", "exp", "iss"]})  # fmt: skip
            if claims["exp"] - claims["iat"] > 600:
                raise jwt.InvalidTokenError("exp too far")
        except jwt.InvalidTokenError:
            return self._send(401, {"message": "A JSON web token could not be decoded"})
        found = _INSTALLATION.match(path)
        if found and method == "GET":
            org = found.group(1)
            if org not in app.installations:
                return self._send(404, {"message": "Not Found"})
            return self._send(200, {"id": app.installations[org], "account": {"login": org}})
        tokens = _TOKENS.match(path)
        if tokens and method == "POST":
            wanted = int(tokens.group(1))
            org = next((o for o, i in app.installations.items() if i == wanted), None)
            if org is None:
                return self._send(404, {"message": "Not Found"})
            token = "ghs_emu" + secrets.token_hex(16)
            expiry = time.time() + app.token_seconds
            with world.lock:
                world.installation_tokens[token] = (org, expiry)
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expiry))
            return self._send(201, {"token": token, "expires_at": stamp})
        return self._send(404, {"message": "Not Found"})

    # -- git over HTTP ---------------------------------------------------------------------------

    def _git(self, method: str, full_name: str, rest: str, query: str, body: bytes) -> int:
        world = self.server.world
        org_of = world.org_of_token(self._token())
        repo = world.repos.get(full_name)
        if repo is None or org_of is None or org_of not in ("", repo.org):
            self.send_response(401 if org_of is None else 404)
            self.send_header("WWW-Authenticate", 'Basic realm="GitHub"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return 401 if org_of is None else 404
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GIT_PROJECT_ROOT":
               str(world.root / "git"), "GIT_HTTP_EXPORT_ALL": "1",
               "PATH_INFO": f"/{full_name}.git{rest}", "QUERY_STRING": query,
               "REQUEST_METHOD": method, "CONTENT_TYPE": self.headers.get("Content-Type", ""),
               "CONTENT_LENGTH": str(len(body)), "REMOTE_USER": "leakbot",
               "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(world.root)}  # fmt: skip
        for header, name in (("Content-Encoding", "HTTP_CONTENT_ENCODING"),
                             ("Git-Protocol", "GIT_PROTOCOL")):  # fmt: skip
            if self.headers.get(header):
                env[name] = self.headers[header]
        proc = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True,
                              check=False)  # fmt: skip
        head, sep, payload = proc.stdout.partition(b"\r\n\r\n")
        if not sep:
            head, _, payload = proc.stdout.partition(b"\n\n")
        status = 200
        headers = []
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        return status


def _digest(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()[:32]


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, world: World, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__((host, port), Handler)
        self.world = world
        world.url = self.url

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="github-emulator", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def emulated(root: Path) -> tuple[World, Server]:
    """A world under `root`, served on a free loopback port (started)."""
    world = World(root)
    server = Server(world)
    server.start()
    return world, server
