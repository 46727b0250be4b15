"""`[[targets]]`, `[serve]` and `[[deliveries]]` in .leakbot.toml: what the bot watches, how
often, where it listens, and where each leaked key's replacement goes. Parsing here raises
ValueError with the key at fault; config.py adds the file name."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from leakbot.github.spec import OrgSpec
from revoker.delivery import Route
from scanner.assigned import valid_name

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}
_TARGET_KEYS = {"name", "repo", "refs", "logs", "org", "every", "cron", "jitter"}
_ORG_KEYS = {"github_url", "include", "exclude", "forks", "archived", "token_env", "app_id",
             "app_key_file", "webhook_secret_env", "mirrors", "actions"}  # fmt: skip
ORG_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}")
_SERVE_KEYS = {"listen", "retry_every", "github_keys_url", "github_token_env", "hosts",
               "token_env", "viewer_token_env", "session", "broker",
               "visibility_timeout"}  # fmt: skip
_HOST = re.compile(r"[A-Za-z0-9._:-]{1,253}|\*\.[A-Za-z0-9.-]{1,250}")
_BROKER = re.compile(r"rediss?://[A-Za-z0-9.\[\]:-]+(:\d+)?(/\d+)?")
_ROUTE_MATCH = ("key_name", "leaked_as", "target")
_ROUTE_KEYS = {"vendor", "deliver", "variable", *_ROUTE_MATCH}
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
GITHUB_KEYS_URL = "https://api.github.com/meta/public_keys/secret_scanning"


def duration(value: Any, key: str) -> float:
    """Seconds from 30, "30s", "5m", "1h", "250ms"."""
    if isinstance(value, bool):
        raise ValueError(f'{key}: a duration such as 30, "30s" or "5m"')
    if isinstance(value, int | float) and value > 0:
        return float(value)
    match = _DURATION.match(str(value).strip())
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f'{key}: a duration such as 30, "30s" or "5m"')
    return float(match.group(1)) * _UNITS[match.group(2)]


@dataclass(frozen=True)
class Target:
    name: str
    kind: str  # git | logs | org
    repo: str = ""  # git: a local path or a URL
    refs: tuple[str, ...] = ()  # git: ref patterns (refs/heads/*); empty: every ref
    logs: tuple[str, ...] = ()  # logs: glob patterns
    every: float | None = None  # seconds between runs, or
    cron: str | None = None  # a crontab line
    jitter: float = 0.0
    org: OrgSpec | None = None  # org: a GitHub organisation's repositories
    repo_name: str = ""  # one of an org's repositories: GitHub's owner/name for it

    @property
    def cursor_key(self) -> str:
        return f"logs:{self.name}" if self.kind == "logs" else ""


@dataclass(frozen=True)
class Serve:
    listen: tuple[str, int] = ("127.0.0.1", 9477)
    retry_every: float = 60.0
    github_keys_url: str = GITHUB_KEYS_URL
    github_token_env: str = ""  # a token raises GitHub's rate limit for the keys request
    hosts: tuple[str, ...] = ()  # Host names the web side answers to, besides loopback's
    token_env: str = "LEAKBOT_WEB_TOKEN"  # the approvers' token
    viewer_token_env: str = "LEAKBOT_WEB_VIEWER_TOKEN"
    session: float = 8 * 3600.0  # a login lasts this long
    broker: str = ""  # distributed mode: Celery's broker (redis://HOST:PORT/DB); or $LEAKBOT_BROKER
    visibility_timeout: float = 7200.0  # the broker redelivers a task unacknowledged this long
    extra: dict[str, Any] = field(default_factory=dict)


def target(table: Any, index: int) -> Target:
    where = f"targets[{index}]"
    _table(table, _TARGET_KEYS | (_ORG_KEYS if isinstance(table, dict) and "org" in table
                                  else set()), where, "[[targets]]")  # fmt: skip
    if sum(k in table for k in ("repo", "logs", "org")) != 1:
        raise ValueError(f'{where}: needs one of repo = "PATH or URL", logs = ["GLOB", ...] '
                         'or org = "GITHUB-ORG"')  # fmt: skip
    if ("every" in table) == ("cron" in table):
        raise ValueError(f'{where}: needs one of every = "30s" or cron = "*/5 * * * *"')
    logs = table.get("logs", [])
    refs = table.get("refs", [])
    for key, value in (("logs", logs), ("refs", refs)):
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ValueError(f"{where}: {key} must be a list of patterns")
    if "logs" in table and not logs:
        raise ValueError(f"{where}: logs needs at least one glob")
    cron = table.get("cron")
    if cron is not None:
        _check_cron(str(cron), where)
    kind = "git" if "repo" in table else "logs" if "logs" in table else "org"
    spec = org_spec(table, where) if kind == "org" else None
    default_name = str(table.get("repo") or (logs[0] if logs else f"github:{table.get('org')}"))
    return Target(
        name=str(table.get("name") or default_name),
        kind=kind,
        repo=str(table.get("repo", "")),
        refs=tuple(refs),
        logs=tuple(logs),
        every=duration(table["every"], f"{where}: every") if "every" in table else None,
        cron=str(cron) if cron is not None else None,
        jitter=duration(table["jitter"], f"{where}: jitter") if "jitter" in table else 0.0,
        org=spec,
    )


def org_spec(table: dict[str, Any], where: str) -> OrgSpec:
    org = table["org"]
    if not isinstance(org, str) or not ORG_NAME.fullmatch(org):
        raise ValueError(f'{where}: org must be a GitHub organisation\'s name, e.g. "acme"')
    lists = {}
    for key, default in (("include", ["*"]), ("exclude", [])):
        value = table.get(key, default)
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ValueError(f'{where}: {key} must be a list of name globs, e.g. ["api-*"]')
        lists[key] = tuple(value)
    flags: dict[str, bool] = {}
    for key, on in (("forks", False), ("archived", False), ("actions", True)):
        if not isinstance(table.get(key, on), bool):
            raise ValueError(f"{where}: {key} must be true or false")
        flags[key] = bool(table.get(key, on))
    for key in ("token_env", "webhook_secret_env"):
        value = table.get(key, "GITHUB_TOKEN" if key == "token_env" else "")
        if not isinstance(value, str) or (value and not _VARIABLE.fullmatch(value)):
            raise ValueError(f"{where}: {key} must name an environment variable")
    if ("app_id" in table) != ("app_key_file" in table):
        raise ValueError(f"{where}: a GitHub App needs both app_id and app_key_file")
    url = str(table.get("github_url", "https://api.github.com")).rstrip("/")
    if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise ValueError(f"{where}: github_url must be https:// (or a loopback emulator)")
    mirrors = table.get("mirrors", 200)
    if isinstance(mirrors, bool) or not isinstance(mirrors, int) or mirrors < 1:
        raise ValueError(f"{where}: mirrors must be a positive number of repositories")
    return OrgSpec(org, url, lists["include"], lists["exclude"], flags["forks"],
                   flags["archived"], str(table.get("token_env", "GITHUB_TOKEN")),
                   str(table.get("app_id", "")), str(table.get("app_key_file", "")),
                   str(table.get("webhook_secret_env", "")), mirrors,
                   flags["actions"])  # fmt: skip


def _table(table: Any, keys: set[str], where: str, form: str) -> None:
    """One entry of an array of tables: a table, holding only `keys`."""
    if not isinstance(table, dict):
        raise ValueError(f"{where}: must be a table ({form})")
    unknown = sorted(set(table) - keys)
    if unknown:
        raise ValueError(f"{where}: unknown key {unknown[0]!r}")


def serve(table: Any) -> Serve:
    if not isinstance(table, dict):
        raise ValueError("serve: must be a table ([serve])")
    unknown = sorted(set(table) - _SERVE_KEYS)
    if unknown:
        raise ValueError(f"serve: unknown key {unknown[0]!r}")
    listen = Serve.listen
    if "listen" in table:
        host, _, port = str(table["listen"]).rpartition(":")
        if not host or not port.isdigit():
            raise ValueError('serve: listen must be HOST:PORT, e.g. "127.0.0.1:9477"')
        listen = (host.strip("[]"), int(port))
    retry = duration(table.get("retry_every", 60), "serve: retry_every")
    hosts = table.get("hosts", [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) and _HOST.fullmatch(h)
                                              for h in hosts):  # fmt: skip
        raise ValueError('serve: hosts must be a list of host names, e.g. ["leakbot.example.com"]')
    names = {}
    for key in ("token_env", "viewer_token_env"):
        value = table.get(key, getattr(Serve, key))
        if not isinstance(value, str) or not _VARIABLE.fullmatch(value):
            raise ValueError(f"serve: {key} must name an environment variable")
        names[key] = value
    session = duration(table.get("session", Serve.session), "serve: session")
    broker = table.get("broker", "")
    if not isinstance(broker, str) or (broker and not _BROKER.fullmatch(broker)):
        raise ValueError('serve: broker must be a redis:// URL without a password, e.g. '
                         '"redis://127.0.0.1:6379/0" (a password: in $LEAKBOT_BROKER)')  # fmt: skip
    visibility = duration(table.get("visibility_timeout", Serve.visibility_timeout),
                          "serve: visibility_timeout")  # fmt: skip
    return Serve(listen, retry, str(table.get("github_keys_url", GITHUB_KEYS_URL)),
                 str(table.get("github_token_env", "")), tuple(hosts), names["token_env"],
                 names["viewer_token_env"], session, broker, visibility)  # fmt: skip


def _check_cron(cron: str, where: str) -> None:
    """Five fields, checked here by shape; `leakbot serve` checks each field's values when it
    builds the schedule (APScheduler, 85 ms to import, stays out of every other command)."""
    if len(cron.split()) != 5:
        raise ValueError(f"{where}: cron: five fields (minute hour day month weekday), e.g. "
                         "'*/5 * * * *'")  # fmt: skip


def route(table: Any, index: int, vendors: tuple[str, ...]) -> Route:
    """One [[deliveries]] table: the rows it matches, and where their replacements go."""
    where = f"deliveries[{index}]"
    _table(table, _ROUTE_KEYS, where, "[[deliveries]]")
    if table.get("vendor") not in vendors:
        raise ValueError(f"{where}: vendor must be one of {', '.join(vendors)}")
    if not any(k in table for k in _ROUTE_MATCH):
        raise ValueError(f"{where}: needs one of key_name, leaked_as or target to match keys by")
    if not ("deliver" in table or "variable" in table):
        raise ValueError(f"{where}: needs deliver = [SINK, ...] or variable = NAME (or both)")
    for key in (*_ROUTE_MATCH, "variable"):
        if key in table and (not isinstance(table[key], str) or not table[key]):
            raise ValueError(f"{where}: {key} must be a string")
    if "leaked_as" in table and valid_name(table["leaked_as"]) is None:
        raise ValueError(f"{where}: leaked_as: an upper-case name as the leaked line has it, "
                         "e.g. HELICONE_API_KEY_CI")  # fmt: skip
    if "variable" in table and not _VARIABLE.fullmatch(table["variable"]):
        raise ValueError(f"{where}: variable: a variable name, e.g. HELICONE_API_KEY")
    deliver = table.get("deliver", [])
    if not isinstance(deliver, list) or not all(isinstance(d, str) for d in deliver):
        raise ValueError(f"{where}: deliver must be a list of sink names")
    return Route(table["vendor"], table.get("key_name"), table.get("leaked_as"),
                 table.get("target"), tuple(deliver), table.get("variable"))  # fmt: skip
