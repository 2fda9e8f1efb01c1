"""`make compat`: the official vi-sdk 0.1.0b7, unchanged, against the reference server.

The official package also installs a top-level ``vi``, so it lives in its own virtual environment
(``.compat-venv``, dependencies pinned by ``compat/constraints.txt``) and runs with ``python -I``
from outside the repository. It runs once per server backend (``--backend NAME``, repeatable;
default ``$VI_TEST_BACKENDS``, else sqlite-local and postgres-s3); a backend whose services cannot
start here is reported ``SKIPPED`` with the reason.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

from tools.backend_runs import add_backend_option, chosen_backends, run_on_backends, start_server
from vi_server.testing.backends import Backend, ServerOptions

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".compat-venv"
FLOW = ROOT / "compat" / "official_flow.py"
PINS = [ROOT / "compat" / "requirements.txt", ROOT / "compat" / "constraints.txt"]


def ensure_venv() -> Path:
    """Create or refresh the official client's environment; return its python."""
    python = VENV / "bin" / "python"
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in PINS)).hexdigest()
    stamp = VENV / ".pins"
    if python.exists() and stamp.exists() and stamp.read_text() == digest:
        return python
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "-c", str(PINS[1]), "-r", str(PINS[0])], check=True)
    stamp.write_text(digest)
    return python


def make_images(folder: Path) -> None:
    """Eight real images with unique base names, three of them in a sub-folder."""
    for i in range(8):
        where = folder / "sub" if i >= 5 else folder
        where.mkdir(parents=True, exist_ok=True)
        fmt, ext = [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")][i % 3]
        Image.effect_noise((40 + i, 30), 50).convert("RGB").save(where / f"compat-{i}.{ext}", fmt)


def run_flow(
    endpoint: str, key: str, org: str, workdir: Path, s3_blobs: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run the official flow in its environment, isolated, from ``workdir`` (outside the repo).

    With ``s3_blobs`` the download step compares bytes, not names: the official client names a
    downloaded file by its URL's last path segment, and an S3-presigned URL ends with the
    content-addressed object key, not the asset's filename (a known gap of the S3 blob store).
    """
    python = ensure_venv()
    images, save = workdir / "images", workdir / "downloads"
    make_images(images)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATATURE_", "PYTHON"))}
    env |= {"DATATURE_VI_SECRET_KEY": key, "DATATURE_VI_ORGANIZATION_ID": org, "DATATURE_VI_API_ENDPOINT": endpoint}
    if s3_blobs:
        env["VI_COMPAT_NAMES_FROM_OBJECT_KEYS"] = "1"
    return subprocess.run(
        [str(python), "-I", str(FLOW), str(images), str(save)],
        cwd=workdir, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


def run_on(backend: Backend, options: ServerOptions) -> int:
    """Start a reference server on ``backend``, run the official flow against it, print what it said."""
    with tempfile.TemporaryDirectory(prefix="vi-compat-") as tmp:
        server = start_server(Path(tmp) / "data", options)
        try:
            run = run_flow(server.endpoint, server.key, server.org, Path(tmp), s3_blobs=backend.blobs == "s3")
        finally:
            server.stop()
    sys.stdout.write(run.stdout)
    sys.stderr.write(run.stderr[-4000:])
    verdict = "OK (official vi-sdk 0.1.0b7 unchanged)" if run.returncode == 0 else "FAILED"
    print(f"compat: backend {backend.name}: {verdict}", flush=True)
    return run.returncode


def main(argv: list[str] | None = None) -> int:
    """Run the official flow on each chosen backend (``--backend NAME``, repeatable); report."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_backend_option(parser)
    args = parser.parse_args(argv)
    try:
        backends = chosen_backends(args.backend)
    except ValueError as exc:
        parser.error(str(exc))
    ensure_venv()  # before any server starts: the first run installs the official client
    return run_on_backends("compat", backends, run_on)


if __name__ == "__main__":
    raise SystemExit(main())
