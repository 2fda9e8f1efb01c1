"""Scale runner: ``python runner_scale.py CREDS DATASET PATH [FILES]`` -> one JSON line.

Uploads a folder of many tiny files with vi_ext and reports the time from the call to the first
PUT (discovery, checksums and the first session included), the whole upload's wall time and the
process's peak RSS; given how many FILES the folder holds, also the peak RSS once half of them
were sent (``peak_rss_half_mb``).
"""

import json
import sys
import time

import vi_ext.upload
from vi_ext import Client


def peak_rss_mb():
    """This process's peak resident memory (VmHWM resets at exec, unlike ru_maxrss)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    creds, dataset, path = sys.argv[1:4]
    files = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    first_put: list[float] = []
    half: list[float] = []

    def progress(event):
        if files and not half and event.done_files >= files // 2:
            half.append(peak_rss_mb())

    real_put = vi_ext.upload.signed_put

    def timed_put(*args, **kwargs):
        if not first_put:
            first_put.append(time.perf_counter())
        return real_put(*args, **kwargs)

    vi_ext.upload.signed_put = timed_put
    client = Client(config_file=creds)
    start = time.perf_counter()
    cpu_start = time.process_time()
    result = client.assets.upload(
        dataset, path, wait_until_done=False, failure_mode="FailAfterAll", show_progress=False, progress=progress
    )
    out = {
        "ok": result.total_failed == 0,
        "items": result.total_files,
        "session_ids": result.session_ids,
        "seconds": time.perf_counter() - start,
        "first_put_seconds": first_put[0] - start if first_put else float("nan"),
        "cpu_op_seconds": time.process_time() - cpu_start,
        "peak_rss_mb": peak_rss_mb(),
        "peak_rss_half_mb": half[0] if half else float("nan"),
    }
    if result.total_failed:
        out["error"] = result.summary()[:300]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
