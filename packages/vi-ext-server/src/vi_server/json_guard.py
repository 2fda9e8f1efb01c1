"""Parse untrusted JSON safely: bounded nesting, no lone surrogates, integers that fit 64 bits.

``json.loads`` alone answers a body nested thousands deep with ``RecursionError``, accepts
``"\\ud800"`` (which then fails when stored or answered, after a commit) and integers of
thousands of digits (which overflow SQLite). `loads` refuses all three with `JsonInputError`,
a ``ValueError`` whose message never repeats the offending value.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 32
INT_BOUND = 1 << 63
MAX_INT_DIGITS = 19


class JsonInputError(ValueError):
    """JSON that the server refuses (answered 400)."""


class NotJson(JsonInputError):
    """Text that is not JSON at all."""


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise JsonInputError("an integer has too many digits")
    return int(text)


def check(value: Any, max_depth: int = MAX_DEPTH) -> None:
    """Raise `JsonInputError` unless ``value`` is nested at most ``max_depth`` deep, with valid
    Unicode strings and integers within ±2**63 (iterative: no recursion on hostile input)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            _check_text(node)
        elif isinstance(node, bool) or node is None or isinstance(node, float):
            continue
        elif isinstance(node, int):
            if not -INT_BOUND <= node < INT_BOUND:
                raise JsonInputError("an integer is out of range")
        elif isinstance(node, dict | list | tuple | set):
            if depth > max_depth:
                raise JsonInputError(f"the JSON is nested more than {max_depth} levels deep")
            if isinstance(node, dict):
                for key, item in node.items():
                    stack.append((key, depth))
                    stack.append((item, depth + 1))
            else:
                stack.extend((item, depth + 1) for item in node)


def _check_text(text: str) -> None:
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise JsonInputError("a string holds a lone UTF-16 surrogate (invalid Unicode)") from None


def loads(raw: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON text and `check` it.

    Args:
        raw: The JSON text (bytes are decoded as UTF-8).
        max_depth: The deepest nesting accepted.

    Returns:
        The parsed value.

    Raises:
        NotJson: The text is not JSON.
        JsonInputError: The text is JSON the server refuses.
    """
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        value = json.loads(text, parse_int=_parse_int)
    except JsonInputError:
        raise
    except RecursionError:
        raise JsonInputError(f"the JSON is nested more than {max_depth} levels deep") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise NotJson(f"not valid JSON: {_short(str(exc))}") from None
    check(value, max_depth)
    return value


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
