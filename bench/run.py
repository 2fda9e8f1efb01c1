"""`make bench` / `make bench-quick`: vi_ext vs the official client vs a no-SDK ceiling.

Each measurement is a fresh subprocess (CPU seconds and peak RSS from ``os.wait4``); runners
alternate order across repetitions; the reference server runs on loopback with a fresh data dir.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from bench.report import write_report
from bench.scale import run_scale
from tools.compat import ensure_venv
from vi_ext import Client
from vi_server.testing.process import RunningServer
from vi_server.testing.seed import seed_assets

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
RUNNERS = ("vi_ext", "vi_ext_async", "official", "ceiling")
RUNNER_FILES = {"vi_ext": "runner_viext.py", "vi_ext_async": "runner_async.py", "ceiling": "runner_ceiling.py"}
ASYNC_SCENARIOS = ("U1", "U2", "U3", "L1", "D1")  # what the AsyncClient runner measures
SMALL_SIDE = 260  # 260x195 noise JPEGs at quality 85: ~30 KB each


@dataclass(frozen=True)
class Sizes:
    """How big each scenario is."""

    small_files: int
    large_files: int
    large_side: int
    listing: int
    listing_small: int
    downloads: int
    reps: int
    scale_files: int = 100_000  # S1: tiny files in one folder (time to first PUT, peak RSS)
    dask_files: int = 10_000  # S2: files/s of 1 vs 2 Dask worker processes


FULL = Sizes(
    small_files=2000, large_files=100, large_side=1830, listing=100_000, listing_small=10_000, downloads=1000, reps=3
)
QUICK = Sizes(
    small_files=40,
    large_files=3,
    large_side=500,
    listing=2_500,
    listing_small=1_000,
    downloads=40,
    reps=1,
    scale_files=1_000,
    dask_files=200,
)


@dataclass
class Measurement:
    """One run of one runner."""

    scenario: str
    runner: str
    rep: int
    ok: bool
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    items: int | None
    megabytes: float
    error: str = ""
    cpu_op_seconds: float = float("nan")  # the runner's own CPU time over the operation (no start-up)


def images(kind: str, count: int, side: int) -> Path:
    """Cached folders of real images: ~30 KB JPEGs (small) or ~5 MB PNGs (large)."""
    folder = CACHE / f"{kind}-{count}-{side}"
    done = folder.with_name(folder.name + ".complete")
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        sub = folder / f"part-{i % 10}"
        sub.mkdir(exist_ok=True)
        if kind == "small":
            image = Image.effect_noise((side, side * 3 // 4), 25 + i % 40).convert("RGB")
            image.save(sub / f"img-{i:05d}.jpg", "JPEG", quality=85)
        else:
            image = Image.effect_noise((side, side), 60 + i % 20).convert("RGB")
            out = io.BytesIO()
            image.save(out, "PNG", compress_level=1)
            (sub / f"big-{i:04d}.png").write_bytes(out.getvalue())
    done.touch()
    return folder


def folder_megabytes(folder: Path) -> float:
    """Total size of the image files in ``folder``."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")) / 1e6


