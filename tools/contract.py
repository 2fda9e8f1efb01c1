"""Run schemathesis against the reference server (default) or any Vi-compatible server.

``python -m tools.contract`` starts a reference server on a free loopback port, seeds a dataset,
and runs every check over ``openapi.yaml`` and ``storage.yaml`` (all phases, stateful included,
100 examples per operation). ``--quick`` is the short deterministic pass of ``make test``.
``--url URL --key KEY --org ORG`` aims the ``openapi.yaml`` part at another server.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from vi_server.testing.process import RunningServer
from vi_server.testing.seed import seed_assets

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "contract"
DATASET = "contract"


def schemathesis(config: Path, spec: Path, url: str, env: dict[str, str], quick: bool, examples: int) -> int:
    """One schemathesis run; returns its exit code."""
    cmd = [
        str(Path(sys.executable).parent / "schemathesis"), "--config-file", str(config), "run", str(spec),
        "--url", url, "--checks", "all", "--phases", "examples,coverage,fuzzing,stateful",
        "--max-examples", str(examples), "--continue-on-failure", "--generation-database", "none",
    ]  # fmt: skip
    if quick:
        cmd = [c for c in cmd if c not in ("--generation-database", "none")]
        cmd += ["--seed", "20261124", "--generation-deterministic", "--workers", "1"]
    print("$", " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=tempfile.gettempdir(), env=env, check=False).returncode


def prepare(url: str, key: str, org: str, data_dir: Path | None) -> str:
    """Create the contract dataset (and seed assets on a local server); return an asset id."""
    http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}", "Organization-Id": org}, timeout=30)
    created = http.post(f"/workspaces/{org}/datasets", json={"name": "contract", "datasetId": DATASET})
    if created.status_code not in (201, 409):
        raise SystemExit(f"cannot create the contract dataset: HTTP {created.status_code} {created.text[:200]}")
    if data_dir is not None:
        seed_assets(data_dir, org, DATASET, 50)
    items = http.get(f"/workspaces/{org}/datasets/{org}_{DATASET}/assets", params={"s": 1}).json().get("items", [])
    return str(items[0]["assetId"]) if items else "no-asset"


def main(argv: list[str] | None = None) -> int:
    """Entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("URL") or None)
    parser.add_argument("--key", default=os.environ.get("KEY") or None)
    parser.add_argument("--org", default=os.environ.get("ORG") or None)
    parser.add_argument("--quick", action="store_true", help="short deterministic pass (make test)")
    parser.add_argument("--examples", type=int, default=None)
    args = parser.parse_args(argv)
    examples = args.examples or (8 if args.quick else 100)
    server = None
    if args.url:
        if not (args.key and args.org):
            parser.error("--url needs --key and --org (or KEY=… ORG=…)")
        url, key, org, data_dir = args.url.rstrip("/"), args.key, args.org, None
    else:
        data_dir = Path(tempfile.mkdtemp(prefix="vi-contract-"))
        server = RunningServer(data_dir).start()
        url, key, org = server.endpoint, server.key, server.org
    try:
        asset = prepare(url, key, org, data_dir)
        env = {**os.environ, "VI_KEY": key, "VI_ORG": org, "VI_DATASET": f"{org}_{DATASET}", "VI_ASSET": asset}
        status = schemathesis(CONTRACT / "schemathesis.toml", ROOT / "openapi.yaml", url, env, args.quick, examples)
        if server is not None:
            status |= schemathesis(CONTRACT / "storage.toml", ROOT / "storage.yaml", url, env, args.quick, examples)
    finally:
        if server is not None:
            server.stop()
    print("contract: OK" if status == 0 else "contract: FAILURES (see above)")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
