"""Benchmark runner: vi_ext's `AsyncClient`. ``python runner_async.py SCENARIO CREDS DATASET PATH`` -> one JSON line.

The same scenarios and options as ``runner_viext.py``, awaited in one event loop (U1, U2, U3, L1, D1).
"""

import asyncio
import json
import sys
import time
from pathlib import Path

from vi_ext import AsyncClient, PaginationParams


def peak_rss_mb():
    """This process's peak resident memory (VmHWM resets at exec, unlike ru_maxrss)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def run(scenario: str, creds: str, dataset: str, path: str) -> dict[str, object]:
    out: dict[str, object] = {"ok": True}
    async with AsyncClient(config_file=creds) as client:
        start = time.perf_counter()
        cpu_start = time.process_time()  # this process, all threads: the operation only, not start-up
        if scenario.startswith("U"):
            wait = scenario != "U2"
            result = await client.assets.upload(
                dataset, path, wait_until_done=wait, failure_mode="FailAfterAll", show_progress=False
            )
            out |= {"items": result.total_files, "failed": result.total_failed, "session_ids": result.session_ids}
            out["ok"] = result.total_failed == 0
        elif scenario.startswith("L"):
            first = await client.assets.list(dataset, pagination=PaginationParams(page_size=1000))
            count = 0
            async for _ in first.all_items():
                count += 1
            out["items"] = count
        elif scenario == "D1":
            result = await client.assets.download(dataset, Path(path), show_progress=False)
            out |= {"items": result.downloaded, "ok": result.failed == 0}
        else:
            return {"ok": False, "error": f"the async runner has no scenario {scenario}"}
        out["seconds"] = time.perf_counter() - start
        out["cpu_op_seconds"] = time.process_time() - cpu_start
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def main() -> None:
    scenario, creds, dataset, path = sys.argv[1:5]
    print(json.dumps(asyncio.run(run(scenario, creds, dataset, path))))


if __name__ == "__main__":
    main()
