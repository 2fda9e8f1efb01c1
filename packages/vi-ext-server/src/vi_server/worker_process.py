"""What one server process runs: the HTTP server on a bound socket, or the ingestion role alone."""

from __future__ import annotations

import signal
import socket
import sys
import threading
from typing import Any

import uvicorn

from vi_server.app import create_app
from vi_server.faults import FaultPlan, fault_middleware
from vi_server.http_guard import protocol_for
from vi_server.ingest import Ingestor
from vi_server.limits import Limits
from vi_server.state import ServerConfig, ServerState

SWITCH_INTERVAL_SECONDS = 0.001


def run_http(config: ServerConfig, sock: socket.socket, role: str = "all", log_level: str = "warning",
             fault_seed_offset: int = 0) -> None:  # fmt: skip
    """Serve HTTP on ``sock`` until SIGTERM/SIGINT.

    Args:
        config: The server's configuration.
        sock: A bound, listening socket (shared by every HTTP worker process).
        role: ``"all"`` (ingest here too) or ``"http"`` (record uploads only).
        log_level: uvicorn's log level.
        fault_seed_offset: Added to the fault seed, so HTTP workers do not inject the same sequence.
    """
    # The event loop releases the GIL on every socket and file call; with the default 5 ms switch
    # interval each re-acquire can wait that long behind a worker thread (measured in `make bench`).
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    limits = Limits.from_env()
    app: Any = create_app(config, role=role)
    if config.faults:
        plan = FaultPlan.parse(config.faults, config.fault_seed + fault_seed_offset)
        app = fault_middleware(app, plan)
        print(f"vi_server fault layer on: {plan.rates} (seed {config.fault_seed + fault_seed_offset})", flush=True)
    server = uvicorn.Server(
        # h11 + asyncio, pinned: httptools refuses very long (valid) URLs with its own text/plain 400.
        # The h11 protocol is wrapped to close connections whose headers or body are too slow.
        uvicorn.Config(
            app,
            log_level=log_level,
            access_log=False,
            timeout_keep_alive=30,
            lifespan="on",
            http=protocol_for(limits),
            loop="asyncio",
        )
    )
    server.run(sockets=[sock])


def run_ingestion(config: ServerConfig) -> None:
    """Ingest uploaded files of ``config.data_dir`` (no HTTP) until SIGTERM/SIGINT.

    Raises:
        IngestionBusyError: Another process already runs the ingestion role on this data dir.
    """
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    state = ServerState(config)
    ingestor = Ingestor(state, discover=True)
    try:
        ingestor.start()
        print(f"vi_server ingesting uploads of {config.data_dir}", flush=True)
        while not stop.wait(1.0):
            pass
        ingestor.stop()
    finally:
        state.db.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
