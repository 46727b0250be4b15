"""GitHub's REST API as an org scan uses it: every list followed through its Link pages, each
page asked for with its last ETag (a 304 costs no rate limit), and GitHub's limits respected:
a spent primary limit waits for `x-ratelimit-reset`, a secondary one for `Retry-After`, each
with a log line and a metric; at most a few requests per token at once."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from revoker.errors import RevokerError

MAX_WAIT = 3600.0  # never sleep longer than this for one limit
CONCURRENT = 4  # requests in flight per token (GitHub asks for no more than ~100 in all)
TRIES = 4


class GitHubError(RevokerError):
    """GitHub refused or failed a request (the message names it, never a token)."""


@dataclass
class Page:
    etag: str
    items: list[Any]
    next_url: str | None


@dataclass
class GitHubAPI:
    client: httpx.Client
    base_url: str
    auth: Any  # .header() -> "Bearer ..." (a token, or a GitHub App's installation token)
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("leakbot.github"))
    waited: Callable[[str, float], None] = lambda reason, seconds: None  # the metric
    stop: threading.Event = field(default_factory=threading.Event)
    pages_seen: dict[str, Page] = field(default_factory=dict)  # url -> its last page
    slots: threading.BoundedSemaphore = field(
        default_factory=lambda: threading.BoundedSemaphore(CONCURRENT)
    )

    def get(self, url: str, etag: str | None = None, redirect_ok: bool = False) -> httpx.Response:
        """One GET, waiting out rate limits; GitHubError for anything but 2xx/304, or a
        redirect when `redirect_ok` (never followed here: the token is GitHub's alone)."""
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28",
                   "Authorization": self.auth.header()}  # fmt: skip
        if etag:
            headers["If-None-Match"] = etag
        for _ in range(TRIES):
            with self.slots:
                try:
                    answer = self.client.get(url, headers=headers, follow_redirects=False)
                except httpx.HTTPError as exc:
                    raise GitHubError(f"GitHub: {_path(url)}: {type(exc).__name__}") from None
            wait = _limited(answer)
            if wait is None:
                break
            reason, seconds = wait
            self.log.warning("github: %s on %s: waiting %.0f s", reason, _path(url), seconds)
            self.waited(reason, seconds)
            if self.stop.wait(seconds):
                raise GitHubError("GitHub: stopped while waiting for a rate limit")
        if answer.status_code == 304 or answer.is_success or (answer.is_redirect and redirect_ok):
            return answer
        raise GitHubError(f"GitHub: {_path(url)}: HTTP {answer.status_code} "
                          f"{_message(answer)}")  # fmt: skip

    def next_page(self, answer: httpx.Response) -> str | None:
        """The Link header's next page, only on the API's own origin: the token goes nowhere
        else, whatever a page says."""
        link = answer.links.get("next")
        url = str(link["url"]) if link and link.get("url") else None
        if url is not None and _origin(url) != _origin(self.base_url):
            raise GitHubError(f"GitHub: {_path(str(answer.url))}: a next page on another host")
        return url

    def list(self, path: str, params: str = "per_page=100") -> tuple[list[Any], bool]:
        """Every item of a paginated list, and whether any page changed since the last call."""
        url: str | None = f"{self.base_url.rstrip('/')}{path}?{params}"
        items: list[Any] = []
        changed = False
        while url:
            known = self.pages_seen.get(url)
            answer = self.get(url, known.etag if known else None)
            if answer.status_code == 304 and known is not None:
                page = known
            else:
                try:
                    docs = answer.json()
                except ValueError:
                    raise GitHubError(f"GitHub: {_path(url)}: not JSON") from None
                if not isinstance(docs, list):
                    raise GitHubError(f"GitHub: {_path(url)}: not a list")
                page = Page(answer.headers.get("etag", ""), docs, self.next_page(answer))
                self.pages_seen[url] = page
                changed = True
            items.extend(page.items)
            url = page.next_url
        return items, changed


def _limited(answer: httpx.Response) -> tuple[str, float] | None:
    """What to wait for, when GitHub says a limit was hit."""
    if answer.status_code not in (403, 429):
        return None
    retry = answer.headers.get("retry-after", "")
    if retry.isdigit():
        return "secondary rate limit", min(MAX_WAIT, max(1.0, float(retry)))
    if answer.headers.get("x-ratelimit-remaining") == "0":
        reset = answer.headers.get("x-ratelimit-reset", "")
        until = float(reset) - time.time() if reset.isdigit() else 60.0
        return "rate limit spent", min(MAX_WAIT, max(1.0, until))
    return None


def _origin(url: str) -> tuple[str, str]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.scheme, parts.netloc.lower()


def _path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path or "/"


def _message(answer: httpx.Response) -> str:
    try:
        text = str(answer.json().get("message", ""))
    except (ValueError, AttributeError):
        text = ""
    from scanner.finding import printable

    return printable(text[:200])
