"""Routing and request validation driven by the OpenAPI documents.

Every path and method of ``openapi.yaml`` and ``storage.yaml`` becomes a route; parameters and
JSON bodies are coerced and validated against the spec's schemas before a handler runs, and an
undocumented method gets 405 with an ``Allow`` header listing exactly the documented ones.

A parameter stated as JSON content (``content: application/json``, e.g. ``filter``) is checked
against its schema when its text is JSON and handed to the handler as the raw text either way:
text that is not JSON is left to the handler (``filter`` also takes the Python dict ``repr`` the
official client sends).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from vi_server import json_guard
from vi_server.errors import ApiError, error_response
from vi_server.limits import Limits

SPEC_DIR = Path(__file__).resolve().parent / "spec"
METHODS = ("get", "put", "post", "delete", "patch")
_INT = re.compile(r"^-?[0-9]+$")
MAX_MESSAGE = 500  # error messages are clipped: a huge invalid value is never echoed back


def clip(message: str, limit: int = MAX_MESSAGE) -> str:
    """``message`` cut to ``limit`` characters (marked with an ellipsis when cut)."""
    return message if len(message) <= limit else message[:limit] + "… (truncated)"


@dataclass
class Operation:
    """One documented operation."""

    operation_id: str
    method: str
    path: str
    secured: bool
    params: dict[tuple[str, str], tuple[dict[str, Any], bool, bool]]
    body_schema: dict[str, Any] | None
    body_required: bool
    body_json: bool


@dataclass
class Call:
    """A validated request, as handlers see it."""

    op: Operation
    request: Request
    path: dict[str, Any]
    query: dict[str, Any]
    body: Any = None
    org_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


SyncHandler = Callable[[Call], Response]
AsyncHandler = Callable[[Call], Awaitable[Response]]
Authenticator = Callable[[Request, dict[str, Any]], str]


def load(name: str) -> dict[str, Any]:
    """Load one of the two specs."""
    data: dict[str, Any] = yaml.safe_load((SPEC_DIR / name).read_text(encoding="utf-8"))
    return data


def _deref(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def operations(spec: dict[str, Any]) -> list[Operation]:
    """Every operation of ``spec``, with parameters and body schema resolved."""
    ops = []
    for path, item in spec["paths"].items():
        shared = [_deref(spec, p) for p in item.get("parameters", [])]
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            params: dict[tuple[str, str], tuple[dict[str, Any], bool, bool]] = {}
            for raw in shared + [_deref(spec, p) for p in op.get("parameters", [])]:
                json_content = "schema" not in raw
                schema = raw["content"]["application/json"]["schema"] if json_content else raw["schema"]
                params[(raw["in"], raw["name"])] = (schema, bool(raw.get("required")), json_content)
            body = op.get("requestBody")
            body_schema, body_json = None, True
            if body is not None:
                media, content = next(iter(body["content"].items()))
                body_json = media == "application/json"
                body_schema = content["schema"]
            ops.append(
                Operation(
                    op["operationId"],
                    method.upper(),
                    path,
                    bool(op.get("security")),
                    params,
                    body_schema,
                    bool(body and body.get("required")),
                    body_json,
                )
            )
    return ops


class Validator:
    """jsonschema validators for schemas of one spec (refs resolve inside the spec)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self._cache: dict[int, jsonschema.Draft202012Validator] = {}

    def errors(self, schema: dict[str, Any], value: Any) -> str | None:
        """Return the first validation error as text, or ``None``."""
        key = id(schema)  # schemas are objects of the spec loaded once at start-up: identity is stable
        validator = self._cache.get(key)
        if validator is None:
            root = {**schema, "components": self.spec.get("components", {})}
            validator = jsonschema.Draft202012Validator(root)
            self._cache[key] = validator
        error = jsonschema.exceptions.best_match(validator.iter_errors(value))
        if error is None:
            return None
        where = "/".join(str(p) for p in error.absolute_path)
        return f"{where or 'value'}: {error.message}" if where else error.message

    def coerce(self, schema: dict[str, Any], raw: str) -> Any:
        """Turn a path/query string into the type its schema wants, where it can."""
        resolved = _deref(self.spec, schema)
        if resolved.get("type") == "integer" and _INT.match(raw):
            if len(raw.lstrip("-")) > json_guard.MAX_INT_DIGITS:
                raise ValueError("integer out of range")
            return int(raw)
        return raw


