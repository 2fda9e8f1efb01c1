"""Issue 14.3: decoding is bounded in memory and time, files are refused with ENOQUOTA, and
metadata comes from what actually decodes. The bomb files are built here, byte by byte."""

from __future__ import annotations

import io
import queue
import struct
import time
import uuid
import zlib
from pathlib import Path

import pytest
from PIL import Image

from tests.helpers.images import image_bytes
from tests.helpers.server_harness import Api, RunningServer
from vi_server.blobs import Digests
from vi_server.inspect_image import Declared, Received, decode
from vi_server.inspect_pool import InspectPool, Job
from vi_server.limits import Limits


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(width: int, height: int) -> bytes:
    """A 1-bit PNG of zeros: tiny on disk (~194 KB for 40 000²), huge once decoded."""
    packer = zlib.compressobj(9)
    row = b"\0" * (1 + (width + 7) // 8)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def gif_bomb(width: int, height: int) -> bytes:
    """A GIF of a few dozen bytes whose screen and frame claim ``width`` x ``height``."""
    screen = struct.pack("<HHBBB", width, height, 0, 0, 0)
    frame = b"," + struct.pack("<HHHHB", 0, 0, width, height, 0)
    return b"GIF89a" + screen + frame + b"\x02\x02\x44\x01\x00;"


def jpeg_claiming(width: int, height: int) -> bytes:
    """An 8x8 JPEG whose frame header claims ``width`` x ``height``."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "JPEG")
    data = bytearray(out.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def apng_claiming(frames: int) -> bytes:
    """A two-frame APNG whose animation control chunk claims ``frames`` frames."""
    out = io.BytesIO()
    first, second = Image.new("RGB", (4, 4), "red"), Image.new("RGB", (4, 4), "blue")
    first.save(out, "PNG", save_all=True, append_images=[second])
    data = bytearray(out.getvalue())
    at = data.index(b"acTL")
    data[at + 4 : at + 8] = struct.pack(">I", frames)
    data[at + 12 : at + 16] = struct.pack(">I", zlib.crc32(bytes(data[at : at + 12])) & 0xFFFFFFFF)
    return bytes(data)


def half_jpeg_with_eoi() -> bytes:
    data = image_bytes("jpg", (640, 480), seed=5)
    return data[: len(data) // 2] + b"\xff\xd9"


def _decode(tmp_path: Path, data: bytes, limits: Limits | None = None) -> tuple[str | None, str, int, int, int]:
    path = tmp_path / f"f-{uuid.uuid4().hex}"
    path.write_bytes(data)
    verdict = decode(path, 64, limits or Limits())
    return verdict.code, verdict.message, verdict.width, verdict.height, verdict.frames


@pytest.mark.parametrize(
    "data",
    [png_bomb(40_000, 40_000), gif_bomb(40_000, 40_000), jpeg_claiming(40_000, 40_000), png_bomb(9000, 9000)],
    ids=["png 40000^2", "gif 40000^2", "jpeg 40000^2", "png 9000^2 (just over the budget)"],
)
def test_images_over_the_pixel_budget_are_refused_before_decoding(tmp_path: Path, data: bytes) -> None:
    started = time.monotonic()
    code, message, *_ = _decode(tmp_path, data)
    assert code == "ENOQUOTA"
    assert "budget" in message
    assert time.monotonic() - started < 2


def test_the_pixel_budget_is_configurable(tmp_path: Path) -> None:
    data = image_bytes("png", (300, 200), seed=1)
    assert _decode(tmp_path, data)[0] is None
    assert _decode(tmp_path, data, Limits(max_image_pixels=50_000))[0] == "ENOQUOTA"


def test_metadata_comes_from_what_decodes(tmp_path: Path) -> None:
    assert _decode(tmp_path, jpeg_claiming(4000, 4000))[0] == "ECORRUPT"  # 8x8 of data, 4000² claimed
    assert _decode(tmp_path, half_jpeg_with_eoi())[0] == "ECORRUPT"
    code, _, _, _, frames = _decode(tmp_path, apng_claiming(2**31 - 1))
    assert (code, frames) != (None, 2**31 - 1)
    assert code == "ECORRUPT"
    good = _decode(tmp_path, apng_claiming(2))
    assert (good[0], good[2:]) == (None, (4, 4, 2))
    assert _decode(tmp_path, image_bytes("gif", (30, 20), seed=2))[2:] == (30, 20, 3)
    assert _decode(tmp_path, image_bytes("jpg", (640, 480), seed=3))[:1] == (None,)  # complete JPEGs still pass


def test_frames_count_against_the_decoded_pixel_budget(tmp_path: Path) -> None:
    data = image_bytes("gif", (100, 100), seed=4)  # 3 frames = 30 000 pixels
    assert _decode(tmp_path, data, Limits(max_decoded_pixels=30_000))[0] is None
    code, message, *_ = _decode(tmp_path, data, Limits(max_decoded_pixels=25_000))
    assert code == "ENOQUOTA"
    assert "frames" in message


def _job(path: Path, data: bytes) -> Job:
    path.write_bytes(data)
    digests = Digests()
    digests.update(data)
    declared = Declared(len(data), None, "image/png", "Image")
    received = Received(len(data), digests.crc32c_signed())
    return Job(str(path), declared, received, digests.sha256.hexdigest(), 64, str(path.parent))


def test_a_worker_decodes_under_a_memory_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 6000 x 6000 RGB needs ~108 MB decoded: within the pixel budget, over a 40 MB memory cap.
    big = io.BytesIO()
    Image.new("RGB", (6000, 6000), "white").save(big, "PNG")
    monkeypatch.setenv("VI_SERVER_DECODE_MEMORY_BYTES", str(40 << 20))
    pool = InspectPool(1)
    try:
        (outcome,) = pool.run([_job(tmp_path / "big.png", big.getvalue())])
        assert outcome.verdict.code == "ENOQUOTA"
        assert "memory" in outcome.verdict.message
        (small,) = pool.run([_job(tmp_path / "small.png", image_bytes("png", (64, 48), seed=6))])
        assert small.verdict.code is None  # the same worker goes on decoding small files
    finally:
        pool.close()


def test_a_worker_decodes_under_a_time_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = io.BytesIO()
    Image.effect_noise((4000, 4000), 60).save(big, "PNG")  # noise: slow to inflate
    monkeypatch.setenv("VI_SERVER_DECODE_SECONDS", "0.02")
    pool = InspectPool(1)
    try:
        (outcome,) = pool.run([_job(tmp_path / "slow.png", big.getvalue())])
    finally:
        pool.close()
    assert outcome.verdict.code == "ENOQUOTA"
    assert "longer than" in outcome.verdict.message


def test_bombs_are_refused_and_do_not_stall_another_organization(server: RunningServer) -> None:
    attacker = Api(server.endpoint, server.org, server.key)
    creds = server.new_org()
    victim = Api(server.endpoint, creds["organization_id"], creds["secret_key"])
    bad_ds, good_ds = f"bombs-{uuid.uuid4().hex[:6]}", f"calm-{uuid.uuid4().hex[:6]}"
    attacker.create_dataset(bad_ds)
    victim.create_dataset(good_ds)
    bombs = [(f"b{i}.png", png_bomb(40_000, 40_000)) for i in range(3)]
    bombs += [(f"g{i}.gif", gif_bomb(40_000, 40_000)) for i in range(3)]
    session = attacker.create_session(bad_ds, bombs)
    attacker.put_all(session, bombs)
    started = time.monotonic()
    done = victim.upload(
        good_ds,
        [("one.png", image_bytes("png", seed=9))],
    )
    assert done["status"]["progressCount"]["succeeded"] == 1
    assert time.monotonic() - started < 10
    final = attacker.wait(bad_ds, session["assetIngestionSessionId"])
    (errors,) = [e for e in final["status"]["events"] if e["kind"] == "Error"]
    assert set(errors["files"].values()) == {"ENOQUOTA"}
    assert len(errors["files"]) == 6


def test_the_ingestion_queue_serves_sessions_in_turn() -> None:
    from vi_server.fair_queue import FairQueue

    q = FairQueue()
    for idx in range(5):
        q.put(("busy", idx))
    q.put(("small", 0))
    q.put(("other", 0))
    q.put(("other", 1))
    order = [q.get_nowait() for _ in range(q.qsize())]
    assert order[:4] == [("busy", 0), ("small", 0), ("other", 0), ("busy", 1)]
    assert [i for i in order if i and i[0] == "busy"] == [("busy", n) for n in range(5)]  # FIFO within a session
    q.put(None)
    assert q.get() is None
    with pytest.raises(queue.Empty):
        q.get_nowait()
