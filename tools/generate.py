"""Generate the low-level client from the spec, or check that the committed one is in sync.

``python -m tools.generate`` rewrites the private client package ``vi_ext._generated``
(``packages/vi-ext/src/vi_ext/_generated``) and copies the specs into the server's package data
(``vi_server/spec/``: real files, so that wheels carry them);
``python -m tools.generate --check`` regenerates into a temporary directory and exits 1,
naming every differing file, when the committed output does not match the spec.
"""

from __future__ import annotations

import argparse
import difflib
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from tools.client_spec import transform

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "_generated"
TARGET = ROOT / "packages" / "vi-ext" / "src" / "vi_ext" / PACKAGE
SHOWN = TARGET.relative_to(ROOT)
SPEC_COPIES = ROOT / "packages" / "vi-ext-server" / "src" / "vi_server" / "spec"
SPECS = ("openapi.yaml", "storage.yaml")
IGNORED = {"__pycache__", ".ruff_cache", ".mypy_cache"}


def generate_into(spec: Path, out_dir: Path) -> Path:
    """Run openapi-python-client on the transformed ``spec``; return the package directory."""
    client_spec = out_dir / "openapi.client.json"
    client_spec.write_text(
        json.dumps(transform(yaml.safe_load(spec.read_text(encoding="utf-8"))), indent=1),
        encoding="utf-8",
    )
    package = out_dir / PACKAGE
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    cmd = [
        os.path.join(bin_dir, "openapi-python-client"),
        "generate",
        "--path",
        str(client_spec),
        "--config",
        str(ROOT / "generator-config.yaml"),
        "--meta",
        "none",
        "--output-path",
        str(package),
        "--fail-on-warning",
    ]
    run = subprocess.run(cmd, cwd=out_dir, env=env, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        sys.stderr.write(run.stdout + run.stderr)
        raise SystemExit(f"openapi-python-client failed (exit {run.returncode})")
    return package


def _files(tree: Path) -> dict[str, Path]:
    return {
        str(p.relative_to(tree)): p
        for p in sorted(tree.rglob("*"))
        if p.is_file() and not IGNORED.intersection(p.relative_to(tree).parts)
    }


def drift(expected: Path, actual: Path) -> list[str]:
    """Describe every difference between two generated trees (empty when in sync)."""
    want, have = _files(expected), _files(actual)
    problems: list[str] = []
    for name in sorted(want.keys() - have.keys()):
        problems.append(f"missing from {SHOWN}: {name}")
    for name in sorted(have.keys() - want.keys()):
        problems.append(f"not produced by the spec (stale): {SHOWN}/{name}")
    for name in sorted(want.keys() & have.keys()):
        if not filecmp.cmp(want[name], have[name], shallow=False):
            diff = difflib.unified_diff(
                have[name].read_text(encoding="utf-8").splitlines(),
                want[name].read_text(encoding="utf-8").splitlines(),
                f"committed/{name}",
                f"from-spec/{name}",
                lineterm="",
                n=1,
            )
            problems.append(f"differs: {SHOWN}/{name}\n" + "\n".join(list(diff)[:40]))
    return problems


def spec_copy_drift(root: Path = ROOT, copies: Path = SPEC_COPIES) -> list[str]:
    """Name every spec whose copy in the server's package data differs from the root one."""
    problems: list[str] = []
    for name in SPECS:
        copy = copies / name
        if copy.is_symlink() or not copy.is_file():
            problems.append(f"missing (or a symlink): {copy.relative_to(root)}")
        elif not filecmp.cmp(root / name, copy, shallow=False):
            problems.append(f"differs from {name}: {copy.relative_to(root)}")
    return problems


def sync_spec_copies(root: Path = ROOT, copies: Path = SPEC_COPIES) -> None:
    """Write real copies of the root specs into the server's package data."""
    copies.mkdir(parents=True, exist_ok=True)
    for name in SPECS:
        target = copies / name
        if target.is_symlink():
            target.unlink()
        shutil.copyfile(root / name, target)


def main(argv: list[str] | None = None) -> int:
    """Entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only compare, never write")
    parser.add_argument("--spec", type=Path, default=ROOT / "openapi.yaml")
    parser.add_argument("--target", type=Path, default=TARGET)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="vi-ext-gen-") as tmp:
        fresh = generate_into(args.spec, Path(tmp))
        if args.check:
            problems = drift(fresh, args.target) + spec_copy_drift()
            if problems:
                print("generated code or spec copies are out of sync with the spec (run `make generate`):")
                print("\n".join(problems))
                return 1
            print(f"{SHOWN} and {SPEC_COPIES.relative_to(ROOT)} are in sync with {args.spec.name}")
            return 0
        if args.target.exists():
            shutil.rmtree(args.target)
        shutil.copytree(fresh, args.target, ignore=shutil.ignore_patterns(*IGNORED))
        sync_spec_copies()
        print(f"wrote {args.target.relative_to(ROOT)} and {SPEC_COPIES.relative_to(ROOT)}")
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
