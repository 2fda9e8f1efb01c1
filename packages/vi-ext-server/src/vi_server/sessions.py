"""Asset ingestion sessions: creation, the view clients poll, and the rules that end them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vi_server.errors import ApiError
from vi_server.keys import new_id
from vi_server.s3_blobs import remote_of
from vi_server.signing import sign_url
from vi_server.state import ServerState, now_ms
from vi_server.store import Conn, Row
from vi_server.views import condition, resource_metadata, source_link

TERMINAL = ("ingested", "error")
STOPPED_BY_FAILURE = "not ingested: the session stopped after the first error (FailAfterOne)"
CANCELLED = "not ingested: the session was cancelled"


def retention_answer(value: str) -> str:
    """Both spellings of "keep" come in; the plural (what the official client decodes) goes out."""
    return "KeepLinkedResources" if value.startswith("Keep") else "RemoveLinkedResource"


def filename_problem(name: str) -> str | None:
    """Why ``name`` cannot be an asset filename (``None`` when it can)."""
    if "\x00" in name or "\\" in name:
        return "must not contain a backslash or NUL"
    if name.startswith("/"):
        return "must not start with '/'"
    parts = name.split("/")
    if any(p in ("", ".", "..") for p in parts):
        return "must not contain empty, '.' or '..' segments"
    return None


def create(state: ServerState, org: str, ds: str, source: tuple[str, str, str], spec: dict[str, Any]) -> str:
    """Create a session from a validated body; return its id."""
    assets = spec["assets"]
    seen: set[str] = set()
    for item in assets:
        problem = filename_problem(item["filename"])
        if problem:
            raise ApiError(400, f"filename {item['filename']!r} {problem}")
        if item["filename"] in seen:
            raise ApiError(400, f"filename {item['filename']!r} appears twice in one session")
        seen.add(item["filename"])
    now = now_ms()
    session_id, ingestion_id = new_id(), new_id()
    deadline = now + int(state.config.ingestion_timeout_seconds * 1000)
    too_big = state.config.max_upload_bytes
    with state.db.tx() as conn:
        conn.execute(
            "INSERT INTO sessions (session_id, ingestion_id, org_id, dataset_id, source_class, source_provider,"
            " source_id, failure_mode, on_overwritten, state, reason, created, updated, finished, deadline,"
            " generation, seq) VALUES (?,?,?,?,?,?,?,?,?,?,NULL,?,?,NULL,?,1,"
            " (SELECT COALESCE(MAX(seq), 0) + 1 FROM sessions))",
            (session_id, ingestion_id, org, ds, *source, spec["failureMode"],
             retention_answer(spec["onAssetOverwritten"]), "open", now, now, deadline),
        )  # fmt: skip
        rows = []
        for idx, item in enumerate(assets):
            custom = item.get("customMetadata")
            over = item["size"] > too_big
            rows.append(
                (session_id, idx, new_id(), item["filename"], item["mime"], item["size"],
                 item.get("crc32c"), None if custom is None else json.dumps(custom), item["kind"],
                 "error" if over else "pending", "EBADSIZE" if over else None,
                 f"larger than the server accepts ({too_big} bytes)" if over else None,
                 None, None, now)
            )  # fmt: skip
        conn.executemany("INSERT INTO session_files VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        finish_if_done(conn, session_id, now)
    return session_id


def get_row(conn: Conn, org: str, ds: str, source: tuple[str, str, str], sid: str) -> Row:
    """The session row, or 404."""
    row: Row | None = conn.execute(
        "SELECT * FROM sessions WHERE session_id=? AND org_id=? AND dataset_id=? "
        "AND source_class=? AND source_provider=? AND source_id=?",
        (sid, org, ds, *source),
    ).fetchone()
    if row is None:
        raise ApiError(404, f"ingestion session {sid!r} not found")
    return row


def finish_if_done(conn: Conn, session_id: str, now: int, reason: str = "") -> None:
    """Mark the session finished once every file is terminal."""
    still_open = conn.execute(
        "SELECT 1 FROM session_files WHERE session_id=? AND state IN ('pending','uploaded','ingesting') LIMIT 1",
        (session_id,),
    ).fetchone()
    if still_open is None:
        conn.execute(
            "UPDATE sessions SET state='finished', finished=?, updated=?, reason=COALESCE(reason, ?),"
            " generation=generation+1 WHERE session_id=? AND state='open'",
            (now, now, reason or "Completed", session_id),
        )


def fail_rest(conn: Conn, session_id: str, message: str, now: int, code: str = "EUNKNOWN") -> None:
    """Report every file not yet terminal as errored (FailAfterOne, cancel), dropping staged bytes."""
    for row in conn.execute(
        "SELECT staged FROM session_files WHERE session_id=? AND state='uploaded' AND staged IS NOT NULL",
        (session_id,),
    ).fetchall():
        Path(row["staged"]).unlink(missing_ok=True)
    conn.execute(
        "UPDATE session_files SET state='error', error_code=?, error_message=?, updated=? "
        "WHERE session_id=? AND state NOT IN ('ingested','error')",
        (code, message, now, session_id),
    )


def cancel(conn: Conn, session_id: str) -> None:
    """Cancel: files not yet ingested are reported errored; the session finishes."""
    now = now_ms()
    fail_rest(conn, session_id, CANCELLED, now)
    conn.execute(
        "UPDATE sessions SET reason='Cancelled' WHERE session_id=? AND reason IS NULL",
        (session_id,),
    )
    finish_if_done(conn, session_id, now, "Cancelled")


def time_out(conn: Conn, now: int) -> list[str]:
    """End sessions past their deadline: files whose bytes never came get ETIMEOUT."""
    expired = [
        r["session_id"]
        for r in conn.execute("SELECT session_id FROM sessions WHERE state='open' AND deadline < ?", (now,))
    ]
    for sid in expired:
        conn.execute(
            "UPDATE session_files SET state='error', error_code='ETIMEOUT', "
            "error_message='the file was not uploaded before the session expired', updated=? "
            "WHERE session_id=? AND state='pending'",
            (now, sid),
        )
        finish_if_done(conn, sid, now, "TimedOut")
    return expired


def idle_problem(idle_ms: int) -> str:
    """The correction reported for a file that never came because its client went quiet."""
    return f"the file was not uploaded: no upload arrived for this session for {idle_ms // 1000} s (client gone?)"


def close_idle(
    conn: Conn,
    now: int,
    idle_ms: int,
    last_seen: Callable[[str], float | None],
) -> list[str]:
    """End open sessions with no upload activity for ``idle_ms``: their unsent files get ETIMEOUT.

    Activity is the session's creation, the last time a file's bytes arrived (both in the
    database) and PUTs seen by this process (``last_seen``: epoch seconds, now while one runs).
    Files already uploaded are still ingested; the session finishes when they are.

    Args:
        conn: The connection, inside a transaction.
        now: The time in milliseconds.
        idle_ms: How long a session may go without activity.
        last_seen: Session id -> when this process last saw a PUT for it (``None`` if never).

    Returns:
        The ids of the sessions closed.
    """
    closed = []
    rows = conn.execute(
        "SELECT s.session_id, s.created, MAX(f.updated) AS last FROM sessions s JOIN session_files f"
        " USING (session_id) WHERE s.state='open' GROUP BY s.session_id"
    ).fetchall()
    for row in rows:
        seen = last_seen(row["session_id"])
        last = max(row["created"], row["last"] or 0, int(seen * 1000) if seen is not None else 0)
        if now - last <= idle_ms:
            continue
        sid = row["session_id"]
        conn.execute(
            "UPDATE session_files SET state='error', error_code='ETIMEOUT', error_message=?, updated=?"
            " WHERE session_id=? AND state='pending'",
            (idle_problem(idle_ms), now, sid),
        )
        conn.execute(
            "UPDATE multipart_uploads SET state='aborted', updated=?, generation=generation+1"
            " WHERE session_id=? AND state='open'",
            (now, sid),
        )
        conn.execute("UPDATE sessions SET reason='TimedOut' WHERE session_id=? AND reason IS NULL", (sid,))
        finish_if_done(conn, sid, now, "TimedOut")
        closed.append(sid)
    return closed


def view(
    state: ServerState,
    conn: Conn,
    row: Row,
    base_url: str,
    with_uploads: bool,
) -> dict[str, Any]:
    """AssetIngestionSession; the creation answer also lists the files and their signed uploads."""
    sid = row["session_id"]
    counts = dict(
        conn.execute("SELECT state, COUNT(*) FROM session_files WHERE session_id=? GROUP BY state", (sid,)).fetchall()
    )
    total = sum(counts.values())
    errors = conn.execute(
        "SELECT filename, error_code, error_message, updated FROM session_files "
        "WHERE session_id=? AND state='error' ORDER BY idx",
        (sid,),
    ).fetchall()
    events: list[dict[str, Any]] = []
    if errors:
        events.append({
            "kind": "Error",
            "files": {e["filename"]: e["error_code"] for e in errors},
            "corrections": {e["filename"]: e["error_message"] or "" for e in errors},
            "time": max(e["updated"] for e in errors),
        })  # fmt: skip
    done = counts.get("ingested", 0) + counts.get("error", 0)
    events.append({"kind": "Progress", "tasks": {"ingestion": {"done": done, "total": total}}})
    finished = row["state"] == "finished"
    conditions = [
        condition("Finished", "Reached", row["finished"], row["reason"] or "Completed")
        if finished
        else condition("Finished", "Waiting", row["updated"]),
        condition("Started", "Reached", row["created"]),
    ]
    source = (row["source_class"], row["source_provider"], row["source_id"])
    spec: dict[str, Any] = {
        "kind": "Upload",
        "failureMode": row["failure_mode"],
        "onAssetOverwritten": row["on_overwritten"],
    }
    status: dict[str, Any] = {
        "conditions": conditions,
        "events": events,
        "progressCount": {
            "total": total,
            "succeeded": counts.get("ingested", 0),
            "errored": counts.get("error", 0),
        },
    }
    if with_uploads:
        files = conn.execute("SELECT * FROM session_files WHERE session_id=? ORDER BY idx", (sid,)).fetchall()
        metas = [_file_meta(f) for f in files]
        spec["assets"] = metas
        status["assets"] = [
            {"metadata": meta, "upload": _signed_put(state, base_url, f)} for meta, f in zip(metas, files, strict=True)
        ]
    return {
        "kind": "AssetIngestionSession",
        "workspaceId": row["org_id"],
        "datasetId": f"{row['org_id']}_{row['dataset_id']}",
        "assetSourceClass": source[0],
        "assetSourceProvider": source[1],
        "assetSourceId": source[2],
        "assetIngestionSessionId": sid,
        "ingestionId": row["ingestion_id"],
        "selfLink": f"{source_link(row['org_id'], row['dataset_id'], source)}/assetIngestionSessions/{sid}",
        "etag": f'W/"{row["generation"]}"',
        "metadata": resource_metadata(row["created"], row["updated"], row["generation"]),
        "spec": spec,
        "status": status,
    }


def _file_meta(f: Row) -> dict[str, Any]:
    return {
        "kind": f["kind"],
        "filename": f["filename"],
        "mime": f["mime"],
        "size": f["size"],
        "crc32c": f["crc32c"],
        "customMetadata": None if f["custom_metadata"] is None else json.loads(f["custom_metadata"]),
    }


def _signed_put(state: ServerState, base_url: str, f: Row) -> dict[str, Any]:
    if (s3 := remote_of(state.blobs)) is not None:  # presigned by the object store itself
        return s3.upload_url(f["upload_id"], f["mime"], state.config.url_ttl_seconds)
    path = f"/storage/v1/uploads/{f['upload_id']}"
    url, expiry = sign_url(state.secret, base_url, "PUT", path, state.config.url_ttl_seconds)
    return {"url": url, "expiry": expiry, "headers": {"Content-Type": f["mime"]}, "method": "PUT"}
