"""An organisation's repositories, as a target lists them: every page of `/orgs/{org}/repos`
(conditional: an unchanged org costs no rate limit), then the target's choice: names matched
by include/exclude globs, forks and archived repositories only when asked for."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import urlsplit

from leakbot.github.api import GitHubAPI, GitHubError
from leakbot.github.spec import OrgSpec


@dataclass(frozen=True)
class Repo:
    full_name: str
    clone_url: str
    pushed_at: float
    default_branch: str
    archived: bool
    fork: bool


_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}")


def repositories(api: GitHubAPI, spec: OrgSpec) -> tuple[list[Repo], bool]:
    """The org's repositories this target watches, and whether the listing changed. A
    repository whose name or clone URL is not what GitHub sends (another host, a transport
    git would run a command for, credentials in it) is left out."""
    docs, changed = api.list(f"/orgs/{spec.org}/repos", "per_page=100&type=all")
    hosts = _hosts(spec.api_url)
    repos = []
    for doc in docs:
        repo = _repo(doc)
        if repo is not None and _safe(repo, hosts) and chosen(repo, spec):
            repos.append(repo)
    return repos, changed


def _hosts(api_url: str) -> set[str]:
    """Where an org's repositories may be cloned from: the API's host, and github.com's."""
    netloc = urlsplit(api_url).netloc.lower()
    return {netloc, netloc.removeprefix("api.")}


def _safe(repo: Repo, hosts: set[str]) -> bool:
    url = urlsplit(repo.clone_url)
    loopback = url.hostname in ("127.0.0.1", "localhost", "::1")
    scheme_ok = url.scheme == "https" or (url.scheme == "http" and loopback)
    return bool(_NAME.fullmatch(repo.full_name) and scheme_ok and url.netloc.lower() in hosts
                and not url.username and not url.password)  # fmt: skip


def chosen(repo: Repo, spec: OrgSpec) -> bool:
    name = repo.full_name.split("/", 1)[-1]

    def hit(patterns: tuple[str, ...]) -> bool:
        return any(fnmatchcase(name, p) or fnmatchcase(repo.full_name, p) for p in patterns)

    if (repo.fork and not spec.forks) or (repo.archived and not spec.archived):
        return False
    return hit(spec.include) and not hit(spec.exclude)


def _repo(doc: Any) -> Repo | None:
    if not isinstance(doc, dict):
        raise GitHubError("GitHub: a repository in the list is not an object")
    try:
        pushed = str(doc.get("pushed_at") or "1970-01-01T00:00:00Z")
        return Repo(str(doc["full_name"]), str(doc["clone_url"]),
                    datetime.fromisoformat(pushed.replace("Z", "+00:00")).timestamp(),
                    str(doc.get("default_branch") or "main"), bool(doc.get("archived")),
                    bool(doc.get("fork")))  # fmt: skip
    except (KeyError, ValueError):
        return None  # one odd entry costs nothing else
