"""Alembic environment: migrations run programmatically on the connection `vi_server.db_postgres` passes in."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():  # the caller's transaction (it holds the migration lock)
    context.run_migrations()