class Bench:
    """Server, credentials and the three runners."""

    def __init__(self, server: RunningServer, official_python: Path) -> None:
        self.server = server
        self.creds = str(server.data_dir / "credentials.json")
        self.official_python = official_python
        self.http = httpx.Client(
            base_url=server.endpoint,
            timeout=60,
            headers={"Authorization": f"Bearer {server.key}", "Organization-Id": server.org},
        )

    def dataset(self, prefix: str) -> str:
        ds = f"{prefix}-{uuid.uuid4().hex[:8]}"
        assert (
            self.http.post(f"/workspaces/{self.server.org}/datasets", json={"name": ds, "datasetId": ds}).status_code
            == 201
        )
        return ds

    def command(self, runner: str, args: list[str]) -> list[str]:
        if runner == "official":
            return [str(self.official_python), "-I", str(HERE / "runner_official.py"), *args]
        return [sys.executable, str(HERE / RUNNER_FILES[runner]), *args]

    def measure(self, scenario: str, runner: str, rep: int, dataset: str, path: str, megabytes: float) -> Measurement:
        with tempfile.TemporaryDirectory(prefix="vi-bench-") as cwd:
            env = {**os.environ, "PYTHONPATH": str(HERE.parent)} if runner != "official" else {
                **{k: v for k, v in os.environ.items() if not k.startswith("PYTHON")},
                "DATATURE_VI_API_ENDPOINT": self.server.endpoint,  # the official client reads no endpoint from files
            }  # fmt: skip
            started = time.perf_counter()
            proc = subprocess.Popen(self.command(runner, [scenario, self.creds, dataset, path]), cwd=cwd, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - started
            stdout, stderr = proc.stdout.read() if proc.stdout else "", proc.stderr.read() if proc.stderr else ""
        line = next((ln for ln in reversed(stdout.splitlines()) if ln.startswith("{")), None)
        data: dict[str, Any] = (
            json.loads(line) if line else {"ok": False, "error": (stderr or "no output").strip()[-300:]}
        )
        self.settle(data.get("session_ids") or [], dataset)
        return Measurement(
            scenario, runner, rep, bool(data.get("ok")) and os.waitstatus_to_exitcode(status) == 0,
            float(data.get("seconds", wall)), usage.ru_utime + usage.ru_stime, float(data.get("peak_rss_mb", "nan")),
            data.get("items"), megabytes, str(data.get("error", "")), float(data.get("cpu_op_seconds", "nan")),
        )  # fmt: skip

    def settle(self, session_ids: list[str], dataset: str, timeout: float = 600) -> None:
        """Wait (unmeasured) until the server finished ingesting, so runs do not overlap."""
        base = (
            f"/workspaces/{self.server.org}/datasets/{self.server.org}_{dataset}/assetSources/managed/datature/default"
        )
        deadline = time.monotonic() + timeout
        for sid in session_ids:
            while time.monotonic() < deadline:
                got = self.http.get(f"{base}/assetIngestionSessions/{sid}").json()
                if got["status"]["conditions"][0]["status"] == "Reached":
                    break
                time.sleep(0.1)


SCENARIOS = ("U1", "U2", "U3", "L1", "L1-10k", "D1", "U1-w2", "U2-w2", "D1-w2", "S")  # S: scale (bench/scale.py)
MULTI_WORKER_SUFFIX = "-w"  # U1-w2: U1 against `serve --workers 2`


def server_workers(scenario: str) -> int:
    """How many HTTP worker processes the server of ``scenario`` runs (``U2-w2`` -> 2, ``U2`` -> 1)."""
    head, sep, tail = scenario.rpartition(MULTI_WORKER_SUFFIX)
    return int(tail) if sep and head and tail.isdigit() else 1


def base_scenario(scenario: str) -> str:
    """The scenario a runner performs (``U2-w2`` -> ``U2``, ``L1-10k`` -> ``L1``)."""
    return scenario.split("-")[0]


def takes_part(runner: str, scenario: str, runners: tuple[str, ...]) -> bool:
    """Whether ``runner`` is measured in ``scenario`` (L1-10k: vi_ext only, to show its memory is flat)."""
    if runner not in runners:
        return False
    if scenario == "L1-10k":
        return runner == "vi_ext"
    return runner != "vi_ext_async" or base_scenario(scenario) in ASYNC_SCENARIOS


def run(
    sizes: Sizes, out: Path, scenarios: tuple[str, ...] = SCENARIOS, runners: tuple[str, ...] = RUNNERS
) -> tuple[list[Measurement], list[dict[str, Any]]]:
    """The chosen scenarios and runners, ``sizes.reps`` times, alternating the order; then the scale rows.

    Scenarios are grouped by the server they need: one with a single process, one with
    ``--workers 2`` (each on a fresh data dir). The scale scenarios run on the single-process one.
    """
    official = ensure_venv()
    small = images("small", sizes.small_files, SMALL_SIDE)
    large = images("large", sizes.large_files, sizes.large_side)
    results: list[Measurement] = []
    scale: list[dict[str, Any]] = []
    for workers in sorted({server_workers(s) for s in scenarios}):
        chosen = tuple(s for s in scenarios if server_workers(s) == workers)
        measured, scaled = _run_on_server(sizes, chosen, runners, workers, official, small, large)
        results += measured
        scale += scaled
    out.with_suffix(".json").write_text(json.dumps([asdict(m) for m in results], indent=1))
    if scale:
        out.with_name(out.stem + "-scale.json").write_text(json.dumps(scale, indent=1))
    return results, scale


def _run_on_server(sizes: Sizes, scenarios: tuple[str, ...], runners: tuple[str, ...], workers: int,
                   official: Path, small: Path, large: Path) -> tuple[list[Measurement], list[dict[str, Any]]]:  # fmt: skip
    results: list[Measurement] = []
    scale: list[dict[str, Any]] = []
    suffix = "" if workers == 1 else f"{MULTI_WORKER_SUFFIX}{workers}"
    extra = [] if workers == 1 else ["--workers", str(workers)]
    with tempfile.TemporaryDirectory(prefix="vi-bench-server-") as data:
        server = RunningServer(Path(data), *extra).start()
        try:
            bench = Bench(server, official)
            listing = bench.dataset("list")
            if "L1" in scenarios:
                seed_assets(server.data_dir, server.org, listing, sizes.listing)
            listing_small = bench.dataset("lists")
            if "L1-10k" in scenarios:
                seed_assets(server.data_dir, server.org, listing_small, sizes.listing_small)
            downloads = bench.dataset("dl")
            sources = sorted(p for p in small.rglob("*.jpg"))[: sizes.downloads]
            if "D1" + suffix in scenarios:
                with Client(config_file=bench.creds) as client:
                    client.assets.upload(downloads, [str(p) for p in sources], show_progress=False)
            dl_mb = sum(p.stat().st_size for p in sources) / 1e6
            plan = [("U1", small), ("U2", small), ("U3", large), ("L1", None), ("L1-10k", None), ("D1", None)]
            for scenario, folder in ((s + suffix if s != "L1-10k" else s, f) for s, f in plan):
                if scenario not in scenarios:
                    continue
                for rep in range(sizes.reps):
                    order = RUNNERS[rep % len(RUNNERS) :] + RUNNERS[: rep % len(RUNNERS)]
                    for runner in order:
                        if not takes_part(runner, scenario, runners):
                            continue
                        if folder is not None:
                            ds, path, mb = bench.dataset(scenario.lower()), str(folder), folder_megabytes(folder)
                        elif scenario.startswith("L"):
                            ds, path, mb = (listing if scenario == "L1" else listing_small), "-", 0.0
                        else:
                            ds, path, mb = downloads, tempfile.mkdtemp(prefix="vi-bench-dl-"), dl_mb
                        m = bench.measure(base_scenario(scenario), runner, rep, ds, path, mb)
                        m.scenario = scenario
                        results.append(m)
                        print(json.dumps(asdict(m)), flush=True)
            if "S" in scenarios and "vi_ext" in runners:
                scale = run_scale(bench.creds, bench.dataset, bench.settle, sizes.scale_files, sizes.dask_files)
        finally:
            server.stop()
    return results, scale


def main() -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, one repetition (harness check only)")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--scenarios",
        "--only",
        default=",".join(SCENARIOS),
        help="comma-separated subset, e.g. U1,D1 (U1-w2, U2-w2, D1-w2: against serve --workers 2)",
    )
    parser.add_argument("--runners", default=",".join(RUNNERS), help="comma-separated subset of " + ",".join(RUNNERS))
    parser.add_argument("--reps", type=int, default=None, help="repetitions (default 3; 1 with --quick)")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    if args.reps:
        sizes = replace(sizes, reps=args.reps)
    scenarios, runners = tuple(args.scenarios.split(",")), tuple(args.runners.split(","))
    unknown = set(scenarios) - set(SCENARIOS) | set(runners) - set(RUNNERS)
    if unknown:
        parser.error(f"unknown scenario or runner: {', '.join(sorted(unknown))}")
    partial = scenarios != SCENARIOS or runners != RUNNERS or args.reps is not None
    default_name = "results-quick.md" if args.quick else "results-partial.md" if partial else "results.md"
    out = args.out or (HERE / default_name)
    started = time.time()
    results, scale = run(sizes, out, scenarios, runners)
    write_report(results, sizes, out, time.time() - started, os.cpu_count() or 0, platform.platform(), scale)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
