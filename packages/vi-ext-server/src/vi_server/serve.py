"""Run the reference server; create organizations (also while it runs)."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

from vi_server.keys import key_hash, new_organization_id, new_secret_key
from vi_server.limits import Limits
from vi_server.private_files import private_dir, write_private_text
from vi_server.roles import HTTP, INGEST, process_plan
from vi_server.state import ServerConfig, now_ms
from vi_server.store import MetadataStore, open_database
from vi_server.supervisor import Supervisor
from vi_server.worker_process import run_http, run_ingestion

CREDENTIALS = "credentials.json"


def create_organization(data_dir: Path, endpoint: str | None = None, database_url: str | None = None,
                        db: MetadataStore | None = None) -> dict[str, str]:  # fmt: skip
    """Create an organization with a fresh key; return its credentials (the key is not stored).

    Args:
        data_dir: The server's data dir.
        endpoint: Added to the credentials (``None``: the one in ``credentials.json``, if any).
        database_url: The metadata store (``None``: SQLite in the data dir).
        db: An open store to use instead of opening ``database_url``.

    Returns:
        ``organization_id``, ``secret_key`` and, when known, ``endpoint``.
    """
    private_dir(data_dir)
    store = db or open_database(database_url, data_dir)
    try:
        org, key = new_organization_id(), new_secret_key()
        with store.tx() as conn:
            conn.execute("INSERT INTO orgs VALUES (?,?,?)", (org, key_hash(key), now_ms()))
    finally:
        if db is None:
            store.close()
    creds = {"organization_id": org, "secret_key": key}
    if endpoint is None:
        endpoint = _read_credentials(data_dir).get("endpoint")
    if endpoint:
        creds["endpoint"] = endpoint
    return creds


def _read_credentials(data_dir: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads((data_dir / CREDENTIALS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data


def _default_credentials(data_dir: Path, db: MetadataStore) -> dict[str, str]:
    """The credentials of the data dir's first organization (kept across restarts)."""
    creds = _read_credentials(data_dir)
    if creds.get("organization_id") and creds.get("secret_key"):
        with db.read() as conn:
            row = conn.execute(
                "SELECT 1 FROM orgs WHERE org_id=? AND key_hash=?",
                (creds["organization_id"], key_hash(creds["secret_key"])),
            ).fetchone()
        if row is not None:
            return {"organization_id": creds["organization_id"], "secret_key": creds["secret_key"]}
    return create_organization(data_dir, endpoint="", db=db)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket (``port=0`` picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio only sets TCP_NODELAY on accepted sockets whose proto says TCP;
    # without it Nagle + delayed ACKs add ~40 ms to every keep-alive request.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve(config: ServerConfig, host: str = "127.0.0.1", port: int = 0, log_level: str = "warning",
          workers: int = 1, role: str = "all") -> None:  # fmt: skip
    """Bind, write ``credentials.json`` (org, key, endpoint), then serve until stopped.

    Args:
        config: The server's configuration.
        host: The address to listen on.
        port: The port (``0`` picks a free one).
        log_level: uvicorn's log level.
        workers: HTTP worker processes (more than one: a supervisor runs them on one socket).
        role: ``all`` (HTTP and ingestion), ``http`` (record uploads only) or ``ingest``
            (ingestion only, no socket; see `vi_server.roles`).

    Raises:
        ValueError: A bad role/workers combination or a malformed ``VI_SERVER_*`` variable.
        IngestionBusyError: ``--role ingest`` while another process ingests this data dir (SQLite) or database.
        DatabaseUnavailableError: The metadata store cannot be reached or prepared.
    """
    kinds = process_plan(role, workers)  # a bad combination stops the start here
    Limits.from_env()  # so does a malformed VI_SERVER_* variable
    if role == INGEST:
        private_dir(config.data_dir)
        run_ingestion(config)
        return
    private_dir(config.data_dir)
    db = open_database(config.database_url, config.data_dir)  # an unusable database stops the start here
    try:
        sock = bind(host, port)
        actual = sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        endpoint = f"http://{shown}:{actual}"
        creds = {**_default_credentials(config.data_dir, db), "endpoint": endpoint}
        if not kinds or INGEST in kinds:
            # Before the endpoint is announced: a second ingestion role on this store fails now, not in a child.
            db.ingest_lock(config.data_dir).probe()
    finally:
        db.close()
    target = config.data_dir / CREDENTIALS
    write_private_text(target, json.dumps(creds, indent=2) + "\n")  # 0600 from its creation
    print(f"vi_server listening on {endpoint} (credentials in {target})", flush=True)
    if not kinds:
        run_http(config, sock, role="all", log_level=log_level)
        return
    print(f"vi_server supervising {kinds.count(HTTP)} HTTP worker process(es)"
          f"{' and the ingestion process' if INGEST in kinds else ''}", flush=True)  # fmt: skip
    Supervisor(config, sock, kinds, log_level).run()
