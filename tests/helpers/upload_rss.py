"""Peak RSS growth of one upload of N tiny files, against an in-process fake or the reference server.

``python -m tests.helpers.upload_rss N FOLDER`` prints one JSON line: ``{"growth_mb": …, "files": …}``.
The network is replaced by fakes (a session that is created and finished at once, PUTs that succeed
without I/O), so what is measured is the client's own bookkeeping: discovery, checks, batching, result.

``python -m tests.helpers.upload_rss --server N FOLDER`` uploads a folder of N tiny PNGs to a
reference server (started here) without waiting, ``SERVER_BATCH`` files per session, and prints
the peak RSS once ``WARM`` files were sent (every later batch is as large) and at the end: with
real HTTP, sixteen threads and their malloc arenas, what a long no-wait upload really costs.
"""

from __future__ import annotations

import io
import json
import sys
import tempfile
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx

import vi_ext.upload
from tests.helpers.fake_vi import KEY, ORG
from vi_ext import Client


def _kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _session(sid: str, total: int) -> Any:
    condition = SimpleNamespace(condition="Finished", status="Reached")
    status = SimpleNamespace(
        assets=None, conditions=[condition], events=[],
        progressCount=SimpleNamespace(total=total, succeeded=total, errored=0),
        errors=dict, corrections=dict,
    )  # fmt: skip
    return SimpleNamespace(
        asset_ingestion_session_id=sid, ingestion_id=sid, spec=SimpleNamespace(assets=None),
        status=status, is_finished=True,
    )  # fmt: skip


def install_fakes(monkeypatch: Any) -> Any:
    """Replace the network of `Uploader` by fakes (with ``monkeypatch`` when given); return the fake ``create_session``."""
    sessions: dict[str, int] = {}

    def create_session(self: Any, dataset: str, files: list[Any], *rest: Any) -> Any:
        sid = f"s{len(sessions)}"
        sessions[sid] = len(files)
        return _session(sid, len(files))

    def send(self: Any, f: Any, *rest: Any) -> None:
        self._sent(f)

    def get_session(self: Any, dataset: str, sid: str) -> Any:
        return _session(sid, sessions[sid])

    def no_names(*args: Any) -> set[str]:
        return set()

    targets: list[tuple[Any, str, Any]] = [
        (vi_ext.upload.Uploader, "create_session", create_session),
        (vi_ext.upload.Uploader, "_send", send),
        (vi_ext.upload.Uploader, "get_session", get_session),
    ]
    for module in ("vi_ext.upload", "vi_ext.upload_feed"):
        if module in sys.modules and hasattr(sys.modules[module], "existing_names"):
            targets.append((sys.modules[module], "existing_names", no_names))
    for owner, name, value in targets:
        if monkeypatch is not None:
            monkeypatch.setattr(owner, name, value)
        else:
            setattr(owner, name, value)
    return create_session


def client() -> Client:
    """A client whose own HTTP calls all fail (the fakes answer instead)."""
    return Client(KEY, ORG, "http://vi.test", transport=httpx.MockTransport(lambda r: httpx.Response(500)))


SERVER_BATCH = 2_000
WARM = 8_000  # past the fourth session, the first of `SERVER_BATCH` files


def tiny_pngs(folder: Path, count: int) -> Path:
    """``count`` valid 8x8 PNGs under ``folder``, a thousand per sub-folder."""
    from PIL import Image  # the server's own dependency

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 90)).save(out, "PNG")
    data = out.getvalue()
    for i in range(count):
        sub = folder / f"part-{i // 1000:03d}"
        if i % 1000 == 0:
            sub.mkdir(parents=True)
        (sub / f"t-{i:06d}.png").write_bytes(data)
    return folder


def against_server(count: int, folder: Path) -> dict[str, Any]:
    """One no-wait upload of ``count`` tiny PNGs to a reference server: peak RSS at `WARM` files and at the end."""
    from vi_server.testing.process import RunningServer

    files = tiny_pngs(folder / "files", count)
    server = RunningServer(Path(tempfile.mkdtemp(prefix="vi-rss-", dir=folder))).start()
    try:
        dataset = f"rss-{uuid.uuid4().hex[:8]}"
        created = httpx.post(
            f"{server.endpoint}/workspaces/{server.org}/datasets", json={"name": dataset, "datasetId": dataset},
            headers={"Authorization": f"Bearer {server.key}", "Organization-Id": server.org}, timeout=60,
        )  # fmt: skip
        created.raise_for_status()
        warm: list[int] = []

        def progress(event: Any) -> None:
            if not warm and event.done_files >= WARM:
                warm.append(_kib("VmHWM"))

        with Client(server.key, server.org, server.endpoint) as client_:
            result = client_.assets.upload(
                dataset, files, wait_until_done=False, failure_mode="FailAfterAll", show_progress=False,
                progress=progress, batch_size=SERVER_BATCH,
            )  # fmt: skip
        end = _kib("VmHWM")
    finally:
        server.stop()
    return {"files": result.total_files, "failed": result.total_failed, "hwm_warm_mb": round(warm[0] / 1024, 1),
            "hwm_end_mb": round(end / 1024, 1), "growth_mb": round((end - warm[0]) / 1024, 1)}  # fmt: skip


def main() -> None:
    if sys.argv[1] == "--server":
        print(json.dumps(against_server(int(sys.argv[2]), Path(sys.argv[3]))))
        return
    count, folder = int(sys.argv[1]), Path(sys.argv[2])
    manifest = folder / "manifest.jsonl"
    with manifest.open("w") as out:
        for i in range(count):
            sub = folder / f"d{i // 10_000}"
            if i % 10_000 == 0:
                sub.mkdir()
            (sub / f"{i}.png").write_bytes(b"\x89PNG")
            out.write(json.dumps({"path": f"d{i // 10_000}/{i}.png", "filename": f"{i}.png", "size": 4}) + "\n")
    install_fakes(None)
    client_ = client()
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    baseline = _kib("VmRSS")
    result = client_.assets.upload(
        "data", manifest=manifest, failure_mode="FailAfterAll", show_progress=False, batch_size=1000
    )
    growth = (_kib("VmHWM") - baseline) / 1024
    print(json.dumps({"growth_mb": round(growth, 1), "files": result.total_files,
                      "succeeded": result.total_succeeded, "failed": result.total_failed}))  # fmt: skip


if __name__ == "__main__":
    main()
