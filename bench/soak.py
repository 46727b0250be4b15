"""A soak of `leakbot serve` on loopback: the emulator, a repository that gets a commit every few
seconds, a log that keeps growing (and rotates), a live key leaked now and then; the bot's memory
sampled all along. Not part of CI.

    python -m bench.soak                   # one hour
    python -m bench.soak --minutes 5       # a short look

Prints the bot's RSS over time (first, min, max, last, and the slope of a straight-line fit over
the second half), what was written, what was found, rotated and missed, and the latency from a
leak to its revoked key.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from leakbot.commands.emulate_cmd import rehearsal_config

ROOT = Path(__file__).resolve().parents[1]


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "soak", "GIT_AUTHOR_EMAIL": "soak@example.org",
           "GIT_COMMITTER_NAME": "soak", "GIT_COMMITTER_EMAIL": "soak@example.org"}  # fmt: skip
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def new_key(client: httpx.Client, url: str, admin: str, vendor: str, name: str) -> str:
    headers = {"Authorization": f"Bearer {admin}"}
    if vendor == "helicone":
        r = client.post(f"{url}/v1/api-keys", json={"api_key_name": name}, headers=headers)
        return str(r.json()["apiKey"])
    r = client.post(f"{url}/api/v1/api-keys", json={"name": name}, headers=headers)
    return str(r.json()["data"]["key"])


def slope_mb_per_hour(samples: list[tuple[float, float]]) -> float:
    half = samples[len(samples) // 2 :]
    if len(half) < 2:
        return 0.0
    n = len(half)
    mx = sum(t for t, _ in half) / n
    my = sum(m for _, m in half) / n
    den = sum((t - mx) ** 2 for t, _ in half) or 1.0
    return sum((t - mx) * (m - my) for t, m in half) / den * 3600


def main() -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--minutes", type=float, default=60.0)
    p.add_argument("--commit-every", type=float, default=3.0, help="seconds between commits")
    p.add_argument("--leak-every", type=int, default=20, help="one commit in N leaks a live key")
    p.add_argument("--log-lines", type=int, default=200, help="log lines written a second")
    p.add_argument("--keep", action="store_true", help="keep the work folder")
    args = p.parse_args()

    work = Path(tempfile.mkdtemp(prefix="leakbot-soak-"))
    rng = random.Random(7)
    env = {
        **os.environ,
        "LEAKBOT_STATE": str(work / "state.db"),
        "XDG_CACHE_HOME": str(work / "cache"),
    }
    keys_file = work / "emulator.json"
    emu = subprocess.Popen([sys.executable, "-m", "leakbot", "emulate", "--port", "0", "--keys-file",
                            str(keys_file), "--auth-cache", "2"], env=env, stderr=subprocess.DEVNULL)  # fmt: skip
    while not keys_file.exists():
        time.sleep(0.05)
    time.sleep(0.2)
    keys = json.loads(keys_file.read_text())
    url = keys["url"]
    env.update(
        HELICONE_ADMIN_KEY=keys["helicone"]["admin"], DEVHELM_ADMIN_TOKEN=keys["devhelm"]["admin"]
    )
    repo, logs = work / "service", work / "logs"
    repo.mkdir()
    logs.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "app.py").write_text("print('hello')\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "init")
    (work / ".leakbot.toml").write_text(
        rehearsal_config(url, "deploy.env")
        + f"""\
