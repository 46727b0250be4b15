"""What every request meets before the app: a cap on the body, security headers, and, in the
server's protocol, a deadline for the whole request to arrive and a cap on open connections.

h11 (uvicorn's HTTP/1.1 parser) already answers a negative or non-numeric Content-Length with
400; the body cap answers 413 from the header alone when it can, and counts a chunked or lying
body as it arrives. The deadline closes a connection that sends nothing, trickles its headers
(slowloris) or its body, or idles between keep-alive requests: idle sockets cannot pile up until
the process runs out of file descriptors.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

MAX_BODY = 1 << 20
REQUEST_SECONDS = 10.0  # from connecting (or the last reply) to the end of the request's body
MAX_CONNECTIONS = 256

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),  # never to another site (URLs can hold a token)
    (b"cross-origin-opener-policy", b"same-origin"),
]
Scope = dict[str, Any]


class BodyLimit:
    """413 for a body over `limit` bytes: at once from Content-Length, else as it streams in."""

    def __init__(self, app: Any, limit: int = MAX_BODY, larger: dict[str, int] | None = None,
                 ) -> None:  # fmt: skip
        self.app, self.default, self.larger = app, limit, larger or {}

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(str(scope.get("path", "")), self.default)
        length = dict(scope["headers"]).get(b"content-length", b"0")
        if length.isdigit() and int(length) > limit:
            return await _too_large(send)
        seen = 0
        started = False

        async def counted() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        async def watched(message: Any) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if not started:
                await _too_large(send)


class _TooLarge(Exception):
    pass


async def _too_large(send: Any) -> None:
    body = b'{"error": "body too large"}'
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """A strict Content-Security-Policy (no inline script, nothing from elsewhere) and friends on
    every answer; pages are not cached (they show the state of the moment)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def headed(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend(HEADERS)
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, headed)


class GuardedH11(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline per request and a cap on connections."""

    deadline: asyncio.TimerHandle | None = None
    unread: int | None = None  # answered before its body was read: how much more is let in

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > MAX_CONNECTIONS:
            transport.abort()
            return
        self._arm()

    def data_received(self, data: bytes) -> None:
        if (
            self.unread is not None
        ):  # the rest of a body nobody reads: let a little in, then hang up
            self.unread -= len(data)
            if self.unread < 0:
                self.transport.close()
                return
            super().data_received(data)
            if self.conn.their_state is not h11.SEND_BODY:
                self.unread = None  # drained: the connection goes on
            return
        super().data_received(data)
        if self.conn.their_state in (h11.DONE, h11.MUST_CLOSE, h11.CLOSED, h11.ERROR):
            self._disarm()  # the request is all here: the app may take its time to answer

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.transport.is_closing():
            return
        # Answered before the body was read (a 404, a 401): the rest of it is read and dropped
        # up to MAX_BODY, so a small form's connection is kept; a long one's is closed.
        self.unread = MAX_BODY if self.conn.their_state is h11.SEND_BODY else None
        self._arm()  # the next request on this connection has its own deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self.deadline = self.loop.call_later(REQUEST_SECONDS, self._expired)

    def _disarm(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def _expired(self) -> None:
        self.deadline = None
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.disconnected = True  # the app reading the body sees a disconnect
        self.transport.close()
