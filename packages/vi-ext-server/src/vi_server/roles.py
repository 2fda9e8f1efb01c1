"""Which processes ``serve --role R --workers N`` runs (pure decisions; `vi_server.supervisor` runs them).

* ``all`` with one worker: today's single process, HTTP and ingestion together.
* ``all`` with N > 1: a supervisor with N HTTP worker processes and one ingestion process.
* ``http``: a supervisor with N HTTP worker processes; another process must run ``--role ingest``
  on the same data dir.
* ``ingest``: one process that only ingests (no socket); ``--workers`` does not apply.
"""

from __future__ import annotations

ROLES = ("all", "http", "ingest")
HTTP = "http"
INGEST = "ingest"
MAX_RESTART_DELAY = 5.0
QUICK_DEATH_SECONDS = 2.0


def process_plan(role: str, workers: int) -> list[str]:
    """The child processes a supervisor runs, by kind; ``[]`` means everything runs in this process.

    Args:
        role: ``all``, ``http`` or ``ingest``.
        workers: The number of HTTP worker processes.

    Returns:
        One entry (``"http"`` or ``"ingest"``) per child process.

    Raises:
        ValueError: An unknown role, fewer than one worker, or ``--workers`` with ``--role ingest``.
    """
    if role not in ROLES:
        raise ValueError(f"--role must be one of {', '.join(ROLES)}, not {role!r}")
    if workers < 1:
        raise ValueError(f"--workers must be at least 1, not {workers}")
    if role == INGEST:
        if workers != 1:
            raise ValueError("--workers counts HTTP worker processes; --role ingest runs none")
        return []
    if role == "all" and workers == 1:
        return []
    return [HTTP] * workers + ([INGEST] if role == "all" else [])


def restart_delay(quick_deaths: int) -> float:
    """Seconds to wait before restarting a child that died ``quick_deaths`` times in a row right after starting.

    A child that ran for a while is restarted at once; one that keeps dying on start (a broken
    data dir) is restarted ever more slowly, up to `MAX_RESTART_DELAY`.
    """
    if quick_deaths <= 0:
        return 0.0
    return float(min(MAX_RESTART_DELAY, 0.1 * 2 ** (quick_deaths - 1)))
