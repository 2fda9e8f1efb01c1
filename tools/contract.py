"""Run schemathesis against the reference server (default) or any Vi-compatible server.

``python -m tools.contract`` starts a reference server on a free loopback port, creates the data
every operation needs (`tools.contract_data`) and runs every check over ``openapi.yaml`` and
``storage.yaml`` (all phases, stateful included, 100 examples per operation). ``--quick`` is the
short deterministic pass of ``make test``. The reference server runs once per backend
(``--backend NAME``, repeatable; default ``$VI_TEST_BACKENDS``, else sqlite-local and postgres-s3):
a backend whose services cannot start here is reported ``SKIPPED`` with the reason and does not fail
the run. ``storage.yaml`` (the server's own signed-URL routes) is checked on the local blob store only.

The run fails when schemathesis finds a problem, and also when an operation never answered 2xx
(it only ever met missing data, e.g. 404s): every operation must be reached.

``--url URL --key KEY --org ORG`` aims the ``openapi.yaml`` part at another server. There the run
works in one dataset it creates (``contract-<random>``) and deletes afterwards; dataset creation and
deletion and bulk deletes are not fuzzed there (`FOREIGN_EXCLUDED`), so nothing else is created or
deleted in the organization.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

import httpx
import yaml

from tools.backend_runs import add_backend_option, chosen_backends, run_on_backends, start_server
from tools.contract_data import PART_SIZE, ContractData, png
from vi_server.testing.backends import Backend, ServerOptions

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "contract"
HOOKS = ROOT / "tools" / "contract_hooks.py"
DATASET = "contract"
SEEDED = 50  # extra assets on the reference server, so listings have several pages
# Against another server these are never fuzzed: they would create or delete datasets in its organization,
# or (a bulk delete without filter) every asset of the run's one dataset. The run's data creation calls
# the bulk delete once with a filter, and its clean-up deletes the dataset and reads the deletion.
FOREIGN_EXCLUDED = ("createDataset", "deleteDataset", "getDatasetDeleteOperation", "createDeleteManyAssetsSession")
_VAR = re.compile(r"\$\{(VI_[A-Z0-9_]+)\}")


def operation_ids(spec: Path) -> list[str]:
    """Every operationId of ``spec``, in document order."""
    doc = yaml.safe_load(spec.read_text(encoding="utf-8"))
    return [op["operationId"] for item in doc["paths"].values() for m, op in item.items() if isinstance(op, dict)
            and m in {"get", "put", "post", "delete", "patch"}]  # fmt: skip


def parse_status_log(lines: Iterable[str]) -> dict[str, Counter[int]]:
    """``operationId status`` lines (written by `tools.contract_hooks`) → statuses seen per operation."""
    seen: dict[str, Counter[int]] = defaultdict(Counter)
    for line in lines:
        op, _, status = line.strip().partition(" ")
        if op and status.isdigit():
            seen[op][int(status)] += 1
    return seen


def unreached(expected: Iterable[str], seen: dict[str, Counter[int]]) -> list[str]:
    """One line per operation that never answered 2xx (never called, or only errors such as 404)."""
    problems = []
    for op in expected:
        statuses = seen.get(op, Counter())
        if not any(200 <= s < 300 for s in statuses):
            got = ", ".join(f"{s}×{n}" for s, n in sorted(statuses.items())) or "never called"
            problems.append(f"{op}: never answered 2xx ({got})")
    return problems


def render_config(template: Path, values: dict[str, str], out_dir: Path) -> Path:
    """Write ``template`` with the run's ``${VI_*}`` values filled in (the key stays a variable).

    schemathesis resolves variables in parameters, not in dictionaries, so the run fills them in itself
    (escaped for TOML strings: an ETag carries quotes).
    """

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "VI_KEY":
            return match.group(0)
        return values[name].replace("\\", "\\\\").replace('"', '\\"')  # TOML basic-string escapes

    out = out_dir / template.name
    out.write_text(_VAR.sub(fill, template.read_text(encoding="utf-8")), encoding="utf-8")
    return out


def schemathesis(config: Path, spec: Path, url: str, env: dict[str, str], quick: bool, examples: int,
                 exclude: Iterable[str] = ()) -> int:  # fmt: skip
    """One schemathesis run; returns its exit code."""
    cmd = [
        str(Path(sys.executable).parent / "schemathesis"), "--config-file", str(config), "run", str(spec),
        "--url", url, "--checks", "all", "--phases", "examples,coverage,fuzzing,stateful",
        "--max-examples", str(examples), "--continue-on-failure", "--generation-database", "none",
    ]  # fmt: skip
    for op in exclude:
        cmd += ["--exclude-operation-id", op]
    if quick:
        cmd = [c for c in cmd if c not in ("--generation-database", "none")]
        cmd += ["--seed", "20261124", "--generation-deterministic", "--workers", "1"]
    print("$", " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=tempfile.gettempdir(), env=env, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    """Entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("URL") or None)
    parser.add_argument("--key", default=os.environ.get("KEY") or None)
    parser.add_argument("--org", default=os.environ.get("ORG") or None)
    parser.add_argument("--quick", action="store_true", help="short deterministic pass (make test)")
    parser.add_argument("--examples", type=int, default=None)
    add_backend_option(parser)
    args = parser.parse_args(argv)
    examples = args.examples or (8 if args.quick else 100)
    if args.url:
        if not (args.key and args.org):
            parser.error("--url needs --key and --org (or KEY=… ORG=…)")
        if args.backend:
            parser.error("--backend chooses the reference server's stores; it does not apply with --url")
        dataset = f"{DATASET}-{uuid.uuid4().hex[:8]}"
        status = run_contract(args.url.rstrip("/"), args.key, args.org, dataset, None, args.quick, examples)
        print("contract: OK" if status == 0 else "contract: FAILURES (see above)")
        return status
    try:
        backends = chosen_backends(args.backend)
    except ValueError as exc:
        parser.error(str(exc))

    def on_backend(backend: Backend, options: ServerOptions) -> int:
        with tempfile.TemporaryDirectory(prefix="vi-contract-server-") as tmp:
            server = start_server(Path(tmp) / "data", options, "--multipart-part-size", str(PART_SIZE))
            try:
                return run_contract(server.endpoint, server.key, server.org, DATASET, backend, args.quick, examples)
            finally:
                server.stop()

    return run_on_backends("contract", backends, on_backend)


