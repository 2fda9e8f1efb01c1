"""The reference server's resource limits (documented in README "The reference server").

Every limit has a default and an environment variable that overrides it, read when the server
starts (``Limits.from_env()``)::

    VI_SERVER_MAX_IMAGE_PIXELS      64000000   pixels of one image or frame (width x height)
    VI_SERVER_MAX_DECODED_PIXELS    512000000  pixels decoded for one file, all frames together
    VI_SERVER_DECODE_MEMORY_BYTES   1 GiB      address space a decoding worker may add to its own
    VI_SERVER_DECODE_SECONDS        30         decoding time of one file
    VI_SERVER_MAX_JSON_BODY_BYTES   1 MiB      a JSON request body (all routes but the next)
    VI_SERVER_MAX_SESSION_BODY_BYTES 32 MiB    the body creating an ingestion session
    VI_SERVER_HEADER_TIMEOUT        10         seconds to send a request line and headers
    VI_SERVER_BODY_TIMEOUT          60         seconds a request body may stall between bytes

A file over the pixel, memory or time budget is refused with ``ENOQUOTA``; an oversized body is
413 (before it is read); a connection that is too slow with its headers or body is closed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

MIB = 1 << 20
ENV_PREFIX = "VI_SERVER_"


@dataclass(frozen=True)
class Limits:
    """Resource limits of one server (plain values: they cross into worker processes)."""

    max_image_pixels: int = 64_000_000
    max_decoded_pixels: int = 512_000_000
    decode_memory_bytes: int = 1024 * MIB
    decode_seconds: float = 30.0
    max_json_body_bytes: int = 1 * MIB
    max_session_body_bytes: int = 32 * MIB
    header_timeout: float = 10.0
    body_timeout: float = 60.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """The defaults, overridden by ``VI_SERVER_<NAME>`` variables.

        Args:
            environ: Where to read the variables (``os.environ`` when ``None``).

        Returns:
            The limits.

        Raises:
            ValueError: A variable is not a positive number.
        """
        env = os.environ if environ is None else environ
        values: dict[str, float | int] = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is None or not raw.strip():
                continue
            kind = float if f.type in ("float", float) else int
            try:
                value = kind(raw.strip())
            except ValueError:
                raise ValueError(f"{ENV_PREFIX}{f.name.upper()} must be a number, not {raw[:40]!r}") from None
            if value <= 0:
                raise ValueError(f"{ENV_PREFIX}{f.name.upper()} must be positive")
            values[f.name] = value
        return cls(**values)  # type: ignore[arg-type]

    def body_limit(self, operation_id: str) -> int:
        """The largest JSON body ``operation_id`` accepts, in bytes."""
        if operation_id == "createAssetIngestionSession":
            return self.max_session_body_bytes
        return self.max_json_body_bytes
