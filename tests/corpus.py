"""A project tree with keys of all five vendors in many file types, plus the decoys that must stay
quiet. Keys are built at test time from seeded random bodies; `expected` lists what must be found."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path

from scanner.finding import sha256_hex
from tests.conftest import Keys


@dataclass
class Corpus:
    root: Path
    expected: set[tuple[str, str, str]] = field(default_factory=set)  # (path, vendor, sha256)

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, str):
            path.write_text(text, encoding="utf-8", newline="")
        else:
            path.write_bytes(text)
        return path

    def expect(self, rel: str, vendor: str, secret: str) -> str:
        self.expected.add((str(self.root / rel), vendor, sha256_hex(secret.encode())))
        return secret


def build(root: Path, k: Keys) -> Corpus:
    c = Corpus(root)
    e = c.expect

    c.write(
        "src/devhelm_client.py",
        (
            "from devhelm import Client\n\n"
            f'client = Client(api_token="{e("src/devhelm_client.py", "devhelm", k.rand("dh_live_", 32))}")\n'
        ),
    )
    c.write(
        "config/settings.yaml",
        (
            "diffhook:\n"
            f"  api_key: {e('config/settings.yaml', 'diffhook', k.rand('dh_live_', 40))}\n"
            "  timeout: 30\n"
        ),
    )
    pk = k.rand("pk_live_", 32)
    c.write(
        ".env",
        (
            f"HELICONE_API_KEY={e('.env', 'helicone', k.b32('sk-helicone-'))}\n"
            f"HELIOS_API_KEY={e('.env', 'helios', k.rand('sk_live_', 40))}\n"
            f"DEVDRAFT_API_KEY={pk}\n"
            f"DEVDRAFT_SECRET={e('.env', 'devdraft', k.rand('sk_live_', 40))}\n"
        ),
    )
    notebook = {"cells": [{"cell_type": "code", "source": [
        "import os\n",
        f'os.environ["HELICONE_API_KEY"] = "{e("notebooks/analysis.ipynb", "helicone", k.b32("sk-helicone-eu-"))}"\n',
        f'os.environ["DEVHELM_API_TOKEN"] = "{e("notebooks/analysis.ipynb", "devhelm", k.rand("dh_live_", 24))}"\n',
    ]}]}  # fmt: skip
    c.write("notebooks/analysis.ipynb", json.dumps(notebook, indent=1))
    c.write(
        "Dockerfile",
        (
            "FROM python:3.11-slim\n"
            f"ENV DIFFHOOK_SIGNING_SECRET={e('Dockerfile', 'diffhook', k.rand('whsec_', 32))}\n"
            f"ENV DEVHELM_API_TOKEN {e('Dockerfile', 'devhelm', k.rand('dh_live_', 48))}\n"
            'CMD ["python", "app.py"]\n'
        ),
    )
    c.write(
        ".github/workflows/deploy.yml",
        (
            "jobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n"
            f"      DEVDRAFT_API_KEY: {k.rand('pk_test_', 32)}\n"
            f"      DEVDRAFT_SECRET_KEY: {e('.github/workflows/deploy.yml', 'devdraft', k.rand('sk_test_', 32))}\n"
            "      STRIPE_KEY: ${{ secrets.STRIPE_KEY }}\n"
        ),
    )
    c.write(
        "infra/main.tf",
        (
            'provider "devhelm" {\n'
            f'  api_token = "{e("infra/main.tf", "devhelm", k.rand("dh_live_", 32))}"\n'
            "}\n"
        ),
    )
    c.write(
        "docs/helios.md",
        (
            "# Calling Helios\n\n```sh\n"
            "curl -X POST https://api.heliosai.health/api/v1/agent \\\n"
            f'  -H "x-api-key: {e("docs/helios.md", "helios", k.hex(48))}" \\\n'
            "  -d '{\"q\": 1}'\n```\n\n"
            "```sh\ncurl https://api.devdraft.ai/v1/transactions \\\n"
            f'  -H "Authorization: Bearer {k.rand("", 32)}" \\\n'
            f'  -H "X-Secret-Key: {e("docs/helios.md", "devdraft", k.rand("", 40))}"\n```\n'
        ),
    )
    c.write("logs/app.jsonl", (
        json.dumps({"ts": "2026-11-01T10:00:00Z", "msg": "proxy", "headers": {
            "Helicone-Auth": f"Bearer {e('logs/app.jsonl', 'helicone', k.b32('sk-helicone-rl-'))}"}})
        + "\n"
        + json.dumps({"ts": "2026-11-01T10:00:01Z", "msg": "token exchange",
                      "url": "https://www.diffhook.com/api/oauth/token",
                      "body": f"grant_type=client_credentials&client_secret="
                              f"{e('logs/app.jsonl', 'diffhook', k.rand('', 40))}"})
        + "\n"
    ))  # fmt: skip
    c.write(
        "k8s/secret.yaml",
        (
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: helios\ntype: Opaque\ndata:\n"
            f"  HELIOS_API_KEY: {k.b64(e('k8s/secret.yaml', 'helios', k.rand('sk_live_', 32)))}\n"
            f"  DEVHELM_API_TOKEN: {k.b64(e('k8s/secret.yaml', 'devhelm', k.rand('dh_live_', 32)))}\n"
        ),
    )
    proxy = e("web/dist/app.min.js", "helicone", f"{k.b32('sk-helicone-proxy-')}-{k.uuid()}")
    gateway = e("web/dist/app.min.js", "helicone", k.b32("sk-"))
    filler = "".join(f"function f{i}(a,b){{return a+b*{i}}};" for i in range(20000))
    c.write("web/dist/app.min.js", (
        filler + f'const h="{proxy}";' + filler
        + f'fetch("https://gateway.helicone.ai/{gateway}/v1/chat");' + filler
    ))  # fmt: skip
    with gzip.open(c.root / "logs/old.log.gz", "wt") as gz:
        for i in range(5000):
            gz.write(f"2026-10-01T00:00:{i % 60:02d}Z INFO request ok id={i}\n")
        gz.write("2026-10-01T01:00:00Z DEBUG GET https://api.devhelm.io/api/v1/monitors "
                 f"Authorization: Bearer {e('logs/old.log.gz', 'devhelm', k.rand('dh_live_', 32))}\n")  # fmt: skip
    c.write(
        "config/windows.ini",
        (
            "[helicone]\r\n"
            f"key = {e('config/windows.ini', 'helicone', k.b32('pk-helicone-'))}\r\n"
            "region = us\r\n"
        ),
    )
    c.write(
        "scripts/check.sh",
        (
            "curl 'https://www.diffhook.com/api/monitors?limit=1&api_key="
            f"{e('scripts/check.sh', 'diffhook', k.rand('dh_live_', 32))}'\n"
        ),
    )
    c.write(
        "scripts/pair.py",
        (
            "# DiffHook OAuth client\n"
            f"DIFFHOOK_CLIENT_ID = '{e('scripts/pair.py', 'diffhook', k.rand('dh_live_', 32))}'\n"
            f"DIFFHOOK_CLIENT_SECRET = '{e('scripts/pair.py', 'diffhook', k.rand('', 48))}'\n"
        ),
    )
    write_decoys(c, k)
    return c


def write_decoys(c: Corpus, k: Keys) -> None:
    """Everything here must stay quiet."""
    c.write(
        "docs/placeholders.md",
        (
            "| Authorization | Bearer token with your API key | Bearer dh_live_abc123... |\n"
            "Authorization: Bearer dh_live_xxxxxxxxxxxxxxxxxxxx\n"
            "Standard keys: sk-helicone-[7chars]-[7chars]-[7chars]-[7chars]\n"
            '-H "X-Secret-Key: YOUR_SECRET_KEY"\n'
            "HELICONE_API_KEY=<your-api-key>\n"
            "DEVHELM_API_TOKEN=${DEVHELM_API_TOKEN}\n"
            "HELIOS_API_KEY=${HELIOS_API_KEY}\n"
            "dh_live_reload_interval = 30\n"
            "devhelm.dh_live_reload_interval_seconds_max = 30\n"
            "DEVHELM_API_TOKEN=dh_live_****************************\n"
            "x-api-key: sk_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
        ),
    )
    c.write(
        "web/publishable.js", f'Devdraft.init({{ publishableKey: "{k.rand("pk_live_", 32)}" }})\n'
    )
    c.write(
        "billing/stripe.py",
        (
            "import stripe\n"
            f'stripe.api_key = "{k.rand("sk_live_", 32)}"\n'
            f"STRIPE_TEST_KEY = '{k.rand('sk_test_', 32)}'\n"
        ),
    )
    c.write("src/anthropic_client.py", f'headers = {{"x-api-key": "{k.rand("", 40)}"}}\n')
    c.write("assets/logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + k.rand("dh_live_", 32).encode())
