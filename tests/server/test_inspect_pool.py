"""Ingestion's worker processes: a file that kills its worker is reported, the rest still ingest;
a shutdown never turns waiting files into failures."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from PIL import Image

from vi_server.blobs import Digests
from vi_server.ingest import Ingestor
from vi_server.inspect_image import Declared, Received, Verdict
from vi_server.inspect_pool import CRASHED, InspectPool, Job, Outcome
from vi_server.state import ServerConfig, ServerState


def crash_on_poison(job: Job) -> Outcome:
    """Stands in for a decoder that segfaults on one hostile file."""
    if "poison" in job.staged:
        os._exit(139)
    return Outcome(Verdict(None, "", "image/png", 1, 1), "thumb-" + Path(job.staged).name)


def _job(tmp_path: Path, name: str) -> Job:
    staged = tmp_path / name
    staged.write_bytes(b"x")
    return Job(str(staged), Declared(1, None, "image/png", "Image"), Received(1, 0), "sha", 64, str(tmp_path))


def test_a_worker_crash_fails_only_the_file_that_causes_it(tmp_path: Path) -> None:
    pool = InspectPool(2, task=crash_on_poison)
    try:
        jobs = [_job(tmp_path, name) for name in ("a", "poison", "b", "c")]
        outcomes = pool.run(jobs)
        assert [o.thumb_sha256 for o in outcomes] == ["thumb-a", "", "thumb-b", "thumb-c"]
        assert outcomes[1].verdict == CRASHED
        assert outcomes[1].verdict.code == "ECORRUPT"
        assert not Path(jobs[1].staged).exists()  # the poison file is not kept in staging
        assert pool.run([_job(tmp_path, "d")])[0].thumb_sha256 == "thumb-d"  # the pool was rebuilt
    finally:
        pool.close()


def test_real_inspection_runs_in_the_workers(tmp_path: Path) -> None:
    image = tmp_path / "staged"
    Image.new("RGB", (40, 30), "red").save(image, "PNG")
    size = image.stat().st_size
    digests = Digests()
    digests.update(image.read_bytes())
    job = Job(str(image), Declared(size, None, "image/png", "Image"), Received(size, digests.crc32c_signed()),
              digests.sha256.hexdigest(), 16, str(tmp_path))  # fmt: skip
    pool = InspectPool(1)
    try:
        (outcome,) = pool.run([job])
    finally:
        pool.close()
    assert outcome.verdict.code is None
    assert (outcome.verdict.width, outcome.verdict.height) == (40, 30)
    # Nothing is stored by the worker: the bytes enter the blob store in the recording transaction.
    assert outcome.thumb_sha256 == hashlib.sha256(outcome.verdict.thumbnail).hexdigest()
    assert not (tmp_path / "blobs").exists()
    assert image.exists()


def test_a_stopping_server_takes_no_new_work_and_fails_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # On SIGTERM the pool shuts down while files wait; they must be resumed by the next start,
    # never recorded as EUNKNOWN because the pool was already gone.
    ingestor = Ingestor(ServerState(ServerConfig(data_dir=tmp_path)))
    batches: list[list[tuple[str, int]]] = []

    def pool_gone(batch: list[tuple[str, int]]) -> None:
        batches.append(batch)
        ingestor.stopping.set()
        raise RuntimeError("cannot schedule new futures after shutdown")

    def no_recording() -> None:
        raise AssertionError("nothing may be recorded as failed while stopping")

    monkeypatch.setattr(ingestor, "ingest_batch", pool_gone)
    monkeypatch.setattr(ingestor.state.db, "tx", no_recording)
    ingestor.enqueue("s", 1)
    ingestor._work()  # the batch fails because of the shutdown: left alone
    ingestor.enqueue("s", 2)
    ingestor._work()  # stopping: not even taken
    assert batches == [[("s", 1)]]
    ingestor.pool.close()
