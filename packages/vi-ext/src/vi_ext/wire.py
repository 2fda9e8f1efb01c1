"""The wire constants of the asset API in one place: composite dataset ids, the asset source, URL expiry.

Pure values and functions only; every module of vi_ext that builds a path or checks a signed URL
uses these instead of its own literal.
"""

from __future__ import annotations

import time

SOURCE: tuple[str, str, str] = ("managed", "datature", "default")
"""The asset source path segments ``(kind, provider, name)`` of every upload and listing."""

RETRY_AFTER = "retry-after"
"""The header with the server's wait before a retry (delta-seconds or an HTTP date)."""

TRACE_CONTEXT = "x-cloud-trace-context"
"""The header carrying the server's trace id (``TRACE_ID/SPAN_ID;o=1``)."""

EXPIRY_MARGIN = 2.0
"""Seconds a signed URL must still be valid for before it is used; closer to expiry it counts as dead."""


def composite_dataset_id(organization_id: str, dataset_id: str) -> str:
    """The ``{organization_id}_{dataset_id}`` path segment; a composite id given as is is kept.

    Args:
        organization_id: the organization the dataset belongs to.
        dataset_id: a short id, or a composite id that already carries the prefix.

    Returns:
        The composite id.
    """
    prefix = f"{organization_id}_"
    return dataset_id if dataset_id.startswith(prefix) else prefix + dataset_id


def short_dataset_id(composite: str, organization_id: str) -> str:
    """Strip exactly the ``{organization_id}_`` prefix (ids may contain underscores).

    Args:
        composite: a composite id (a short id is returned unchanged).
        organization_id: the organization whose prefix is stripped.

    Returns:
        The short dataset id.
    """
    prefix = f"{organization_id}_"
    return composite[len(prefix) :] if composite.startswith(prefix) else composite


def url_expired(expiry_ms: int | None, now: float | None = None, margin: float = EXPIRY_MARGIN) -> bool:
    """Whether a signed URL expiring at ``expiry_ms`` (epoch milliseconds) is too close to expiry to use.

    Args:
        expiry_ms: the URL's expiry in milliseconds since the epoch; ``None`` or ``0``: unknown, never expired.
        now: the current time in seconds (default: ``time.time()``).
        margin: seconds of validity the URL must still have.

    Returns:
        ``True`` when the URL expires within ``margin`` seconds (or already has).
    """
    if not expiry_ms:
        return False
    return expiry_ms / 1000 < (time.time() if now is None else now) + margin
