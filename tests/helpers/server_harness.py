"""Talk to the reference server raw (the server process itself: `vi_server.testing.process`)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import google_crc32c
import httpx

from vi_server.testing.process import RunningServer

__all__ = ["SOURCE", "Api", "RunningServer", "crc32c_signed"]

SOURCE = "assetSources/managed/datature/default"


def crc32c_signed(data: bytes) -> int:
    """CRC-32C as the wire's signed 32-bit integer."""
    digest: bytes = google_crc32c.Checksum(data).digest()  # type: ignore[no-untyped-call]
    return int.from_bytes(digest, "big", signed=True)


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
