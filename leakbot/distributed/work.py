"""What a worker does with each task, on the Bot it built at start. Each task names its work and
takes the store's lease on it first: a task delivered twice, or one that overlaps a redelivery
after a long scan, finds the lease held and leaves. A worker killed mid-scan leaves the
repository due and its lease runs out; the next scheduled run hands it out again."""

from __future__ import annotations

import time
from typing import Any

from leakbot.bot.org import failure
from leakbot.settings import Target


class Work:
    def __init__(self, bot: Any, app: Any) -> None:
        self.bot, self.app = bot, app
        self.targets = {t.name: t for t in bot.cfg.targets}

    def register(self) -> None:
        app = self.app
        app.task(name="leakbot.run_target")(self.run_target)
        app.task(name="leakbot.scan_repo")(self.scan_repo)
        app.task(name="leakbot.pushed")(self.pushed)
        app.task(name="leakbot.retry")(self.retry)

    def run_target(self, name: str) -> None:
        target = self.targets.get(name)
        if target is None:  # the config changed under a queued task
            return
        with self.bot.store.work.held(f"target:{name}") as mine:
            if not mine:
                return
            if target.kind != "org":
                self.bot.run_target(target)
                return
            self._hand_out(target)

    def _hand_out(self, target: Target) -> None:
        """An org target's run: the listing here, each repository that needs work a task."""
        runs = self.bot.store.runs
        runs.started(target.name, target.kind)
        error = None
        handed = 0
        try:
            for repo in self.bot.orgs.refresh(target):
                if self.bot.store.work.holder(_repo_lease(target.name, repo.full_name)):
                    continue  # being scanned now
                self.app.send_task("leakbot.scan_repo", args=[target.name, repo.full_name])
                handed += 1
        except Exception as exc:  # the run's error, as the embedded bot says it
            error = failure(exc)
            self.bot.log.warning("target %s: listing failed: %s", target.name, error)
        runs.ended(target.name, error, 0)
        if handed:
            self.bot.log.info("target %s: %d repositories handed out", target.name, handed)

    def scan_repo(self, name: str, full_name: str) -> None:
        target = self.targets.get(name)
        if target is None or target.org is None:
            return
        with self.bot.store.work.held(_repo_lease(name, full_name)) as mine:
            if not mine:
                return
            repo = self.bot.store.github.one(name, full_name)
            if repo is None or not (repo.due or self.bot.orgs.logs.wanted(target, repo)):
                return  # done by another task already, or gone from the org
            started = time.monotonic()
            found, errors = self.bot.orgs.work_on(target, repo, [])
            for error in errors:
                self.bot.log.warning("target %s: %s", name, error)
            self.bot.log.info("target %s: %s: %d finding(s) in %.2f s", name, full_name,
                              len(found), time.monotonic() - started)  # fmt: skip
            self.bot.orgs.evict(target)  # this worker's cache stays bounded too
        if found:  # rotated here: this worker holds the keys
            self.bot.act({f.secret_sha256 for f in found})

    def pushed(self, full_name: str) -> None:
        for target, _ in self.bot.orgs.mark_pushed(full_name, self.targets):
            self.app.send_task("leakbot.scan_repo", args=[target.name, full_name])

    def retry(self) -> None:
        self.bot.retry()


def _repo_lease(target: str, full_name: str) -> str:
    return f"repo:{target}:{full_name}"
