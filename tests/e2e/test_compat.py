"""The official vi-sdk 0.1.0b7, unchanged, against the reference server (issue 4) on every backend (issue 18)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers.backend_fixtures import backend, backend_server  # noqa: F401 (fixtures)
from tests.helpers.server_harness import RunningServer
from tools.compat import run_flow
from vi_server.testing.backends import Backend
from vi_server.testing.proxy import RunningProxy

STEPS = [
    "create_dataset",
    "upload",
    "list_first_page",
    "get_with_contents",
    "download",
    "count",
    "rename",
    "update_dataset",
    "list_sessions",
    "delete_one",
    "bulk_delete_rest",
    "delete_dataset",
]


def steps_of(stdout: str) -> list[str]:
    return [json.loads(line)["step"] for line in stdout.splitlines() if line.startswith('{"step"')]


def test_official_client_runs_every_step(
    backend: Backend,  # noqa: F811
    backend_server: RunningServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Every step of the official client's flow; on S3 blobs its downloads are named by object key
    (a known gap: an S3-presigned URL ends with the content-addressed key), so bytes are compared."""
    run = run_flow(backend_server.endpoint, backend_server.key, backend_server.org, tmp_path,
                   s3_blobs=backend.blobs == "s3")  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    assert steps_of(run.stdout) == STEPS


def drop_frames(path: str, body: Any) -> Any:
    """Break a required field of every asset (metadata.frames), as a drifting server would."""
    items = body.get("items") if isinstance(body, dict) else None
    for asset in items or ([body] if isinstance(body, dict) and "assetId" in body else []):
        asset.get("metadata", {}).pop("frames", None)
    return body


# The drift is the proxy's, not the stores': one backend is enough.
def test_official_client_fails_when_the_server_drifts(server: RunningServer, tmp_path: Path) -> None:
    with RunningProxy(server.endpoint, drop_frames) as proxy:
        run = run_flow(proxy.endpoint, server.key, server.org, tmp_path)
    assert run.returncode != 0
    assert steps_of(run.stdout) == STEPS[:2]  # listing is the first step that decodes an asset
    assert "ViOperationError" in run.stderr
