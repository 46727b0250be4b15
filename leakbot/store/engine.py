"""Opening the state database: one SQLAlchemy engine per store, set up per dialect, and the
migrations that bring any older file or schema to the newest revision before first use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text

from leakbot.store.location import Location
from rules.fileio import private_file
from scanner.errors import ScanError

HEAD = "0006"  # the newest revision in migrations/versions (tests/leakbot/store checks it)
_MIGRATIONS = Path(__file__).with_name("migrations")


class StoreError(ScanError):
    """The state database cannot be used: unreadable, or from a newer leakbot (one line, exit 2)."""


def make_engine(where: Location) -> Engine:
    if where.path is None:
        return create_engine(where.url, pool_pre_ping=True, pool_size=4, max_overflow=4)
    where.path.parent.mkdir(parents=True, exist_ok=True)
    private_file(where.path)  # 0600 before SQLite first writes it
    engine = create_engine(where.url, connect_args={"timeout": 30})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi: Any, _record: Any) -> None:
    dbapi.isolation_level = None  # transactions are begun below, not by the driver
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=30000"):
        dbapi.execute(f"PRAGMA {pragma}")


def _sqlite_begin(conn: Connection) -> None:
    # A write takes SQLite's one write lock at BEGIN: a step is recorded whole or not at all, and
    # two processes never both read a row as unclaimed. Reads (`readers()`) begin deferred, so
    # under WAL they never wait for a writer nor hold one up.
    reading = conn.get_execution_options().get(_READ, False)
    conn.exec_driver_sql("BEGIN DEFERRED" if reading else "BEGIN IMMEDIATE")


_READ = "leakbot_read_only"


def readers(engine: Engine) -> Engine:
    """The same engine, for transactions that only read."""
    return engine.execution_options(**{_READ: True})


def migrate(engine: Engine, shown: str) -> None:
    """Bring the schema to HEAD; one process at a time does it (SQLite's write lock, or an
    advisory lock on PostgreSQL), and the others find it done."""
    with readers(engine).begin() as conn:
        if _revision(conn) == HEAD:  # the usual case: checked without taking a lock
            return
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(7325416021)"))  # "leakbot" state
        current = _revision(conn)
        if current == HEAD:
            return
        if current is not None and current > HEAD:
            raise StoreError(f"{shown}: the state is from a newer leakbot (revision {current})")
        _upgrade(conn)


def _revision(conn: Connection) -> str | None:
    if "alembic_version" not in inspect(conn).get_table_names():
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _upgrade(conn: Connection) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = conn
    command.upgrade(config, "head")
