"""`leakbot serve`: the bot. Runs each `[[targets]]` entry on its schedule (APScheduler 3: no
overlapping runs of a target, missed runs coalesced, jitter), retries what is open, serves the web
view, /healthz, /metrics and GitHub's secret-scanning alerts; SIGTERM stops it between steps."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import signal
import sys
from datetime import UTC, datetime
from typing import Any

from leakbot import config as config_mod
from leakbot.bot.logs import bot_logger
from leakbot.commands import add_command, add_config_and_state, store_of
from leakbot.errors import ConfigError, UsageError

EPILOG = """\
examples:
  leakbot serve                          targets from .leakbot.toml, state in the default database
  leakbot serve --listen 127.0.0.1:9477 --state /var/lib/leakbot/state.db
  leakbot serve --once                   run every target once (and the retries), then exit:
                                         0, or 1 when a target could not be scanned (for cron)

.leakbot.toml:
  [[targets]]
  repo = "/srv/git/api.git"      # or a URL (mirrored); refs = ["refs/heads/*"] to narrow it
  every = "30s"                  # or cron = "*/5 * * * *"; jitter = "5s"
  [[targets]]
  name = "api-logs"
  logs = ["/var/log/api/*.log*"] # rotations (.1, .gz, copytruncate) are followed
  every = "10s"
  [[targets]]
  org = "acme"                   # every repository of a GitHub org, and its Actions logs
  every = "15m"                  # token_env = "GITHUB_TOKEN"; webhook_secret_env for pushes
  [serve]
  listen = "127.0.0.1:9477"      # the web view, /healthz, /metrics, POST /github/secret-scanning
  hosts = ["leakbot.example.com"]  # Host names it answers to behind a proxy (loopback's always)
  retry_every = "60s"
  session = "8h"                 # how long a web login lasts
  # broker = "redis://127.0.0.1:6379/0"   distributed mode: the work goes to `leakbot worker`s

The web view needs a token: LEAKBOT_WEB_TOKEN (approve, triage) and LEAKBOT_WEB_VIEWER_TOKEN
(read only); with neither set, serve makes one and prints its login link.
"""


def register(sub: Any) -> None:
    p = add_command(sub, "serve", "run the bot: scheduled scans, verification and rotation",
                    EPILOG)  # fmt: skip
    add_config_and_state(p)
    p.add_argument("--listen", metavar="HOST:PORT", help="override [serve] listen (port 0: any)")
    p.add_argument("--once", action="store_true", help="run each target once, then exit")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from leakbot.bot.core import Bot

    cfg = config_mod.load(args.config)
    settings = serve_settings(cfg, args.listen)
    log = bot_logger()
    store = store_of(args, cfg)
    try:
        bot = Bot(cfg, store, log)
    except BaseException:
        store.close()
        raise
    try:
        if args.once:
            failed = [t.name for t in cfg.targets if not bot.run_target(t)]
            bot.retry()
            if failed:
                print(f"leakbot serve --once: could not scan {', '.join(failed)} (see above)",
                      file=sys.stderr)  # fmt: skip
                return 1
            return 0
        return _serve(bot, cfg, settings, log)
    finally:
        bot.close()
        store.close()


def serve_settings(cfg: config_mod.Config, listen: str | None) -> Any:
    """[serve] from the config, with --listen overriding only the address."""
    from leakbot.settings import Serve
    from leakbot.settings import serve as parse_serve

    settings: Serve = cfg.serve or Serve()
    if listen:
        try:
            address = parse_serve({"listen": listen}).listen
        except ValueError as exc:
            raise UsageError(f"--listen: {exc}") from None
        settings = dataclasses.replace(settings, listen=address)  # the rest of [serve] stays
    return settings


def _cron(cfg: config_mod.Config, target: Any) -> Any:
    from apscheduler.triggers.cron import CronTrigger

    try:
        trigger = CronTrigger.from_crontab(target.cron, timezone=UTC)
    except ValueError as exc:
        raise ConfigError(f"{cfg.sources[-1]}: target {target.name!r}: cron: {exc}") from None
    trigger.jitter = target.jitter or None
    return trigger


def _serve(bot: Any, cfg: config_mod.Config, settings: Any, log: logging.Logger) -> int:
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    scheduler = BackgroundScheduler(
        # Scans on their own threads; rotations and retries one at a time on another, so a
        # rotation waiting out a vendor's auth cache never holds up a scan.
        executors={"default": ThreadPoolExecutor(4), "rotate": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
        timezone=UTC,
    )
    dispatch = _dispatch(bot, settings, log)
    run_target = dispatch.run_target if dispatch else bot.run_target
    retry = dispatch.retry if dispatch else bot.retry
    now = datetime.now(UTC)
    for target in cfg.targets:
        if target.every is not None:
            trigger: Any = IntervalTrigger(seconds=target.every, jitter=target.jitter or None)
        else:
            trigger = _cron(cfg, target)
        scheduler.add_job(run_target, trigger, args=[target], id=f"target:{target.name}",
                          name=target.name, next_run_time=now)  # fmt: skip
    scheduler.add_job(retry, IntervalTrigger(seconds=settings.retry_every), id="retry",
                      name="retry", next_run_time=now, executor="rotate")  # fmt: skip

    def later(hashes: set[str]) -> None:
        scheduler.add_job(bot.act, args=[hashes], name="rotate", executor="rotate")

    bot.act_later = later
    pushed = dispatch.pushed if dispatch else bot.pushed
    web = _web(bot, cfg, settings, scheduler, log, pushed, retry)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: bot.stop.set())
    scheduler.start()
    if not cfg.targets:
        log.warning("no [[targets]] in the config: only GitHub alerts and retries will run")
    log.info("serving on %s (%d target(s)); state in %s", web.url, len(cfg.targets),
             bot.store.where.shown)  # fmt: skip
    if web.made_token:  # no token in the environment: one made now and shown, as Jupyter does
        log.warning(
            "no %s set: log in to the web view at %s/login?token=%s (this token lasts "
            "until serve restarts)",
            settings.token_env,
            web.url,
            web.made_token,
        )
    runs = bot.store.runs
    runs.only([t.name for t in cfg.targets])
    kinds = {f"target:{t.name}": t.kind for t in cfg.targets}
    shown: dict[str, float] = {}  # next runs already in the table: written only when they move
    try:
        while not bot.stop.wait(1.0):
            for job in scheduler.get_jobs():
                if job.id in kinds and job.next_run_time:
                    when = job.next_run_time.timestamp()
                    if shown.get(job.id) != when:
                        runs.scheduled(job.name, kinds[job.id], when)
                        shown[job.id] = when
    finally:
        log.info("stopping: finishing the current step")
        scheduler.shutdown(wait=True)
        runs.unscheduled()
        web.stop()
        log.info("stopped")
    return 0


def _dispatch(bot: Any, settings: Any, log: logging.Logger) -> Any:
    """Distributed mode's dispatcher when a broker is configured (None: embedded mode)."""
    from leakbot.distributed import broker_of, require_shared_state

    broker = broker_of(settings)
    if not broker:
        return None
    from leakbot import extras
    from leakbot.distributed.app import make_app
    from leakbot.distributed.dispatch import Dispatch

    extras.require("distributed", "leakbot serve with a broker")
    require_shared_state(bot.store)
    log.info("distributed mode: tasks go to the workers through the broker")
    return Dispatch(make_app(broker, settings.visibility_timeout), bot.store, log)


