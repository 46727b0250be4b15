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

    def run(self, target: Target, read: list[int]) -> tuple[list[Finding], str | None]:
        from leakbot.github.org import repositories

        api = self.api(target)
        assert target.org is not None
        repos, _ = repositories(api, target.org)
        watched = self.bot.store.github
        added, dropped = watched.sync(target.name, repos)
        if added or dropped:
            self.bot.log.info("target %s: %d repositories (%d new, %d gone)", target.name,
                              len(repos), len(added), len(dropped))  # fmt: skip
        found: list[Finding] = []
        failed: list[str] = []
        listed = watched.watched(target.name)
        ci = [r for r in listed if self.logs.wanted(target, r)]
        for repo in listed:
            if self.bot.stop.is_set():
                break
            if repo.due:
                more, error = self.scan(target, repo, read)
                found.extend(more)
                if error:
                    failed.append(f"{repo.full_name}: {error}")
        for repo in ci:
            if self.bot.stop.is_set():
                break
            more, error = self.scan_logs(target, repo, read)
            found.extend(more)
            if error:
                failed.append(f"{repo.full_name} (Actions logs): {error}")
        self.logs.seen(target)
        self._evict(target)
        if failed:
            shown = "; ".join(failed[:5]) + (f"; and {len(failed) - 5} more" if failed[5:] else "")
            return found, f"{len(failed)} of {len(repos)} repositories not scanned: {shown}"
        return found, None

    def scan(self, target: Target, repo: Any, read: list[int]) -> tuple[list[Finding], str | None]:
        """One repository of the org, from its mirror; the findings and what went wrong."""
        from leakbot.github.auth import git_header
        from scanner.git.remote import mirror

        began = repo.pushed_at
        try:
            path = mirror(repo.clone_url, git_header(self.api(target).auth), self._root(target))
            one = replace(target, kind="git", repo=path, repo_name=repo.full_name, org=None)
            found, error = self.bot.scan_target(one, read)
        except (ScanError, RevokerError, OSError) as exc:
            found, error = [], str(exc)
        except Exception as exc:  # the type only (a message could hold input); no other repo lost
            found, error = [], f"unexpected {type(exc).__name__}"
        self.bot.store.github.scanned(target.name, repo.full_name, began, error)
        return found, error

    def scan_logs(self, target: Target, repo: Any, read: list[int]
                  ) -> tuple[list[Finding], str | None]:  # fmt: skip
        try:
            return self.logs.scan(target, repo, self.api(target), read), None
        except (ScanError, RevokerError, OSError) as exc:
            return [], str(exc)
        except Exception as exc:  # the type only (a message could hold input); no other repo lost
            return [], f"unexpected {type(exc).__name__}"

    def pushed(self, full_name: str, targets: dict[str, Target]) -> list[Finding]:
        """A push webhook for `full_name`: every org target watching it scans it now."""
        found: list[Finding] = []
        for repo in self.bot.store.github.find(full_name):
            target = targets.get(repo.target)
            if target is None or target.org is None:
                continue
            self.bot.store.github.pushed(repo.target, full_name, time.time())
            (fresh,) = [r for r in self.bot.store.github.find(full_name) if r.target == repo.target]
            more, error = self.scan(target, fresh, [])
            found.extend(more)
            if error:
                self.bot.log.warning("push to %s: scan failed: %s", printable(full_name), error)
        return found

    def _root(self, target: Target) -> Path:
        from scanner.git.remote import cache_root

        assert target.org is not None
        return cache_root() / "github" / target.org.org

    def _evict(self, target: Target) -> None:
        from scanner.git.remote import evict

        assert target.org is not None
        for gone in evict(self._root(target), target.org.mirrors):
            self.bot.log.info("target %s: mirror %s evicted (cache full)", target.name, gone.name)
