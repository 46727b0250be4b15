"""Spread work units over forked processes that inherit the compiled engine.

Workers add the bytes they scan to a shared counter; the parent polls it for the progress bar.
Small jobs, single cores and platforms without fork run inline instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from scanner.engine import Engine

INLINE_BYTES = 8 << 20  # below this much input, process start-up costs more than it saves

U = TypeVar("U")
R = TypeVar("R")
Progress = Callable[[int, int], None]

_ENGINE: Engine | None = None
_BYTES: Any = None  # multiprocessing.Value shared with the workers


def worker_engine() -> Engine:
    assert _ENGINE is not None, "worker_engine() outside a pool worker"
    return _ENGINE


def count_bytes(n: int) -> None:
    """Called by workers as they scan; a no-op outside a pool."""
    if _BYTES is not None:
        with _BYTES.get_lock():
            _BYTES.value += n


def byte_counter(total: int, progress: Progress | None) -> Callable[[int], None]:
    """For inline work: a callback that adds scanned bytes and reports them to `progress`."""
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, max(total, done))

    return advance


def can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def run_pool(
    engine: Engine,
    worker: Callable[[U], list[R]],
    units: Sequence[U],
    jobs: int,
    total: int,
    progress: Progress | None,
) -> list[R]:
    """worker(unit) runs in a child with `worker_engine()` set; results come back in any order."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    global _ENGINE, _BYTES
    context = multiprocessing.get_context("fork")
    _ENGINE = engine  # inherited by the forked workers: compiled once
    _ = engine.matcher
    _BYTES = context.Value("q", 0)
    results: list[R] = []
    try:
        with ProcessPoolExecutor(max_workers=min(jobs, len(units)), mp_context=context) as pool:
            pending = {pool.submit(worker, unit) for unit in units}
            while pending:
                finished, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
                for future in finished:
                    results.extend(future.result())
                if progress:
                    progress(_BYTES.value, max(total, _BYTES.value))
    finally:
        _BYTES = None
    return results
