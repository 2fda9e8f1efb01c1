"""``--database-url``: which metadata store a URL names (pure), and the errors said in one line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SQLITE_FILE = "vi.sqlite3"


class DatabaseUrlError(ValueError):
    """A ``--database-url`` the server cannot use (said in one line)."""


class DatabaseUnavailableError(RuntimeError):
    """The database named by the URL cannot be reached or prepared (said in one line)."""


@dataclass(frozen=True)
class DatabaseUrl:
    """A parsed ``--database-url``: ``kind`` is ``"sqlite"`` (with ``path``) or ``"postgres"`` (with ``url``)."""

    kind: str
    path: Path | None = None
    url: str = ""


def parse_database_url(url: str | None, data_dir: Path) -> DatabaseUrl:
    """Decide which store a URL names (a pure function).

    Args:
        url: ``None``/empty (SQLite in the data dir), ``sqlite:///relative/or//absolute/path``,
            or ``postgresql[+psycopg]://user[:password]@host[:port]/database``.
        data_dir: The server's data dir.

    Returns:
        The store kind and where it is.

    Raises:
        DatabaseUrlError: Any other scheme, or a URL without a path/database name.
    """
    if url is None or not url.strip():
        return DatabaseUrl("sqlite", path=data_dir / SQLITE_FILE)
    url = url.strip()
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise DatabaseUrlError(f"--database-url {url!r} is not a URL (sqlite:///PATH or postgresql+psycopg://…)")
    scheme = scheme.lower()
    if scheme == "sqlite":
        if not rest.startswith("/") or rest == "/":
            raise DatabaseUrlError(f"--database-url {url!r}: write sqlite:///relative/path or sqlite:////absolute/path")
        return DatabaseUrl("sqlite", path=Path(rest[1:]))
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        host_part, slash, database = rest.partition("/")
        if not host_part or not slash or not database.split("?", 1)[0]:
            raise DatabaseUrlError(f"--database-url {hide_password(url)!r}: name the host and the database")
        return DatabaseUrl("postgres", url=f"postgresql+psycopg://{rest}")
    raise DatabaseUrlError(
        f"--database-url {hide_password(url)!r}: unsupported scheme {scheme!r} (use sqlite:/// or postgresql+psycopg://)"
    )


def hide_password(url: str) -> str:
    """``url`` with any password replaced by ``***`` (for messages and logs)."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in credentials:
        return url
    return f"{scheme}://{credentials.split(':', 1)[0]}:***@{host}"
