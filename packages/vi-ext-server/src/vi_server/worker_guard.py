"""Worker processes die with the server, even when it is killed with SIGKILL (issue 14.7).

A pool worker's parent is the server process. A daemon thread in each worker notices when the
parent is gone (the worker was re-parented, so its parent pid changed) and ends the process.
Polling rather than Linux's ``PR_SET_PDEATHSIG``: that signal fires when the *thread* that
spawned the worker exits, and pools are rebuilt from ingestion threads.
"""

from __future__ import annotations

import os
import threading
import time

POLL_SECONDS = 0.5


def die_with_parent(parent_pid: int) -> None:
    """Make this process exit once ``parent_pid``, its parent, is gone (a pool initializer).

    Args:
        parent_pid: The server's pid, taken in the server when the pool was made.
    """

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="vi-parent-watch", daemon=True).start()
