"""Where the state lives: one SQLite file by default, or a PostgreSQL database by URL.

`--state`, then `$LEAKBOT_STATE`, then `state = ...` in the config, then the XDG state folder.
A PostgreSQL URL never carries a password: libpq's own PGPASSWORD or ~/.pgpass supply it, so no
file or argv holds one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from leakbot.errors import ConfigError

POSTGRES = ("postgresql://", "postgres://", "postgresql+psycopg://")


@dataclass(frozen=True)
class Location:
    url: str  # what SQLAlchemy opens
    shown: str  # for messages: the file, or the URL (it holds no password)
    path: Path | None = None  # the SQLite file, None on PostgreSQL

    @property
    def exists(self) -> bool:
        """False only for a SQLite file not made yet (commands that only read then say so)."""
        return self.path is None or self.path.exists()


def default_path() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "leakbot" / "state.db"


def locate(given: str | None = None, configured: str | None = None) -> Location:
    chosen = given or os.environ.get("LEAKBOT_STATE") or configured
    if chosen and chosen.startswith(POSTGRES):
        return _postgres(chosen)
    if chosen and "://" in chosen:
        raise ConfigError(f"state {chosen.split('://')[0]}://...: a file path or postgresql:// URL")
    path = Path(chosen) if chosen else default_path()
    return Location(url=f"sqlite:///{path.absolute()}", shown=str(path), path=path)


def _postgres(url: str) -> Location:
    parts = urlsplit(url)
    if parts.password:
        raise ConfigError("the state URL holds a password: set PGPASSWORD or use ~/.pgpass")
    rest = url.split("://", 1)[1]
    return Location(url=f"postgresql+psycopg://{rest}", shown=f"postgresql://{rest}")
