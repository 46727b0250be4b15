"""The pages people read: findings by credential (filtered, searched, sorted, paged), one
credential with every place it leaked and its rotation's timeline, the targets, the audit log,
and exports of a selection. Reads only."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from leakbot.store.listing import SORTS, TRIAGE_STATES, Query
from leakbot.store.sightings import RESOLUTIONS
from leakbot.web.render import render, when
from revoker.kinds import OPEN, Status

PER_PAGE = (25, 50, 100, 200)
EXPORT_MAX = 100_000
REPO_LIMIT = 2_000  # an org's repositories on the targets page
FILTERS = ("vendor", "verdict", "status", "target", "repo", "q", "triage")


def query_of(params: Any) -> Query:
    """The listing a page's query string asks for; anything malformed falls back to a default."""

    def number(name: str, default: int) -> int:
        text = str(params.get(name) or "")
        return int(text) if text.isdigit() and len(text) < 9 else default

    triage = str(params.get("triage") or "open")
    per_page = number("per_page", 50)
    return Query(
        **{k: str(params.get(k) or "")[:200] for k in FILTERS if k != "triage"},
        triage=triage if triage in (*TRIAGE_STATES, *RESOLUTIONS) else "open",
        sort=str(params.get("sort") or "found") if params.get("sort") in SORTS else "found",
        desc=params.get("desc", "1") != "0",
        page=max(1, number("page", 1)),
        per_page=per_page if per_page in PER_PAGE else 50,
    )


def link(query: Query, **changes: Any) -> str:
    """The query string of `query` with some fields changed (sort headers, pages)."""
    q = replace(query, **changes)
    fields = {k: getattr(q, k) for k in FILTERS if getattr(q, k)}
    fields.update(sort=q.sort, desc="1" if q.desc else "0", page=q.page, per_page=q.per_page)
    return "?" + urlencode(fields)


async def findings(request: Request) -> Response:
    site = request.app.state.site
    query = query_of(request.query_params)
    rows, total = await run_in_threadpool(site.store.listing.page, query)
    choices = await run_in_threadpool(site.store.listing.choices)
    pages = max(1, -(-total // query.per_page))
    return render(request, "findings.html", rows=rows, total=total, query=query, link=link,
                  pages=pages, choices=choices, sorts=SORTS, triage_states=TRIAGE_STATES,
                  resolutions=RESOLUTIONS, per_pages=PER_PAGE,
                  filters=link(query, page=1)[1:])  # fmt: skip


def _credential(site: Any, rotation_id: int) -> dict[str, Any] | None:
    from revoker.playbooks import playbook

    row = site.store.ledger.get(rotation_id)
    if row is None:
        return None
    events = site.store.ledger.events(rotation_id)
    return {
        "row": row,
        "places": site.store.triage.places(rotation_id),
        "decision": site.store.triage.decision(rotation_id),
        "events": events,
        "trail": site.store.triage.trail(rotation_id),
        "playbook": playbook(row.vendor.split("|")[0]) if row.status == Status.MANUAL else (),
        "live": row.status in OPEN,
        "awaiting": row.status == Status.AWAITING_APPROVAL,
        "resolutions": RESOLUTIONS,
    }


async def credential(request: Request) -> Response:
    site = request.app.state.site
    found = await run_in_threadpool(_credential, site, int(request.path_params["id"]))
    if found is None:
        return render(request, "error.html", message="No such credential.", status=404)
    return render(request, "credential.html", **found)


async def timeline(request: Request) -> Response:
    """The timeline alone (htmx polls it while the rotation is under way)."""
    site = request.app.state.site
    found = await run_in_threadpool(_credential, site, int(request.path_params["id"]))
    if found is None:
        return Response("", 404)
    response = render(request, "_timeline.html", **found)
    if not found["live"]:  # settled while the page polled: reload it, facts and buttons too
        response.headers["HX-Refresh"] = "true"
    return response


async def targets(request: Request) -> Response:
    site = request.app.state.site
    runs = await run_in_threadpool(site.store.runs.all)
    repos = await run_in_threadpool(site.store.github.watched, None, REPO_LIMIT)
    return render(request, "targets.html", runs=runs, repos=repos, repo_limit=REPO_LIMIT)


async def audit(request: Request) -> Response:
    site = request.app.state.site
    trail = await run_in_threadpool(site.store.ledger.audit_trail)
    return render(request, "audit.html", trail=list(reversed(trail[-500:])))


async def export(request: Request) -> Response:
    """The selection a filter makes (every page of it), as CSV or JSON."""
    site = request.app.state.site
    kind = request.path_params["kind"]
    if kind not in ("csv", "json"):
        return Response("not found", 404)
    query = replace(query_of(request.query_params), page=1, per_page=EXPORT_MAX)
    rows, _ = await run_in_threadpool(site.store.listing.page, query)
    docs = [r.as_dict() for r in rows]
    name = f"leakbot-findings.{kind}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if kind == "json":
        return Response(json.dumps(docs, indent=2), media_type="application/json",
                        headers=headers)  # fmt: skip
    return Response(_csv(docs), media_type="text/csv; charset=utf-8", headers=headers)


CSV_COLUMNS = ("id", "vendor", "rule_id", "preview", "secret_sha256", "verdict", "reason",
               "status", "triage", "places", "first_seen", "last_seen", "targets", "repos",
               "where")  # fmt: skip


def _csv(docs: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for doc in docs:
        doc = {**doc, "first_seen": when(doc["first_seen"]), "last_seen": when(doc["last_seen"]),
               "targets": " ".join(doc["targets"]), "repos": " ".join(doc["repos"]),
               "where": json.dumps(doc["where"], sort_keys=True)}  # fmt: skip
        writer.writerow([_cell(doc.get(c)) for c in CSV_COLUMNS])
    return out.getvalue()


def _cell(value: Any) -> str:
    """A cell a spreadsheet shows as text: a leading = + - @ (a formula, from a crafted path)
    is quoted."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


ROUTES = [
    Route("/", findings),
    Route("/credentials/{id:int}", credential),
    Route("/credentials/{id:int}/timeline", timeline),
    Route("/targets", targets),
    Route("/audit", audit),
    Route("/export.{kind:str}", export),
]
