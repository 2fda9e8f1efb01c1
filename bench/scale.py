"""The scale scenarios of issue 17: many tiny files, and sharded uploads on 1 vs 2 Dask worker processes.

- **S1**: time from the ``upload`` call to the first PUT, and the client's peak RSS, for a folder of
  ``scale_files`` tiny PNGs (a fresh subprocess, like the other runners), and the same for a tenth
  of them. Peak RSS follows the largest session (`vi_ext.upload_feed.batch_sizes`: 250, 500, … up
  to 10 000 files; a tenth never reaches 10 000), so the runner also notes the peak once half of
  the files were sent: its rise over the second half of one upload is what grows with the files.
- **S2**: files/s of ``vi_ext.distributed.upload`` on a ``LocalCluster`` with 1 and with 2 worker
  processes (cluster start-up not counted), ``dask_files`` tiny PNGs in shards of an eighth each.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image

from vi_ext import distributed
from vi_ext.upload import batch_sizes

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"


def tiny_png() -> bytes:
    """An 8x8 PNG of about a hundred bytes."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 90)).save(out, "PNG")
    return out.getvalue()


def tiny_folder(count: int) -> Path:
    """A cached folder of ``count`` tiny PNGs, a thousand per sub-folder."""
    folder = CACHE / f"tiny-{count}"
    done = folder.with_name(folder.name + ".complete")
    if done.exists():
        return folder
    data = tiny_png()
    for i in range(count):
        sub = folder / f"part-{i // 1000:03d}"
        if i % 1000 == 0:
            sub.mkdir(parents=True, exist_ok=True)
        (sub / f"t-{i:06d}.png").write_bytes(data)
    done.touch()
    return folder


def first_put(creds: str, dataset: str, folder: Path, files: int = 0) -> dict[str, Any]:
    """One S1 run in a fresh subprocess (see `bench.runner_scale`; ``files``: how many the folder holds)."""
    with tempfile.TemporaryDirectory(prefix="vi-bench-") as cwd:
        done = subprocess.run([sys.executable, str(HERE / "runner_scale.py"), creds, dataset, str(folder), str(files)],
                              cwd=cwd,
                              env={**os.environ, "PYTHONPATH": str(HERE.parent)}, capture_output=True, text=True,
                              timeout=3600, check=False)  # fmt: skip
    line = next((ln for ln in reversed(done.stdout.splitlines()) if ln.startswith("{")), None)
    if line is None:
        return {"ok": False, "error": (done.stderr or "no output").strip()[-300:]}
    result: dict[str, Any] = json.loads(line)
    return result


def dask_rate(creds: str, dataset: str, folder: Path, workers: int, shard_size: int) -> dict[str, Any]:
    """One S2 run: a new LocalCluster with ``workers`` processes uploads ``folder`` in shards."""
    dd: Any = importlib.import_module("distributed")
    cluster = dd.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                              host="127.0.0.1")  # fmt: skip
    client = dd.Client(cluster)
    try:
        started = time.perf_counter()
        result = distributed.upload(dataset, folder, config_file=creds, dask_client=client, shard_size=shard_size,
                                    wait_until_done=False, failure_mode="FailAfterAll")  # fmt: skip
        seconds = time.perf_counter() - started
    finally:
        client.close()
        cluster.close()
    return {"ok": result.total_failed == 0, "items": result.total_files, "seconds": seconds,
            "session_ids": result.session_ids, "error": "" if not result.total_failed else result.summary()[:300]}  # fmt: skip


