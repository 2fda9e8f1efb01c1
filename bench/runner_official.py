"""Benchmark runner: the official vi-sdk 0.1.0b7, unchanged (compat venv, ``python -I``)."""

import json
import sys
import time
from pathlib import Path

import vi
from vi.api.types import PaginationParams


def peak_rss_mb():
    """This process's peak resident memory (VmHWM resets at exec, unlike ru_maxrss)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    scenario, creds, dataset, path = sys.argv[1:5]
    assert vi.__version__ == "0.1.0b7"
    client = vi.Client(config_file=creds)
    start = time.perf_counter()
    cpu_start = time.process_time()  # this process, all threads: the operation only, not start-up
    out = {"ok": True}
    try:
        if scenario.startswith("U"):
            wait = scenario != "U2"
            result = client.assets.upload(
                dataset_id=dataset, paths=path, wait_until_done=wait, failure_mode="FailAfterAll", show_progress=False
            )
            ids = list(result.session_ids)
            out.update(items=result.total_files, session_ids=ids)
            if wait:
                out["ok"] = result.total_succeeded == result.total_files and result.total_files > 0
        elif scenario.startswith("L"):
            count = 0
            for page in client.assets.list(dataset_id=dataset, pagination=PaginationParams(page_size=1000)):
                count += len(page.items)
            out["items"] = count
        elif scenario == "D1":
            result = client.assets.download(dataset_id=dataset, save_dir=path, show_progress=False)
            out["items"] = sum(1 for p in Path(result.save_dir).rglob("*") if p.is_file())
    except Exception as exc:  # the official client cannot do every scenario: record how it fails
        out.update(ok=False, error=f"{type(exc).__name__}: {exc}"[:300])
    out["seconds"] = time.perf_counter() - start
    out["cpu_op_seconds"] = time.process_time() - cpu_start
    out["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
