"""A forwarding HTTP proxy in front of a server, with a hook that may rewrite JSON answers.

Tests use it to make a server "drift" on purpose (drop a required field) and see clients fail.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

JsonRewrite = Callable[[str, Any], Any]
HOP_HEADERS = {"host", "content-length", "transfer-encoding", "connection", "content-encoding"}


def proxy_app(upstream: str, rewrite: JsonRewrite | None = None) -> Starlette:
    """An ASGI app forwarding everything to ``upstream``; ``rewrite(path, body)`` edits JSON answers."""
    client = httpx.AsyncClient(base_url=upstream, timeout=60)

    async def forward(request: Request) -> Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        answer = await client.request(
            request.method, request.url.path, params=request.query_params, headers=headers, content=await request.body()
        )
        body = answer.content
        if rewrite is not None and answer.headers.get("content-type", "").startswith("application/json") and body:
            body = json.dumps(rewrite(request.url.path, json.loads(body))).encode()
        out_headers = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_HEADERS}
        return Response(body, status_code=answer.status_code, headers=out_headers)

    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    return Starlette(routes=[Route("/{path:path}", forward, methods=methods)])


class RunningProxy:
    """The proxy on a free loopback port, in a background thread."""

    def __init__(self, upstream: str, rewrite: JsonRewrite | None = None) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.endpoint = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(proxy_app(upstream, rewrite), log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> RunningProxy:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