def run_scale(
    creds: str, new_dataset: Callable[[str], str], settle: Callable[[list[str], str], None], scale_files: int,
    dask_files: int,
) -> list[dict[str, Any]]:  # fmt: skip
    """S1 at ``scale_files`` and a tenth of it, then S2 with 1 and 2 workers; one dict per run."""
    rows: list[dict[str, Any]] = []
    for count in (max(1, scale_files // 10), scale_files):
        ds = new_dataset("s1")
        row = {"scenario": "S1", "files": count, **first_put(creds, ds, tiny_folder(count), count)}
        settle(row.get("session_ids") or [], ds)
        rows.append(row)
        print(json.dumps(row | {"session_ids": len(row.get("session_ids") or [])}), flush=True)
    folder = tiny_folder(dask_files)
    for workers in (1, 2):
        ds = new_dataset("s2")
        row = {"scenario": "S2", "workers": workers, "files": dask_files,
               **dask_rate(creds, ds, folder, workers, max(1, dask_files // 8))}  # fmt: skip
        settle(row.get("session_ids") or [], ds)
        rows.append(row)
        print(json.dumps(row | {"session_ids": len(row.get("session_ids") or [])}), flush=True)
    return rows


def largest_session(files: int, batch_size: int = 10_000) -> int:
    """The most files one session of an upload of ``files`` holds (the last batch is cut short) (pure)."""
    sizes = batch_sizes(batch_size, files)
    sizes[-1] -= sum(sizes) - files
    return max(sizes, default=0)


def memory_line(small: dict[str, Any], big: dict[str, Any]) -> str:
    """The S1 memory verdict: the rise of peak RSS over the second half of the larger upload decides "flat" (pure)."""
    ramp = (big["peak_rss_mb"] - small["peak_rss_mb"]) / max(1, big["files"] - small["files"]) * 1024
    text = (
        f"- Memory: peak RSS {small['peak_rss_mb']:.0f} MB at {small['files']:,} files, {big['peak_rss_mb']:.0f} MB at "
        f"{big['files']:,} (no wait; largest session {largest_session(small['files']):,} and "
        f"{largest_session(big['files']):,} files): {ramp:,.2f} KB per added file, mostly the larger sessions (a "
        "session's signed URLs, its files and the next chunk are held while it is sent: memory is bounded by "
        "`batch_size`)."
    )
    half = big.get("peak_rss_half_mb")
    if isinstance(half, (int, float)) and half == half:
        alone = (big["peak_rss_mb"] - half) / max(1, big["files"] - big["files"] // 2) * 1024
        text += (
            f" Within the {big['files']:,}-file upload, peak RSS was {half:.0f} MB once half of the files were "
            f"sent: {alone:,.2f} KB per file over the second half ({'flat' if alone < 0.1 else 'not flat'} in the "
            "number of files)."
        )
    return text


def scale_lines(rows: list[dict[str, Any]], cpus: int) -> list[str]:
    """The "Scale" section of results.md (honest: every run, failures included)."""
    nan = float("nan")
    lines = ["", "## Scale (issue 17)", "", "| scenario | files | workers | time to first PUT s | wall s | files/s "
             "| peak RSS MB | |", "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in rows:
        secs = float(r.get("seconds", nan))
        rate = r["files"] / secs if secs == secs and secs else nan
        first = float(r.get("first_put_seconds", nan))
        rss = float(r.get("peak_rss_mb", nan))
        lines.append(
            f"| {r['scenario']} | {r['files']:,} | {r.get('workers', '—')} | {'—' if first != first else f'{first:.2f}'}"
            f" | {secs:.1f} | {'—' if rate != rate else f'{rate:,.0f}'} | {'—' if rss != rss else f'{rss:.0f}'}"
            f" | {'ok' if r.get('ok') else 'failed: ' + str(r.get('error', ''))[:80]} |"
        )
    s1 = [r for r in rows if r["scenario"] == "S1" and r.get("ok")]
    s2 = {r["workers"]: r for r in rows if r["scenario"] == "S2" and r.get("ok")}
    lines += ["", "- **S1**: `assets.upload` of a folder of tiny PNGs (no wait), in a fresh process: time from the call"
              " to the first PUT, the upload's wall time, and the process's peak RSS.",
              "- **S2**: `vi_ext.distributed.upload` on a Dask `LocalCluster` with 1 and 2 worker processes"
              " (cluster start-up not counted; no wait). The reference server runs on the same machine "
              f"({cpus} CPUs), so the workers compete with it for CPU."]  # fmt: skip
    if len(s1) == 2:
        small, big = s1
        lines.append(memory_line(small, big))
        verdict = "met" if big.get("first_put_seconds", nan) <= 2 else "not met"
        lines.append(f"- Target: first PUT within 2 s at {big['files']:,} files: {verdict}.")
    if 1 in s2 and 2 in s2:
        speedup = (s2[2]["files"] / s2[2]["seconds"]) / (s2[1]["files"] / s2[1]["seconds"])
        lines.append(f"- 2 vs 1 worker processes: {speedup:.2f}× the files/s.")
    return lines
