"""Alembic migrations of the PostgreSQL metadata store (run by `vi_server.db_postgres.migrate`)."""
