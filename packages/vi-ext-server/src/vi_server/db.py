"""SQLite (WAL) metadata store: schema, connection and transactions (the default `vi_server.store.MetadataStore`).

Its PostgreSQL twin is `vi_server.db_postgres` (schema in `vi_server.migrations`): a table or
column added here is added there too, by a new Alembic revision.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from vi_server.ingest_lock import IngestLock
from vi_server.private_files import private_file

BUSY_TIMEOUT_SECONDS = 30.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS server (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS orgs (
    org_id TEXT PRIMARY KEY,
    key_hash TEXT NOT NULL UNIQUE,
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS datasets (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL,
    dataset_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    type TEXT NOT NULL,
    content TEXT NOT NULL,
    localization TEXT NOT NULL,
    data_localization TEXT NOT NULL,
    status INTEGER NOT NULL,
    tags TEXT NOT NULL,
    created INTEGER NOT NULL,
    generation INTEGER NOT NULL,
    UNIQUE (org_id, dataset_id)
);
CREATE TABLE IF NOT EXISTS assets (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    asset_id TEXT NOT NULL UNIQUE,
    org_id TEXT NOT NULL,
    dataset_id TEXT NOT NULL,
    filename TEXT NOT NULL,
    kind TEXT NOT NULL,
    mime TEXT NOT NULL,
    file_size INTEGER NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    frames INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    thumb_sha256 TEXT NOT NULL,
    custom_metadata TEXT NOT NULL,
    annotations TEXT NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    contents_updated INTEGER NOT NULL,
    generation INTEGER NOT NULL,
    UNIQUE (org_id, dataset_id, filename)
);
CREATE INDEX IF NOT EXISTS assets_by_sha ON assets (sha256);
CREATE INDEX IF NOT EXISTS assets_by_thumb ON assets (thumb_sha256);
CREATE INDEX IF NOT EXISTS assets_by_ds_file ON assets (org_id, dataset_id, filename, seq);
CREATE INDEX IF NOT EXISTS assets_by_ds_id ON assets (org_id, dataset_id, asset_id, seq);
CREATE INDEX IF NOT EXISTS assets_by_ds_mod ON assets (org_id, dataset_id, contents_updated, seq);
CREATE INDEX IF NOT EXISTS assets_by_ds_size ON assets (org_id, dataset_id, file_size, seq);
CREATE TABLE IF NOT EXISTS sessions (
    session_id TEXT PRIMARY KEY,
    ingestion_id TEXT NOT NULL UNIQUE,
    org_id TEXT NOT NULL,
    dataset_id TEXT NOT NULL,
    source_class TEXT NOT NULL,
    source_provider TEXT NOT NULL,
    source_id TEXT NOT NULL,
    failure_mode TEXT NOT NULL,
    on_overwritten TEXT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    finished INTEGER,
    deadline INTEGER NOT NULL,
    generation INTEGER NOT NULL,
    seq INTEGER
);
CREATE INDEX IF NOT EXISTS sessions_open ON sessions (state, deadline);
CREATE TABLE IF NOT EXISTS session_files (
    session_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    upload_id TEXT NOT NULL UNIQUE,
    filename TEXT NOT NULL,
    mime TEXT NOT NULL,
    size INTEGER NOT NULL,
    crc32c INTEGER,
    custom_metadata TEXT,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    error_code TEXT,
    error_message TEXT,
    staged TEXT,
    received TEXT,
    updated INTEGER NOT NULL,
    PRIMARY KEY (session_id, idx)
);
CREATE INDEX IF NOT EXISTS session_files_state ON session_files (state);
CREATE INDEX IF NOT EXISTS session_files_open ON session_files (session_id, state);
CREATE TABLE IF NOT EXISTS multipart_uploads (
    multipart_id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    org_id TEXT NOT NULL,
    dataset_id TEXT NOT NULL,
    source_class TEXT NOT NULL,
    source_provider TEXT NOT NULL,
    source_id TEXT NOT NULL,
    content_type TEXT,
    size INTEGER NOT NULL,
    part_count INTEGER NOT NULL,
    state TEXT NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    generation INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS multipart_parts (
    multipart_id TEXT NOT NULL,
    part_number INTEGER NOT NULL,
    size INTEGER NOT NULL,
    etag TEXT NOT NULL,
    completed INTEGER NOT NULL,
    PRIMARY KEY (multipart_id, part_number)
);
CREATE TABLE IF NOT EXISTS blob_garbage (
    sha256 TEXT PRIMARY KEY,
    since INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS session_activity (
    session_id TEXT PRIMARY KEY,
    seen INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS delete_sessions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    delete_id TEXT NOT NULL UNIQUE,
    org_id TEXT NOT NULL,
    dataset_id TEXT NOT NULL,
    spec TEXT NOT NULL,
    deleted INTEGER NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS dataset_deletions (
    org_id TEXT NOT NULL,
    dataset_id TEXT NOT NULL,
    user TEXT NOT NULL,
    created INTEGER NOT NULL,
    finished INTEGER NOT NULL,
    deleted_assets INTEGER NOT NULL,
    PRIMARY KEY (org_id, dataset_id)
);
CREATE TABLE IF NOT EXISTS s3_multipart_uploads (
    multipart_id TEXT PRIMARY KEY,
    s3_upload_id TEXT NOT NULL UNIQUE,
    object_key TEXT NOT NULL
);
"""
# Columns added after the first release: data dirs created before get them on start.
ADDED_COLUMNS = {
    "datasets": {"preference": "TEXT NOT NULL DEFAULT '{}'", "attributes": "TEXT NOT NULL DEFAULT '{}'"},
    "sessions": {"seq": "INTEGER"},
}
# Sessions listed in creation order: ``seq`` (older data dirs: their rowid) is MAX(seq)+1 at insert.
AFTER_COLUMNS = """
UPDATE sessions SET seq = rowid WHERE seq IS NULL;
CREATE UNIQUE INDEX IF NOT EXISTS sessions_by_seq ON sessions (seq);
"""


def upgrade(conn: sqlite3.Connection) -> None:
    """Create the schema, or bring an older data dir's up to date (idempotent).

    Args:
        conn: The connection, inside a transaction (processes starting at once upgrade one at a time).
    """
    _run_script(conn, SCHEMA)
    for table, columns in ADDED_COLUMNS.items():
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})").fetchall()}
        for column, decl in columns.items():
            if column not in have:
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")
    _run_script(conn, AFTER_COLUMNS)


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    """Each ``;``-separated statement (``executescript`` would commit the caller's transaction)."""
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


class Database:
    """One SQLite connection shared by all threads, serialised by a lock.

    SQLite allows one writer at a time anyway; a single connection keeps transactions simple
    and is fast enough for the reference server (WAL, ``synchronous=NORMAL``).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        # 0600 before SQLite opens it (its -wal and -shm files take the database file's mode):
        # the database holds the URL-signing secret.
        private_file(path)
        # Several processes may share the file (``serve --workers N``): wait for another's write lock.
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=BUSY_TIMEOUT_SECONDS)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        with self.tx() as conn:
            upgrade(conn)

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """Run a block in one transaction (committed on success, rolled back on error)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """Run a block of reads under the lock."""
        with self._lock:
            yield self._conn

    def ingest_lock(self, data_dir: Path) -> IngestLock:
        """The ingestion lock: a kernel lock on a file of the data dir (released when the process ends)."""
        return IngestLock(data_dir)

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()
