"""Issue 18: the tools and suites run per backend; an unavailable backend is skipped with its reason, never passed."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tools import backend_runs, compat, contract
from tools.backend_runs import BackendOutcome, ServerStartError, chosen_backends, run_on_backends, summary
from vi_server.testing import backends as backends_module
from vi_server.testing import postgres
from vi_server.testing.backends import BACKENDS, DEFAULT_BACKENDS, Backend, BackendServices, ServerOptions

ROOT = Path(__file__).resolve().parents[2]
NO_PG = "PostgreSQL server binaries (initdb, pg_ctl) are not installed"


def names(backends: list[Backend]) -> list[str]:
    return [b.name for b in backends]


# --- selection ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, list(DEFAULT_BACKENDS)),
        ("", list(DEFAULT_BACKENDS)),
        ("  ", list(DEFAULT_BACKENDS)),
        ("sqlite-local", ["sqlite-local"]),
        (" postgres-local , sqlite-s3 ,", ["postgres-local", "sqlite-s3"]),
        ("postgres-s3,sqlite-local,postgres-s3", ["postgres-s3", "sqlite-local"]),
    ],
)
def test_selected_backends_reads_the_environment(monkeypatch: pytest.MonkeyPatch, raw: str | None,
                                                 expected: list[str]) -> None:  # fmt: skip
    if raw is None:
        monkeypatch.delenv("VI_TEST_BACKENDS", raising=False)
    else:
        monkeypatch.setenv("VI_TEST_BACKENDS", raw)
    assert names(backends_module.selected_backends()) == expected


@pytest.mark.parametrize("raw", ["nope", "sqlite-local,postgres", "SQLITE-LOCAL"])
def test_an_unknown_backend_name_is_an_error(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("VI_TEST_BACKENDS", raw)
    with pytest.raises(ValueError, match=r"unknown backend.*known: \['postgres-local', 'postgres-s3'"):
        backends_module.selected_backends()


def test_backend_option_overrides_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VI_TEST_BACKENDS", "postgres-s3")
    assert names(chosen_backends(["sqlite-s3", "sqlite-local", "sqlite-s3"])) == ["sqlite-s3", "sqlite-local"]
    assert names(chosen_backends(None)) == ["postgres-s3"]
    with pytest.raises(ValueError, match="unknown backend"):
        chosen_backends(["mysql-local"])


@pytest.mark.parametrize("tool", ["tools.contract", "tools.compat"])
def test_the_tools_refuse_an_unknown_backend_before_starting_anything(tool: str) -> None:
    env = {**os.environ, "VI_TEST_BACKENDS": "sqlite-local,nope"}
    run = subprocess.run([sys.executable, "-m", tool, "--quick"] if tool.endswith("contract") else
                         [sys.executable, "-m", tool], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120, check=False)  # fmt: skip
    assert run.returncode == 2, run.stdout + run.stderr
    assert "unknown backend(s) ['nope']" in run.stderr
    flag = subprocess.run([sys.executable, "-m", tool, "--backend", "nope"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)  # fmt: skip
    assert flag.returncode == 2
    assert "invalid choice: 'nope'" in flag.stderr


def test_pytest_fails_loudly_on_an_unknown_backend() -> None:
    env = {**os.environ, "VI_TEST_BACKENDS": "nope"}
    run = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                          "tests/e2e/test_compat.py"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300, check=False)  # fmt: skip
    assert run.returncode != 0
    assert "unknown backend(s) ['nope']" in run.stdout + run.stderr


# --- the skip path -----------------------------------------------------------------------------------------


def test_without_postgresql_binaries_the_services_say_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres, "find_pg_bindir", lambda: None)
    monkeypatch.setattr(backends_module, "s3_unavailable_reason", lambda: "moto[server] is not installed")
    services = BackendServices()
    try:
        assert services.unavailable_reason(BACKENDS["postgres-s3"]) == f"PostgreSQL unavailable: {NO_PG}"
        assert services.unavailable_reason(BACKENDS["postgres-local"]) == f"PostgreSQL unavailable: {NO_PG}"
        assert services.unavailable_reason(BACKENDS["sqlite-s3"]) == (
            "S3 endpoint unavailable: moto[server] is not installed"
        )
        assert services.unavailable_reason(BACKENDS["sqlite-local"]) is None
        with pytest.raises(RuntimeError, match="PostgreSQL unavailable"):
            services.server_options(BACKENDS["postgres-local"])
        assert services.server_options(BACKENDS["sqlite-local"]) == ServerOptions()
    finally:
        services.stop()


SKIP_PROBE = """
from vi_server.testing import postgres

postgres.find_pg_bindir = lambda: None  # PostgreSQL looks absent

