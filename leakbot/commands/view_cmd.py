"""`leakbot view REPORT`: the web view's pages for a saved JSON or SARIF report, with no state
and no network (a throwaway SQLite file holds the report while the view runs), as kingfisher's
viewer does; it acts on nothing."""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

from leakbot.commands import add_command
from leakbot.errors import UsageError
from scanner.finding import Finding

EPILOG = """\
examples:
  leakbot scan . --format json -o findings.json && leakbot view findings.json
  leakbot git --format sarif -o history.sarif && leakbot view history.sarif --port 7890
  leakbot git --format json | leakbot view -

The view listens on loopback only and asks for a login token: $LEAKBOT_WEB_TOKEN, or one made
now and printed with the address. Reports hold no secret: the view shows redacted previews.
"""

UNVERIFIED = {"status": "unknown", "reason": "not verified: a saved report (leakbot verify)"}


def register(sub: Any) -> None:
    p = add_command(sub, "view", "browse a saved JSON or SARIF report in the web view", EPILOG)
    p.add_argument("report", metavar="REPORT",
                   help="a leakbot JSON, JSON-lines or SARIF report, or -")  # fmt: skip
    p.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
    p.add_argument("--port", type=int, default=0, help="port (default 0: any free port)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from revoker.urls import check_url
    from scanner.report.read import read_report

    check_url(f"http://{args.host}/")  # loopback only
    findings = read_report(args.report)
    with tempfile.TemporaryDirectory(prefix="leakbot-view-") as tmp:
        store = _store_of(findings, Path(tmp) / "view.db")
        try:
            return _serve(args, store, len(findings))
        finally:
            store.close()


def _store_of(findings: list[Finding], path: Path) -> Any:
    """A store holding the report: one ledger row per credential, each place it was seen."""
    from leakbot import pipeline
    from leakbot.store import locate, open_store

    store = open_store(locate(str(path)))
    for f in findings:
        f.secret = f.partner_secret = b""  # a --show-secrets report: its keys go no further
        f.verification = f.verification or dict(UNVERIFIED)
    pipeline.record(store.ledger, findings, _where)
    return store


def _where(f: Finding) -> dict[str, Any]:
    place: dict[str, Any] = {"path": f.path, "line": f.line, "source": "report"}
    if f.commit:
        place["commit"] = f.commit
    return place


def _serve(args: argparse.Namespace, store: Any, count: int) -> int:
    from leakbot.web.app import build
    from leakbot.web.auth import Auth
    from leakbot.web.server import WebServer
    from leakbot.web.site import Site, hosts_for

    auth = Auth.from_env()
    name = "stdin" if args.report == "-" else Path(args.report).name
    site = Site(store=store, auth=auth, hosts=hosts_for(args.host), read_only=True,
                title=f"leakbot view · {name}")  # fmt: skip
    try:
        web = WebServer(build(site), args.host, args.port)
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
    login = f"{web.url}/login?token={auth.tokens['approver']}" if auth.made else f"{web.url}/login"
    print(f"leakbot view: {count} finding(s) from {name} at {login} (Ctrl-C stops)",
          file=sys.stderr, flush=True)  # fmt: skip
    signal.signal(signal.SIGTERM, lambda *_: setattr(web.server, "should_exit", True))
    web.start()
    try:
        while web.thread is not None and web.thread.is_alive():
            web.thread.join(0.5)
    except KeyboardInterrupt:
        pass
    web.stop()
    return 0
