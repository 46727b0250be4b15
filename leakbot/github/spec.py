"""What an org target asks for, as the config says it (no network library imported: the config
is read by every command, the commit hook's too)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OrgSpec:
    org: str
    api_url: str = "https://api.github.com"  # GitHub Enterprise: https://HOST/api/v3
    include: tuple[str, ...] = ("*",)
    exclude: tuple[str, ...] = ()
    forks: bool = False
    archived: bool = False
    token_env: str = "GITHUB_TOKEN"
    app_id: str = ""  # with app_key_file: a GitHub App instead of a token
    app_key_file: str = ""
    webhook_secret_env: str = ""
    mirrors: int = 200  # bare mirrors kept in the cache for this org (least recently used go)
    actions: bool = True  # the logs of its GitHub Actions runs are a log source
