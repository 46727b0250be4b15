"""`leakbot verify` (a JSON report's findings, read again and asked of the vendors),
`leakbot revoke` (the ledger's plan; --execute acts) and `leakbot status` (the ledger)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from leakbot import config as config_mod
from leakbot import pipeline
from leakbot.commands import add_command, add_config_and_state, location_of, store_of
from leakbot.commands.common import add_output_options, finish, plan_line, prepare
from leakbot.errors import UsageError
from scanner.finding import Finding, printable
from scanner.result import ScanResult

VERIFY_EPILOG = """\
examples:
  leakbot scan . --format json -o findings.json && leakbot verify findings.json
  leakbot git --format json | leakbot verify - --root .

Reports hold no secret: each key is read again from where the report says it is (files, or
git blobs under --root) and matched by its SHA-256. Verified keys are kept in the ledger.
"""

REVOKE_EPILOG = """\
examples:
  leakbot revoke                  the plan for every open leak in the ledger (changes nothing)
  leakbot revoke --execute        act on it: rotate by policy, send playbooks, notify
  leakbot revoke --approve 3      approve rotation #3 (policy approve) and run it now
  leakbot revoke --execute --id 3 --id 5

Leaks enter the ledger through --verify (scan, git, diff) or `leakbot verify REPORT`.
Exit codes: 0 nothing left to do (or a dry run), 1 a leak is still open, 2 usage/config error.
"""

STATUS_EPILOG = """\
examples:
  leakbot status
  leakbot status --format json | jq '.rotations[] | select(.status == "failed")'
