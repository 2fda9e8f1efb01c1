"""A throwaway S3-compatible endpoint on a free loopback port (``moto[server]``), for tests only.

moto does not check request signatures or URL expiry: keep signed-URL security tests on the local
blob store. The endpoint runs as its own process (``python -m moto.server``) so it can be stopped
like any other server and does not share the test process's interpreter.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from importlib.util import find_spec

import httpx

from vi_server.testing.ports import free_loopback_port

__all__ = ["S3_TEST_ENV", "TempS3", "s3_unavailable_reason"]

# Dummy credentials and region for moto; the server under test gets them through its environment.
S3_TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "vi-test",
    "AWS_SECRET_ACCESS_KEY": "vi-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
    # S3 joins parts of at least 5 MiB only; the suites use small parts, so moto and the server
    # (which plans partCount with it) are told the same lower minimum.
    "S3_UPLOAD_PART_MIN_SIZE": "1",
    "VI_SERVER_S3_MIN_PART_SIZE": "1",
}


def s3_unavailable_reason() -> str | None:
    """Why a throwaway S3 endpoint cannot be started here, or None when it can be tried."""
    for module, package in (("moto.server", "moto[server]"), ("boto3", "boto3")):
        try:
            if find_spec(module) is None:
                return f"{package} is not installed"
        except ModuleNotFoundError:
            return f"{package} is not installed"
    return None


class TempS3:
    """``moto.server`` in a subprocess on 127.0.0.1, stopped by :meth:`stop`."""

    def __init__(self) -> None:
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        """The endpoint URL (``--s3-endpoint``)."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> TempS3:
        """Start the endpoint and wait until it answers.

        Args:
            timeout: Seconds to wait for it.

        Returns:
            This object, running.

        Raises:
            RuntimeError: moto is not installed or did not start.
        """
        reason = s3_unavailable_reason()
        if reason:
            raise RuntimeError(reason)
        self.port = free_loopback_port()
        cmd = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True, env={**os.environ, **S3_TEST_ENV})  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"moto.server exited with {self.proc.returncode}")
            try:
                httpx.get(self.endpoint + "/moto-api/", timeout=1, trust_env=False)
                return self
            except httpx.TransportError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("moto.server did not start")

    def create_bucket(self, name: str) -> str:
        """Create a bucket and return its blob URL (``s3://name``).

        Args:
            name: Bucket name.

        Returns:
            ``s3://<name>`` for ``--blob-url``.
        """
        import boto3  # test-only dependency: imported where it is used

        client = boto3.client("s3", endpoint_url=self.endpoint, **_boto_credentials())
        client.create_bucket(Bucket=name)
        return f"s3://{name}"

    def stop(self) -> None:
        """Stop the endpoint (safe to call twice)."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None


def _boto_credentials() -> dict[str, str]:
    return {
        "aws_access_key_id": S3_TEST_ENV["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": S3_TEST_ENV["AWS_SECRET_ACCESS_KEY"],
        "region_name": S3_TEST_ENV["AWS_DEFAULT_REGION"],
    }
