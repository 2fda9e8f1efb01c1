"""Asset selection: the ``filter`` / ``metadataQuery`` / ``ruleQuery`` forms, as pure functions.

* ``filter``: a JSON object (or the Python ``repr`` of a dict, as the official client sends it)
  of field/value pairs. Keys are asset fields (``filename``, ``assetId``, ``kind``), metadata
  fields (``status``, ``mimeType``, ``fileSize``, …) or dotted paths (``metadata.fileSize``,
  ``metadata.customMetadata.scene``). A list value matches any of its members. With
  ``strictQuery`` values must be equal; without it strings match case-insensitively as
  substrings. An unknown field is an error, never a silent "match nothing".
* ``metadataQuery``: clauses ``key OP value`` joined by ``and`` over custom metadata
  (``custom_field == "value"``); ``ruleQuery``: the same over asset metadata (``fileSize > 1000``).
  OP is one of ``== != > >= < <=``; value is a JSON literal or a bare word.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from vi_server import json_guard

Predicate = Callable[[Mapping[str, Any]], bool]

TOP_LEVEL_FIELDS = {"assetId", "filename", "kind", "owner", "datasetId", "workspaceId"}
_CLAUSE = re.compile(r"^\s*([A-Za-z_][\w.\-]*)\s*(==|!=|>=|<=|>|<)\s*(.+?)\s*$")
_AND = re.compile(r"\s+and\s+|\s*&&\s*", re.IGNORECASE)
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}
_MISSING = object()


class QueryError(ValueError):
    """A filter or query that cannot be understood (answered 400)."""


def parse_filter(text: str | Mapping[str, Any] | None) -> dict[str, Any]:
    """Return the filter as a dict (JSON text, Python dict repr, or a mapping)."""
    if text is None:
        return {}
    if isinstance(text, Mapping):
        return dict(text)
    stripped = text.strip()
    if not stripped:
        return {}
    try:
        value = json_guard.loads(stripped)
    except json_guard.NotJson:
        try:
            value = ast.literal_eval(stripped)
            json_guard.check(value)
        except json_guard.JsonInputError as bad:
            raise QueryError(f"filter refused: {bad}") from None
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as exc:
            raise QueryError('filter must be a JSON object, e.g. {"status": "error"}') from exc
    except json_guard.JsonInputError as exc:
        raise QueryError(f"filter refused: {exc}") from None
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise QueryError("filter must be a JSON object with string keys")
    return value


def _lookup(asset: Mapping[str, Any], key: str) -> Any:
    """Resolve a filter key against an asset view (see the module docstring)."""
    if key in TOP_LEVEL_FIELDS:
        return asset.get(key, _MISSING)
    metadata = asset.get("metadata", {})
    node: Any = asset if key.startswith("metadata.") else metadata
    for part in key.split("."):
        if node is asset and part == "metadata":
            node = metadata
            continue
        if not isinstance(node, Mapping) or part not in node:
            return _MISSING
        node = node[part]
    return node


def known_filter_key(key: str, sample_metadata_keys: set[str]) -> bool:
    """Whether ``key`` names a field an asset can have."""
    head = key.split(".", 1)[0]
    return key in TOP_LEVEL_FIELDS or head == "metadata" or head in sample_metadata_keys


def _matches(actual: Any, wanted: Any, strict: bool) -> bool:
    if isinstance(wanted, list):
        return any(_matches(actual, w, strict) for w in wanted)
    if actual is _MISSING:
        return False
    if not strict and isinstance(actual, str) and isinstance(wanted, str):
        return wanted.lower() in actual.lower()
    if isinstance(actual, bool) != isinstance(wanted, bool):
        return False
    return bool(actual == wanted)


def filter_predicate(filt: Mapping[str, Any], strict: bool, metadata_keys: set[str]) -> Predicate | None:
    """Return a predicate for ``filt`` (``None`` when it selects everything)."""
    if not filt:
        return None
    unknown = [k for k in filt if not known_filter_key(k, metadata_keys)]
    if unknown:
        raise QueryError(f"unknown filter field(s): {', '.join(sorted(unknown))}")
    items = list(filt.items())
    return lambda asset: all(_matches(_lookup(asset, k), v, strict) for k, v in items)


@dataclass(frozen=True)
class Clause:
    """One ``key OP value`` clause."""

    key: str
    op: str
    value: Any


def _literal(text: str) -> Any:
    try:
        return json_guard.loads(text)
    except json_guard.NotJson:
        if len(text) >= 2 and text[0] == text[-1] == "'":
            return text[1:-1]
        return text


def parse_query(text: str | None) -> list[Clause]:
    """Parse a metadata/rule query into clauses (empty for no query)."""
    if text is None or not text.strip():
        return []
    clauses = []
    for part in _AND.split(text.strip()):
        match = _CLAUSE.match(part)
        if match is None:
            raise QueryError(f"cannot parse query clause {part!r}: expected `key == value`")
        key, op, raw = match.groups()
        try:
            clauses.append(Clause(key, op, _literal(raw)))
        except json_guard.JsonInputError as exc:
            raise QueryError(f"query value refused: {exc}") from None
    return clauses


def _compare(actual: Any, op: str, wanted: Any) -> bool:
    if actual is _MISSING:
        return False
    try:
        return bool(_OPS[op](actual, wanted))
    except TypeError:
        return op == "!="


def query_predicate(clauses: list[Clause], on_custom_metadata: bool) -> Predicate | None:
    """Return a predicate for ``clauses`` over custom metadata or asset metadata."""
    if not clauses:
        return None
    prefix = "metadata.customMetadata." if on_custom_metadata else "metadata."

    def predicate(asset: Mapping[str, Any]) -> bool:
        return all(_compare(_lookup(asset, prefix + c.key), c.op, c.value) for c in clauses)

    return predicate


def combine(predicates: list[Predicate | None]) -> Predicate | None:
    """AND the given predicates together (``None`` entries select everything)."""
    active = [p for p in predicates if p is not None]
    if not active:
        return None
    return lambda asset: all(p(asset) for p in active)
