"""A Dask LocalCluster with worker processes, through the server's fault layer, loses a worker mid-run (issue 17)."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.images import write_image
from tests.helpers.server_harness import RunningServer
from vi_ext import Client, distributed
from vi_ext.errors import ViConflictError
from vi_ext.results import AssetUploadResult

FAULTS = "5xx=0.05,reset=0.03,429=0.02,truncate=0.03"
COUNT = 3000
WORKER_CLIENT = {"max_retries": 10}


def db_assets(server: RunningServer, dataset: str) -> tuple[int, int]:
    """(assets, distinct filenames) of a dataset, straight from the server's database."""
    with sqlite3.connect(server.data_dir / "vi.sqlite3") as conn:
        row = conn.execute("SELECT COUNT(*), COUNT(DISTINCT filename) FROM assets WHERE org_id=? AND dataset_id=?",
                           (server.org, dataset)).fetchone()  # fmt: skip
    return int(row[0]), int(row[1])


@pytest.fixture
def faulty_server(tmp_path: Path) -> Iterator[RunningServer]:
    running = RunningServer(tmp_path / "data", "--faults", FAULTS, "--fault-seed", "11").start()
    yield running
    running.stop()


@pytest.fixture
def cluster() -> Iterator[Any]:
    dd = pytest.importorskip("distributed", reason="Dask is an optional extra: pip install 'vi-ext[dask]'")
    local = dd.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                            host="127.0.0.1")  # fmt: skip
    client = dd.Client(local)
    yield client
    client.close()
    local.close()


@pytest.mark.slow
def test_cluster_survives_a_killed_worker_through_faults(
    faulty_server: RunningServer, cluster: Any, tmp_path: Path
) -> None:
    creds = str(faulty_server.data_dir / "credentials.json")
    src = tmp_path / "src"
    files = {f"d{i % 5}/{i:05d}.png": write_image(src / f"d{i % 5}/{i:05d}.png", size=(10, 7), seed=i)
             for i in range(COUNT)}  # fmt: skip
    dataset = "dfault-" + uuid.uuid4().hex[:6]
    with Client(config_file=creds, max_retries=10) as client:
        try:
            client.datasets.create(dataset, dataset_id=dataset)
        except ViConflictError:  # the first answer was lost after the server created it
            client.datasets.get(dataset)
    ledger = tmp_path / "ledger"
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = distributed.upload(
                dataset, src, config_file=creds, dask_client=cluster, shard_size=250, ledger_dir=ledger,
                failure_mode="FailAfterAll", batch_size=100, client_options=WORKER_CLIENT,
            )  # fmt: skip
        except BaseException as exc:  # reported below
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 120
    while db_assets(faulty_server, dataset)[0] < 300 and time.monotonic() < deadline and thread.is_alive():
        time.sleep(0.2)
    assert thread.is_alive(), "the upload finished before a worker could be killed"
    pids = cluster.run(os.getpid)
    victim = sorted(pids.values())[0]
    os.kill(victim, signal.SIGKILL)  # one worker process dies mid-run; its nanny starts a new one
    thread.join(timeout=900)
    assert not thread.is_alive()
    assert "error" not in outcome, outcome.get("error")
    result: AssetUploadResult = outcome["result"]
    assert (result.total_files, result.total_succeeded, result.total_failed) == (COUNT, COUNT, 0), result.summary()
    assert db_assets(faulty_server, dataset) == (COUNT, COUNT)  # every file exactly once
    assert victim not in cluster.run(os.getpid).values()  # the kill really happened

    again = distributed.upload(dataset, src, config_file=creds, dask_client=cluster, shard_size=250,
                               ledger_dir=ledger, client_options=WORKER_CLIENT)  # fmt: skip
    assert (again.total_files, again.total_succeeded, again.bytes_sent, again.sessions) == (COUNT, COUNT, 0, [])
    asked = distributed.upload(dataset, src, config_file=creds, dask_client=cluster, shard_size=250,
                               client_options=WORKER_CLIENT)  # fmt: skip
    assert (asked.total_succeeded, asked.bytes_sent, len(asked.existing_files)) == (COUNT, 0, COUNT)

    got = distributed.download(dataset, tmp_path / "out", config_file=creds, dask_client=cluster, shard_size=250,
                               client_options=WORKER_CLIENT)  # fmt: skip
    assert (got.count, got.downloaded, got.failed) == (COUNT, COUNT, 0), got.summary()
    for name, data in files.items():
        assert (tmp_path / "out" / dataset / name).read_bytes() == data
