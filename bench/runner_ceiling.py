"""Benchmark runner: the ceiling — the same HTTP calls with no SDK logic (httpx only)."""

import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

SOURCE = "assetSources/managed/datature/default"
WORKERS = 64


def peak_rss_mb():
    """This process's peak resident memory (VmHWM resets at exec, unlike ru_maxrss)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    scenario, creds_path, dataset, path = sys.argv[1:5]
    creds = json.loads(Path(creds_path).read_text())
    org = creds["organization_id"]
    limits = httpx.Limits(max_connections=WORKERS, max_keepalive_connections=WORKERS)
    api = httpx.Client(
        base_url=creds["endpoint"],
        limits=limits,
        timeout=300,
        headers={"Authorization": f"Bearer {creds['secret_key']}", "Organization-Id": org},
    )
    storage = httpx.Client(limits=limits, timeout=300)
    base = f"/workspaces/{org}/datasets/{org}_{dataset}"
    start = time.perf_counter()
    cpu_start = time.process_time()  # this process, all threads: the operation only, not start-up
    out = {"ok": True}
    if scenario.startswith("U"):
        files = sorted(p for p in Path(path).rglob("*") if p.is_file())
        mime = {".jpg": "image/jpeg", ".png": "image/png"}
        spec = {
            "assets": [
                {
                    "filename": p.relative_to(path).as_posix(),
                    "mime": mime[p.suffix],
                    "size": p.stat().st_size,
                    "crc32c": None,
                    "customMetadata": None,
                    "kind": "Image",
                }
                for p in files
            ],
            "kind": "Upload",
            "failureMode": "FailAfterAll",
            "onAssetOverwritten": "RemoveLinkedResource",
        }
        session = api.post(f"{base}/{SOURCE}/assetIngestionSessions", json={"spec": spec}).json()
        by_name = {p.relative_to(path).as_posix(): p for p in files}

        def put(item: dict) -> int:
            up = item["upload"]
            return storage.put(
                up["url"], content=by_name[item["metadata"]["filename"]].read_bytes(), headers=up["headers"]
            ).status_code

        with ThreadPoolExecutor(WORKERS) as pool:
            statuses = list(pool.map(put, session["status"]["assets"]))
        sid = session["assetIngestionSessionId"]
        out.update(items=len(files), session_ids=[sid], ok=all(s == 200 for s in statuses))
        if scenario != "U2":
            while True:
                got = api.get(f"{base}/{SOURCE}/assetIngestionSessions/{sid}").json()
                if got["status"]["conditions"][0]["status"] == "Reached":
                    break
                time.sleep(0.05)
    elif scenario.startswith("L"):
        count, token = 0, None
        while True:
            page = api.get(f"{base}/assets", params={"s": 1000, **({"p": token} if token else {})}).json()
            count += len(page["items"])
            token = page["nextPage"]
            if not token:
                break
        out["items"] = count
    elif scenario == "D1":
        items = api.get(f"{base}/assets", params={"s": 1000, "contents": "y"}).json()["items"]
        target = Path(path)

        def fetch(item: dict) -> None:
            dest = target / item["filename"]
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(storage.get(item["contents"]["asset"]["url"]).content)

        with ThreadPoolExecutor(WORKERS) as pool:
            list(pool.map(fetch, items))
        out["items"] = len(items)
    out["seconds"] = time.perf_counter() - start
    out["cpu_op_seconds"] = time.process_time() - cpu_start
    out["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
