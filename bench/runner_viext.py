"""Benchmark runner: vi_ext. ``python runner_viext.py SCENARIO CREDS DATASET PATH`` -> one JSON line."""

import json
import sys
import time
from pathlib import Path

from vi_ext import Client, PaginationParams


def peak_rss_mb():
    """This process's peak resident memory (VmHWM resets at exec, unlike ru_maxrss)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    scenario, creds, dataset, path = sys.argv[1:5]
    client = Client(config_file=creds)
    start = time.perf_counter()
    cpu_start = time.process_time()  # this process, all threads: the operation only, not start-up
    out: dict[str, object] = {"ok": True}
    if scenario.startswith("U"):
        wait = scenario != "U2"
        result = client.assets.upload(
            dataset, path, wait_until_done=wait, failure_mode="FailAfterAll", show_progress=False
        )
        out |= {"items": result.total_files, "failed": result.total_failed, "session_ids": result.session_ids}
        out["ok"] = result.total_failed == 0
    elif scenario.startswith("L"):
        count = sum(1 for _ in client.assets.list(dataset, pagination=PaginationParams(page_size=1000)).all_items())
        out["items"] = count
    elif scenario == "D1":
        result = client.assets.download(dataset, Path(path), show_progress=False)
        out |= {"items": result.downloaded, "ok": result.failed == 0}
    out["seconds"] = time.perf_counter() - start
    out["cpu_op_seconds"] = time.process_time() - cpu_start
    out["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