def specs_for(backend: Backend | None) -> list[tuple[str, str]]:
    """The ``(spec, config)`` pairs a run checks: ``storage.yaml`` only on the local blob store.

    ``storage.yaml`` describes the reference server's own signed-URL blob routes; with S3 blobs the
    object store signs and serves the URLs, so there is nothing of the server's to check there.
    """
    pairs = [("openapi.yaml", "schemathesis.toml")]
    if backend is not None and backend.blobs == "local":
        pairs.append(("storage.yaml", "storage.toml"))
    return pairs


def run_contract(url: str, key: str, org: str, dataset: str, backend: Backend | None, quick: bool,
                 examples: int) -> int:  # fmt: skip
    """One contract run against a server; ``backend`` is None for another (not the reference) server.

    Returns:
        0 when schemathesis found nothing and every operation answered 2xx.
    """
    reference = backend is not None
    work = Path(tempfile.mkdtemp(prefix="vi-contract-"))
    http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}", "Organization-Id": org}, timeout=60)
    data = ContractData(http, org)
    status = 0
    try:
        try:
            values = data.prepare(dataset, scratch=reference)
            if reference:  # listings with several pages (through the API: it works on every backend)
                data.upload(dataset, {f"seed/{i:07d}.png": png(100 + i % 50) for i in range(SEEDED)})
        except Exception as exc:  # no data, no run: say why in one line
            print(f"contract: cannot create the run's data: {exc}", file=sys.stderr)
            return 1
        log = work / "statuses.log"
        env = {**os.environ, **values, "VI_KEY": key, "VI_ORG": org, "SCHEMATHESIS_HOOKS": str(HOOKS),
               "VI_CONTRACT_STATUS_LOG": str(log)}  # fmt: skip
        values = {**values, "VI_ORG": org, "VI_FOREIGN_400": "2xx" if reference else "400"}
        exclude = () if reference else FOREIGN_EXCLUDED
        for spec, template in specs_for(backend):
            config = render_config(CONTRACT / template, values, work)
            status |= schemathesis(config, ROOT / spec, url, env, quick, examples,
                                   exclude if spec == "openapi.yaml" else ())  # fmt: skip
        expected = [op for op in operation_ids(ROOT / "openapi.yaml") if op not in exclude]
        seen = parse_status_log(log.read_text(encoding="utf-8").splitlines() if log.exists() else [])
        problems = unreached(expected, seen)
        for line in problems:
            print(f"contract: {line}")
        print(f"contract: {len(expected) - len(problems)} of {len(expected)} operations answered 2xx")
        status |= bool(problems)
    finally:
        if not reference:
            status |= cleanup(data, dataset)
        http.close()
        shutil.rmtree(work, ignore_errors=True)
    return status


def cleanup(data: ContractData, dataset: str) -> int:
    """Delete the run's dataset on another server; 0 when it is gone."""
    try:
        op = data.delete_dataset(dataset)
    except Exception as exc:
        print(f"contract: could not delete dataset {dataset}: {exc}", file=sys.stderr)
        return 1
    print(f"contract: deleted dataset {dataset} ({op['status']['conditions']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
