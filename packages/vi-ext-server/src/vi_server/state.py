"""Server configuration and the state shared by handlers and workers."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from vi_server.activity import SessionActivity
from vi_server.blob_gc import BlobCollector
from vi_server.private_files import private_dir
from vi_server.s3_blobs import open_blob_store
from vi_server.store import open_database

MIB = 1 << 20


@dataclass
class ServerConfig:
    """Knobs of the reference server (tests shrink the times and sizes)."""

    data_dir: Path
    url_ttl_seconds: int = 3600
    ingestion_timeout_seconds: float = 3600.0
    multipart_part_size: int = 64 * MIB
    max_upload_bytes: int = 2048 * MIB
    ingest_workers: int = 2
    sweep_interval_seconds: float = 0.25
    thumbnail_size: int = 256
    faults: str = ""
    fault_seed: int = 0
    session_idle_timeout_seconds: float = 600.0  # a session with no PUT for this long is closed
    blob_grace_seconds: float = 5.0  # an unreferenced blob is removed no sooner than this
    ingest_retry_seconds: float = 1.0  # first delay before bookkeeping that failed is retried
    database_url: str | None = None  # the metadata store (`vi_server.db_url`); None: SQLite in data_dir
    blob_url: str = ""  # "" (DATA_DIR/blobs), file:///path or s3://bucket/prefix
    s3_endpoint: str = ""  # an S3-compatible endpoint ("" = AWS)


def now_ms() -> int:
    """Wall clock in milliseconds."""
    return int(time.time() * 1000)


class ServerState:
    """Database, blob store, blob collector, session activity and the signing secret (kept in the database)."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        private_dir(config.data_dir)
        self.db = open_database(config.database_url, config.data_dir)
        self.blobs = open_blob_store(config.data_dir, config.blob_url, config.s3_endpoint)
        self.gc = BlobCollector(self.db, self.blobs, int(config.blob_grace_seconds * 1000))
        self.activity = SessionActivity()
        self.secret = self._secret()

    def _secret(self) -> bytes:
        with self.db.tx() as conn:
            row = conn.execute("SELECT value FROM server WHERE name = 'secret'").fetchone()
            if row is not None:
                return bytes(row["value"])
            value = secrets.token_bytes(32)
            conn.execute("INSERT INTO server (name, value) VALUES ('secret', ?)", (value,))
            return value
