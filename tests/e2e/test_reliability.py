"""Reliability and security under injected faults (issue 9: F1–F5)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers.images import image_bytes, write_image
from tests.helpers.server_harness import Api, RunningServer
from vi_ext import Client, ViAuthenticationError, ViConflictError, ViNotFoundError, ViServerError

FAULTS = "5xx=0.10,reset=0.05,429=0.02,truncate=0.05"


def db_assets(server: RunningServer, dataset: str) -> tuple[int, int]:
    """(assets, distinct filenames) of a dataset, straight from the server's database."""
    with sqlite3.connect(server.data_dir / "vi.sqlite3") as conn:
        row = conn.execute("SELECT COUNT(*), COUNT(DISTINCT filename) FROM assets WHERE org_id=? AND dataset_id=?",
                           (server.org, dataset)).fetchone()  # fmt: skip
    return int(row[0]), int(row[1])


@pytest.fixture
def faulty_server(tmp_path: Path) -> Iterator[RunningServer]:
    running = RunningServer(tmp_path / "data", "--faults", FAULTS, "--fault-seed", "7").start()
    yield running
    running.stop()


def many_images(folder: Path, count: int) -> dict[str, bytes]:
    return {f"d{i % 7}/{i:05d}.png": write_image(folder / f"d{i % 7}/{i:05d}.png", size=(12, 9), seed=i)
            for i in range(count)}  # fmt: skip


def faults_round_trip(server: RunningServer, tmp_path: Path, count: int) -> None:
    originals = many_images(tmp_path / "in", count)
    client = Client(
        config_file=server.data_dir / "credentials.json", max_retries=8, sleep=lambda s: time.sleep(min(s, 1))
    )
    dataset = "faults-" + uuid.uuid4().hex[:6]
    try:
        client.datasets.create(dataset, dataset_id=dataset)
    except ViConflictError:  # the first attempt's answer was lost after the server created it
        assert client.datasets.get(dataset).dataset_id == dataset
    result = client.assets.upload(dataset, tmp_path / "in", show_progress=False)
    assert (result.total_succeeded, result.total_failed) == (count, 0), result.summary()
    assert db_assets(server, dataset) == (count, count)  # exactly once each, no duplicates
    downloaded = client.assets.download(dataset, tmp_path / "out", show_progress=False)
    assert (downloaded.downloaded, downloaded.failed) == (count, 0), downloaded.summary()
    for name, data in originals.items():
        assert (tmp_path / "out" / dataset / name).read_bytes() == data
    log = (server.data_dir / "server.log").read_text()
    assert "fault layer on" in log


def test_f1_round_trip_through_faults(faulty_server: RunningServer, tmp_path: Path) -> None:
    faults_round_trip(faulty_server, tmp_path, 300)


@pytest.mark.slow
def test_f1_two_thousand_files_through_faults(faulty_server: RunningServer, tmp_path: Path) -> None:
    faults_round_trip(faulty_server, tmp_path, 2000)


UPLOADER = """
import sys
from vi_ext import Client
client = Client(config_file=sys.argv[1], max_workers=1)
client.assets.upload(sys.argv[2], sys.argv[3], show_progress=False, batch_size=25)
"""


def test_f2_killed_upload_resumes_without_resending(server: RunningServer, tmp_path: Path) -> None:
    count = 300
    originals = many_images(tmp_path / "in", count)
    creds = str(server.data_dir / "credentials.json")
    client = Client(config_file=creds)
    dataset = "resume-" + uuid.uuid4().hex[:6]
    client.datasets.create(dataset, dataset_id=dataset)
    proc = subprocess.Popen([sys.executable, "-c", UPLOADER, creds, dataset, str(tmp_path / "in")])
    deadline = time.monotonic() + 120
    while db_assets(server, dataset)[0] < count // 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(1.0)  # let the server finish ingesting what had already arrived
    present_before, _ = db_assets(server, dataset)
    assert count // 2 <= present_before < count, "the kill should land half-way"
    sent_before = sum(
        len(originals[a.filename]) for a in client.assets.list(dataset, pagination={"page_size": 1000}).items
    )
    result = client.assets.upload(dataset, tmp_path / "in", skip_existing=True, show_progress=False)
    assert (result.total_succeeded, result.total_failed) == (count, 0), result.summary()
    assert len(result.existing_files) == present_before
    assert db_assets(server, dataset) == (count, count)  # every file exactly once
    resent = result.bytes_sent - sum(len(originals[f]) for f in originals) + sent_before
    assert resent < 0.05 * sent_before


