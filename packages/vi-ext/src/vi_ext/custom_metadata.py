"""Custom metadata checked per file before anything is sent (pure decisions, no network)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from vi_ext.errors import ViValidationError

CustomMetadataArg = Mapping[str, Any] | Callable[[str], Mapping[str, Any] | None] | None


def metadata_problem(value: object) -> str | None:
    """Why ``value`` cannot be sent as custom metadata (``None`` when it can).

    Allowed: ``None`` (no metadata) or a mapping of str keys to str, int, float or bool values;
    no lone surrogates in strings (they are not UTF-8), no NaN or infinity (not JSON).
    """
    if value is None:
        return None
    if not isinstance(value, Mapping):
        return f"must be a dict, not {type(value).__name__}"
    for key, item in value.items():
        if not isinstance(key, str):
            return f"key {key!r} must be a str, not {type(key).__name__}"
        if not _utf8(key):
            return f"key {_shown(key)} is not valid UTF-8 (a lone surrogate)"
        if isinstance(item, str):
            if not _utf8(item):
                return f"value of {key!r} is not valid UTF-8 (a lone surrogate)"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return f"value of {key!r} must be a finite number, not {item!r}"
        elif not isinstance(item, (int, bool)):
            return f"value of {key!r} must be str, int, float or bool, not {type(item).__name__}"
    return None


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shown(text: str) -> str:
    return ascii(text)


def resolve(custom: CustomMetadataArg, local: str, shown: str) -> dict[str, Any] | None:
    """The custom metadata of one file, checked.

    Args:
        custom: a mapping for every file, or a function ``local path -> mapping | None``.
        local: the file's local path (what the function receives).
        shown: the path as it may be printed (used in the error).

    Returns:
        A plain dict, or ``None`` for no metadata.

    Raises:
        ViValidationError: the metadata of this file cannot be sent; the message names the file.
    """
    if custom is None:
        return None
    value = custom(local) if callable(custom) else custom
    problem = metadata_problem(value)
    if problem:
        raise ViValidationError(f"custom_metadata for {shown}: {problem}; nothing was uploaded")
    return None if value is None else dict(value)
