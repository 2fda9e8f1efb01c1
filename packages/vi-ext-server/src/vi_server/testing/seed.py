"""Seed a dataset with many assets directly in the database (benchmarks and listing tests).

The assets share one small stored image, so listing, paging, sorting and downloads behave as
for uploaded ones; only ingestion is skipped. Safe while the server runs (one writer transaction).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from PIL import Image

from vi_server.assets_store import EMPTY_ANNOTATIONS
from vi_server.blobs import BlobStore
from vi_server.keys import new_id
from vi_server.state import now_ms
from vi_server.store import open_database

VARIANTS = 7


def _image(variant: int) -> bytes:
    out = io.BytesIO()
    Image.effect_noise((16 + 8 * variant, 24), 40 + variant).convert("RGB").save(out, "PNG")
    return out.getvalue()


def seed_assets(data_dir: Path, org: str, dataset: str, count: int, prefix: str = "seed/",
                database_url: str | None = None) -> None:  # fmt: skip
    """Insert ``count`` assets named ``{prefix}{i:07d}.png`` with varied sizes and times.

    Args:
        data_dir: The server's data dir.
        org: The organization.
        dataset: The dataset id (without the organization prefix).
        count: How many assets.
        prefix: Start of every filename.
        database_url: The server's ``--database-url`` (``None``: SQLite in the data dir).
    """
    blobs = BlobStore(data_dir)
    stored = [(len(data), blobs.put_bytes(data), 16 + 8 * v) for v, data in enumerate(map(_image, range(VARIANTS)))]
    db = open_database(database_url, data_dir)
    base = now_ms() - count
    try:
        with db.tx() as conn:
            conn.executemany(
                "INSERT INTO assets (asset_id, org_id, dataset_id, filename, kind, mime, file_size, width, height,"
                " frames, sha256, thumb_sha256, custom_metadata, annotations, created, updated, contents_updated,"
                " generation) VALUES (?,?,?,?,'Image','image/png',?,?,24,1,?,?,?,?,?,?,?,1)",
                [
                    (new_id(), org, dataset, f"{prefix}{i:07d}.png", stored[i % VARIANTS][0], stored[i % VARIANTS][2],
                     stored[i % VARIANTS][1], stored[i % VARIANTS][1],
                     json.dumps({"index": i, "parity": "odd" if i % 2 else "even"}), EMPTY_ANNOTATIONS,
                     base + i, base + i, base + (i * 7919) % count)
                    for i in range(count)
                ],
            )  # fmt: skip
    finally:
        db.close()
