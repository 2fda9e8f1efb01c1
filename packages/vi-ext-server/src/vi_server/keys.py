"""Secret keys in the official shape (``dtvi_`` + 98 characters), stored only as hashes."""

from __future__ import annotations

import hashlib
import secrets
import string
import uuid

KEY_PREFIX = "dtvi_"
KEY_BODY_LENGTH = 98
_ALPHABET = string.ascii_letters + string.digits


def new_secret_key() -> str:
    """Return a fresh key of exactly 103 characters."""
    return KEY_PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(KEY_BODY_LENGTH))


def new_organization_id() -> str:
    """Return a fresh organization id (a UUID, as Vi uses)."""
    return str(uuid.uuid4())


def key_hash(key: str) -> str:
    """Return the stored form of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


def well_formed(key: str) -> bool:
    """Whether ``key`` has the official shape."""
    return (
        len(key) == len(KEY_PREFIX) + KEY_BODY_LENGTH
        and key.startswith(KEY_PREFIX)
        and all(c in _ALPHABET for c in key[len(KEY_PREFIX) :])
    )


def new_id(prefix: str = "") -> str:
    """Return a random 24-hex-character resource id."""
    return prefix + secrets.token_hex(12)
