"""The bot's log (serve's and each worker's): JSON lines when stderr is not a terminal (a
service manager, a file), text when it is; APScheduler's and Celery's warnings go the same way."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime


class _JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps({
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "message": record.getMessage(),
        })  # fmt: skip


def bot_logger() -> logging.Logger:
    """JSON lines when stderr is not a terminal (a service manager, a file); text when it is."""
    log = logging.getLogger("leakbot.bot")
    log.setLevel(logging.INFO)
    log.propagate = False
    handler = logging.StreamHandler(sys.stderr)
    if sys.stderr.isatty():
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    else:
        handler.setFormatter(_JSONFormatter())
    log.handlers = [handler]
    for name in ("apscheduler", "celery"):  # their warnings (a skipped run, a lost broker)
        other = logging.getLogger(name)
        other.setLevel(logging.WARNING)
        other.propagate = False
        other.handlers = [handler]
    return log
