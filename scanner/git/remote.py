"""A repository named by URL is mirrored into a cache folder once, then fetched incrementally.

Clones and fetches go through GitPython: it passes the URL after `--`, refuses `ext::` and other
unsafe transports and option-shaped arguments, and says which command failed. Reading objects
stays on git's plumbing streams (`scanner.git.run`, `cat-file --batch`, `log --raw`), which are
faster, and GitPython is imported only here, so the commit hook never pays its 120 ms.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path
from typing import Any

from scanner.errors import ScanError
from scanner.finding import printable
from scanner.git.run import GIT_ENV

_SCP_LIKE = re.compile(r"^[\w.-]+@[\w.-]+:")


def is_url(target: str) -> bool:
    return "://" in target or bool(_SCP_LIKE.match(target))


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "leakbot" / "repos"


def mirror(url: str, header: str | None = None, root: Path | None = None) -> str:
    """The path of an up-to-date bare mirror of `url` under `root` (default: the cache), a
    damaged one cloned again. `header` (an Authorization header for GitHub) reaches git
    through its environment (GIT_CONFIG_*), never its arguments, which other users can read."""
    from urllib.parse import urlsplit

    import git

    if "://" in url and (urlsplit(url).password or urlsplit(url).username):
        # A token in the URL would sit in a child's argv: ask for a credential helper instead.
        raise ScanError("repository URL holds credentials: use a git credential helper instead")
    folder = (root or cache_root()) / (hashlib.sha256(url.encode()).hexdigest()[:16] + ".git")
    extra = _header_env(header)
    try:
        if (folder / "HEAD").exists():
            try:
                os.utime(folder)  # the least recently used mirror is the one evicted
                return _fetched(git.Repo(folder), url, extra)
            except (git.InvalidGitRepositoryError, git.NoSuchPathError):
                shutil.rmtree(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        git.Repo.clone_from(url, folder, mirror=True, env={**_env(), **extra})
    except git.GitCommandError as exc:
        raise ScanError(f"{printable(url)}: git {_verb(exc)} failed: {_first_line(exc)}") from None
    except git.UnsafeProtocolError:
        raise ScanError(f"{printable(url)}: refusing an unsafe git transport") from None
    return str(folder)


def _fetched(repo: Any, url: str, extra: dict[str, str]) -> str:
    """Fetch every ref of a cached mirror (its refspec is refs/*), dropping deleted ones; a
    folder that is not this URL's bare mirror is not trusted."""
    import git

    if not repo.bare or "origin" not in repo.remotes or repo.remotes.origin.url != url:
        raise git.InvalidGitRepositoryError(repo.git_dir)
    with repo.git.custom_environment(**GIT_ENV, **extra):
        repo.remotes.origin.fetch(prune=True)
    return str(repo.git_dir)


def _header_env(header: str | None) -> dict[str, str]:
    if not header:
        return {}
    if "\n" in header or "\r" in header:
        raise ScanError("an HTTP header for git holds a line break")
    return {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "http.extraHeader",
            "GIT_CONFIG_VALUE_0": header}  # fmt: skip


def evict(root: Path, keep: int) -> list[Path]:
    """Remove all but the `keep` most recently used mirrors under `root`; the removed."""
    if not root.is_dir():
        return []
    mirrors = sorted((p for p in root.iterdir() if p.suffix == ".git" and p.is_dir()),
                     key=lambda p: p.stat().st_mtime, reverse=True)  # fmt: skip
    for old in mirrors[keep:]:
        shutil.rmtree(old, ignore_errors=True)
    return mirrors[keep:]


def _env() -> dict[str, str]:
    return {**os.environ, **GIT_ENV}


def _verb(exc: Any) -> str:
    command = exc.command if isinstance(exc.command, list) else str(exc.command).split()
    return next((str(c) for c in command[1:] if not str(c).startswith("-")), "?")


def _first_line(exc: Any) -> str:
    text = str(exc.stderr or "").strip().removeprefix("stderr:").strip().strip("'").strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # GitPython asks for progress (-v): git's own complaint is the line that says fatal/error.
    said = [line for line in lines if line.startswith(("fatal:", "error:"))] or lines
    return printable(said[0]) if said else f"exit {exc.status}"
