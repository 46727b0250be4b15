"""The scheduler's side of distributed mode: what `leakbot serve` does at each tick when a
broker is configured. Only the leader (the holder of the store's advisory lock) sends work; a
second `serve` stands by and takes over when the leader's connection goes."""

from __future__ import annotations

import logging
from typing import Any

from leakbot.settings import Target


class Dispatch:
    def __init__(self, app: Any, store: Any, log: logging.Logger) -> None:
        self.app, self.store, self.log = app, store, log
        self.leading = False

    def leader(self) -> bool:
        was = self.leading
        self.leading = self.store.leadership.try_lead()
        if self.leading and not was:
            self.log.info("this serve leads: it schedules the workers' tasks")
        return self.leading

    def run_target(self, target: Target) -> None:
        if self.leader():
            self.app.send_task("leakbot.run_target", args=[target.name])

    def retry(self) -> None:
        if self.leader():
            self.app.send_task("leakbot.retry")

    def pushed(self, full_name: str) -> None:
        """A webhook: any serve that took it sends it on (no leadership needed: it is one push)."""
        self.app.send_task("leakbot.pushed", args=[full_name])
