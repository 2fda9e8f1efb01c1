"""Credentials come from one source (issue 13.4): keyword arguments > config file > environment.

A config file that is given is used as a whole and the environment as a whole; keyword arguments
may override single fields of whichever source is used. A key from one source is never sent to an
endpoint or for an organization from another.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.helpers.server_harness import RunningServer
from vi_ext import Client, ViConfigurationError
from vi_ext.config import DEFAULT_ENDPOINT, resolve

ENV = {
    "DATATURE_VI_SECRET_KEY": "env-key",
    "DATATURE_VI_ORGANIZATION_ID": "env-org",
    "DATATURE_VI_API_ENDPOINT": "http://env.test",
}
VI_EXT = str(Path(sys.executable).parent / "vi-ext")


def config(tmp_path: Path, **fields: str) -> Path:
    path = tmp_path / "creds.json"
    path.write_text(json.dumps(fields))
    return path


def triple(*args: object) -> tuple[str, str, str]:
    creds = resolve(*args)  # type: ignore[arg-type]
    return creds.secret_key, creds.organization_id, creds.endpoint


def test_a_given_config_file_wins_over_the_environment_as_a_whole(tmp_path: Path) -> None:
    file = config(tmp_path, secret_key="file-key", organization_id="file-org", endpoint="http://file.test")
    assert triple(None, None, None, file, ENV) == ("file-key", "file-org", "http://file.test")


def test_a_config_file_without_endpoint_takes_the_default_not_the_environments(tmp_path: Path) -> None:
    file = config(tmp_path, secret_key="file-key", organization_id="file-org")
    assert triple(None, None, None, file, ENV) == ("file-key", "file-org", DEFAULT_ENDPOINT)


def test_a_config_file_missing_a_field_is_never_completed_from_the_environment(tmp_path: Path) -> None:
    file = config(tmp_path, secret_key="file-key", endpoint="http://file.test")
    with pytest.raises(ViConfigurationError, match=r"organization_id.*creds\.json|creds\.json.*organization_id"):
        resolve(None, None, None, file, ENV)
    keyless = config(tmp_path, organization_id="file-org")
    with pytest.raises(ViConfigurationError, match="secret_key"):
        resolve(None, None, None, keyless, ENV)


def test_the_environment_as_a_whole_when_no_file_is_given() -> None:
    assert triple(None, None, None, None, ENV) == ("env-key", "env-org", "http://env.test")
    no_endpoint = {k: v for k, v in ENV.items() if k != "DATATURE_VI_API_ENDPOINT"}
    assert triple(None, None, None, None, no_endpoint) == ("env-key", "env-org", DEFAULT_ENDPOINT)
    with pytest.raises(ViConfigurationError, match="organization_id"):
        resolve(None, None, None, None, {"DATATURE_VI_SECRET_KEY": "env-key", "DATATURE_VI_ORGANIZATION_ID": ""})


def test_keyword_arguments_override_single_fields_of_the_source_used(tmp_path: Path) -> None:
    file = config(tmp_path, secret_key="file-key", organization_id="file-org", endpoint="http://file.test")
    assert triple("arg-key", None, None, file, ENV) == ("arg-key", "file-org", "http://file.test")
    assert triple(None, None, "http://arg.test", file, ENV) == ("file-key", "file-org", "http://arg.test")
    assert triple(None, "arg-org", None, None, ENV) == ("env-key", "arg-org", "http://env.test")
    assert triple("a", "b", "http://c.test", None, ENV) == ("a", "b", "http://c.test")
    assert triple("a", "b", None, None, {}) == ("a", "b", DEFAULT_ENDPOINT)


def test_a_given_config_file_must_exist_even_with_every_argument(tmp_path: Path) -> None:
    with pytest.raises(ViConfigurationError, match="not found"):
        resolve("a", "b", "http://c.test", tmp_path / "nope.json", ENV)


def test_the_client_sends_the_files_key_only_to_the_files_endpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    file = config(tmp_path, secret_key="file-key", organization_id="file-org", endpoint="http://file.test")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"items": [], "nextPage": None, "prevPage": None})

    with Client(config_file=file, transport=httpx.MockTransport(handler)) as client:
        client.datasets.list()
    assert [r.url.host for r in seen] == ["file.test"]
    assert seen[0].headers["Authorization"] == "Bearer file-key"
    assert seen[0].headers["Organization-Id"] == "file-org"


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DATATURE_", "VI_EXT_"))}
    return subprocess.run([VI_EXT, *args], capture_output=True, text=True, env={**base, **env}, timeout=120,
                          check=False)  # fmt: skip


def test_cli_config_file_is_used_whole_despite_exported_variables(server: RunningServer, tmp_path: Path) -> None:
    creds = str(server.data_dir / "credentials.json")
    other = {"DATATURE_VI_SECRET_KEY": "dtvi_" + "x" * 98, "DATATURE_VI_ORGANIZATION_ID": "someone-else",
             "DATATURE_VI_API_ENDPOINT": "http://127.0.0.1:9"}  # fmt: skip
    flag = run("--config-file", creds, "--json", "datasets", "ls", env=other)
    assert flag.returncode == 0, flag.stderr
    variable = run("--json", "datasets", "ls", env={**other, "VI_EXT_CONFIG_FILE": creds})
    assert variable.returncode == 0, variable.stderr
    partial = config(tmp_path, secret_key=server.key, endpoint=server.endpoint)
    mixed = run("--config-file", str(partial), "datasets", "ls", env={"DATATURE_VI_ORGANIZATION_ID": server.org})
    assert mixed.returncode == 2
    assert "ViConfigurationError" in mixed.stderr
    assert "organization_id" in mixed.stderr
