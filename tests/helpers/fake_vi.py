"""A scripted in-memory stand-in for the Vi API and its storage, for httpx.MockTransport tests."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import yaml

from tools.generate import ROOT

SCHEMAS = yaml.safe_load((ROOT / "openapi.yaml").read_text())["components"]["schemas"]
ORG = "org-1"
KEY = "dtvi_" + "k" * 98
StorageScript = Callable[[httpx.Request, int], httpx.Response | Exception]


@dataclass
class FakeVi:
    """Sessions are created from the request body; storage answers follow ``storage_script``."""

    storage_script: StorageScript = lambda request, n: httpx.Response(200)
    finish: bool = True
    sessions: list[dict[str, Any]] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    puts: list[tuple[str, int, str | None]] = field(default_factory=list)
    bodies: dict[str, bytes] = field(default_factory=dict)

    def session_json(self, index: int, finished: bool, with_uploads: bool) -> dict[str, Any]:
        body: dict[str, Any] = copy.deepcopy(SCHEMAS["AssetIngestionSession"]["example"])
        spec = self.sessions[index]
        body["assetIngestionSessionId"] = f"s{index}"
        body["datasetId"] = f"{ORG}_ds"
        files = spec["assets"]
        stored = sum(f"http://storage.test/s{index}/{a['filename']}" in self.bodies for a in files)
        body["status"]["progressCount"] = {"total": len(files), "succeeded": stored, "errored": 0}
        body["status"]["events"] = []
        status = "Reached" if finished else "Waiting"
        body["status"]["conditions"] = [{"condition": "Finished", "status": status, "lastTransitionTime": 1}]
        if with_uploads:
            body["status"]["assets"] = [
                {"metadata": {k: a[k] for k in ("kind", "filename", "mime", "size")},
                 "upload": {"url": f"http://storage.test/s{index}/{a['filename']}", "expiry": 4102444800000,
                            "headers": {"Content-Type": a["mime"]}, "method": "PUT"}}
                for a in files
            ]  # fmt: skip
        return body

    def api(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path.endswith("/assetIngestionSessions"):
            self.sessions.append(json.loads(request.content)["spec"])
            return httpx.Response(201, json=self.session_json(len(self.sessions) - 1, False, True))
        if request.method == "POST" and path.endswith(":cancel"):
            self.cancelled.append(path.rsplit("/", 1)[1].removesuffix(":cancel"))
            return httpx.Response(200, json=self.session_json(int(self.cancelled[-1][1:]), True, False))
        if request.method == "GET" and "/assetIngestionSessions/" in path:
            index = int(path.rsplit("/", 1)[1][1:])
            stored = all(
                f"http://storage.test/s{index}/{a['filename']}" in self.bodies for a in self.sessions[index]["assets"]
            )
            return httpx.Response(200, json=self.session_json(index, self.finish and stored, False))
        if request.method == "GET" and path.endswith(f"/datasets/{ORG}_ds"):  # an empty dataset
            dataset = copy.deepcopy(SCHEMAS["Dataset"]["example"])
            dataset["statistic"]["assetTotal"] = 0
            return httpx.Response(200, json=dataset)
        return httpx.Response(404, json={"message": f"fake has no {request.method} {path}"})

    def storage(self, request: httpx.Request) -> httpx.Response:
        n = sum(1 for url, _, _ in self.puts if url == str(request.url)) + 1
        content = request.read()
        self.puts.append((str(request.url), len(content), request.headers.get("content-length")))
        outcome = self.storage_script(request, n)
        if isinstance(outcome, Exception):
            raise outcome
        if 200 <= outcome.status_code < 300:
            self.bodies[str(request.url)] = content
        return outcome
