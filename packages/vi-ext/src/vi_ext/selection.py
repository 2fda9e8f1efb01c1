"""Which files under a folder an upload takes: include/exclude globs and the default excludes (pure).

The rules, as documented in the README ("Selecting files"):

- Patterns match the file's path relative to the folder given, with ``/`` separators.
- A pattern without ``/`` matches the file's base name at any depth (``*.png``, ``._*``).
- A pattern with ``/`` matches the whole relative path: ``*`` and ``?`` stay inside one segment,
  ``**`` spans any number of segments (``train/**/*.jpg``), ``[abc]`` / ``[!abc]`` are classes.
- With ``include`` given, a file must match at least one include pattern; a file matching any
  ``exclude`` pattern is left out (exclude wins, whatever the order).
- Default excludes (on unless ``default_excludes=False``): hidden files and folders (any segment
  starting with ``.``, so ``.git/`` and AppleDouble ``._*`` files too) and ``__MACOSX/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from vi_ext.errors import ViValidationError

DEFAULT_EXCLUDED_DIRS = frozenset({"__MACOSX"})


def _class(pattern: str, start: int) -> tuple[str, int] | None:
    """Translate the ``[...]`` class starting at ``pattern[start]``; ``None`` if it is not closed."""
    end = start + 1
    if end < len(pattern) and pattern[end] in "!^":
        end += 1
    if end < len(pattern) and pattern[end] == "]":
        end += 1
    end = pattern.find("]", end)
    if end < 0:
        return None
    body = pattern[start + 1 : end]
    negate = body[:1] in ("!", "^")
    body = body[1:] if negate else body
    body = body.replace("\\", "\\\\").replace("/", "")
    return ("[^/" if negate else "[") + body + "]", end + 1


@lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """Compile one glob to a regular expression over a relative POSIX path.

    Args:
        pattern: The glob, e.g. ``*.png`` or ``train/**/cat_*.jpg``.

    Returns:
        A compiled expression that must match the whole path.

    Raises:
        ViValidationError: The pattern is empty or absolute.
    """
    if not pattern or pattern.startswith("/"):
        raise ViValidationError(f"bad glob pattern {pattern!r}: it must be non-empty and relative")
    if "/" not in pattern:
        pattern = "**/" + pattern
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and (cls := _class(pattern, i)) is not None:
            out.append(cls[0])
            i = cls[1]
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out), re.DOTALL)


def is_default_excluded(relative: str) -> bool:
    """Whether a relative path falls under the default excludes (hidden, ``.git``, ``__MACOSX``, ``._*``).

    Args:
        relative: The file's path relative to the folder given, ``/``-separated.

    Returns:
        ``True`` when the file is left out by default.
    """
    return any(part.startswith(".") or part in DEFAULT_EXCLUDED_DIRS for part in relative.split("/"))


@dataclass(frozen=True)
class FileFilter:
    """The compiled selection rules of one upload (or download)."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    default_excludes: bool = True

    @classmethod
    def build(
        cls, include: Iterable[str] | str | None = None, exclude: Iterable[str] | str | None = None,
        *, default_excludes: bool = True,
    ) -> FileFilter:  # fmt: skip
        """Validate and freeze the patterns.

        Args:
            include: Globs a file must match one of (all files when ``None`` or empty).
            exclude: Globs that leave a file out.
            default_excludes: Leave out hidden files and folders and ``__MACOSX``.

        Returns:
            The filter.

        Raises:
            ViValidationError: A pattern is empty or absolute.
        """
        inc, exc = _patterns(include), _patterns(exclude)
        for pattern in (*inc, *exc):
            glob_regex(pattern)
        return cls(inc, exc, default_excludes)

    def allows(self, relative: str) -> bool:
        """Whether the file at ``relative`` (a ``/``-separated path under the folder) is taken.

        Args:
            relative: The file's path relative to the folder given.

        Returns:
            ``True`` when the rules take the file.
        """
        if self.default_excludes and is_default_excluded(relative):
            return False
        if self.include and not any(glob_regex(p).fullmatch(relative) for p in self.include):
            return False
        return not any(glob_regex(p).fullmatch(relative) for p in self.exclude)

    def why_not(self, relative: str) -> str | None:
        """The reason ``relative`` is left out, or ``None`` when it is taken (for dry runs and reports)."""
        if self.default_excludes and is_default_excluded(relative):
            return "hidden or system file (default exclude)"
        if self.include and not any(glob_regex(p).fullmatch(relative) for p in self.include):
            return "matches no --include pattern"
        for pattern in self.exclude:
            if glob_regex(pattern).fullmatch(relative):
                return f"matches --exclude {pattern!r}"
        return None


def _patterns(value: Iterable[str] | str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Sequence | Iterable):
        raise ViValidationError(f"patterns must be a string or a list of strings, not {type(value).__name__}")
    patterns = tuple(value)
    for p in patterns:
        if not isinstance(p, str):
            raise ViValidationError(f"patterns must be strings, not {type(p).__name__}")
    return patterns
