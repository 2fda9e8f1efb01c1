"""The data a contract run needs, created through the API itself (so it works on any Vi-compatible server).

Every operation of ``openapi.yaml`` gets an id that exists: an asset to read and rename and another
to delete, an open ingestion session (with a large declared file for multipart uploads), a session
to cancel, multipart uploads (one to use whose part 1 holds ``hello``, one ready to complete, one
to abort), a bulk-delete session, and on the reference server a dataset to delete and one already
deleted. The values are handed to schemathesis as ``VI_*`` variables (see ``contract/schemathesis.toml``).
"""

from __future__ import annotations

import io
import json
import time
from dataclasses import dataclass, field
from typing import Any

import google_crc32c
import httpx
from PIL import Image

SOURCE = "assetSources/managed/datature/default"
PART_SIZE = 5  # the reference server's part size during a contract run: the big file has 10 000 parts
FIRST_PART = b"hello"  # its MD5 is the ETag in the spec's example of a part completion
BIG_SIZE = 10_000 * PART_SIZE


def png(seed: int) -> bytes:
    """A small valid PNG, different per seed."""
    out = io.BytesIO()
    Image.effect_noise((8 + seed, 8), 40 + seed).convert("RGB").save(out, "PNG")
    return out.getvalue()


def crc32c(data: bytes) -> int:
    """CRC-32C as the wire's signed 32-bit integer."""
    digest: bytes = google_crc32c.Checksum(data).digest()  # type: ignore[no-untyped-call]
    return int.from_bytes(digest, "big", signed=True)


class ContractDataError(RuntimeError):
    """The server did not let the run create its data."""