def test_f3_total_failure_ends_in_a_clear_error_in_bounded_time(tmp_path: Path) -> None:
    server = RunningServer(tmp_path / "data", "--faults", "5xx=1.0").start()
    try:
        client = Client(config_file=server.data_dir / "credentials.json", max_retries=3)
        write_image(tmp_path / "a.jpg", seed=1)
        start = time.monotonic()
        with pytest.raises(ViServerError, match="injected 503"):
            client.assets.upload("any", tmp_path / "a.jpg", show_progress=False)
        with pytest.raises(ViServerError):
            client.assets.download("any", tmp_path / "out", show_progress=False)
        assert time.monotonic() - start < 30  # 3 retries with capped backoff, twice
    finally:
        server.stop()


def test_f4_unicode_spaces_and_percent_in_names_round_trip(server: RunningServer, tmp_path: Path) -> None:
    names = ["café ☕/über 100%.jpg", "a b/c%20d.png", "日本/写真 1.webp", "plain.gif"]
    originals = {n: write_image(tmp_path / "in" / n, seed=i) for i, n in enumerate(names)}
    client = Client(config_file=server.data_dir / "credentials.json")
    dataset = "names-" + uuid.uuid4().hex[:6]
    client.datasets.create(dataset, dataset_id=dataset)
    result = client.assets.upload(dataset, tmp_path / "in", show_progress=False)
    assert result.total_succeeded == 4, result.summary()
    assert sorted(a.filename for a in client.assets.list(dataset).items) == sorted(names)
    downloaded = client.assets.download(dataset, tmp_path / "out", show_progress=False)
    assert (downloaded.downloaded, downloaded.failed) == (4, 0), downloaded.summary()
    for name, data in originals.items():
        assert (tmp_path / "out" / dataset / name).read_bytes() == data


def test_f5_organizations_stay_apart_and_secrets_stay_secret(server: RunningServer, tmp_path: Path) -> None:
    a = Client(config_file=server.data_dir / "credentials.json")
    dataset = "tenant-" + uuid.uuid4().hex[:6]
    a.datasets.create(dataset, dataset_id=dataset)
    (tmp_path / "x.jpg").write_bytes(image_bytes("jpg"))
    a.assets.upload(dataset, tmp_path / "x.jpg", show_progress=False)
    (asset,) = a.assets.list(dataset, contents=True).items
    assert asset.contents is not None
    assert asset.contents.asset is not None
    url = asset.contents.asset.url
    creds_b = server.new_org()
    b = Client(creds_b["secret_key"], creds_b["organization_id"], server.endpoint)
    composite = f"{server.org}_{dataset}"  # B naming A's dataset outright
    for attempt in (
        lambda: b.assets.list(composite),
        lambda: b.assets.get(composite, asset.asset_id),
        lambda: b.assets.delete(composite, asset.asset_id),
        lambda: b.datasets.bulk_delete_assets(composite),
        lambda: b.assets.download(composite, tmp_path / "b-out", show_progress=False),
        lambda: b.assets.list(dataset),
        lambda: b.assets.delete(dataset, asset.asset_id),
    ):
        with pytest.raises((ViAuthenticationError, ViNotFoundError)):
            attempt()
    altered = url.replace(asset.asset_id, asset.asset_id[:-1] + ("0" if asset.asset_id[-1] != "0" else "1"))
    assert httpx.get(altered).status_code == 403  # B cannot re-aim a URL A obtained
    assert not (tmp_path / "b-out").exists() or not any((tmp_path / "b-out").rglob("*.jpg"))
    assert [x.asset_id for x in a.assets.list(dataset).items] == [asset.asset_id]  # A's data untouched
    raw = Api(server.endpoint, creds_b["organization_id"], creds_b["secret_key"])
    assert raw.http.get(f"/workspaces/{server.org}/datasets/{composite}/assets").status_code == 403
    log = (server.data_dir / "server.log").read_text()
    for secret in (server.key, creds_b["secret_key"]):
        assert secret not in log
    with pytest.raises(ViAuthenticationError) as caught:
        Client("dtvi_" + "q" * 98, server.org, server.endpoint).datasets.list()
    assert "dtvi_" not in str(caught.value)
    assert server.key not in repr(a)
