"""A bound on the total time of one HTTP call, not only on each socket read.

httpx's timeouts apply to each network operation: a server that sends a byte every two seconds
keeps a call with `timeout = 3` alive for as long as it likes. Here every socket operation of a
call gets what is left of the call's budget as its timeout, and fails once nothing is left, so
connecting, TLS, sending and reading the whole answer together take at most `total` seconds.

The budget starts when the request is sent (an httpx request hook) and is kept in a context
variable; the clients' connection pools get a network backend whose streams read it. httpx has
no public way to hand a backend to its pools, so `bound_total_time` sets the pools' backend
attribute; tests/revoker/test_hostile_answers.py fails if a new httpx or httpcore moves it.
"""

from __future__ import annotations

import contextvars
import ssl
import time
import typing
from collections.abc import Callable, Iterable

import httpcore
import httpx

_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "leakbot_http_deadline", default=None
)


def start_clock(total: float) -> Callable[[httpx.Request], None]:
    """A request hook that gives the call `total` seconds from now."""

    def hook(_request: httpx.Request) -> None:
        _DEADLINE.set(time.monotonic() + total)

    return hook


def _left(timeout: float | None, expired: type[Exception]) -> float | None:
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("the call's total time ran out")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:  # fmt: skip
        left = _left(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, left))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[typing.Any] | None = None,
                    ) -> httpcore.NetworkStream:  # fmt: skip
        left = _left(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_tcp(host, port, left, local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[typing.Any] | None = None,
                            ) -> httpcore.NetworkStream:  # fmt: skip
        left = _left(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_unix_socket(path, left, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def bound_total_time(client: httpx.Client) -> int:
    """Give every connection pool of the client (proxies from the environment included) the
    bounded backend; how many were found (a transport given by a test may have none)."""
    found = 0
    for transport in [client._transport, *client._mounts.values()]:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, httpcore.NetworkBackend) and not isinstance(backend, _Backend):
            pool._network_backend = _Backend(backend)  # type: ignore[union-attr]
            found += 1
    return found
