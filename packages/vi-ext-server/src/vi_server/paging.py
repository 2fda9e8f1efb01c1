"""Opaque, signed keyset page tokens: stable under concurrent inserts, forged ones refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any


class PageTokenError(ValueError):
    """A page token that this server did not issue for this listing (answered 400)."""


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after ``(value, seq)`` in the listing named by ``scope``."""

    scope: str
    value: Any
    seq: int


def _mac(secret: bytes, payload: bytes) -> str:
    return hmac.new(secret, payload, hashlib.sha256).hexdigest()[:16]


def encode(secret: bytes, cursor: Cursor) -> str:
    """Return the opaque token for ``cursor``."""
    payload = json.dumps([cursor.scope, cursor.value, cursor.seq], separators=(",", ":")).encode()
    body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    return f"{body}.{_mac(secret, payload)}"


def decode(secret: bytes, token: str, scope: str) -> Cursor:
    """Return the cursor in ``token``; raise `PageTokenError` unless it is ours and in scope."""
    body, _, mac = token.partition(".")
    try:
        payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError as exc:
        raise PageTokenError("invalid page token") from exc
    if not mac or not hmac.compare_digest(_mac(secret, payload).encode(), mac.encode()):
        raise PageTokenError("invalid page token")
    token_scope, value, seq = json.loads(payload)
    if token_scope != scope:
        raise PageTokenError("the page token belongs to another listing (sort or filter changed)")
    return Cursor(token_scope, value, int(seq))


def scope_of(*parts: object) -> str:
    """Return a short digest naming a listing (its path, sort and filters)."""
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:16]
