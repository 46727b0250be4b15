"""Benchmark: distributed mode on an organisation of generated repositories. The GitHub
emulator serves ORG (--repos repositories, --keys of them holding a live DevHelm key), the
vendor emulator the keys; PostgreSQL and Redis are started in a temporary folder, then
`leakbot serve` and 1, 2 and 4 `leakbot worker` processes scan the org from scratch. It prints
the time to the first full scan, repositories and MB per second, the scaling efficiency per
added worker, the push-to-revoked latency in steady state and each worker's peak memory; then a
run with 2 workers in which a random worker is killed (-9) and replaced every few seconds,
checking that every planted key was found and rotated exactly once.

    python -m bench.org                   # --repos 2000 --keys 20 --workers 1,2,4 --pushes 5
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.measure import tree_peak_kb
from leakbot.commands.emulate_cmd import rehearsal_config
from leakbot.github.emulator import emulated
from leakbot.store import locate, open_store
from tests.emulation import Bot, emulator_keys, emulator_process, wait_until
from tests.needs import Postgres, Redis

SECRET = "bench-webhook-secret"
CODE = "def handler(event, context):\n    return {'status': 200, 'body': event.get('body')}\n"


def _org(world: Any, repos: int) -> int:
    """The org's repositories (a few files and commits each); their bytes on disk."""
    for n in range(repos):
        files = {f"src/module_{k}.py": CODE * (8 + (n + k) % 24) for k in range(12)}
        files["README.md"] = f"# service {n}\n"
        world.add_repo("acme", f"svc-{n:04d}", files)
    return sum(p.stat().st_size for p in (world.root / "git").rglob("*") if p.is_file())


def _new_key(keys: dict[str, Any], name: str) -> str:
    with httpx.Client(timeout=10) as client:
        r = client.post(f"{keys['url']}/api/v1/api-keys", json={"name": name},
                        headers={"Authorization": f"Bearer {keys['devhelm']['admin']}"})  # fmt: skip
        return str(r.json()["data"]["key"])


def _plant(world: Any, keys: dict[str, Any], count: int, repos: int, tag: str) -> list[str]:
    planted = []
    for n in range(count):
        secret = _new_key(keys, f"{tag}-{n}")
        name = f"acme/svc-{n * max(1, repos // count):04d}"
        world.commit(name, {"deploy/settings.py": f'DEVHELM_API_TOKEN_{n} = "{secret}"\n'},
                     hook=False)  # fmt: skip
        planted.append(secret)
    return planted


class Cluster:
    def __init__(self, folder: Path, world: Any, keys: dict[str, Any], pg: Postgres,
                 redis: Redis) -> None:  # fmt: skip
        self.state = pg.database()
        folder.mkdir(parents=True)
        (folder / ".leakbot.toml").write_text(
            rehearsal_config(keys["url"], "deploy.env", timeout=5).replace(
                "version = 1\n", 'version = 1\nlease = "5s"\n', 1)
            + f'[[targets]]\nname = "acme"\norg = "acme"\ngithub_url = "{world.url}"\n'
            'every = "5s"\nmirrors = 100000\nwebhook_secret_env = "HOOK_SECRET"\n'
            f'[serve]\nretry_every = "2s"\nbroker = "{redis.url}"\n')  # fmt: skip
        self.env = {"GITHUB_TOKEN": world.token(), "HOOK_SECRET": SECRET,
                    "DEVHELM_ADMIN_TOKEN": keys["devhelm"]["admin"],
                    "HELICONE_ADMIN_KEY": keys["helicone"]["admin"], "LEAKBOT_STATE": self.state,
                    "XDG_CACHE_HOME": str(folder / "cache"), "LEAKBOT_WEB_TOKEN": "bench"}  # fmt: skip
        self.folder = folder
        self.workers: list[Bot] = []
        self.serve: Bot | None = None
        self.peaks: dict[int, int] = {}

    def worker(self) -> Bot:
        proc = Bot(self.folder, self.env, command=("worker",))
        self.workers.append(proc)
        return proc

    def start(self, workers: int) -> str:
        for _ in range(workers):
            self.worker()
        self.serve = Bot(self.folder, self.env)
        return self.serve.url()

    def sample(self) -> None:
        for w in self.workers:
            if w.proc.poll() is None:
                self.peaks[w.proc.pid] = max(self.peaks.get(w.proc.pid, 0),
                                             tree_peak_kb(w.proc.pid))  # fmt: skip

    def progress(self, repos: int, planted: list[str]) -> bool:
        self.sample()
        with open_store(locate(self.state)) as store:
            watched = store.github.watched("acme")
            rows = {r.secret_sha256: r.status for r in store.ledger.rows()}
        scanned = len(watched) == repos and not any(w.due for w in watched)
        rotated = all(rows.get(_sha(s)) == "done" for s in planted)
        return scanned and rotated

    def stop(self) -> None:
        for proc in [*self.workers, *([self.serve] if self.serve else [])]:
            if proc.proc.poll() is None:
                proc.stop()


