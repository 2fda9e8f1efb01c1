"""The server suites run on every selected backend (``$VI_TEST_BACKENDS``; default sqlite-local and
postgres-s3). A backend that cannot start here is skipped with the reason, never passed silently.

These fixtures override the root ``server``/``api``/``fresh_server`` for ``tests/server`` only;
``short_ttl_server`` stays on the local blob store (moto checks neither signatures nor expiry).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.backend_fixtures import require_backend
from tests.helpers.server_harness import RunningServer
from tools.backend_runs import start_server
from vi_server.testing.backends import Backend, BackendServices, selected_backends


@pytest.fixture(scope="session", params=[b.name for b in selected_backends()])
def backend(request: pytest.FixtureRequest, backend_services: BackendServices) -> Backend:
    """One backend of the selection; skipped with the reason when it cannot start here."""
    return require_backend(backend_services, request.param)


def start_on(backend: Backend, services: BackendServices, data_dir: Path, *extra: str) -> RunningServer:
    """A server on ``backend`` with a database and bucket of its own."""
    return start_server(data_dir, services.server_options(backend), *extra)


@pytest.fixture(scope="session")
def server(
    tmp_path_factory: pytest.TempPathFactory, backend: Backend, backend_services: BackendServices
) -> Iterator[RunningServer]:
    """One server per backend for the whole run (tests use their own datasets)."""
    data_dir = tmp_path_factory.mktemp(f"vi-data-{backend.name}")
    running = start_on(backend, backend_services, data_dir, "--ingestion-timeout", "120")
    yield running
    running.stop()


@pytest.fixture
def fresh_server(tmp_path: Path, backend: Backend, backend_services: BackendServices) -> Iterator[RunningServer]:
    """A server of its own on the backend, with short timeouts and small multipart parts."""
    running = start_on(backend, backend_services, tmp_path / "vi-data",
                       "--ingestion-timeout", "1.5", "--multipart-part-size", "40000")  # fmt: skip
    yield running
    running.stop()
