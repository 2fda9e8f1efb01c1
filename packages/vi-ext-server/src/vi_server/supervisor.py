"""``serve --workers N``: a parent that binds once and keeps N HTTP worker processes (and the ingestion role) alive.

Pre-forked model, chosen over uvicorn's own ``--workers`` supervisor: the parent binds the socket
once (with TCP_NODELAY-friendly options, see `vi_server.serve.bind`) and hands it to spawned
children that each run uvicorn on it, so the kernel spreads connections over them. uvicorn's
supervisor wants an import string and a picklable config, cannot run the separate ingestion
process, and does not make its children die with a SIGKILLed parent. Here:

* a child that dies (for any reason) is restarted, at once if it ran for a while, with a growing
  delay if it keeps dying on start (`vi_server.roles.restart_delay`);
* SIGTERM or SIGINT to the parent stops every child (SIGTERM, then SIGKILL after a grace period);
* every child polls its parent (`vi_server.worker_guard.die_with_parent`) and exits once it is
  gone, so a SIGKILLed parent leaves no workers serving the socket.

Children are spawned, not forked: nothing of the parent (threads, SQLite connections) leaks in.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import time
from dataclasses import dataclass
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType

from vi_server.roles import HTTP, QUICK_DEATH_SECONDS, restart_delay
from vi_server.state import ServerConfig
from vi_server.worker_guard import die_with_parent

log = logging.getLogger("vi_server")
STOP_GRACE_SECONDS = 10.0


def child_main(kind: str, index: int, config: ServerConfig, sock: socket.socket | None, parent_pid: int,
               log_level: str) -> None:  # fmt: skip
    """The entry point of a child process (module level: spawn pickles it by name).

    Args:
        kind: ``"http"`` or ``"ingest"``.
        index: The child's slot (offsets the fault seed of HTTP workers).
        config: The server's configuration.
        sock: The shared listening socket (HTTP workers only).
        parent_pid: The supervisor's pid; the child exits once it is gone.
        log_level: uvicorn's log level.
    """
    from vi_server.worker_process import run_http, run_ingestion

    die_with_parent(parent_pid)
    if kind == HTTP:
        assert sock is not None
        run_http(config, sock, role=HTTP, log_level=log_level, fault_seed_offset=index)
    else:
        run_ingestion(config)


@dataclass
class Slot:
    """One child process and its restart history."""

    kind: str
    index: int
    process: BaseProcess | None = None
    started: float = 0.0
    quick_deaths: int = 0
    due: float = 0.0  # when a dead child may be restarted


class Supervisor:
    """Starts the children of a plan, restarts the ones that die, stops them all on a signal."""

    def __init__(self, config: ServerConfig, sock: socket.socket | None, kinds: list[str],
                 log_level: str = "warning") -> None:  # fmt: skip
        self.config = config
        self.sock = sock
        self.log_level = log_level
        self.slots = [Slot(kind, n) for n, kind in enumerate(kinds)]
        self.context = multiprocessing.get_context("spawn")
        self.stopping = False

    def _start(self, slot: Slot) -> None:
        process = self.context.Process(
            target=child_main,
            args=(slot.kind, slot.index, self.config, self.sock if slot.kind == HTTP else None, os.getpid(),
                  self.log_level),
            name=f"vi-{slot.kind}-{slot.index}", daemon=False,
        )  # fmt: skip
        process.start()
        slot.process, slot.started = process, time.monotonic()
        print(f"vi_server {slot.kind} worker {slot.index} started (pid {process.pid})", flush=True)

    def _stop_signal(self, signum: int, _frame: FrameType | None) -> None:
        self.stopping = True

    def run(self) -> None:
        """Run until SIGTERM/SIGINT; then stop every child."""
        previous = {sig: signal.signal(sig, self._stop_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            for slot in self.slots:
                self._start(slot)
            while not self.stopping:
                self._tick()
        finally:
            self.stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _tick(self) -> None:
        alive = {s.process.sentinel: s for s in self.slots if s.process is not None}
        wait(list(alive), timeout=0.2)
        now = time.monotonic()
        for slot in self.slots:
            if self.stopping:
                return
            process = slot.process
            if process is not None and process.exitcode is not None:
                ran = now - slot.started
                slot.quick_deaths = slot.quick_deaths + 1 if ran < QUICK_DEATH_SECONDS else 0
                slot.due = now + restart_delay(slot.quick_deaths)
                print(f"vi_server {slot.kind} worker {slot.index} (pid {process.pid}) exited with {process.exitcode};"
                      f" restarting", flush=True)  # fmt: skip
                process.close()
                slot.process = None
            if slot.process is None and now >= slot.due:
                self._start(slot)

    def stop_all(self) -> None:
        """SIGTERM every child, wait `STOP_GRACE_SECONDS`, SIGKILL what is left."""
        running = [s.process for s in self.slots if s.process is not None and s.process.exitcode is None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in running:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.exitcode is None:
                process.kill()
                process.join()
