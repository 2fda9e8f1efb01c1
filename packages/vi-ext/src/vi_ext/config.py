"""Where credentials come from: ONE source, never mixed field by field.

Keyword arguments > an explicitly given config file (used as a whole) > the environment (as a
whole). Keyword arguments override single fields of whichever source is used; a config file that is
given is never completed from ``DATATURE_VI_*`` variables, so a key from one source never travels to
an endpoint or organization named by another.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from vi_ext.errors import ViConfigurationError

DEFAULT_ENDPOINT = "https://api.vi.datature.com"
ENV_KEY = "DATATURE_VI_SECRET_KEY"
ENV_ORG = "DATATURE_VI_ORGANIZATION_ID"
ENV_ENDPOINT = "DATATURE_VI_API_ENDPOINT"
FIELDS = ("secret_key", "organization_id", "endpoint")


@dataclass(frozen=True)
class Credentials:
    """Resolved credentials."""

    secret_key: str
    organization_id: str
    endpoint: str

    def __repr__(self) -> str:  # never print the key
        return f"Credentials(organization_id={self.organization_id!r}, endpoint={self.endpoint!r}, secret_key=***)"


def read_config_file(path: str | Path) -> dict[str, str]:
    """Read a JSON config file (``secret_key``, ``organization_id``, optional ``endpoint``)."""
    file = Path(path).expanduser()
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ViConfigurationError(f"config file not found: {file}") from exc
    except (OSError, ValueError) as exc:
        raise ViConfigurationError(f"config file {file} is not readable JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ViConfigurationError(f"config file {file} must hold a JSON object")
    return {k: v for k, v in data.items() if isinstance(v, str)}


def choose_source(config_file: str | Path | None, environ: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """The one source the fields come from: the config file when given, else the environment.

    Returns:
        A description of the source (for error messages) and its fields (``secret_key``,
        ``organization_id``, ``endpoint``; empty values left out).

    Raises:
        ViConfigurationError: the given config file is missing or not a JSON object.
    """
    if config_file is not None:
        fields = read_config_file(config_file)
        where = f"config file {Path(config_file).expanduser()}"
    else:
        fields = {"secret_key": environ.get(ENV_KEY, ""), "organization_id": environ.get(ENV_ORG, ""),
                  "endpoint": environ.get(ENV_ENDPOINT, "")}  # fmt: skip
        where = f"the environment ({ENV_KEY}/{ENV_ORG})"
    return where, {k: v for k, v in fields.items() if k in FIELDS and v.strip()}


def resolve(
    secret_key: str | None,
    organization_id: str | None,
    endpoint: str | None,
    config_file: str | Path | None,
    environ: Mapping[str, str] | None = None,
) -> Credentials:
    """Apply the one-source rule (see the module docstring).

    Args:
        secret_key: explicit key (overrides the source's).
        organization_id: explicit organization (overrides the source's).
        endpoint: explicit endpoint (overrides the source's).
        config_file: a JSON file used as the whole source; the environment is then not read.
        environ: the environment (``os.environ`` when ``None``).

    Returns:
        The resolved credentials.

    Raises:
        ViConfigurationError: the file is unreadable, or a field is missing from the source used.
    """
    where, source = choose_source(config_file, os.environ if environ is None else environ)
    key = secret_key or source.get("secret_key")
    org = organization_id or source.get("organization_id")
    url = endpoint or source.get("endpoint") or DEFAULT_ENDPOINT
    missing = [name for name, value in (("secret_key", key), ("organization_id", org)) if not value]
    if missing:
        hint = (
            "add it to that file or pass it to Client(...) (DATATURE_VI_* variables are not read when a "
            "config file is given)"
            if config_file is not None
            else f"pass it to Client(...), set {ENV_KEY}/{ENV_ORG}, or give config_file=<JSON with "
            "secret_key and organization_id>"
        )
        raise ViConfigurationError(f"missing {' and '.join(missing)} in {where}: {hint}")
    if not url.startswith(("http://", "https://")):
        raise ViConfigurationError(f"endpoint must be an http(s) URL, got {url!r}")
    assert key is not None
    assert org is not None
    return Credentials(key.strip(), org.strip(), url.rstrip("/"))
