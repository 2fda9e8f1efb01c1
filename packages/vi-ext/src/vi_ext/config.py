"""Where credentials come from: arguments, then environment, then a config file."""

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


def resolve(
    secret_key: str | None,
    organization_id: str | None,
    endpoint: str | None,
    config_file: str | Path | None,
    environ: Mapping[str, str] | None = None,
) -> Credentials:
    """Apply the precedence rule; raise `ViConfigurationError` naming anything missing."""
    env = os.environ if environ is None else environ
    file = read_config_file(config_file) if config_file is not None else {}
    key = secret_key or env.get(ENV_KEY) or file.get("secret_key")
    org = organization_id or env.get(ENV_ORG) or file.get("organization_id")
    url = endpoint or env.get(ENV_ENDPOINT) or file.get("endpoint") or DEFAULT_ENDPOINT
    missing = [name for name, value in (("secret_key", key), ("organization_id", org)) if not value]
    if missing:
        raise ViConfigurationError(
            f"missing {' and '.join(missing)}: pass it to Client(...), set "
            f"{ENV_KEY}/{ENV_ORG}, or give config_file=<JSON with secret_key and organization_id>"
        )
    if not url.startswith(("http://", "https://")):
        raise ViConfigurationError(f"endpoint must be an http(s) URL, got {url!r}")
    assert key is not None
    assert org is not None
    return Credentials(key.strip(), org.strip(), url.rstrip("/"))
