"""`leakbot emulate`: the vendors' key services on loopback (Helicone's and DevHelm's key APIs,
DiffHook's token exchange, Devdraft's health check), to rehearse a rotation."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from typing import Any

from leakbot.commands import add_command
from leakbot.errors import UsageError
from rules.fileio import write_bytes_atomic

EPILOG = """\
examples:
  leakbot emulate                                   port 8787, keys in ./leakbot-emulator.json
  leakbot emulate --port 0 --error-rate 0.2 --auth-cache 10
  leakbot emulate --write-config rehearsal.toml     a config pointing every vendor at it
  leakbot emulate --github-org acme --write-config rehearsal.toml
                                                    ...and an org target on an emulated GitHub
  # then: leakbot revoke --execute --config rehearsal.toml (new keys land in rehearsal.env)

The key file (mode 0600) holds the emulated organisation's admin and leaked keys: emulator keys,
not real ones. GET /_emulator/keys shows each key's state (by hash, never its value).
"""


def register(sub: Any) -> None:
    p = add_command(sub, "emulate", "run a local key-service emulator for rehearsals and tests",
                    EPILOG)  # fmt: skip
    p.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
    p.add_argument("--port", type=int, default=8787, help="port (0: any free port)")
    p.add_argument("--keys-file", default="leakbot-emulator.json", metavar="FILE")
    p.add_argument("--seed", default="leakbot-emulator", help="seed for the emulated keys")
    p.add_argument("--latency", type=float, default=0.0, metavar="SECONDS")
    p.add_argument("--error-rate", type=float, default=0.0, metavar="SHARE")
    p.add_argument("--error-status", type=int, default=500, choices=[429, 500, 502, 503, 504])
    p.add_argument("--drop-rate", type=float, default=0.0, metavar="SHARE")
    hang_help = "share of requests left unanswered for 5 s (client timeouts)"
    p.add_argument("--hang-rate", type=float, default=0.0, metavar="SHARE", help=hang_help)
    cache_help = "how long a revoked key still authenticates (Helicone: about 10)"
    p.add_argument("--auth-cache", type=float, default=0.0, metavar="SECONDS", help=cache_help)
    config_help = (
        "write a .leakbot.toml for a rehearsal: every vendor at the emulator, policy "
        "auto, new keys into rehearsal.env next to it (an existing file is kept)"
    )
    p.add_argument("--write-config", metavar="FILE", help=config_help)
    github_help = (
        "also emulate GitHub with this organisation: its repositories served over "
        "HTTP, one holding the leaked DevHelm key, an Actions log the Helicone one"
    )
    p.add_argument("--github-org", metavar="ORG", help=github_help)
    p.add_argument("--github-repos", type=int, default=10, metavar="N",
                   help="repositories in the emulated organisation (default 10)")  # fmt: skip
    p.set_defaults(func=run)


def rehearsal_config(url: str, env_file: str = "rehearsal.env", timeout: float = 0) -> str:
    """A config that points every vendor at the emulator at `url`, rotates live keys without a
    human (policy auto) and delivers new keys into a dotenv file. The admin keys come from
    HELICONE_ADMIN_KEY and DEVHELM_ADMIN_TOKEN, as for the real services."""
    limit = f"timeout = {timeout:g}\n" if timeout else ""
    text = "version = 1\n"
    for vendor, admin in (("helicone", "HELICONE_ADMIN_KEY"), ("devhelm", "DEVHELM_ADMIN_TOKEN")):
        eu = f'eu_base_url = "{url}"\n' if vendor == "helicone" else ""
        text += (f'[vendors.{vendor}]\nbase_url = "{url}"\n{eu}admin_env = "{admin}"\n'
                 f'policy = "auto"\ndeliver = ["rehearsal"]\n{limit}')  # fmt: skip
    for vendor in ("diffhook", "devdraft"):
        text += f'[vendors.{vendor}]\nbase_url = "{url}"\n{limit}'
    return text + f'[sinks.rehearsal]\ntype = "dotenv"\npath = "{env_file}"\n'


def seed(state: Any) -> dict[str, Any]:
    """An organisation per vendor: an admin key (key APIs only), a leaked live key and an
    already-revoked one; DiffHook also a client id + secret pair; Devdraft pairs a public key."""
    from rules.examples import random_token

    out: dict[str, Any] = {}
    for vendor in ("helicone", "devhelm"):
        admin = state.add(vendor, "admin")
        live = state.add(vendor, "ci-pipeline")
        dead = state.add(vendor, "old-laptop", revoked=True)
        out[vendor] = {"admin": admin.secret, "live": live.secret, "revoked": dead.secret}
    live = state.add("diffhook", "ci-pipeline")
    dead = state.add("diffhook", "old-laptop", revoked=True)
    client_id = random_token(state.rng, "dh_live_", 32)
    client = state.add("diffhook", "oauth-client", random_token(state.rng, "", 48),
                       partner=client_id)  # fmt: skip
    out["diffhook"] = {"live": live.secret, "revoked": dead.secret, "client_id": client_id,
                       "client_secret": client.secret}  # fmt: skip
    public = random_token(state.rng, "pk_live_", 32)
    live = state.add("devdraft", "backend", partner=public)
    dead = state.add("devdraft", "old-backend", partner=public, revoked=True)
    out["devdraft"] = {"public_key": public, "live": live.secret, "revoked": dead.secret}
    return out


def run(args: argparse.Namespace) -> int:
    from revoker.emulator.server import Server
    from revoker.emulator.state import Faults, State
    from revoker.urls import check_url

    for name in ("error_rate", "drop_rate", "hang_rate"):
        if not 0 <= getattr(args, name) <= 1:
            raise UsageError(f"--{name.replace('_', '-')} must be between 0 and 1")
    check_url(f"http://{args.host}/")  # loopback only: it serves keys in the clear
    faults = Faults(
        args.latency,
        args.error_rate,
        args.error_status,
        args.drop_rate,
        args.auth_cache,
        hang_rate=args.hang_rate,
    )
    state = State(args.seed, faults)
    keys = seed(state)
    github = _github(args, keys) if args.github_org else None
    try:
        server = Server(state, args.host, args.port)
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
    if args.write_config:  # before the key file: whoever waits for that finds both
        try:
            _write_config(Path(args.write_config), server.url, keys.get("github"))
        except UsageError:
            server.server_close()
            raise
    path = Path(args.keys_file)
    try:  # renamed into place when whole: a script waiting for it never reads half
        write_bytes_atomic(path, json.dumps({"url": server.url, **keys}, indent=2).encode())
    except OSError as exc:
        server.server_close()
        raise UsageError(f"{path}: cannot write the key file: {exc.strerror}") from None
    print(f"leakbot emulate: key services (Helicone, DevHelm, DiffHook, Devdraft) at "
          f"{server.url}; keys in {path} (mode 0600). Ctrl-C stops.", file=sys.stderr,
          flush=True)  # fmt: skip
    if github is not None:
        print(f"leakbot emulate: GitHub at {github[1].url} with {args.github_repos} repositories "
              f"in {args.github_org}; its token in {path} (github.token)", file=sys.stderr,
              flush=True)  # fmt: skip
    signal.signal(signal.SIGTERM, lambda *_: server.shutdown())
    thread = server.start()
    try:
        while thread.is_alive():
            thread.join(0.5)
    except KeyboardInterrupt:
        server.shutdown()
    server.server_close()
    if github is not None:
        import shutil

        github[1].stop()
        shutil.rmtree(github[0].root, ignore_errors=True)
    return 0


def _github(args: argparse.Namespace, keys: dict[str, Any]) -> tuple[Any, Any]:
    """An emulated GitHub organisation: the DevHelm key leaked in a repository, the Helicone
    one printed by an Actions run; its URL, org and token go into the key file."""
    import tempfile

    from leakbot.github.emulator import emulated
    from leakbot.settings import ORG_NAME

    if not ORG_NAME.fullmatch(args.github_org) or not 1 <= args.github_repos <= 10_000:
        raise UsageError("--github-org: an organisation name (acme); --github-repos: 1 to 10000")
    world, server = emulated(Path(tempfile.mkdtemp(prefix="leakbot-github-")))
    org = args.github_org
    for n in range(args.github_repos):
        world.add_repo(org, f"service-{n}")
    leaked = f'DEVHELM_API_TOKEN = "{keys["devhelm"]["live"]}"\n'
    world.commit(f"{org}/service-0", {"settings.py": leaked})
    world.add_run(f"{org}/service-{min(1, args.github_repos - 1)}",
                  {"deploy": f"export HELICONE_API_KEY={keys['helicone']['live']}\n"})  # fmt: skip
    keys["github"] = {"url": server.url, "org": org, "token": world.token()}
    return world, server


def _write_config(path: Path, url: str, github: dict[str, str] | None = None) -> None:
    text = rehearsal_config(url)
    if github:  # GITHUB_TOKEN: the key file's github.token
        text += (f'[[targets]]\nname = "{github["org"]}"\norg = "{github["org"]}"\n'
                 f'github_url = "{github["url"]}"\nevery = "30s"\n')  # fmt: skip
    try:
        with path.open("x") as fh:
            fh.write(text)
    except FileExistsError:
        print(f"leakbot emulate: {path} exists: kept as it is", file=sys.stderr)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write: {exc.strerror}") from None
    else:
        print(f"leakbot emulate: wrote {path} (rehearsal.env next to it gets the new keys)",
              file=sys.stderr)  # fmt: skip