[[targets]]
name = "service"
repo = "{repo}"
every = "5s"
[[targets]]
name = "logs"
logs = ["{logs}/*.log*"]
every = "5s"
[serve]
listen = "127.0.0.1:0"
retry_every = "30s"
"""
    )
    serve_err = open(work / "serve.log", "w")  # noqa: SIM115 - closed in finally
    bot = subprocess.Popen([sys.executable, "-m", "leakbot", "serve"], cwd=work, env=env,
                           stdout=subprocess.DEVNULL, stderr=serve_err)  # fmt: skip
    leaked: list[tuple[str, float]] = []
    samples: list[tuple[float, float]] = []
    commits = log_bytes = rotations = 0
    started = time.time()
    end = started + args.minutes * 60
    next_commit = next_sample = started
    client = httpx.Client(timeout=10)
    log = logs / "api.log"
    try:
        time.sleep(2)
        while time.time() < end:
            now = time.time()
            with open(log, "a") as fh:  # a second's worth of log lines
                for _ in range(args.log_lines):
                    line = f"{now:.3f} level=info req={rng.getrandbits(64):016x} path=/v1/items status=200 ms={rng.randint(1, 900)}\n"
                    fh.write(line)
                    log_bytes += len(line)
                if rng.random() < 1 / 60:  # about once a minute, a key in the log
                    secret = new_key(
                        client, url, keys["devhelm"]["admin"], "devhelm", f"log-{len(leaked)}"
                    )
                    fh.write(f"{now:.3f} level=debug DEVHELM_API_TOKEN={secret}\n")
                    leaked.append((secret, now))
            if log.stat().st_size > 20 << 20:  # rotate at 20 MB, as logrotate would
                log.rename(logs / f"api.log.{rotations}")
                rotations += 1
            if now >= next_commit:
                commits += 1
                body = f"# change {commits}\nVALUE = {rng.random()}\n"
                if commits % args.leak_every == 0:
                    secret = new_key(
                        client, url, keys["helicone"]["admin"], "helicone", f"git-{len(leaked)}"
                    )
                    body += f'HELICONE_API_KEY = "{secret}"\n'
                    leaked.append((secret, now))
                (repo / f"mod{commits % 50}.py").write_text(body)
                git(repo, "add", ".")
                git(repo, "commit", "-qm", f"change {commits}")
                next_commit = now + args.commit_every
            if now >= next_sample:
                samples.append((now - started, rss_mb(bot.pid)))
                next_sample = now + 10
            time.sleep(max(0.0, 1.0 - (time.time() - now)))
        deadline = time.time() + 120
        while time.time() < deadline and _done(work) < len(leaked):
            time.sleep(1)
        samples.append((time.time() - started, rss_mb(bot.pid)))
    finally:
        bot.send_signal(signal.SIGTERM)
        code = bot.wait(timeout=120)
        emu.send_signal(signal.SIGTERM)
        emu.wait(timeout=30)
        client.close()
        serve_err.close()
    rows = _rows(work)
    hashes = {hashlib.sha256(s.encode()).hexdigest() for s, _ in leaked}
    done = [r for r in rows if r["status"] == "done" and r["secret_sha256"] in hashes]
    latency = sorted(
        r["rotated_at"] - r["leaked_at"] for r in done if r["rotated_at"] and r["leaked_at"]
    )
    mems = [m for _, m in samples]
    print(f"soak: {args.minutes:g} min, {commits} commits, {log_bytes / 1e6:.0f} MB of log "
          f"({rotations} rotations), {len(leaked)} keys leaked")  # fmt: skip
    print(f"found and rotated: {len(done)}/{len(leaked)}; ledger rows {len(rows)}; "
          f"serve exit code {code}")  # fmt: skip
    if latency:
        print(
            f"leak -> revoked: median {latency[len(latency) // 2]:.1f} s, max {latency[-1]:.1f} s"
        )
    print(f"serve RSS MB: first {mems[0]:.1f}, min {min(mems):.1f}, max {max(mems):.1f}, "
          f"last {mems[-1]:.1f}; second-half slope {slope_mb_per_hour(samples):+.1f} MB/h "
          f"({len(samples)} samples)")  # fmt: skip
    if args.keep:
        print(f"work folder: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if len(done) == len(leaked) and code == 0 else 1


def _rows(work: Path) -> list[dict]:
    with sqlite3.connect(work / "state.db") as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute("SELECT * FROM rotations")]


def _done(work: Path) -> int:
    try:
        return sum(r["status"] == "done" for r in _rows(work))
    except sqlite3.Error:
        return 0


if __name__ == "__main__":
    sys.exit(main())
