"""An org target's run: list the organisation's repositories (conditional requests: an
unchanged org costs no rate limit), keep the store's list in step (new ones added, deleted ones
dropped), then scan each repository pushed since its last complete scan, from a bare mirror in
a bounded cache. A push webhook scans its repository at once. One repository that fails costs
no other; the run's error names each one that did."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from leakbot.bot.ci_logs import ActionsLogs
from leakbot.settings import Target
from revoker.errors import RevokerError
from scanner.errors import ScanError
from scanner.finding import Finding, printable


class OrgRunner:
    def __init__(self, bot: Any) -> None:
        self.bot = bot
        self.apis: dict[str, Any] = {}  # target name -> GitHubAPI (its ETags, its token)
        self.lock = threading.Lock()
        self.logs = ActionsLogs(bot)

    def api(self, target: Target) -> Any:
        from leakbot.github.api import GitHubAPI
        from leakbot.github.auth import AppAuth, TokenAuth

        spec = target.org
        assert spec is not None
        with self.lock:
            if target.name not in self.apis:
                auth: Any = TokenAuth(spec.token_env)
                if spec.app_id:
                    auth = AppAuth(self.bot.client, spec.api_url, spec.app_id,
                                   Path(spec.app_key_file), spec.org)  # fmt: skip
                self.apis[target.name] = GitHubAPI(
                    self.bot.client, spec.api_url, auth, self.bot.log,
                    lambda reason, seconds: self.bot.metrics.github_waits.labels(
                        reason=reason).inc(seconds), self.bot.stop)  # fmt: skip
            return self.apis[target.name]

    def refresh(self, target: Target) -> list[Any]:
        """List the org (conditional requests), bring the store's list in step, and return
        the repositories that need work: pushed since their last scan, or with Actions runs
        still going at the last look."""
        from leakbot.github.org import repositories

        assert target.org is not None
        repos, _ = repositories(self.api(target), target.org)
        watched = self.bot.store.github
        added, dropped = watched.sync(target.name, repos)
        if added or dropped:
            self.bot.log.info("target %s: %d repositories (%d new, %d gone)", target.name,
                              len(repos), len(added), len(dropped))  # fmt: skip
        return [r for r in watched.watched(target.name)
                if r.due or self.logs.wanted(target, r)]  # fmt: skip

    def run(self, target: Target, read: list[int]) -> tuple[list[Finding], str | None]:
        """The whole org in this process (embedded mode): its listing, then each repository."""
        work = self.refresh(target)
        found: list[Finding] = []
        failed: list[str] = []
        for repo in work:
            if self.bot.stop.is_set():
                break
            more, errors = self.work_on(target, repo, read)
            found.extend(more)
            failed.extend(errors)
        self.evict(target)
        if failed:
            shown = "; ".join(failed[:5]) + (f"; and {len(failed) - 5} more" if failed[5:] else "")
            listed = len(self.bot.store.github.watched(target.name))
            return found, f"{len(failed)} of {listed} repositories not scanned: {shown}"
        return found, None

    def work_on(
        self, target: Target, repo: Any, read: list[int]
    ) -> tuple[list[Finding], list[str]]:
        """One repository: its history if pushed to, its Actions logs if wanted; the findings
        and what could not be done."""
        found: list[Finding] = []
        failed: list[str] = []
        ci = self.logs.wanted(target, repo)
        if repo.due:
            more, error = self.scan(target, repo, read)
            found.extend(more)
            if error:
                failed.append(f"{repo.full_name}: {error}")
        if ci and not self.bot.stop.is_set():
            more, error = self.scan_logs(target, repo, read)
            found.extend(more)
            if error:
                failed.append(f"{repo.full_name} (Actions logs): {error}")
        return found, failed

    def scan(self, target: Target, repo: Any, read: list[int]) -> tuple[list[Finding], str | None]:
        """One repository of the org, from its mirror; the findings and what went wrong."""
        from leakbot.github.auth import git_header
        from scanner.git.remote import mirror

        began = repo.pushed_at
        try:
            path = mirror(repo.clone_url, git_header(self.api(target).auth), self._root(target))
            one = replace(target, kind="git", repo=path, repo_name=repo.full_name, org=None)
            found, error = self.bot.scan_target(one, read)
        except Exception as exc:  # one repository never costs the others
            found, error = [], failure(exc)
        self.bot.store.github.scanned(target.name, repo.full_name, began, error)
        return found, error

    def scan_logs(self, target: Target, repo: Any, read: list[int]
                  ) -> tuple[list[Finding], str | None]:  # fmt: skip
        try:
            return self.logs.scan(target, repo, self.api(target), read), None
        except Exception as exc:  # one repository never costs the others
            return [], failure(exc)

    def read_again(self, row: Any) -> Finding | None:
        """A key found in one of an org's repositories, read again from a mirror made now: the
        worker that found it died and this one, maybe on another host, has no mirror of it."""
        from leakbot.github.auth import git_header
        from scanner.git.remote import mirror
        from scanner.recover import read_again

        where = row.where
        target = next((t for t in self.bot.cfg.targets
                       if t.name == where.get("target") and t.org), None)  # fmt: skip
        name = where.get("repo_name")
        here = bool(where.get("repo")) and Path(str(where["repo"])).exists()  # looked there already
        if target is None or not name or not where.get("commit") or here:
            return None
        repo = self.bot.store.github.one(target.name, str(name))
        if repo is None:
            return None
        try:
            path = mirror(repo.clone_url, git_header(self.api(target).auth), self._root(target))
        except (ScanError, RevokerError, OSError) as exc:
            self.bot.log.warning("#%d: %s could not be mirrored again: %s", row.id, name, exc)
            return None
        with self.bot.scan_lock:
            return read_again(self.bot.engine, {**where, "repo": path}, row.secret_sha256)

    def mark_pushed(self, full_name: str, targets: dict[str, Target]) -> list[tuple[Target, Any]]:
        """A push webhook for `full_name`: it is due for every org target watching it."""
        out: list[tuple[Target, Any]] = []
        watched = self.bot.store.github
        for repo in watched.find(full_name):
            target = targets.get(repo.target)
            if target is None or target.org is None:
                continue
            now = time.time()
            watched.pushed(repo.target, full_name, now)
            out.append((target, replace(repo, pushed_at=now)))  # as the store now has it
        return out

    def pushed(self, full_name: str, targets: dict[str, Target]) -> list[Finding]:
        """A push webhook for `full_name`, in this process: scanned now."""
        found: list[Finding] = []
        for target, repo in self.mark_pushed(full_name, targets):
            more, errors = self.work_on(target, repo, [])
            found.extend(more)
            for error in errors:
                self.bot.log.warning("push to %s: %s", printable(full_name), error)
        return found

    def _root(self, target: Target) -> Path:
        from scanner.git.remote import cache_root

        assert target.org is not None
        return cache_root() / "github" / target.org.org

    def evict(self, target: Target) -> None:
        """Keep at most the target's `mirrors` bare mirrors in the cache (the least recently used
        go: a repository scanned again is cloned again)."""
        from scanner.git.remote import evict

        assert target.org is not None
        for gone in evict(self._root(target), target.org.mirrors):
            self.bot.log.info("target %s: mirror %s evicted (cache full)", target.name, gone.name)


def failure(exc: Exception) -> str:
    """What a run's error says of an exception: ours name the file or request at fault; any
    other only by its type (its message could hold input bytes)."""
    if isinstance(exc, ScanError | RevokerError | OSError):
        return str(exc)
    return f"unexpected {type(exc).__name__}"
