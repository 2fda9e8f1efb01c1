"""Ingestion's worker processes: a file that kills its worker is reported, the rest still ingest."""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image

from vi_server.blobs import Digests
from vi_server.inspect_image import Declared, Received, Verdict
from vi_server.inspect_pool import CRASHED, InspectPool, Job, Outcome


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
    assert (tmp_path / "blobs" / job.sha256[:2] / job.sha256[2:]).exists()  # adopted into the blob store
    assert (tmp_path / "blobs" / outcome.thumb_sha256[:2] / outcome.thumb_sha256[2:]).exists()
    assert not image.exists()
