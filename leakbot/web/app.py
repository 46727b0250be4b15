"""The ASGI app: routes, the middleware every request passes, the login, and the bot's machine
endpoints (/healthz, /metrics, GitHub's secret-scanning alerts)."""

from __future__ import annotations

import json
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from leakbot.web import actions, pages
from leakbot.web.auth import COOKIE, MAX_NAME
from leakbot.web.guard import BodyLimit, SecurityHeaders
from leakbot.web.render import render
from leakbot.web.site import Site

HERE = Path(__file__).parent
WEBHOOK_BODY = 25 << 20  # GitHub's own cap on a push payload
PUBLIC = ("/healthz", "/metrics", "/github/", "/static/", "/login")


def build(site: Site) -> Starlette:
    routes = [
        Route("/healthz", healthz),
        Route("/metrics", metrics),
        Route("/github/secret-scanning", github_alert, methods=["POST"]),
        Route("/github/webhook", github_webhook, methods=["POST"]),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        *pages.ROUTES,
        *actions.ROUTES,
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(TrustedHostMiddleware, allowed_hosts=list(site.hosts), www_redirect=False),
        Middleware(BodyLimit, larger={"/github/webhook": WEBHOOK_BODY}),
        Middleware(Gate, site=site),
    ]
    app = Starlette(routes=routes, middleware=middleware,
                    exception_handlers={404: _not_found, 405: _not_allowed})  # fmt: skip
    app.state.site = site
    return app


class Gate:
    """Every page but the public ones needs a user: a session cookie or a bearer token. A browser
    without one is sent to the login (with where it was going); anything else gets 401."""

    def __init__(self, app: Any, site: Site) -> None:
        self.app, self.site = app, site

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # a malformed Cookie header: as if there were none
            cookie = SimpleCookie()
        bearer = headers.get("authorization", "")
        bearer = bearer[7:].strip() if bearer.lower().startswith("bearer ") else None
        session = cookie[COOKIE].value if COOKIE in cookie else None
        user = self.site.auth.user(session, bearer)
        scope.setdefault("state", {})["user"] = user
        path = str(scope.get("path", ""))
        if user is None and not path.startswith(PUBLIC):
            wants_page = scope["method"] == "GET" and "text/html" in headers.get("accept", "")
            if wants_page:
                response: Response = RedirectResponse(f"/login?next={quote(path)}", 303)
            else:
                response = JSONResponse({"error": "log in first"}, 401)
            return await response(scope, receive, send)
        await self.app(scope, receive, send)


# -- the machine endpoints ------------------------------------------------------------------------


async def healthz(request: Request) -> Response:
    site: Site = request.app.state.site
    if site.health is None:
        return JSONResponse({"status": "ok"})
    status, doc = await run_in_threadpool(site.health)
    return JSONResponse(doc, status)


async def metrics(request: Request) -> Response:
    site: Site = request.app.state.site
    if site.metrics is None:
        return JSONResponse({"error": "not found"}, 404)
    body, kind = await run_in_threadpool(site.metrics)
    return Response(body, media_type=kind)


async def github_alert(request: Request) -> Response:
    """GitHub's partner alert: signature checked, tokens queued, answered at once (GitHub wants
    a quick answer); labels only for keys whose verdict the ledger already holds."""
    from leakbot.web.alerts import BadAlert, check

    site: Site = request.app.state.site
    if site.alerts is None:
        return JSONResponse({"error": "not found"}, 404)
    body = await request.body()
    alerts = site.alerts
    try:
        tokens = await run_in_threadpool(check, alerts.keys, request.headers, body)
    except BadAlert as exc:
        site.log.warning("github alert rejected: %s", exc)
        site.count_alert(f"rejected_{exc.status}")
        return JSONResponse({"error": str(exc)}, exc.status)
    feedback = await run_in_threadpool(alerts.take, tokens)
    site.count_alert("accepted")
    site.log.info("github alert: %d token(s) queued, %d labelled", len(tokens), len(feedback))
    return Response(json.dumps(feedback), media_type="application/json")


