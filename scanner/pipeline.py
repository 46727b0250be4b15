"""Run a scan: plan tasks, spread them over processes, gather findings, stats and notes."""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from scanner.engine import Engine
from scanner.finding import Finding
from scanner.pool import (
    INLINE_BYTES,
    byte_counter,
    can_fork,
    count_bytes,
    run_pool,
    worker_engine,
)
from scanner.result import ScanResult
from scanner.sources.files import Reader, Task, plan
from scanner.sources.stream import LineIndex, fragments
from scanner.sources.transcode import SNIFF, GzipDamaged

BATCH_BYTES = 4 << 20  # a work unit for a worker process: this many bytes...
BATCH_FILES = 512  # ...or this many files, whichever comes first

Progress = Callable[[int], None]


@dataclass
class _TaskResult:
    task: Task
    findings: list[Finding]
    notes: list[str]  # what this task could not do (a rule timed out, a read failed)
    bytes: int
    newlines: int
    binary: bool = False
    failed: bool = False


def scan_task(
    engine: Engine,
    task: Task,
    stdin: BinaryIO | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> _TaskResult:
    findings: list[Finding] = []
    notes: list[str] = []
    total = newlines = 0
    try:
        reader = Reader(task, stdin)
        with reader as read:
            first = True
            # A file's last range needs no newline total: its lines are counted only up to
            # where a finding is (a range that others follow counts all of them, as it goes).
            index = None
            if reader.read_at is not None and task.end is None:
                index = LineIndex(reader.read_at, task.start)
            for fragment in fragments(
                read, task.path, start=task.start, limit=task.end,
                left_context=reader.left_context, read_at=reader.read_at,
                count_lines=index is None,
            ):  # fmt: skip
                owned = fragment.own_end - fragment.own_start
                if first and task.start == 0 and b"\0" in fragment.data[:SNIFF]:
                    return _TaskResult(task, [], [binary_note(task.path)], owned, 0, binary=True)
                first = False
                found = engine.scan(fragment, notes)
                if found and index is not None:
                    shift = index.before(fragment)
                    for finding in found:
                        finding.line += shift
                findings.extend(found)
                total += owned
                newlines += fragment.owned_newlines
                if on_bytes:
                    on_bytes(owned)
    except GzipDamaged as exc:
        notes.append(f"{task.path}: damaged gzip ({exc}); scanned the first {total} bytes")
        return _TaskResult(task, findings, notes, total, newlines, failed=True)
    except OSError as exc:
        notes.append(f"{task.path}: cannot read: {exc.strerror or exc}")
        return _TaskResult(task, findings, notes, total, newlines, failed=True)
    return _TaskResult(task, findings, notes, total, newlines)


def binary_note(path: str) -> str:
    """Skipped as binary: named, so a key behind a few NUL bytes is not silently passed over."""
    return f"{path}: binary (NUL bytes in its first {SNIFF} bytes): skipped"


def _worker(batch: list[Task]) -> list[_TaskResult]:
    engine = worker_engine()
    return [scan_task(engine, task, on_bytes=count_bytes) for task in batch]


def _batches(tasks: list[Task]) -> list[list[Task]]:
    """Group small files into work units: a future per file costs more than scanning it."""
    batches: list[list[Task]] = []
    current: list[Task] = []
    size = 0
    for task in sorted(tasks, key=_task_bytes, reverse=True):
        current.append(task)
        size += _task_bytes(task)
        if size >= BATCH_BYTES or len(current) >= BATCH_FILES:
            batches.append(current)
            current, size = [], 0
    if current:
        batches.append(current)
    return batches


def run_scan(
    engine: Engine,
    paths: list[str],
    *,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    stdin: BinaryIO | None = None,
    exclude: tuple[str, ...] = (),
    gitignore: bool = False,
) -> ScanResult:
    """Scan files, directories and '-' (stdin). progress(done_bytes, total_bytes) as work ends.
    `exclude` globs prune folders' contents; with `gitignore`, files found in folders that their
    work tree's .gitignore ignores are left out (a file named on the command line never is)."""
    tasks, skips = plan(paths, exclude)
    result = ScanResult()
    if gitignore:
        from scanner.git.run import ignored_by_git

        ignored = ignored_by_git([t.fs_path for t in tasks if t.walked])
        result.stats.ignored = len({t.fs_path for t in tasks if t.fs_path in ignored})
        tasks = [t for t in tasks if t.fs_path not in ignored]
    for skip in skips:
        result.stats.excluded += skip.reason == "excluded"
        result.stats.symlinks += skip.reason in ("symlink", "outside", "broken-symlink")
        result.stats.errors += skip.reason in ("error", "special")
        if skip.note:
            (result.incomplete if skip.reason == "error" else result.notes).append(skip.note)
    total = sum(_task_bytes(t) for t in tasks)
    results = _execute(engine, tasks, total, jobs, progress, stdin or sys.stdin.buffer)
    _merge(results, result)
    return result


def _task_bytes(task: Task) -> int:
    if task.kind == "stdin":
        return 0
    if task.kind in ("gzip", "file"):
        return task.size
    return (task.end if task.end is not None else task.size) - task.start


def _execute(
    engine: Engine,
    tasks: list[Task],
    total: int,
    jobs: int | None,
    progress: Callable[[int, int], None] | None,
    stdin: BinaryIO,
) -> list[_TaskResult]:
    jobs = jobs or os.cpu_count() or 1
    results: list[_TaskResult] = []
    pooled = [t for t in tasks if t.kind != "stdin"]
    inline = [t for t in tasks if t.kind == "stdin"]
    if jobs <= 1 or total < INLINE_BYTES or len(pooled) < 2 or not can_fork():
        inline, pooled = tasks, []
    counter = byte_counter(total, progress)
    for task in inline:
        results.append(scan_task(engine, task, stdin, counter))
    if pooled:
        # Inline work (stdin) is done by now; the pool's bytes come on top of it.
        offset = sum(r.bytes for r in results)
        shifted = (lambda d, t: progress(offset + d, offset + t)) if progress else None
        results.extend(run_pool(engine, _worker, _batches(pooled), jobs, total - offset, shifted))
    if progress:
        progress(total, total)
    return results


def _merge(results: list[_TaskResult], out: ScanResult) -> None:
    """Shift line numbers of later ranges of a split file and count each file once."""
    by_file: dict[tuple[str, str], list[_TaskResult]] = defaultdict(list)
    for res in results:
        by_file[(res.task.path, res.task.fs_path)].append(res)
    for (_path, _), parts in sorted(by_file.items()):
        parts.sort(key=lambda r: r.task.start)
        out.stats.files += 1
        if parts[0].binary:
            out.stats.binary += 1
            out.notes.extend(parts[0].notes)
            continue
        out.stats.errors += any(p.failed for p in parts)
        lines_before = 0
        for part in parts:
            for finding in part.findings:
                finding.line += lines_before
            out.findings.extend(part.findings)
            out.incomplete.extend(part.notes)
            out.stats.bytes += part.bytes
            lines_before += part.newlines
    out.findings.sort(key=lambda f: (f.path, f.line, f.column, f.rule_id))
