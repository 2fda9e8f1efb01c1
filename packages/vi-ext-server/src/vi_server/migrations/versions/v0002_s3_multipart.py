"""The S3 multipart uploads behind the API's multipart sessions (blob store ``s3://``).

One row per API multipart upload that the object store runs: its S3 upload id and object key.
SQLite gets the same table from `vi_server.db.SCHEMA`.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

T = 'TEXT COLLATE "C"'


def upgrade() -> None:
    """Create the table."""
    op.execute(
        f"CREATE TABLE s3_multipart_uploads (multipart_id {T} PRIMARY KEY, "
        f"s3_upload_id {T} NOT NULL UNIQUE, object_key {T} NOT NULL)"
    )


def downgrade() -> None:
    """Drop the table."""
    op.execute("DROP TABLE s3_multipart_uploads")
