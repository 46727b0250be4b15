"""INSERT ... ON CONFLICT DO UPDATE, written once for both dialects."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table


def upsert(conn: Connection, table: Table, values: dict[str, Any], key: list[str],
           update: list[str]) -> None:  # fmt: skip
    statement = _insert(conn)(table).values(**values)
    conn.execute(statement.on_conflict_do_update(
        index_elements=key, set_={name: statement.excluded[name] for name in update}))  # fmt: skip


def insert_new(conn: Connection, table: Table, values: dict[str, Any], key: list[str]) -> Any:
    """Insert unless a row with this key exists (even one another transaction is adding): the
    new row's primary key, or None. The values are parameters of one statement per table, which
    SQLAlchemy compiles once (a thousand alerted tokens are written in one request)."""
    statement = _insert(conn)(table).on_conflict_do_nothing(index_elements=key)
    # rowcount is not to be trusted here (-1 from some drivers): a returned key says it was added
    return conn.execute(statement.returning(*table.primary_key.columns), values).scalar()


def _insert(conn: Connection) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    return insert