def _web(bot: Any, cfg: config_mod.Config, settings: Any, scheduler: Any, log: logging.Logger,
         pushed: Any, retry: Any) -> Any:  # fmt: skip
    """The web side on its own thread: the UI, /healthz, /metrics and GitHub's alerts."""
    from leakbot.bot.metrics import CONTENT_TYPE
    from leakbot.web.alerts import GitHubKeys
    from leakbot.web.app import build
    from leakbot.web.auth import Auth
    from leakbot.web.server import WebServer
    from leakbot.web.site import Alerts, Site, Webhooks, hosts_for

    def queue(work: Any) -> None:
        scheduler.add_job(work, name="alert", executor="rotate")

    keys = GitHubKeys(bot.client, settings.github_keys_url, settings.github_token_env)
    auth = Auth.from_env(settings.token_env, settings.viewer_token_env, settings.session)
    host, port = settings.listen
    site = Site(
        store=bot.store, auth=auth, hosts=hosts_for(host, settings.hosts),
        baseline=cfg.triage_baseline(), health=bot.health,
        metrics=lambda: (bot.metrics.render(), CONTENT_TYPE),
        alerts=Alerts(keys, lambda alerts: bot.alert(alerts, queue)),
        webhooks=Webhooks(lambda org: _webhook_secret(cfg, org),
                          lambda full_name: scheduler.add_job(pushed, args=[full_name],
                                                              name="push")),
        count_webhook=lambda result: bot.metrics.webhooks.labels(result=result).inc(),
        wake=lambda: scheduler.add_job(retry, name="retry", executor="rotate"),
        count_alert=lambda result: bot.metrics.alerts.labels(result=result).inc(), log=log,
    )  # fmt: skip
    try:
        web = WebServer(build(site), host, port, log)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    web.made_token = auth.tokens["approver"] if auth.made else ""
    web.start()
    return web


def _webhook_secret(cfg: config_mod.Config, org: str) -> str | None:
    """The push webhook secret of the org target watching `org`, from its environment variable."""
    for target in cfg.targets:
        spec = target.org
        if spec and spec.org.lower() == org.lower() and spec.webhook_secret_env:
            return os.environ.get(spec.webhook_secret_env) or None
    return None
