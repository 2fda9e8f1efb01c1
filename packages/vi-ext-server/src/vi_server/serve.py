"""Run the reference server; create organizations (also while it runs)."""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path
from typing import Any

import uvicorn

from vi_server.app import create_app
from vi_server.db import Database
from vi_server.faults import FaultPlan, fault_middleware
from vi_server.http_guard import protocol_for
from vi_server.keys import key_hash, new_organization_id, new_secret_key
from vi_server.limits import Limits
from vi_server.private_files import private_dir, write_private_text
from vi_server.state import ServerConfig, now_ms

CREDENTIALS = "credentials.json"
SWITCH_INTERVAL_SECONDS = 0.001


def create_organization(data_dir: Path, endpoint: str | None = None) -> dict[str, str]:
    """Create an organization with a fresh key; return its credentials (the key is not stored)."""
    private_dir(data_dir)
    db = Database(data_dir / "vi.sqlite3")
    try:
        org, key = new_organization_id(), new_secret_key()
        with db.tx() as conn:
            conn.execute("INSERT INTO orgs VALUES (?,?,?)", (org, key_hash(key), now_ms()))
    finally:
        db.close()
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


def _default_credentials(data_dir: Path) -> dict[str, str]:
    """The credentials of the data dir's first organization (kept across restarts)."""
    creds = _read_credentials(data_dir)
    if creds.get("organization_id") and creds.get("secret_key"):
        db = Database(data_dir / "vi.sqlite3")
        try:
            with db.read() as conn:
                row = conn.execute(
                    "SELECT 1 FROM orgs WHERE org_id=? AND key_hash=?",
                    (creds["organization_id"], key_hash(creds["secret_key"])),
                ).fetchone()
        finally:
            db.close()
        if row is not None:
            return {"organization_id": creds["organization_id"], "secret_key": creds["secret_key"]}
    return create_organization(data_dir, endpoint="")


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


def serve(config: ServerConfig, host: str = "127.0.0.1", port: int = 0, log_level: str = "warning") -> None:
    """Bind, write ``credentials.json`` (org, key, endpoint), then serve until stopped."""
    # The event loop releases the GIL on every socket and file call; with the default 5 ms switch
    # interval each re-acquire can wait that long behind a worker thread (measured in `make bench`).
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    limits = Limits.from_env()  # a malformed VI_SERVER_* variable stops the start here
    sock = bind(host, port)
    actual = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    endpoint = f"http://{shown}:{actual}"
    creds = {**_default_credentials(config.data_dir), "endpoint": endpoint}
    target = config.data_dir / CREDENTIALS
    write_private_text(target, json.dumps(creds, indent=2) + "\n")  # 0600 from its creation
    print(f"vi_server listening on {endpoint} (credentials in {target})", flush=True)
    app: Any = create_app(config)
    if config.faults:
        plan = FaultPlan.parse(config.faults, config.fault_seed)
        app = fault_middleware(app, plan)
        print(f"vi_server fault layer on: {plan.rates} (seed {config.fault_seed})", flush=True)
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
