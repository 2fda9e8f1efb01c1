"""Alembic revisions (one file each; see `vi_server.migrations`)."""