def _sha(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _rotated_once(keys: dict[str, Any], planted: list[str], state: str) -> bool:
    view = emulator_keys(keys["url"])
    with open_store(locate(state)) as store:
        rows = {r.secret_sha256: r for r in store.ledger.rows()}
    for secret in planted:
        row = rows.get(_sha(secret))
        made = [k for k in view if row and k["name"] == row.new_key_name]
        if row is None or row.status != "done" or len(made) != 1:
            return False
    return True


def _push_latency(world: Any, keys: dict[str, Any], url: str, pushes: int) -> list[float]:
    world.hooks["acme"] = (f"{url}/github/webhook", SECRET)
    took = []
    for n in range(pushes):
        secret = _new_key(keys, f"push-{n}")
        old = hashlib.sha256(f"Bearer {secret}".encode()).hexdigest()
        started = time.time()
        world.commit(
            f"acme/svc-{n + 1:04d}", {f"push_{n}.py": f'DEVHELM_API_TOKEN_P{n} = "{secret}"\n'}
        )
        wait_until(lambda o=old: next(k for k in emulator_keys(keys["url"]) if k["hash"] == o)["revoked"],
                   timeout=120, step=0.05)  # fmt: skip
        took.append(time.time() - started)
    world.hooks.pop("acme")
    return took


def _one(args: argparse.Namespace, root: Path, world: Any, keys: dict[str, Any], pg: Postgres,
         redis: Redis, workers: int, size: int) -> dict[str, Any]:  # fmt: skip
    planted = _plant(world, keys, args.keys, args.repos, f"w{workers}")
    cluster = Cluster(root / f"run-{workers}", world, keys, pg, redis)
    started = time.time()
    try:
        url = cluster.start(workers)
        done = wait_until(lambda: cluster.progress(args.repos, planted), timeout=3600, step=0.5)
        seconds = time.time() - started
        latency = _push_latency(world, keys, url, args.pushes) if done else []
        cluster.sample()
        return {"workers": workers, "seconds": seconds, "done": bool(done),
                "repos_s": args.repos / seconds, "mb_s": size / 2**20 / seconds,
                "latency": statistics.median(latency) if latency else float("nan"),
                "peak_mb": max(cluster.peaks.values(), default=0) / 1024,
                "once": _rotated_once(keys, planted, cluster.state)}  # fmt: skip
    finally:
        cluster.stop()


def _killing(args: argparse.Namespace, root: Path, world: Any, keys: dict[str, Any],
             pg: Postgres, redis: Redis) -> tuple[float, int, bool]:  # fmt: skip
    """Two workers, one killed -9 and replaced every few seconds while the org is scanned."""
    planted = _plant(world, keys, args.keys, args.repos, "kill")
    cluster = Cluster(root / "run-kill", world, keys, pg, redis)
    rng = random.Random(7)
    kills = 0
    started = time.time()
    try:
        cluster.start(2)
        while not cluster.progress(args.repos, planted) and time.time() - started < 3600:
            time.sleep(rng.uniform(2, 5))
            alive = [w for w in cluster.workers if w.proc.poll() is None]
            if alive and not cluster.progress(args.repos, planted):
                rng.choice(alive).kill()
                kills += 1
                cluster.worker()
        return time.time() - started, kills, _rotated_once(keys, planted, cluster.state)
    finally:
        cluster.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repos", type=int, default=2000)
    parser.add_argument("--keys", type=int, default=20)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--pushes", type=int, default=5)
    parser.add_argument("--no-kill", action="store_true", help="skip the run with worker kills")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="leakbot-bench-org-") as tmp:
        root = Path(tmp)
        pg, redis = Postgres(), Redis()
        world, server = emulated(root / "github")
        try:
            made = time.time()
            size = _org(world, args.repos)
            print(f"org: {args.repos} repositories, {size / 2**20:.0f} MB of git objects, "
                  f"{args.keys} planted keys (made in {time.time() - made:.0f} s)")  # fmt: skip
            with emulator_process(root, "--auth-cache", "1") as (_, keys):
                results = [_one(args, root, world, keys, pg, redis, int(n), size)
                           for n in args.workers.split(",")]  # fmt: skip
                _print(results)
                if not args.no_kill:
                    seconds, kills, once = _killing(args, root, world, keys, pg, redis)
                    print(f"kill run (2 workers, {kills} killed -9 and replaced): {seconds:.0f} s; "
                          f"every planted key found and rotated exactly once: {once}")  # fmt: skip
        finally:
            server.stop()
            redis.stop()
            pg.stop()


def _print(results: list[dict[str, Any]]) -> None:
    print(f"{'workers':>8}{'first scan s':>14}{'repos/s':>9}{'MB/s':>7}{'efficiency':>12}"
          f"{'push→revoked s':>16}{'peak MB/worker':>16}{'once':>6}")  # fmt: skip
    base = results[0]
    for r in results:
        gain = base["seconds"] / r["seconds"] if r["seconds"] else 0.0
        efficiency = gain / (r["workers"] / base["workers"])
        print(f"{r['workers']:>8}{r['seconds']:>14.1f}{r['repos_s']:>9.1f}{r['mb_s']:>7.2f}"
              f"{efficiency:>12.2f}{r['latency']:>16.2f}{r['peak_mb']:>16.0f}"
              f"{'yes' if r['once'] and r['done'] else 'NO':>6}")  # fmt: skip


if __name__ == "__main__":
    main()
