"""A repository named by URL is mirrored into a cache folder once, then fetched incrementally."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from scanner.errors import ScanError
from scanner.git.run import git

_SCP_LIKE = re.compile(r"^[\w.-]+@[\w.-]+:")


def is_url(target: str) -> bool:
    return "://" in target or bool(_SCP_LIKE.match(target))


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "leakbot" / "repos"


def mirror(url: str) -> str:
    """The path of an up-to-date bare mirror of `url`."""
    from urllib.parse import urlsplit

    if "://" in url and (urlsplit(url).password or urlsplit(url).username):
        # A token in the URL would sit in a child's argv: ask for a credential helper instead.
        raise ScanError("repository URL holds credentials: use a git credential helper instead")
    folder = cache_root() / (hashlib.sha256(url.encode()).hexdigest()[:16] + ".git")
    if (folder / "HEAD").exists():
        git(str(folder), "remote", "update", "--prune")
    else:
        folder.parent.mkdir(parents=True, exist_ok=True)
        git(str(folder.parent), "clone", "--mirror", "--quiet", url, str(folder))
    return str(folder)