def build_routes(
    spec: dict[str, Any],
    handlers: dict[str, SyncHandler | AsyncHandler],
    authenticate: Authenticator,
    streaming: set[str],
    limits: Limits | None = None,
) -> list[Route]:
    """Routes for every path of ``spec``; handlers are looked up by operationId."""
    validator = Validator(spec)
    bounds = limits or Limits()
    by_path: dict[str, dict[str, Operation]] = {}
    for op in operations(spec):
        if op.operation_id not in handlers:
            raise RuntimeError(f"no handler for {op.operation_id}")
        by_path.setdefault(op.path, {})[op.method] = op

    def endpoint_for(path: str, ops: dict[str, Operation]) -> Callable[[Request], Awaitable[Response]]:
        allow = ", ".join(sorted(ops))

        async def endpoint(request: Request) -> Response:
            op = ops.get(request.method)
            if op is None:
                return error_response(405, f"{request.method} is not allowed here", {"Allow": allow})
            try:
                call = await _validated_call(op, request, validator, authenticate, streaming, bounds)
                handler: Any = handlers[op.operation_id]
                if op.operation_id in streaming:
                    streamed: Response = await handler(call)
                    return streamed
                result: Response = await run_in_threadpool(handler, call)
                return result
            except ApiError as exc:
                return error_response(exc.status, clip(exc.message), exc.headers)

        return endpoint

    # Literal-suffixed templates (``{id}:cancel``) must win over the bare ``{id}``.
    ordered = sorted(by_path, key=lambda p: (-p.count("/"), ":" not in p.rsplit("/", 1)[-1]))
    every = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
    return [Route(p, endpoint_for(p, by_path[p]), methods=every) for p in ordered]


async def _validated_call(
    op: Operation,
    request: Request,
    validator: Validator,
    authenticate: Authenticator,
    streaming: set[str],
    limits: Limits,
) -> Call:
    path_values = dict(request.path_params)
    org_id = authenticate(request, path_values) if op.secured else ""
    path: dict[str, Any] = {}
    query: dict[str, Any] = {}
    for (where, name), (schema, required, json_content) in op.params.items():
        if where == "path":
            raw: str | None = path_values.get(name)
        elif where == "query":
            values = request.query_params.getlist(name)
            if len(values) > 1:
                raise ApiError(400, f"query parameter {name!r} given more than once")
            raw = values[0] if values else None
        else:
            continue
        if raw is None:
            if required:
                raise ApiError(400, f"missing required {where} parameter {name!r}")
            continue
        if json_content:
            problem = _json_parameter_problem(validator, schema, raw)
            value: Any = raw
        else:
            try:
                value = validator.coerce(schema, raw)
            except ValueError as exc:
                raise ApiError(400, f"{where} parameter {name!r}: {exc}") from None
            problem = validator.errors(schema, value)
        if problem is not None:
            raise ApiError(400, f"{where} parameter {name!r}: {problem}")
        (path if where == "path" else query)[name] = value
    call = Call(op, request, path, query, org_id=org_id)
    if op.body_schema is not None and op.body_json:
        body = await read_body(request, limits.body_limit(op.operation_id))
        # Parsing and validating a large body takes long: off the event loop, so others are served.
        call.body = await run_in_threadpool(_json_body, body, op, validator)
    elif op.body_schema is None and op.operation_id not in streaming:
        await read_body(request, limits.max_json_body_bytes)  # drain and ignore: these take no body
    return call


def _json_parameter_problem(validator: Validator, schema: dict[str, Any], raw: str) -> str | None:
    """Why a JSON-content parameter's text breaks its schema; ``None`` when it fits or is not JSON."""
    try:
        decoded = json_guard.loads(raw)
    except json_guard.NotJson:
        return None  # not JSON: the handler decides (see the module docstring)
    except json_guard.JsonInputError as exc:  # hostile JSON (too deep, huge integers, lone surrogates)
        return str(exc)
    return validator.errors(schema, decoded)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, or 413 as soon as it is known to exceed ``limit`` bytes.

    A declared ``Content-Length`` over the limit is refused before any of the body is read;
    a chunked body is read only up to the limit.
    """
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and (len(declared) > 18 or int(declared) > limit):
        raise ApiError(413, f"the request body is larger than this route accepts ({limit} bytes)")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"the request body is larger than this route accepts ({limit} bytes)")
        chunks.append(chunk)
    return b"".join(chunks)


def _json_body(raw: bytes, op: Operation, validator: Validator) -> Any:
    if not raw.strip():
        if op.body_required:
            raise ApiError(400, "a JSON request body is required")
        return None
    try:
        body = json_guard.loads(raw)
    except json_guard.JsonInputError as exc:
        raise ApiError(400, f"the body is refused: {exc}") from None
    assert op.body_schema is not None
    problem = validator.errors(op.body_schema, body)
    if problem is not None:
        raise ApiError(400, clip(f"invalid body: {problem}"))
    return body