from tests.helpers.backend_fixtures import backend, backend_services  # noqa: E402,F401


def test_runs(backend):
    assert backend.name == "sqlite-local"
"""


def test_the_pytest_parametrisation_of_an_absent_backend_is_skipped_not_passed(tmp_path: Path) -> None:
    (tmp_path / "test_probe.py").write_text(textwrap.dedent(SKIP_PROBE), encoding="utf-8")
    env = {**os.environ, "VI_TEST_BACKENDS": "sqlite-local,postgres-local", "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "pytest", "-rs", "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
                          str(tmp_path / "test_probe.py")], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=300, check=False)  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:]
    assert "1 passed, 1 skipped" in run.stdout
    assert f"backend postgres-local skipped: PostgreSQL unavailable: {NO_PG}" in run.stdout


# --- one run per backend -----------------------------------------------------------------------------------


class FakeServices:
    """Services where some backends are unavailable."""

    def __init__(self, unavailable: dict[str, str]) -> None:
        self.unavailable = unavailable
        self.stopped = False

    def unavailable_reason(self, backend: Backend) -> str | None:
        return self.unavailable.get(backend.name)

    def server_options(self, backend: Backend) -> ServerOptions:
        return ServerOptions(args=[f"--for-{backend.name}"])

    def stop(self) -> None:
        self.stopped = True


def test_a_skip_is_reported_and_exits_0_a_failure_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    ran: list[tuple[str, list[str]]] = []

    def run(backend: Backend, options: ServerOptions) -> int:
        ran.append((backend.name, options.args))
        return 0

    services = FakeServices({"postgres-s3": "PostgreSQL unavailable: no initdb"})
    both = [BACKENDS["sqlite-local"], BACKENDS["postgres-s3"]]
    assert run_on_backends("tool", both, run, services) == 0
    out = capsys.readouterr().out
    assert ran == [("sqlite-local", ["--for-sqlite-local"])]
    assert "tool: SKIPPED backend postgres-s3: PostgreSQL unavailable: no initdb\n" in out
    assert out.splitlines()[-1] == "tool: OK (sqlite-local, postgres-s3 SKIPPED)"
    assert services.stopped

    def failing(backend: Backend, options: ServerOptions) -> int:
        if backend.name == "postgres-s3":
            raise ServerStartError("the server did not start with --database-url …: Error: No such option")
        return 0

    assert run_on_backends("tool", both, failing, FakeServices({})) == 1
    captured = capsys.readouterr()
    assert "tool: backend postgres-s3 FAILED: the server did not start" in captured.err
    assert captured.out.splitlines()[-1] == "tool: FAILURES on postgres-s3 (see above)"
    assert run_on_backends("tool", both[:1], lambda b, o: 3, FakeServices({})) == 1


def test_summary() -> None:
    assert summary("t", []) == (1, "t: FAILURES: no backend selected")
    assert summary("t", [BackendOutcome("a", "skipped", "why")]) == (0, "t: OK (a SKIPPED)")
    assert summary("t", [BackendOutcome("a", "ok"), BackendOutcome("b", "failed")]) == (
        1,
        "t: FAILURES on b (see above)",
    )


def test_a_server_that_rejects_the_backend_options_fails_fast_and_says_why(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(ServerStartError) as caught:
        backend_runs.start_server(tmp_path / "data", ServerOptions(args=["--no-such-store", "x://y"]))
    assert time.monotonic() - started < 25
    assert "the server did not start with --no-such-store x://y" in str(caught.value)
    assert "No such option" in str(caught.value)


@pytest.mark.parametrize("tool", ["compat", "contract"])
def test_the_tools_skip_a_backend_without_postgresql_and_exit_0(tool: str, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    monkeypatch.setattr(postgres, "find_pg_bindir", lambda: None)
    monkeypatch.setattr(compat, "ensure_venv", lambda: Path(sys.executable))
    main = compat.main if tool == "compat" else contract.main
    assert main(["--backend", "postgres-local"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"{tool}: SKIPPED backend postgres-local: PostgreSQL unavailable: {NO_PG}",
                   f"{tool}: OK (postgres-local SKIPPED)"]  # fmt: skip


def test_storage_routes_are_checked_on_the_local_blob_store_only() -> None:
    assert contract.specs_for(None) == [("openapi.yaml", "schemathesis.toml")]
    assert contract.specs_for(BACKENDS["postgres-s3"]) == [("openapi.yaml", "schemathesis.toml")]
    assert contract.specs_for(BACKENDS["postgres-local"]) == [
        ("openapi.yaml", "schemathesis.toml"),
        ("storage.yaml", "storage.toml"),
    ]
