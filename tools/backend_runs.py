"""Run a tool (contract, compat) once per server backend: ``--backend NAME``, skips, one exit status.

The backends are those named by ``--backend`` (repeatable), else ``$VI_TEST_BACKENDS``, else
:data:`~vi_server.testing.backends.DEFAULT_BACKENDS` (``sqlite-local`` and ``postgres-s3``).
A backend whose services cannot start here (no PostgreSQL binaries, no moto) is reported as
``<tool>: SKIPPED backend NAME: reason`` and does not fail the run; anything else that goes wrong on
a backend, a server that does not start included, does.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from vi_server.testing.backends import BACKENDS, Backend, BackendServices, ServerOptions, selected_backends
from vi_server.testing.process import RunningServer

__all__ = ["BackendOutcome", "add_backend_option", "chosen_backends", "run_on_backends", "start_server", "summary"]

Status = Literal["ok", "failed", "skipped"]


class Services(Protocol):
    """What :func:`run_on_backends` needs of :class:`BackendServices` (a fake in tests)."""

    def unavailable_reason(self, backend: Backend) -> str | None: ...
    def server_options(self, backend: Backend) -> ServerOptions: ...
    def stop(self) -> None: ...


@dataclass(frozen=True)
class BackendOutcome:
    """How one backend's run ended."""

    backend: str
    status: Status
    detail: str = ""


class ServerStartError(RuntimeError):
    """The reference server did not start on a backend (its log's tail is in the message)."""


def add_backend_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--backend NAME`` (repeatable) to a tool's parser."""
    parser.add_argument("--backend", action="append", choices=sorted(BACKENDS), metavar="NAME",
                        help=f"server backend to run on, repeatable: {', '.join(sorted(BACKENDS))} "
                             "(default: $VI_TEST_BACKENDS, else sqlite-local and postgres-s3)")  # fmt: skip


def chosen_backends(names: Sequence[str] | None) -> list[Backend]:
    """The backends of ``--backend`` (order kept, repeats dropped), else :func:`selected_backends`.

    Args:
        names: The ``--backend`` values, or None when none was given.

    Returns:
        The backends to run on.

    Raises:
        ValueError: An unknown name (in ``names`` or ``$VI_TEST_BACKENDS``).
    """
    if not names:
        return selected_backends()
    unknown = [n for n in names if n not in BACKENDS]
    if unknown:
        raise ValueError(f"unknown backend(s) {unknown}; known: {sorted(BACKENDS)}")
    return [BACKENDS[n] for n in dict.fromkeys(names)]


def summary(tool: str, outcomes: Iterable[BackendOutcome]) -> tuple[int, str]:
    """The exit status and last line of a run over backends.

    Args:
        tool: The tool's name, the prefix of the line.
        outcomes: One per backend.

    Returns:
        ``(0, "<tool>: OK (…)")`` when nothing failed (skipped backends are named), else
        ``(1, "<tool>: FAILURES on …")``. No backend at all is a failure: nothing was checked.
    """
    outcomes = list(outcomes)
    failed = [o.backend for o in outcomes if o.status == "failed"]
    if failed:
        return 1, f"{tool}: FAILURES on {', '.join(failed)} (see above)"
    if not outcomes:
        return 1, f"{tool}: FAILURES: no backend selected"
    parts = [o.backend if o.status == "ok" else f"{o.backend} SKIPPED" for o in outcomes]
    return 0, f"{tool}: OK ({', '.join(parts)})"


def start_server(data_dir: Path, options: ServerOptions, *extra: str) -> RunningServer:
    """Start a reference server with a backend's options, or say in one message why it did not.

    Args:
        data_dir: Its data directory.
        options: The backend's ``serve`` arguments and environment.
        *extra: Further ``serve`` arguments.

    Returns:
        The running server.

    Raises:
        ServerStartError: It exited or did not answer in time (a process left running is stopped).
    """
    server = RunningServer(data_dir, *extra, *options.args, env=options.env)
    try:
        return server.start()
    except RuntimeError as exc:
        if server.proc is not None and server.proc.poll() is None:  # did not answer in time: stop it
            server.stop()
        raise ServerStartError(f"the server did not start with {' '.join(options.args) or 'default options'}: "
                               f"{str(exc).strip()}") from None  # fmt: skip


def run_on_backends(tool: str, backends: Sequence[Backend], run: Callable[[Backend, ServerOptions], int],
                    services: Services | None = None) -> int:  # fmt: skip
    """Run ``run`` once per backend with a database and bucket of its own; print one line per backend.

    Args:
        tool: Prefix of the printed lines (``contract``, ``compat``).
        backends: Where to run.
        run: Does the work on one backend; returns 0 when it held. A :class:`ServerStartError`
            or :class:`RuntimeError` it raises counts as that backend's failure.
        services: Throwaway PostgreSQL/S3 (default: started here, on first use, stopped at the end).

    Returns:
        The exit status: 0 unless a backend failed (see :func:`summary`).
    """
    services = services if services is not None else BackendServices()
    outcomes: list[BackendOutcome] = []
    try:
        for backend in backends:
            reason = services.unavailable_reason(backend)
            if reason:
                print(f"{tool}: SKIPPED backend {backend.name}: {reason}", flush=True)
                outcomes.append(BackendOutcome(backend.name, "skipped", reason))
                continue
            print(f"{tool}: backend {backend.name}", flush=True)
            try:
                status = run(backend, services.server_options(backend))
                outcomes.append(BackendOutcome(backend.name, "ok" if status == 0 else "failed"))
            except RuntimeError as exc:  # ServerStartError, or a service that broke after starting
                print(f"{tool}: backend {backend.name} FAILED: {exc}", file=sys.stderr, flush=True)
                outcomes.append(BackendOutcome(backend.name, "failed", str(exc)))
    finally:
        services.stop()
    status, line = summary(tool, outcomes)
    print(line, flush=True)
    return status
