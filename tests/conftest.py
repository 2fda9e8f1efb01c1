"""Shared fixtures: reference servers on free loopback ports, stopped after use."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.backend_fixtures import backend_services  # noqa: F401 (the one fixture of the run)
from tests.helpers.server_harness import Api, RunningServer


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One reference server for the whole run (tests use their own datasets)."""
    running = RunningServer(tmp_path_factory.mktemp("vi-data"), "--ingestion-timeout", "120").start()
    yield running
    running.stop()


@pytest.fixture
def api(server: RunningServer) -> Api:
    """Raw API access as the server's default organization."""
    return Api(server.endpoint, server.org, server.key)


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[RunningServer]:
    """A server of its own, with short timeouts and small multipart parts."""
    running = RunningServer(
        tmp_path / "vi-data", "--ingestion-timeout", "1.5", "--multipart-part-size", "40000"
    ).start()
    yield running
    running.stop()


@pytest.fixture
def short_ttl_server(tmp_path: Path) -> Iterator[RunningServer]:
    """A server whose signed URLs live for 2 seconds."""
    running = RunningServer(tmp_path / "vi-data", "--url-ttl", "2").start()
    yield running
    running.stop()