async def github_webhook(request: Request) -> Response:
    """A push webhook: verified with the org's secret, its repository queued for a scan, and
    answered at once (GitHub waits 10 s at most); other events are acknowledged and ignored."""
    from leakbot.github.webhook import BadDelivery, read

    site: Site = request.app.state.site
    if site.webhooks is None:
        return JSONResponse({"error": "not found"}, 404)
    hooks = site.webhooks
    event = request.headers.get("x-github-event", "")
    body = await request.body()
    try:
        delivery = read(event, body, request.headers.get("x-hub-signature-256", ""),
                        hooks.secret_of)  # fmt: skip
    except BadDelivery as exc:
        site.log.warning("github webhook (%s) rejected: %s", event[:40], exc)
        site.count_webhook(f"rejected_{exc.status}")
        return JSONResponse({"error": str(exc)}, exc.status)
    if not delivery.scan:
        site.count_webhook("ignored")
        return JSONResponse({"ignored": event[:40] or "no event"})
    await run_in_threadpool(hooks.take, delivery.full_name)
    site.count_webhook("queued")
    return JSONResponse({"queued": delivery.full_name}, 202)


# -- login ----------------------------------------------------------------------------------------


async def login(request: Request) -> Response:
    site: Site = request.app.state.site
    target = _next(request.query_params.get("next", "/"))
    if request.method == "GET":
        token = request.query_params.get("token")
        if token:  # the link printed at start: log in, then drop the token from the address bar
            return _logged_in(site, token, "", target) or render(
                request, "login.html", next=target, error="That token is not valid.", status=403
            )
        return render(request, "login.html", next=target, error="")
    if not _same_origin(request):
        return PlainTextResponse("cross-site login refused", 403)
    form = await request.form()
    name = str(form.get("name") or "").strip()[:MAX_NAME]
    found = _logged_in(site, str(form.get("token") or ""), name, _next(str(form.get("next"))))
    if found is None:
        return render(request, "login.html", next=target, error="That token is not valid.",
                      status=403)  # fmt: skip
    return found


def _logged_in(site: Site, token: str, name: str, target: str) -> Response | None:
    role = site.auth.role_of(token.strip())
    if role is None:
        return None
    response = RedirectResponse(target, 303)
    response.set_cookie(COOKIE, site.auth.session(role, _safe_name(name)),
                        max_age=int(site.auth.session_seconds), httponly=True, samesite="strict",
                        path="/")  # fmt: skip
    return response


async def logout(request: Request) -> Response:
    if not _same_origin(request):
        return PlainTextResponse("cross-site request refused", 403)
    response = RedirectResponse("/login", 303)
    response.delete_cookie(COOKIE, path="/")
    return response


def _next(target: str | None) -> str:
    """Only a path on this site (never //elsewhere or a scheme): no open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _safe_name(name: str) -> str:
    return "".join(c for c in name if c.isalnum() or c in " ._-@")[:MAX_NAME]


def _same_origin(request: Request) -> bool:
    """A form post from another site is refused: the browser's Sec-Fetch-Site says where it
    came from; without it, an Origin (or Referer) that names another host does."""
    fetched = request.headers.get("sec-fetch-site")
    if fetched:
        return fetched in ("same-origin", "none")
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or origin == "null":
        return origin is None
    from urllib.parse import urlsplit

    return urlsplit(origin).netloc == request.headers.get("host", "")


async def _not_found(request: Request, exc: Exception) -> Response:
    if "text/html" in request.headers.get("accept", "") and request.scope["state"].get("user"):
        return render(request, "error.html", message="No such page.", status=404)
    return JSONResponse({"error": "not found"}, 404)


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return JSONResponse({"error": "method not allowed"}, 405)
