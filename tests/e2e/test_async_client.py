"""`vi_ext.AsyncClient` end to end against the reference server, including cancelling an upload."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers.images import write_image
from tests.helpers.server_harness import RunningServer
from vi_ext import AsyncClient, Client, ViConflictError, ViNotFoundError
from vi_ext import models as m


def test_the_whole_life_of_a_dataset(server: RunningServer, tmp_path: Path) -> None:
    creds = server.data_dir / "credentials.json"
    ds = f"aio{uuid.uuid4().hex[:8]}"
    for i in range(5):
        write_image(tmp_path / "in" / f"{i}.jpg", seed=900 + i)

    async def go() -> None:
        async with AsyncClient(config_file=creds) as c:
            created = await c.datasets.create("async", dataset_id=ds)
            assert created.dataset_id == ds
            with pytest.raises(ViConflictError):
                await c.datasets.create("other", dataset_id=ds)
            result = await c.assets.upload(ds, tmp_path / "in", show_progress=False, prefix="p/")
            assert (result.total_files, result.total_succeeded, result.total_failed) == (5, 5, 0)
            assert await c.assets.count(ds) == 5
            first = await c.assets.list(ds, pagination={"page_size": 2})
            sizes = [len(page.items) async for page in first]
            assert sizes == [2, 2, 1]
            names = sorted([a.filename async for a in first.all_items()])
            assert names == [f"p/{i}.jpg" for i in range(5)]
            renamed = await c.assets.rename(ds, "p/renamed.jpg", filename="p/0.jpg")
            assert renamed.filename == "p/renamed.jpg"
            sessions = [s async for s in (await c.assets.list_sessions(ds)).all_items()]
            assert [s.asset_ingestion_session_id for s in sessions] == [
                s.asset_ingestion_session_id for s in result.sessions
            ]
            got = await c.assets.download(ds, tmp_path / "out", show_progress=False)
            assert (got.count, got.downloaded, got.failed) == (5, 5, 0)
            assert (tmp_path / "out" / ds / "p" / "renamed.jpg").read_bytes() == (
                tmp_path / "in" / "0.jpg"
            ).read_bytes()
            assert (await c.datasets.update(ds, name="renamed")).name == "renamed"
            deleted = await c.datasets.bulk_delete_assets(ds, filter_criteria={"filename": "p/1.jpg"})
            assert deleted.is_finished
            assert await c.assets.count(ds) == 4
            with pytest.raises(ViNotFoundError):
                await c.assets.get(ds, "no-such-asset")
            datasets = [d.dataset_id async for d in (await c.datasets.list()).all_items()]
            assert ds in datasets
            deletion = await c.datasets.delete(ds)
            assert isinstance(deletion, m.DatasetDeletion)
            assert deletion.is_finished
            with pytest.raises(ViNotFoundError):
                await c.datasets.get(ds)

    asyncio.run(go())


class Watch(httpx.BaseTransport):
    """Storage transport that notes when each PUT starts."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.puts: list[float] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            self.puts.append(time.monotonic())
        return self.inner.handle_request(request)


def test_cancelling_an_upload_stops_every_transfer_and_cancels_its_sessions(tmp_path: Path) -> None:
    slow = RunningServer(tmp_path / "vi-data", "--faults", "slow=1.0").start()  # every request waits 0.3 s
    try:
        creds = slow.data_dir / "credentials.json"
        ds = f"cancel{uuid.uuid4().hex[:6]}"
        for i in range(300):
            write_image(tmp_path / "photos" / f"{i:03d}.jpg", seed=i)
        watch = Watch()
        outcome: dict[str, Any] = {}

        async def go() -> None:
            async with AsyncClient(config_file=creds, storage_transport=watch) as c:
                await c.datasets.create(ds, dataset_id=ds)
                task = asyncio.create_task(
                    c.assets.upload(ds, tmp_path / "photos", show_progress=False, batch_size=100, max_workers=4)
                )
                while len(watch.puts) < 8:  # transfers are under way (300 files need > 20 s)
                    await asyncio.sleep(0.05)
                    assert not task.done()
                started = time.monotonic()
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
                outcome["took"] = time.monotonic() - started
                outcome["puts"] = len(watch.puts)
                outcome["ended"] = time.monotonic()

        asyncio.run(go())
        assert outcome["took"] < 8, outcome  # in-flight requests finish (0.3 s each), then the sessions are cancelled
        time.sleep(1)
        assert len(watch.puts) == outcome["puts"] < 300  # no PUT after the task ended
        with Client(config_file=creds) as sync:
            sessions = list(sync.assets.list_sessions(ds).all_items())
            assert sessions
            assert all(s.is_finished for s in sessions), [s.status for s in sessions]
            assert sync.assets.count(ds) < 300
    finally:
        slow.stop()
