"""Reproducible benchmark inputs, built at run time from a seed (nothing here is committed data).

`build_logs(folder, total_mb)` writes a folder of application logs (plain and one `.gz`) with a few
dozen planted vendor keys among realistic noise: JSON request logs with Authorization headers,
x-api-key headers of other services, UUIDs, hashes and words that contain `sk-`.
"""

from __future__ import annotations

import gzip
import json
import random
import string
from pathlib import Path

from rules.examples import helicone_token, random_token, uuid4

SEED = 20261123
PLANTS_PER_FILE = 4


def _noise_lines(rng: random.Random, count: int) -> list[str]:
    paths = [
        "/api/v1/users",
        "/api/v1/orders",
        "/healthz",
        "/api/v2/task-runner/run",
        "/static/app.js",
    ]
    agents = [
        "curl/8.5.0",
        "Mozilla/5.0 (X11; Linux x86_64)",
        "python-httpx/0.28.1",
        "Go-http-client/2.0",
    ]
    words = ["disk-usage", "task-queue", "desk-booking", "risk-score", "mask-layer", "ask-again"]
    lines = []
    for i in range(count):
        kind = i % 5
        ts = (
            f"2026-11-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}.{i % 1000:03d}Z"
        )
        if kind == 0:
            lines.append(json.dumps({
                "ts": ts, "level": "info", "method": rng.choice(["GET", "POST"]),
                "path": rng.choice(paths), "status": rng.choice([200, 201, 204, 404, 500]),
                "request_id": uuid4(rng), "ua": rng.choice(agents),
                "headers": {"authorization": "Bearer " + "".join(rng.choices(string.ascii_letters, k=36))},
            }))  # fmt: skip
        elif kind == 1:
            lines.append(f"{ts} INFO worker {rng.choice(words)} finished job={uuid4(rng)} "
                         f"sha={rng.getrandbits(160):040x} in {rng.randint(1, 900)}ms")  # fmt: skip
        elif kind == 2:
            lines.append(f"{ts} DEBUG upstream call x-api-key: {rng.getrandbits(128):032x} "
                         f"host=api.partner-{rng.randint(1, 9)}.example status=200")  # fmt: skip
        elif kind == 3:
            lines.append(f"{ts} WARN slow query {rng.randint(100, 5000)}ms: SELECT id, email FROM "
                         f"users WHERE org_id = {rng.randint(1, 10**6)} ORDER BY created_at DESC")  # fmt: skip
        else:
            lines.append(f"{ts} ERROR Traceback: File \"/srv/app/{rng.choice(words)}.py\", line "
                         f"{rng.randint(1, 400)}, in handler: KeyError: '{uuid4(rng)}'")  # fmt: skip
    return lines


def _plant(rng: random.Random) -> str:
    choice = rng.randrange(5)
    if choice == 0:
        return f"DEBUG devhelm client Authorization: Bearer {random_token(rng, 'dh_live_', 32)} x-phelm-org-id: 7"
    if choice == 1:
        return f"INFO proxy Helicone-Auth: Bearer {helicone_token(rng, 'sk-helicone-')}"
    if choice == 2:
        return f"DEBUG env HELIOS_API_KEY={random_token(rng, 'sk_live_', 40)}"
    if choice == 3:
        return f"DEBUG diffhook token exchange DIFFHOOK_CLIENT_SECRET={random_token(rng, '', 48)}"
    return (f"DEBUG devdraft x-client-key: {random_token(rng, 'pk_live_', 32)} "
            f"x-client-secret: {random_token(rng, 'sk_live_', 32)}")  # fmt: skip


def _write_file(fh: object, block: bytes, size: int, rng: random.Random) -> int:
    written = planted = 0
    plant_every = max(1, size // (PLANTS_PER_FILE * len(block)) + 1)
    n = 0
    while written < size:
        fh.write(block)  # type: ignore[attr-defined]
        written += len(block)
        n += 1
        if n % plant_every == 0 and planted < PLANTS_PER_FILE:
            fh.write((_plant(rng) + "\n").encode())  # type: ignore[attr-defined]
            planted += 1
    return planted


def build_logs(folder: Path, total_mb: int) -> int:
    """Write the log folder; returns the number of planted keys. Reused when already complete."""
    marker = folder / ".complete"
    if marker.exists() and marker.read_text() == str(total_mb):
        return int((folder / ".planted").read_text())
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    block = ("\n".join(_noise_lines(rng, 40000)) + "\n").encode()
    total = total_mb << 20
    gz_size = total // 10
    files = 11
    per_file = (total - gz_size) // files
    planted = 0
    for i in range(files):
        with open(folder / f"app-{i:02d}.log", "wb") as fh:
            planted += _write_file(fh, block, per_file, rng)
    with gzip.open(folder / "app-archive.log.gz", "wb", compresslevel=6) as gz:
        planted += _write_file(gz, block, gz_size, rng)
    (folder / ".planted").write_text(str(planted))
    marker.write_text(str(total_mb))
    return planted


def build_minified(path: Path, total_mb: int) -> int:
    """One minified bundle of `total_mb` MB on a single line, a key in about one part in 40
    (Helicone-Auth headers, env objects, bare keys): returns the number planted."""
    marker = path.with_suffix(".planted")
    if path.exists() and marker.exists() and path.stat().st_size >= total_mb << 20:
        return int(marker.read_text())
    rng = random.Random(SEED)
    path.parent.mkdir(parents=True, exist_ok=True)
    planted = size = n = 0
    with open(path, "w") as fh:
        while size < total_mb << 20:
            if n % 40 == 0:
                part = rng.choice([
                    'headers:{{"Helicone-Auth":"Bearer {}"}},'.format(helicone_token(rng, "sk-helicone-")),
                    'env:{{DEVHELM_API_TOKEN:"{}"}},'.format(random_token(rng, "dh_live_", 32)),
                    'k:"{}",'.format(helicone_token(rng, "sk-helicone-")),
                ])  # fmt: skip
                planted += 1
            else:
                part = f"function f{n}(a,b){{return a.map(function(x){{return x*{n}+b}})}};"
            fh.write(part)
            size += len(part)
            n += 1
    marker.write_text(str(planted))
    return planted
