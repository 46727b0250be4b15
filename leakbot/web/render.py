"""Templates (Jinja2, autoescaped) and the filters they use. Everything from outside (paths,
commit authors, refs, errors) goes through `printable` too: no control character reaches a
reader, and HTML is escaped by Jinja2."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from scanner.finding import printable

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")


def when(stamp: float | None) -> str:
    if not stamp:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(stamp))


def size(count: int | None) -> str:
    if count is None:
        return "-"
    value = float(count)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


TEMPLATES.env.filters.update(when=when, size=size, printable=lambda s: printable(str(s or "")),
                             short=lambda s: str(s or "")[:12])  # fmt: skip


def render(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    site = request.app.state.site
    user = request.scope.get("state", {}).get("user")
    return TEMPLATES.TemplateResponse(request, name, {"site": site, "user": user, **context},
                                      status_code=status)  # fmt: skip