@dataclass
class ContractData:
    """Creates the fixtures in an organization; ``values`` become the ``VI_*`` variables."""

    http: httpx.Client
    org: str
    values: dict[str, str] = field(default_factory=dict)

    def _ok(self, response: httpx.Response, *expected: int) -> Any:
        if response.status_code not in expected:
            raise ContractDataError(
                f"{response.request.method} {response.request.url.path}: HTTP {response.status_code}"
                f" {response.text[:300]}"
            )
        return response.json() if response.content else None

    def ds(self, dataset: str) -> str:
        """Path of a dataset (short id)."""
        return f"/workspaces/{self.org}/datasets/{self.org}_{dataset}"

    def create_dataset(self, dataset: str) -> str:
        """Create a dataset with a fixed id; return its composite id."""
        self._ok(self.http.post(f"/workspaces/{self.org}/datasets", json={"name": dataset, "datasetId": dataset}), 201)
        return f"{self.org}_{dataset}"

    def delete_dataset(self, dataset: str, timeout: float = 120.0) -> dict[str, Any]:
        """Delete a dataset and wait until its deletion operation is finished."""
        self._ok(self.http.delete(self.ds(dataset)), 200, 202)
        deadline = time.monotonic() + timeout
        while True:
            op: dict[str, Any] = self._ok(self.http.get(f"{self.ds(dataset)}/deleteOperation"), 200)
            if any(c["condition"] == "Finished" and c["status"] != "Waiting" for c in op["status"]["conditions"]):
                return op
            if time.monotonic() > deadline:
                raise ContractDataError(f"the deletion of {dataset} did not finish in {timeout:g} s")
            time.sleep(0.5)

    def session(self, dataset: str, files: list[tuple[str, int, int | None]]) -> dict[str, Any]:
        """Create an ingestion session declaring ``(filename, size, crc32c)`` files."""
        assets = [{"filename": n, "mime": "image/png", "size": size, "kind": "Image",
                   **({"crc32c": crc} if crc is not None else {})} for n, size, crc in files]  # fmt: skip
        body = {"spec": {"kind": "Upload", "assets": assets, "failureMode": "FailAfterAll",
                         "onAssetOverwritten": "RemoveLinkedResource"}}  # fmt: skip
        result: dict[str, Any] = self._ok(
            self.http.post(f"{self.ds(dataset)}/{SOURCE}/assetIngestionSessions", json=body), 201
        )
        return result

    def upload(self, dataset: str, files: dict[str, bytes], timeout: float = 120.0) -> dict[str, str]:
        """Upload ``files`` (name → bytes) in one session and wait; return name → asset id."""
        created = self.session(dataset, [(n, len(b), crc32c(b)) for n, b in files.items()])
        for item in created["status"]["assets"]:
            upload = item["upload"]
            put = httpx.put(upload["url"], content=files[item["metadata"]["filename"]], headers=upload.get("headers"))
            if put.status_code >= 300:
                raise ContractDataError(f"storage refused {item['metadata']['filename']}: HTTP {put.status_code}")
        sid = created["assetIngestionSessionId"]
        deadline = time.monotonic() + timeout
        while True:
            got = self._ok(self.http.get(f"{self.ds(dataset)}/{SOURCE}/assetIngestionSessions/{sid}"), 200)
            if any(c["condition"] == "Finished" and c["status"] == "Reached" for c in got["status"]["conditions"]):
                break
            if time.monotonic() > deadline:
                raise ContractDataError(f"session {sid} did not finish in {timeout:g} s")
            time.sleep(0.2)
        filters = [json.dumps({"filename": name}) for name in files]
        ids: dict[str, str] = {}
        for query in filters:
            page = self._ok(
                self.http.get(f"{self.ds(dataset)}/assets", params={"filter": query, "strictQuery": "y"}), 200
            )
            ids.update({a["filename"]: a["assetId"] for a in page["items"] if a["filename"] in files})
        missing = set(files) - set(ids)
        if missing:
            raise ContractDataError(f"not ingested: {sorted(missing)}")
        return ids

    def multipart(self, dataset: str, ingestion_id: str, filename: str, size: int) -> dict[str, Any]:
        """Create a multipart upload for a declared file."""
        spec = {"ingestionId": ingestion_id, "filename": filename, "sizeBytes": size, "contentType": "image/png"}
        result: dict[str, Any] = self._ok(
            self.http.post(f"{self.ds(dataset)}/{SOURCE}/multipartUploads", json={"spec": spec}), 201
        )
        return result

    def send_part(self, dataset: str, multipart_id: str, number: int, data: bytes, complete: bool) -> str:
        """PUT one part to its signed URL (optionally report its completion); return the ETag storage gave."""
        base = f"{self.ds(dataset)}/{SOURCE}/multipartUploads/{multipart_id}/parts/{number}"
        signed = self._ok(self.http.post(base, json={}), 200)
        put = httpx.put(signed["url"], content=data, headers=signed.get("headers") or {})
        if put.status_code >= 300:
            raise ContractDataError(f"storage refused part {number}: HTTP {put.status_code}")
        etag = str(put.headers.get("etag", ""))
        if complete:
            self._ok(self.http.post(f"{base}/completion", json={"responseHeaders": {"ETag": etag}}), 200)
        return etag

    def prepare(self, main: str, scratch: bool) -> dict[str, str]:
        """Create everything in ``main`` (and, with ``scratch``, in extra datasets); return the variables.

        Args:
            main: Short id of the dataset the run works in (created here).
            scratch: Whether extra datasets may be created (the reference server): a dataset for bulk
                deletes (which would delete the pinned assets) and two for the dataset deletion operations.

        Returns:
            The ``VI_*`` variables (without the key).
        """
        v = self.values
        v["VI_DATASET"] = self.create_dataset(main)
        ids = self.upload(main, {"contract/keep.png": png(1), "contract/delete-me.png": png(2)})
        v["VI_ASSET"], v["VI_ASSET_DELETE"] = ids["contract/keep.png"], ids["contract/delete-me.png"]

        small = png(3)
        open_session = self.session(main, [
            ("contract/big.png", BIG_SIZE, None), ("contract/small.png", len(small), crc32c(small)),
            ("contract/abort.png", 4 * PART_SIZE, None), ("contract/hello.png", len(FIRST_PART), None),
        ])  # fmt: skip
        ingestion = open_session["ingestionId"]
        v["VI_SESSION"], v["VI_INGESTION"] = open_session["assetIngestionSessionId"], ingestion
        v["VI_BIG_FILENAME"], v["VI_BIG_SIZE"] = "contract/big.png", str(BIG_SIZE)
        big = self.multipart(main, ingestion, "contract/big.png", BIG_SIZE)
        v["VI_MULTIPART"] = big["multipartUploadId"]
        if big["status"]["partCount"] == BIG_SIZE // PART_SIZE:  # the reference server: part 1 is `hello`
            self.send_part(main, v["VI_MULTIPART"], 1, FIRST_PART, complete=False)
            v["VI_MULTIPART_HELLO"] = v["VI_MULTIPART"]
        else:  # a server with larger parts: a file that is `hello`, in one part
            hello = self.multipart(main, ingestion, "contract/hello.png", len(FIRST_PART))
            self.send_part(main, hello["multipartUploadId"], 1, FIRST_PART, complete=False)
            v["VI_MULTIPART_HELLO"] = hello["multipartUploadId"]
        ready = self.multipart(main, ingestion, "contract/small.png", len(small))
        count = ready["status"]["partCount"]
        step = len(small) // count
        for n in range(1, count + 1):
            self.send_part(main, ready["multipartUploadId"], n, small[(n - 1) * step : None if n == count else n * step],
                           complete=True)  # fmt: skip
        v["VI_MULTIPART_COMPLETE"] = ready["multipartUploadId"]
        v["VI_MULTIPART_ABORT"] = self.multipart(main, ingestion, "contract/abort.png", 4 * PART_SIZE)[
            "multipartUploadId"
        ]
        v["VI_SESSION_CANCEL"] = self.session(main, [("contract/cancel.png", 100, None)])["assetIngestionSessionId"]

        bulk = main
        if scratch:
            bulk = f"{main}-bulk"
            self.create_dataset(bulk)
            self.upload(bulk, {f"bulk/{i}.png": png(10 + i) for i in range(3)})
        v["VI_DATASET_BULK"] = f"{self.org}_{bulk}"
        nothing = json.dumps({"filename": "contract/no-such-asset"})
        spec = {"filter": nothing, "metadataQuery": None, "ruleQuery": None, "strictQuery": True}
        v["VI_BULK_SESSION"] = self._ok(
            self.http.post(f"{self.ds(bulk)}/deleteManyAssetsSessions", json={"spec": spec}), 201
        )["deleteManyAssetsSessionId"]

        if scratch:
            v["VI_DATASET_DOOMED"] = self.create_dataset(f"{main}-doomed")
            v["VI_DATASET_DELETED"] = self.create_dataset(f"{main}-deleted")
            self.delete_dataset(f"{main}-deleted")
        else:  # never fuzzed against another server (tools/contract.py excludes both operations)
            v["VI_DATASET_DOOMED"] = v["VI_DATASET_DELETED"] = v["VI_DATASET"]
        return dict(v)
