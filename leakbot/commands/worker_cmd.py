"""`leakbot worker`: a Celery worker of distributed mode. It scans the targets and repositories
the leading `leakbot serve` hands out and rotates what it finds, one task at a time (run one
worker per core, on as many hosts as the load needs); all state in PostgreSQL."""

from __future__ import annotations

import argparse
import os
import socket
from typing import Any

from leakbot import config as config_mod
from leakbot.commands import add_command, add_config_and_state, store_of
from leakbot.errors import UsageError

EPILOG = """\
examples:
  LEAKBOT_BROKER=redis://127.0.0.1:6379/0 LEAKBOT_STATE=postgresql://leakbot@db/leakbot \\
      leakbot worker
  leakbot worker --config /etc/leakbot/.leakbot.toml     [serve] broker and state = in the file

Every worker and every serve reads the same .leakbot.toml (targets, vendors, sinks) and the same
vendor credentials from its environment. SIGTERM finishes the task in progress, then exits.
"""


def register(sub: Any) -> None:
    p = add_command(sub, "worker", "run a distributed-mode worker (Celery, Redis, PostgreSQL)",
                    EPILOG)  # fmt: skip
    add_config_and_state(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from leakbot.bot.core import Bot
    from leakbot.bot.logs import bot_logger
    from leakbot.distributed import BROKER_ENV, broker_of, require_shared_state
    from leakbot.distributed.app import make_app
    from leakbot.distributed.work import Work
    from leakbot.settings import Serve

    cfg = config_mod.load(args.config)
    settings = cfg.serve or Serve()
    broker = broker_of(settings)
    if not broker:
        raise UsageError(f"leakbot worker needs a broker: [serve] broker = "
                         f'"redis://HOST:6379/0" or ${BROKER_ENV}')  # fmt: skip
    log = bot_logger()
    store = store_of(args, cfg)
    try:
        require_shared_state(store)
        bot = Bot(cfg, store, log)
    except BaseException:
        store.close()
        raise
    try:
        app = make_app(broker, settings.visibility_timeout)
        Work(bot, app).register()
        _on_shutdown(bot)
        name = f"leakbot-{os.getpid()}@{socket.gethostname()}"
        log.info("worker %s: state in %s", name, store.where.shown)
        app.worker_main(["worker", "--pool=solo", "--loglevel=WARNING", "--without-mingle",
                         "--without-gossip", "-n", name, "-Q", "leakbot"])  # fmt: skip
    finally:
        bot.stop.set()
        bot.close()
        store.close()
    return 0


def _on_shutdown(bot: Any) -> None:
    """Celery's warm shutdown (SIGTERM) also stops the bot between steps."""
    from celery.signals import worker_shutting_down

    def stopping(**_: Any) -> None:
        bot.stop.set()

    worker_shutting_down.connect(stopping, weak=False)
