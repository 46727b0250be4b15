"""The Celery app both sides use: tasks acknowledged only when done and rejected (so redelivered)
when their worker is lost, one task at a time per worker process, JSON only, no results kept.
What makes a task safe to run twice is the store (leases on scans, the ledger's claims), not
the broker."""

from __future__ import annotations

from typing import Any

QUEUE = "leakbot"
TASKS = ("leakbot.run_target", "leakbot.scan_repo", "leakbot.pushed", "leakbot.retry")


def make_app(broker: str, visibility_timeout: float) -> Any:
    from celery import Celery

    app = Celery("leakbot", broker=broker, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        task_default_queue=QUEUE,
        broker_transport_options={"visibility_timeout": int(visibility_timeout)},
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        worker_send_task_events=False,
        enable_utc=True,
    )
    return app
