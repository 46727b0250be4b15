"""Alembic's entry point for leakbot's state database. The store runs migrations on a connection
it already holds in a transaction (`leakbot.store.engine.migrate`), never from alembic.ini."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
