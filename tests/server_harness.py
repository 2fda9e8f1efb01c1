"""Run the reference server in a subprocess on a free loopback port, and talk to it raw."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import google_crc32c
import httpx

SOURCE = "assetSources/managed/datature/default"


def crc32c_signed(data: bytes) -> int:
    """CRC-32C as the wire's signed 32-bit integer."""
    digest: bytes = google_crc32c.Checksum(data).digest()  # type: ignore[no-untyped-call]
    return int.from_bytes(digest, "big", signed=True)


class RunningServer:
    """``vi-ext serve`` in a subprocess; ``stop()``/``start()`` keep the data dir."""

    def __init__(self, data_dir: Path, *extra: str) -> None:
        self.data_dir = data_dir
        self.extra = list(extra)
        self.proc: subprocess.Popen[bytes] | None = None
        self.creds: dict[str, str] = {}

    def start(self, timeout: float = 30.0) -> RunningServer:
        """Start and wait until ``credentials.json`` names the bound endpoint."""
        creds_file = self.data_dir / "credentials.json"
        old = creds_file.read_text() if creds_file.exists() else None
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = (self.data_dir / "server.log").open("ab")
        cmd = [sys.executable, "-c", "from vi_ext.cli import main; main()", "serve", "--data-dir",
               str(self.data_dir), "--port", "0", *self.extra]  # fmt: skip
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {(self.data_dir / 'server.log').read_text()[-2000:]}")
            if creds_file.exists() and creds_file.read_text() != old:
                try:
                    self.creds = json.loads(creds_file.read_text())
                    httpx.get(self.endpoint + "/workspaces/x/datasets", timeout=2)
                    return self
                except (ValueError, httpx.TransportError):
                    pass
            time.sleep(0.05)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL)."""
        if self.proc is None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    @property
    def endpoint(self) -> str:
        """Base URL."""
        return self.creds["endpoint"]

    @property
    def org(self) -> str:
        """The default organization."""
        return self.creds["organization_id"]

    @property
    def key(self) -> str:
        """Its secret key."""
        return self.creds["secret_key"]

    def new_org(self) -> dict[str, str]:
        """``vi-ext org create`` while the server runs."""
        out = subprocess.run(
            [sys.executable, "-c", "from vi_ext.cli import main; main()", "org", "create", "--data-dir",
             str(self.data_dir)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        creds: dict[str, str] = json.loads(out.stdout)
        return creds


@dataclass
class Api:
    """Raw HTTP access for one organization."""

    endpoint: str
    org: str
    key: str

    def __post_init__(self) -> None:
        self.http = httpx.Client(
            base_url=self.endpoint,
            headers={"Authorization": f"Bearer {self.key}", "Organization-Id": self.org},
            timeout=30,
        )

    def ds(self, dataset: str) -> str:
        """Path prefix of a dataset."""
        return f"/workspaces/{self.org}/datasets/{self.org}_{dataset}"

    def create_dataset(self, dataset: str) -> dict[str, Any]:
        """POST a dataset with a fixed id."""
        r = self.http.post(f"/workspaces/{self.org}/datasets", json={"name": dataset, "datasetId": dataset})
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        return body

    def create_session(
        self,
        dataset: str,
        files: list[tuple[str, bytes]],
        failure_mode: str = "FailAfterAll",
        overwrite: str = "RemoveLinkedResource",
        custom: dict[str, Any] | None = None,
        declared: dict[str, dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """POST an ingestion session for ``files`` (name, bytes); ``declared`` overrides fields per name."""
        assets = []
        for name, data in files:
            ext = name.rsplit(".", 1)[-1].lower()
            mime = {"jpg": "image/jpeg", "tif": "image/tiff"}.get(ext, f"image/{ext}")
            spec = {"filename": name, "mime": mime, "size": len(data), "crc32c": crc32c_signed(data),
                    "customMetadata": custom, "kind": "Image"}  # fmt: skip
            spec.update((declared or {}).get(name, {}))
            assets.append(spec)
        body = {"spec": {"assets": assets, "kind": "Upload", "failureMode": failure_mode,
                         "onAssetOverwritten": overwrite}}  # fmt: skip
        r = self.http.post(f"{self.ds(dataset)}/{SOURCE}/assetIngestionSessions", json=body)
        assert r.status_code == 201, r.text
        session: dict[str, Any] = r.json()
        return session

    def put_all(self, session: dict[str, Any], files: list[tuple[str, bytes]]) -> None:
        """PUT each given file to its signed URL (files not given are left unsent)."""
        by_name = dict(files)
        for item in session["status"]["assets"]:
            if item["metadata"]["filename"] not in by_name:
                continue
            upload = item["upload"]
            r = httpx.put(upload["url"], content=by_name[item["metadata"]["filename"]], headers=upload["headers"])
            assert r.status_code == 200, r.text

    def wait(self, dataset: str, session_id: str, timeout: float = 30.0) -> dict[str, Any]:
        """Poll a session until Finished is Reached."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = self.http.get(f"{self.ds(dataset)}/{SOURCE}/assetIngestionSessions/{session_id}")
            assert r.status_code == 200, r.text
            body: dict[str, Any] = r.json()
            finished = [c for c in body["status"]["conditions"] if c["condition"] == "Finished"]
            if finished and finished[0]["status"] == "Reached":
                return body
            time.sleep(0.05)
        raise AssertionError(f"session {session_id} did not finish")

    def upload(self, dataset: str, files: list[tuple[str, bytes]], **kwargs: Any) -> dict[str, Any]:
        """Create a session, PUT everything, wait."""
        session = self.create_session(dataset, files, **kwargs)
        self.put_all(session, files)
        return self.wait(dataset, session["assetIngestionSessionId"])

    def list_all(self, dataset: str, **params: Any) -> list[dict[str, Any]]:
        """Follow every page."""
        items: list[dict[str, Any]] = []
        token = None
        while True:
            query = {**params, **({"p": token} if token else {})}
            r = self.http.get(f"{self.ds(dataset)}/assets", params=query)
            assert r.status_code == 200, r.text
            body = r.json()
            items.extend(body["items"])
            token = body["nextPage"]
            if token is None:
                return items
