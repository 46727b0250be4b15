"""The GitHub emulator's state: organisations and their repositories (real bare git repositories
on disk, committed to through a work clone), the tokens it accepts (personal tokens, a GitHub
App's installation tokens), rate limits per token, and the push webhooks it sends."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

LIMIT = 5000


@dataclass
class Repo:
    org: str
    name: str
    pushed_at: float
    fork: bool = False
    archived: bool = False
    default_branch: str = "main"

    @property
    def full_name(self) -> str:
        return f"{self.org}/{self.name}"


@dataclass
class Run:
    """A GitHub Actions workflow run and its jobs' logs (job name -> text)."""

    id: int
    full_name: str
    logs: dict[str, str]
    status: str = "completed"
    created_at: float = field(default_factory=time.time)


@dataclass
class Budget:
    """One token's primary rate limit."""

    remaining: int = LIMIT
    reset: float = field(default_factory=lambda: time.time() + 3600)


@dataclass
class App:
    app_id: str
    public_key: Any  # the app's RSA public key (its private key is the user's)
    installations: dict[str, int] = field(default_factory=dict)  # org -> installation id
    token_seconds: float = 3600.0


class World:
    """Everything the emulator serves; safe to change from a test while it serves."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.lock = threading.RLock()
        self.orgs: set[str] = set()
        self.repos: dict[str, Repo] = {}  # full_name -> repo
        self.tokens: set[str] = set()
        self.installation_tokens: dict[str, tuple[str, float]] = {}  # token -> (org, expiry)
        self.budgets: dict[str, Budget] = {}
        self.apps: dict[str, App] = {}
        self.hooks: dict[str, tuple[str, str]] = {}  # org -> (url, secret)
        self.runs: dict[str, list[Run]] = {}  # full_name -> its workflow runs, oldest first
        self.blobs: dict[str, tuple[bytes, float]] = {}  # log archive links: id -> (zip, expiry)
        self.blob_auth: list[str] = []  # Authorization headers sent to the blob host (none!)
        self.secondary: int = 0  # the next N requests get a secondary rate limit (Retry-After)
        self.retry_after = 1
        self.log: list[tuple[str, str, int]] = []  # (method, path, status) of every request
        self.url = ""  # set by the server

    # -- tokens and limits -----------------------------------------------------------------------

    def token(self) -> str:
        value = "ghp_emu" + secrets.token_hex(16)
        self.tokens.add(value)
        return value

    def org_of_token(self, token: str) -> str | None:
        """The org an installation token is for ("" for a personal token), None if invalid."""
        if token in self.tokens:
            return ""
        held = self.installation_tokens.get(token)
        if held and held[1] > time.time():
            return held[0]
        return None

    def budget(self, token: str) -> Budget:
        with self.lock:
            budget = self.budgets.setdefault(token, Budget())
            if budget.reset <= time.time():
                budget.remaining, budget.reset = LIMIT, time.time() + 3600
            return budget

    def exhaust(self, token: str, seconds: float) -> None:
        """Spend `token`'s whole budget; it comes back in `seconds`."""
        with self.lock:
            self.budgets[token] = Budget(0, time.time() + seconds)

    # -- repositories ----------------------------------------------------------------------------

    def bare(self, full_name: str) -> Path:
        return self.root / "git" / f"{full_name}.git"

    def add_repo(self, org: str, name: str, files: dict[str, str] | None = None,
                 fork: bool = False, archived: bool = False) -> Repo:  # fmt: skip
        repo = Repo(org, name, time.time(), fork, archived)
        bare = self.bare(repo.full_name)
        bare.mkdir(parents=True)
        _git(bare, "init", "-q", "--bare", "-b", "main")
        _git(bare, "config", "http.receivepack", "false")
        with self.lock:
            self.orgs.add(org)
            self.repos[repo.full_name] = repo
        self.commit(repo.full_name, files or {"README.md": f"# {name}\n"}, "init", hook=False)
        return repo

    def delete_repo(self, full_name: str) -> None:
        import shutil

        with self.lock:
            self.repos.pop(full_name)
        shutil.rmtree(self.bare(full_name))

    def commit(self, full_name: str, files: dict[str, str], message: str = "change",
               hook: bool = True) -> str:  # fmt: skip
        """A commit of `files` on the default branch, pushed to the repository as a developer
        would; then the org's push webhook, signed, when one is registered."""
        repo = self.repos[full_name]
        work = self.root / "work" / full_name
        if not work.exists():
            work.mkdir(parents=True)
            _git(work, "init", "-q", "-b", repo.default_branch)
            _git(work, "remote", "add", "origin", str(self.bare(full_name)))
        before = _git(work, "rev-parse", "--verify", "-q", "HEAD", check=False) or "0" * 40
        for path, text in files.items():
            (work / path).parent.mkdir(parents=True, exist_ok=True)
            (work / path).write_text(text)
        _git(work, "add", "-A")
        _git(work, "commit", "-q", "--allow-empty", "-m", message)
        _git(work, "push", "-q", "origin", f"HEAD:refs/heads/{repo.default_branch}")
        after = _git(work, "rev-parse", "HEAD")
        with self.lock:
            repo.pushed_at = time.time()
        if hook:
            self.send_push(repo, before, after)
        return after

    # -- Actions ---------------------------------------------------------------------------------

    def add_run(self, full_name: str, logs: dict[str, str], status: str = "completed") -> Run:
        with self.lock:
            runs = self.runs.setdefault(full_name, [])
            run = Run(1000 + sum(len(r) for r in self.runs.values()), full_name, logs, status)
            runs.append(run)
            return run

    def archive(self, run: Run) -> bytes:
        """The run's logs as GitHub zips them: one text file per job step."""
        import io
        import zipfile

        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for job, text in run.logs.items():
                archive.writestr(f"{job}/1_Run.txt", text)
        return out.getvalue()

    # -- webhooks --------------------------------------------------------------------------------

    def send_push(self, repo: Repo, before: str, after: str) -> int:
        hook = self.hooks.get(repo.org)
        if hook is None:
            return 0
        url, secret = hook
        body = json.dumps({
            "ref": f"refs/heads/{repo.default_branch}", "before": before, "after": after,
            "created": before == "0" * 40, "deleted": False, "forced": False,
            "repository": self.repo_doc(repo), "commits": [{"id": after}],
        }).encode()  # fmt: skip
        signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        headers = {"X-GitHub-Event": "push", "X-GitHub-Delivery": secrets.token_hex(16),
                   "X-Hub-Signature-256": f"sha256={signature}",
                   "Content-Type": "application/json"}  # fmt: skip
        try:
            return httpx.post(url, content=body, headers=headers, timeout=10).status_code
        except httpx.HTTPError:
            return 0  # GitHub does not retry a failed delivery either

    def repo_doc(self, repo: Repo) -> dict[str, Any]:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(repo.pushed_at))
        return {"name": repo.name, "full_name": repo.full_name, "private": True,
                "owner": {"login": repo.org}, "clone_url": f"{self.url}/{repo.full_name}.git",
                "pushed_at": stamp, "archived": repo.archived, "fork": repo.fork,
                "default_branch": repo.default_branch}  # fmt: skip

    def org_repos(self, org: str) -> list[Repo]:
        with self.lock:
            return sorted((r for r in self.repos.values() if r.org == org), key=lambda r: r.name)


def _git(folder: Path, *args: str, check: bool = True) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.org",
           "GIT_COMMITTER_NAME": "Dev", "GIT_COMMITTER_EMAIL": "dev@example.org",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"}  # fmt: skip
    proc = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True,
                          env=env, check=False)  # fmt: skip
    if check and proc.returncode != 0:
        raise RuntimeError(f"git {args[0]} failed: {proc.stderr.strip()}")
    return proc.stdout.strip()
