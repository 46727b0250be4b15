"""A progress bar on stderr for long scans on a terminal; nothing when piped or quiet."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

DELAY = 0.5  # seconds before a bar appears: short scans stay silent


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    started = time.monotonic()
    bar: Any = Progress(
        "[progress.description]scanning",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        transient=True,
        console=__import__("rich.console").console.Console(stderr=True),
    )
    task: list[Any] = []

    def update(done: int, total: int) -> None:
        if not task:
            if time.monotonic() - started < DELAY:
                return
            bar.start()
            task.append(bar.add_task("scan", total=total or None))
        bar.update(task[0], completed=done, total=total or None)

    try:
        yield update
    finally:
        if task:
            bar.stop()
