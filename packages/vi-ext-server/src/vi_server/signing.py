"""HMAC-signed storage URLs: method, path and expiry are all covered by the signature."""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import quote

MAX_EXPIRES_DIGITS = 12  # seconds since the epoch: 12 digits last until the year 33658


def signature(secret: bytes, method: str, path: str, expires: int) -> str:
    """Return the hex HMAC-SHA256 of ``METHOD\\npath\\nexpires``."""
    message = f"{method.upper()}\n{path}\n{expires}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def sign_url(
    secret: bytes, base_url: str, method: str, path: str, ttl_seconds: int, now: float | None = None
) -> tuple[str, int]:
    """Return ``(url, expiry_ms)`` for ``method`` on ``path`` (already percent-encoded)."""
    expires = int((time.time() if now is None else now) + ttl_seconds)
    sig = signature(secret, method, path, expires)
    return f"{base_url.rstrip('/')}{path}?expires={expires}&signature={sig}", expires * 1000


def verify(secret: bytes, method: str, path: str, expires: str | None, sig: str | None, now: float) -> str | None:
    """Return why the request is refused, or ``None`` when the signature holds."""
    if not expires or not sig or not (expires.isascii() and expires.isdigit()) or len(expires) > MAX_EXPIRES_DIGITS:
        return "the URL is not signed"
    expected = signature(secret, method, path, int(expires)).encode()
    if not hmac.compare_digest(expected, sig.encode("utf-8", "replace")):
        return "the signature does not match this method and path"
    if int(expires) < now:
        return "the URL has expired"
    return None


def quote_segment(segment: str) -> str:
    """Percent-encode one path segment (``/`` included)."""
    return quote(segment, safe="")
