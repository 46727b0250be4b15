"""`leakbot init`: a commented .leakbot.toml and the pre-commit entry, for a first setup."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from leakbot.commands import add_command
from leakbot.errors import UsageError

EPILOG = """\
examples:
  leakbot init                  write .leakbot.toml and .pre-commit-config.yaml here
  leakbot init ../service --force
"""

HOOKS_REPO = "https://github.com/leakbot/leakbot"

CONFIG = """\
# leakbot configuration: https://github.com/leakbot/leakbot#configuration
version = 1

# Rules to switch off, by id (`leakbot rules list` shows them all).
# disabled_rules = ["helicone.legacy-key"]

# Findings recorded here are not reported again (`leakbot baseline create . -o FILE`).
# baseline = ".leakbot-baseline.json"

# Allowlists: a finding is dropped when `any` (or `all`) of the given criteria match.
# [[allowlists]]
# description = "test fixtures hold revoked keys"
# condition = "any"
# paths = ['''^tests/fixtures/''']    # regexes over the file path
# regexes = []                       # regexes over the secret itself
# stopwords = ["revoked"]            # substrings of the secret
# rules = []                         # only these rule ids (empty: every rule)

# Your own rules, in the same shape as rules/data/*.toml.
# [[rules]]
# id = "acme.token"
# description = "Acme API token"
# pattern = '''acme_token=(?<secret>[0-9a-f]{40})'''
# keywords = ["acme_token"]
# examples = ["acme_token={{hex:40}}"]

# Verifying and rotating (leakbot git --verify; leakbot revoke): credentials are named by
# environment variable, never written here. policy: auto | approve (default) | notify.
# [vendors.helicone]
# admin_env = "HELICONE_ADMIN_KEY"
# policy = "approve"
# deliver = ["app-env"]            # sinks for the new key
#
# [sinks.app-env]
# type = "dotenv"                  # or command, github, vault (see the README)
# path = ".env"
#
# [[notify]]
# type = "webhook"
# url = "https://hooks.example.com/leakbot"
# secret_env = "LEAKBOT_WEBHOOK_SECRET"

# The bot (leakbot serve): what it watches and how often.
# [[targets]]
# repo = "."
# every = "5m"
# [[targets]]
# logs = ["/var/log/app/*.log*"]
# every = "30s"
"""


def pre_commit_entry(version: str) -> str:
    return (
        f"  - repo: {HOOKS_REPO}\n"
        f"    rev: v{version}\n"
        "    hooks:\n"
        "      - id: leakbot             # staged changes, before each commit\n"
        "      - id: leakbot-commit-msg  # a key pasted into a commit message\n"
        "      - id: leakbot-push        # commits being pushed, even with --no-verify\n"
        "      # - id: leakbot-files     # instead of leakbot on pre-commit.ci / run --all-files\n"
    )


def register(sub: Any) -> None:
    p = add_command(sub, "init", "write a commented .leakbot.toml and the pre-commit hook entry",
                    EPILOG)  # fmt: skip
    p.add_argument("folder", nargs="?", default=".", metavar="DIR")
    p.add_argument("--force", action="store_true", help="overwrite an existing .leakbot.toml")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from scanner.version import tool_version

    folder = Path(args.folder)
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such directory")
    config = folder / ".leakbot.toml"
    if config.exists() and not args.force:
        raise UsageError(f"{config}: already exists (use --force to overwrite)")
    config.write_text(CONFIG, encoding="utf-8")
    print(f"wrote {config}")
    hooks = folder / ".pre-commit-config.yaml"
    entry = pre_commit_entry(tool_version())
    if hooks.exists():
        print(f"{hooks} exists: add this under `repos:`\n\n{entry}", file=sys.stderr)
    else:
        hooks.write_text("repos:\n" + entry, encoding="utf-8")
        print(f"wrote {hooks}; run `pre-commit install --hook-type pre-commit "
              "--hook-type commit-msg --hook-type pre-push`")  # fmt: skip
    return 0
