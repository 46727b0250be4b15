"""The web surface: one ASGI app (Starlette, Jinja2 templates, htmx served from the package) for
every HTTP endpoint the bot has: /healthz, /metrics, GitHub's secret-scanning alerts, and the
view where people see findings by credential, follow rotations, approve and triage.

`app.build(site)` makes the app, `server.WebServer` serves it with uvicorn behind `guard`'s
limits. A request never calls a vendor: it writes to the ledger and the bot acts.
"""
