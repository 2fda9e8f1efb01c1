"""Backend-parametrised fixtures for suites outside ``tests/server`` (import them into a test module).

``backend`` runs a test once per selected backend (``$VI_TEST_BACKENDS``; default sqlite-local and
postgres-s3) and skips it with the reason when the backend's services cannot start here — never a
silent pass. ``backend_server`` is one reference server per backend for the module.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.server_harness import RunningServer
from tools.backend_runs import start_server
from vi_server.testing.backends import BACKENDS, Backend, BackendServices, selected_backends

__all__ = ["backend", "backend_server", "backend_services", "require_backend"]


def require_backend(services: BackendServices, name: str) -> Backend:
    """The backend called ``name``, or a pytest skip naming why it cannot run here.

    Args:
        services: The run's throwaway services (started here on first use).
        name: A key of :data:`BACKENDS`.

    Returns:
        The backend, its services running.
    """
    chosen = BACKENDS[name]
    reason = services.unavailable_reason(chosen)
    if reason:
        pytest.skip(f"backend {chosen.name} skipped: {reason}")
    return chosen


@pytest.fixture(scope="session")
def backend_services() -> Iterator[BackendServices]:
    """Throwaway PostgreSQL / S3 for the whole run (one of each), started on first use.

    Registered once for the test suite by ``tests/conftest.py``; import it only where no conftest does.
    """
    services = BackendServices()
    yield services
    services.stop()


@pytest.fixture(scope="module", params=[b.name for b in selected_backends()])
def backend(request: pytest.FixtureRequest, backend_services: BackendServices) -> Backend:
    """One backend of the selection; skipped with the reason when it cannot start here."""
    return require_backend(backend_services, request.param)


@pytest.fixture(scope="module")
def backend_server(
    tmp_path_factory: pytest.TempPathFactory, backend: Backend, backend_services: BackendServices
) -> Iterator[RunningServer]:
    """A reference server on ``backend`` with a database and bucket of its own."""
    running = start_server(tmp_path_factory.mktemp(f"vi-data-{backend.name}"), backend_services.server_options(backend))
    yield running
    running.stop()
