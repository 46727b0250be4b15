"""The logs of an org's GitHub Actions runs, scanned like any log: for a repository pushed to
(and one whose runs were still going at the last look), the runs completed since its cursor,
each archive's text files cut into fragments for the engine. A key printed in CI output is
verified, put in the ledger and rotated like any other; its place is the run and the step."""

from __future__ import annotations

from typing import Any

from leakbot.settings import Target
from scanner.finding import Finding
from scanner.result import ScanResult


class ActionsLogs:
    def __init__(self, bot: Any) -> None:
        self.bot = bot

    def wanted(self, target: Target, repo: Any) -> bool:
        """Whether this run looks at the repository's Actions runs: pushed to since its last
        scan, or with runs that were still going at the last look (the store says, so any
        worker, after any restart, knows)."""
        if target.org is None or not target.org.actions:
            return False
        return bool(repo.due or repo.ci_pending)

    def scan(self, target: Target, repo: Any, api: Any, read: list[int]) -> list[Finding]:
        """The findings in the runs completed since the cursor; the cursor moves past each run
        once its findings are in the ledger."""
        from leakbot.github.actions import Cursor, new_runs

        key = f"actions:{target.name}:{repo.full_name}"
        cursors = self.bot.store.cursors
        cursor = Cursor.parse(cursors.cursor(key))
        done, after = new_runs(api, repo.full_name, cursor)
        found: list[Finding] = []
        for run_id in done:
            if self.bot.stop.is_set():
                return found  # the cursor stays: the next run does these
            found.extend(self._run(target, repo.full_name, run_id, api, read))
        cursors.set_cursor(key, after.dump())
        self.bot.store.github.ci_pending(target.name, repo.full_name, bool(after.pending))
        return found

    def _run(self, target: Target, full_name: str, run_id: int, api: Any,
             read: list[int]) -> list[Finding]:  # fmt: skip
        from leakbot.github.actions import archive, log_files
        from scanner.sources.stream import fragments

        data = archive(api, full_name, run_id)
        result = ScanResult()
        base = f"github-actions:{full_name}/runs/{run_id}"
        with self.bot.scan_lock:
            for name, handle in log_files(data, base):

                def counted(size: int, handle: Any = handle) -> bytes:
                    chunk: bytes = handle.read(size)
                    result.stats.bytes += len(chunk)
                    return chunk

                for fragment in fragments(counted, f"{base}/{name}"):
                    result.findings.extend(self.bot.engine.scan(fragment, result.notes))
        read.append(result.stats.bytes)

        def where(f: Finding) -> dict[str, Any]:
            return {"path": f.path, "line": f.line, "source": "github-actions",
                    "target": target.name, "repo_name": full_name}  # fmt: skip

        found: list[Finding] = self.bot.kept(target.name, result, where)
        return found
