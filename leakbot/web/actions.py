"""What people do in the web view, each through the ledger and the audit log, never a vendor
call: approve or reject a rotation awaiting approval, triage a credential (a false positive also
gets baseline entries, so scans stop reporting it), reopen it, and the same on a selection.
Every one needs the approver role and, from a session, its CSRF token."""

from __future__ import annotations

import threading
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from leakbot.store.sightings import RESOLUTIONS
from leakbot.web.auth import CSRF_FIELD, CSRF_HEADER, User, csrf_ok
from leakbot.web.pages import link, query_of
from revoker.kinds import Status

BULK_MAX = 10_000
_BASELINE = threading.Lock()  # one writer of the baseline file at a time
ACTIONS = ("approve", "reject", "reopen", *RESOLUTIONS)


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


async def _checked(request: Request) -> tuple[User, Any]:
    """The approver behind this request and its form; Refused when it may not act."""
    site = request.app.state.site
    user: User | None = request.scope["state"].get("user")
    if user is None:
        raise Refused(401, "log in first")
    form = await request.form()
    sent = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
    if not csrf_ok(user, str(sent) if sent else None):
        raise Refused(403, "missing or wrong CSRF token: reload the page and try again")
    if site.read_only:
        raise Refused(403, "this is a saved report: nothing here can be changed")
    if not user.may("approver"):
        raise Refused(403, "approvers only: you are logged in as a viewer")
    return user, form


def act(site: Any, user: User, ids: list[int], action: str, note: str = "") -> list[str]:
    """Apply `action` to the rows `ids`; what could not be done, one line each."""
    ledger, triage = site.store.ledger, site.store.triage
    problems = []
    if action in RESOLUTIONS:
        triage.resolve(ids, action, note, user.actor)
        if action == "false_positive":
            problems.extend(_baseline(site, ids, user))
        return problems
    if action == "reopen":
        triage.reopen(ids, user.actor)
        return problems
    for rid in ids:
        row = ledger.get(rid)
        if row is None or row.status != Status.AWAITING_APPROVAL:
            problems.append(f"#{rid}: not awaiting approval")
            continue
        if action == "approve":
            ledger.update(rid, approved=1)
            ledger.event(rid, "approve", "approved", f"by {user.actor}")
        else:
            ledger.update(rid, status=Status.REJECTED)
            ledger.event(rid, "approve", "rejected", f"by {user.actor}")
        ledger.audit("approved" if action == "approve" else "rejected", rid, "", user.actor)
    if action == "approve" and len(problems) < len(ids):
        site.wake()
    return problems


def _baseline(site: Any, ids: list[int], user: User) -> list[str]:
    """Baseline entries for every place of these credentials, in the triage baseline file."""
    from scanner.allow import add_entries
    from scanner.errors import ScanError
    from scanner.finding import fingerprint

    if site.baseline is None:
        return ["no baseline file to write the false positive to"]
    entries = []
    for rid in ids:
        row = site.store.ledger.get(rid)
        places = site.store.triage.places(rid)
        for p in places:
            entries.append({"fingerprint": p.fingerprint, "rule_id": p.rule_id, "path": p.path,
                            "secret_sha256": row.secret_sha256})  # fmt: skip
        if not places and row is not None and row.where.get("path"):
            path = str(row.where["path"])
            entries.append({"fingerprint": fingerprint(row.rule_id, row.secret_sha256, path),
                            "rule_id": row.rule_id, "path": path,
                            "secret_sha256": row.secret_sha256})  # fmt: skip
    try:
        with _BASELINE:
            count = add_entries(site.baseline, entries)
    except ScanError as exc:
        return [str(exc)]
    for rid in ids:
        site.store.ledger.audit("baselined", rid, f"{len(entries)} entr(ies) in {site.baseline} "
                                f"({count} in all)", user.actor)  # fmt: skip
    return []


async def one(request: Request) -> Response:
    site = request.app.state.site
    rid, action = int(request.path_params["id"]), request.path_params["action"]
    if action not in ACTIONS and action != "triage":
        return JSONResponse({"error": "not found"}, 404)
    try:
        user, form = await _checked(request)
    except Refused as exc:
        return _refused(request, exc)
    if action == "triage":
        action = str(form.get("resolution") or "")
        if action not in RESOLUTIONS:
            return _refused(request, Refused(400, "choose a resolution"))
    note = str(form.get("note") or "")[:500]
    problems = await run_in_threadpool(act, site, user, [rid], action, note)
    return _done(request, f"/credentials/{rid}", problems)


async def bulk(request: Request) -> Response:
    """An action on the rows ticked, or on every row the current filter matches."""
    site = request.app.state.site
    try:
        user, form = await _checked(request)
    except Refused as exc:
        return _refused(request, exc)
    action = str(form.get("action") or "")
    if action not in ACTIONS:
        return _refused(request, Refused(400, "choose an action"))
    query = query_of(form)
    if form.get("scope") == "all":
        ids = await run_in_threadpool(site.store.listing.ids, query)
    else:
        ids = [int(i) for i in form.getlist("id") if str(i).isdigit()]
    if not ids:
        return _refused(request, Refused(400, "no credential selected"))
    if len(ids) > BULK_MAX:
        return _refused(request, Refused(400, f"{len(ids)} rows: narrow the filter to at most "
                                         f"{BULK_MAX}"))  # fmt: skip
    problems = await run_in_threadpool(act, site, user, ids, action, str(form.get("note") or ""))
    return _done(request, "/" + link(query, page=1), problems)


def _done(request: Request, back: str, problems: list[str]) -> Response:
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"ok": not problems, "problems": problems})
    if problems:
        from leakbot.web.render import render

        return render(request, "error.html", message="; ".join(problems[:20]), back=back,
                      status=409)  # fmt: skip
    return RedirectResponse(back, 303)


def _refused(request: Request, exc: Refused) -> Response:
    if "text/html" in request.headers.get("accept", ""):
        from leakbot.web.render import render

        return render(request, "error.html", message=str(exc), status=exc.status)
    return JSONResponse({"error": str(exc)}, exc.status)


ROUTES = [
    Route("/credentials/{id:int}/{action:str}", one, methods=["POST"]),
    Route("/bulk", bulk, methods=["POST"]),
]