"""


def register(sub: Any) -> None:
    v = add_command(
        sub, "verify", "ask the vendors whether a JSON report's keys are live", VERIFY_EPILOG
    )
    v.add_argument("report", metavar="REPORT", help="a leakbot JSON or JSON-lines report, or -")
    v.add_argument(
        "--root",
        default=".",
        metavar="DIR",
        help="where the report's paths are (the repository for git reports)",
    )
    add_output_options(v)
    v.set_defaults(func=run_verify, verify=True)

    r = add_command(sub, "revoke", "rotate and revoke the leaked keys in the ledger", REVOKE_EPILOG)
    r.add_argument("--execute", action="store_true", help="act (default: print the plan only)")
    r.add_argument("--approve", type=int, metavar="ID", help="approve one rotation and run it")
    r.add_argument("--id", type=int, action="append", metavar="ID", help="only these rows")
    format_help = "json: each row's decision and, with --execute, its state after"
    r.add_argument("--format", choices=["text", "json"], default="text", help=format_help)
    add_config_and_state(r)
    r.set_defaults(func=run_revoke)

    s = add_command(
        sub, "status", "show the ledger: open, done, failed, awaiting approval", STATUS_EPILOG
    )
    s.add_argument("--format", choices=["text", "json"], default="text")
    add_config_and_state(s)
    s.set_defaults(func=run_status)


# -- verify --------------------------------------------------------------------------------------


def run_verify(args: argparse.Namespace) -> int:
    from scanner.recover import read_again
    from scanner.report.read import read_report

    found = read_report(args.report)
    cfg, engine = prepare(args, [args.root])
    root = Path(args.root)
    result = ScanResult()
    places: dict[int, dict[str, Any]] = {}
    for finding in found:
        where = _where(finding, root)
        if not finding.secret:
            again = read_again(engine, where, finding.secret_sha256)
            if again is None:
                result.notes.append(
                    f"{finding.path}:{finding.line}: the key is no longer there "
                    "(edited, or not under --root): not verified"
                )
            else:
                finding.secret, finding.partner_secret = again.secret, again.partner_secret
        finding.verification = None
        places[id(finding)] = where
        result.findings.append(finding)
    return finish(args, cfg, result, lambda f: places[id(f)])


def _where(finding: Finding, root: Path) -> dict[str, Any]:
    if finding.commit:
        return {
            "path": finding.path,
            "line": finding.line,
            "repo": str(root.resolve()),
            "commit": finding.commit,
        }
    return {"path": str((root / finding.path).resolve()), "line": finding.line}


# -- revoke --------------------------------------------------------------------------------------


def run_revoke(args: argparse.Namespace) -> int:
    from leakbot.rotation import read_again, rotator, say
    from revoker.kinds import OPEN
    from scanner.engine import Engine

    cfg = config_mod.load(args.config)
    where = location_of(args, cfg)
    if not where.exists:
        if args.approve is not None:
            raise UsageError(f"--approve {args.approve}: no such rotation (the ledger is empty)")
        print(
            "leakbot: the ledger is empty: find leaks with --verify "
            "(leakbot git --verify, leakbot scan . --verify)",
            file=sys.stderr,
        )
        if args.format == "json":
            _print_json(where.shown, None, [], 0 if args.execute else None)
        return 0
    with store_of(args, cfg) as store, rotator(cfg, store.ledger, say) as rot:
        ledger = store.ledger
        if args.approve is not None:
            row = ledger.get(args.approve)
            if row is None:
                raise UsageError(f"--approve {args.approve}: no such rotation (leakbot status)")
            ledger.update(row.id, approved=1)
            ledger.event(row.id, "approve", "approved", f"by {ledger.actor}")
            ledger.audit("approved", row.id)
            rows = [row]
        else:
            wanted = set(args.id or ())
            rows = [r for r in ledger.rows(OPEN) if not wanted or r.id in wanted]
        execute = args.execute or args.approve is not None
        engine = Engine(cfg.rules, "auto")
        planned: list[dict[str, Any]] = []
        show = plan_line if args.format == "text" else _collect(planned)
        still_open = pipeline.act(rot, rows, execute, lambda row: read_again(engine, row), show)
        if args.format == "json":
            _print_json(where.shown, ledger, planned, still_open if execute else None)
        if not rows:
            print("leakbot: nothing open in the ledger", file=sys.stderr)
        elif not execute:
            print("leakbot: dry run: nothing changed. `leakbot revoke --execute` acts on this "
                  "plan.", file=sys.stderr)  # fmt: skip
    return 1 if still_open else 0


def _print_json(where: str, ledger: Any, planned: list[dict[str, Any]],
                still_open: int | None) -> None:  # fmt: skip
    """The plan; after --execute also each row as it ended and how many are still open."""
    doc: dict[str, Any] = {"ledger": where, "execute": still_open is not None}
    if still_open is not None:
        planned = [{**p, "after": _row_dict(ledger.get(p["id"]))} for p in planned]
        doc["still_open"] = still_open
    json.dump({**doc, "rotations": planned}, sys.stdout, indent=2)
    sys.stdout.write("\n")


def _collect(into: list[dict[str, Any]]) -> pipeline.Show:
    def show(row: Any, decision: Any) -> None:
        into.append({**_row_dict(row), "decision": {"action": decision.action,
                                                    "reason": decision.reason}})  # fmt: skip

    return show


# -- status --------------------------------------------------------------------------------------


def run_status(args: argparse.Namespace) -> int:
    from revoker.ledger import STATUSES

    cfg = config_mod.load(args.config)
    where = location_of(args, cfg)
    rows, targets = [], []
    if where.exists:
        with store_of(args, cfg) as store:
            rows, targets = store.ledger.rows(), store.runs.all()
    path = where.shown
    if args.format == "json":
        doc = {"ledger": path, "targets": [vars(t) for t in targets],
               "rotations": [_row_dict(r) for r in rows]}  # fmt: skip
        json.dump(doc, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    if targets:
        _print_targets(targets)
    if not rows:
        print(f"leakbot: the ledger ({path}) is empty")
        return 0
    wide = max(9, *(len(r.vendor) for r in rows))  # devhelm|diffhook until one vendor answers
    print(f"{'ID':<5} {'STATUS':<18} {'VENDOR':<{wide}} {'KEY':<28} {'STEP':<18} WHERE")
    for r in rows:
        step = f"{r.step}:{r.phase}" if r.step else "-"
        where = printable(r.place)
        print(f"{r.id:<5} {r.status:<18} {r.vendor:<{wide}} {r.preview:<28} {step:<18} {where}")
        if r.last_error and r.status in ("failed", "blocked", "needs_target"):
            print(f"      {printable(r.last_error)}")
    counts = {s: sum(r.status == s for r in rows) for s in STATUSES}
    print(", ".join(f"{n} {s.replace('_', ' ')}" for s, n in counts.items() if n))
    return 0


def _print_targets(targets: list[Any]) -> None:
    def when(t: float | None) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t)) if t else "-"

    print(f"{'TARGET':<24} {'KIND':<5} {'LAST RUN':<20} {'RESULT':<7} {'NEXT RUN':<20} FOUND")
    for t in targets:
        result = "-" if t.last_ok is None else ("ok" if t.last_ok else "error")
        print(f"{t.name[:24]:<24} {t.kind:<5} {when(t.last_end):<20} {result:<7} "
              f"{when(t.next_run):<20} {t.findings}")  # fmt: skip
        if t.last_error and not t.last_ok:
            print(f"      {printable(t.last_error)}")
    print()


def _row_dict(row: Any) -> dict[str, Any]:
    keys = (
        "id",
        "status",
        "vendor",
        "rule_id",
        "preview",
        "secret_sha256",
        "verdict",
        "reason",
        "old_key_id",
        "new_key_id",
        "step",
        "phase",
        "attempts",
        "last_error",
        "found_at",
        "updated_at",
        "rotated_at",
    )
    return {**{k: getattr(row, k) for k in keys}, "location": row.where, "where": row.place}
