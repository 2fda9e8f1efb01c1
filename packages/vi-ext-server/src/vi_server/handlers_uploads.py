"""Handlers for ingestion sessions, multipart uploads and the signed-URL storage routes."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from starlette.requests import ClientDisconnect
from starlette.responses import FileResponse, JSONResponse, Response

from vi_server import s3_multipart, sessions
from vi_server.blobs import Digests
from vi_server.errors import ApiError
from vi_server.handlers_core import CoreHandlers
from vi_server.ingest import Enqueuer
from vi_server.keys import new_id
from vi_server.s3_blobs import S3BlobStore, remote_of
from vi_server.signing import sign_url, verify
from vi_server.spec_router import Call
from vi_server.state import ServerState, now_ms
from vi_server.storage_errors import discard, is_disk_full
from vi_server.store import Conn, Row
from vi_server.views import basename, condition, resource_metadata, source_link

INLINE_BYTES = 1 << 20  # objects up to this size are answered from one read on the event loop

MANAGED_SOURCE = ("managed", "datature", "default")


def upload_refusal(multipart_state: str, session_state: str, reason: str | None, file_state: str) -> str | None:
    """Why a multipart step (part URL, part PUT, part or upload completion) is refused, or ``None``.

    Parts only count while the multipart upload is open, its session is open and its file still
    waits for bytes (``pending``): a cancelled or finished session never takes bytes again.
    """
    if session_state != "open":
        return f"the ingestion session is finished ({reason or 'Completed'}): it takes no more uploads"
    if file_state != "pending":
        return f"the file no longer accepts uploads ({file_state})"
    if multipart_state != "open":
        return f"multipart upload is {multipart_state}"
    return None


def part_range(size: int, part_count: int, part_number: int) -> tuple[int, int]:
    """``(offset, length)`` of a part: floor(size/n) bytes each, the last also the remainder."""
    base = size // part_count
    offset = base * (part_number - 1)
    length = size - offset if part_number == part_count else base
    return offset, length


class UploadHandlers:
    """Ingestion sessions, multipart uploads, storage PUT/GET."""

    def __init__(self, state: ServerState, core: CoreHandlers, ingestor: Enqueuer) -> None:
        self.state = state
        self.core = core
        self.ingestor = ingestor

    def _source(self, call: Call) -> tuple[str, str, str]:
        source = (
            call.path["assetSourceClass"],
            call.path["assetSourceProvider"],
            call.path["assetSourceId"],
        )
        if source != MANAGED_SOURCE:
            raise ApiError(
                404,
                f"asset source {'/'.join(source)!r} not found (uploads use managed/datature/default)",
            )
        return source

    # ------------------------------------------------------------------ ingestion sessions
    def create_session(self, call: Call) -> Response:
        """POST …/assetIngestionSessions."""
        source = self._source(call)
        with self.state.db.read() as conn:
            ds = self.core.dataset(conn, call)
        sid = sessions.create(self.state, ds["org_id"], ds["dataset_id"], source, call.body["spec"])
        with self.state.db.read() as conn:
            row = conn.execute("SELECT * FROM sessions WHERE session_id=?", (sid,)).fetchone()
            body = sessions.view(self.state, conn, row, str(call.request.base_url), with_uploads=True)
        return JSONResponse(body, status_code=201)

    def get_session(self, call: Call) -> Response:
        """GET …/assetIngestionSessions/{id}."""
        source = self._source(call)
        with self.state.db.read() as conn:
            ds = self.core.dataset(conn, call)
            row = sessions.get_row(conn, ds["org_id"], ds["dataset_id"], source, call.path["assetIngestionSessionId"])
            return JSONResponse(sessions.view(self.state, conn, row, str(call.request.base_url), with_uploads=False))

    def cancel_session(self, call: Call) -> Response:
        """POST …/assetIngestionSessions/{id}:cancel."""
        source = self._source(call)
        with self.state.db.tx() as conn:
            ds = self.core.dataset(conn, call)
            row = sessions.get_row(conn, ds["org_id"], ds["dataset_id"], source, call.path["assetIngestionSessionId"])
            sessions.cancel(conn, row["session_id"])
            self._abort_multiparts(conn, row["session_id"])
            row = conn.execute("SELECT * FROM sessions WHERE session_id=?", (row["session_id"],)).fetchone()
            return JSONResponse(sessions.view(self.state, conn, row, str(call.request.base_url), with_uploads=False))

    # ------------------------------------------------------------------ multipart
    def _multipart(self, conn: Conn, call: Call) -> Row:
        self._source(call)
        ds = self.core.dataset(conn, call)
        row: Row | None = conn.execute(
            "SELECT * FROM multipart_uploads WHERE multipart_id=? AND org_id=? AND dataset_id=?",
            (call.path["multipartUploadId"], ds["org_id"], ds["dataset_id"]),
        ).fetchone()
        if row is None:
            raise ApiError(404, f"multipart upload {call.path['multipartUploadId']!r} not found")
        return row

    def _multipart_view(self, row: Row, f: Row) -> dict[str, Any]:
        source = (row["source_class"], row["source_provider"], row["source_id"])
        state = {"open": ("Started", "Reached"), "completed": ("Finished", "Reached"),
                 "aborted": ("Finished", "FailedReach")}[row["state"]]  # fmt: skip
        return {
            "kind": "MultipartUpload",
            "workspaceId": row["org_id"],
            "datasetId": f"{row['org_id']}_{row['dataset_id']}",
            "assetSourceClass": source[0],
            "assetSourceProvider": source[1],
            "assetSourceId": source[2],
            "multipartUploadId": row["multipart_id"],
            "selfLink": f"{source_link(row['org_id'], row['dataset_id'], source)}"
            f"/multipartUploads/{row['multipart_id']}",
            "etag": f'W/"{row["generation"]}"',
            "metadata": resource_metadata(row["created"], row["updated"], row["generation"]),
            "spec": {
                "ingestionId": f["ingestion_id"],
                "filename": f["filename"],
                "sizeBytes": row["size"],
                "contentType": row["content_type"],
            },
            "status": {
                "conditions": [condition(*state, row["updated"])],
                "partCount": row["part_count"],
            },
        }

    def _abort_multiparts(self, conn: Conn, session_id: str) -> None:
        """Abort the session's open multipart uploads (their parts are dropped)."""
        for mp in conn.execute(
            "SELECT multipart_id, part_count FROM multipart_uploads WHERE session_id=? AND state='open'",
            (session_id,),
        ).fetchall():
            self._drop_parts(mp["multipart_id"], mp["part_count"], conn)
        conn.execute(
            "UPDATE multipart_uploads SET state='aborted', updated=?, generation=generation+1"
            " WHERE session_id=? AND state='open'",
            (now_ms(), session_id),
        )

    def _accepting(self, conn: Conn, row: Row) -> None:
        """Raise 409 unless the multipart upload, its session and its file all still take bytes."""
        f = conn.execute(
            "SELECT f.state, f.error_code, s.state AS session_state, s.reason FROM session_files f"
            " JOIN sessions s USING (session_id) WHERE f.session_id=? AND f.idx=?",
            (row["session_id"], row["idx"]),
        ).fetchone()
        problem = upload_refusal(row["state"], f["session_state"], f["reason"], f["state"])
        if problem is not None:
            raise ApiError(409, problem)

    def _file_of(self, conn: Conn, row: Row) -> Row:
        f: Row = conn.execute(
            "SELECT f.*, s.ingestion_id FROM session_files f JOIN sessions s USING (session_id)"
            " WHERE f.session_id=? AND f.idx=?",
            (row["session_id"], row["idx"]),
        ).fetchone()
        return f

    def create_multipart(self, call: Call) -> Response:
        """POST …/multipartUploads: the server picks the part count."""
        source = self._source(call)
        spec = call.body["spec"]
        now = now_ms()
        with self.state.db.tx() as conn:
            ds = self.core.dataset(conn, call)
            f = conn.execute(
                "SELECT f.*, s.ingestion_id, s.state AS session_state FROM session_files f JOIN sessions s"
                " USING (session_id) WHERE s.ingestion_id=? AND s.org_id=? AND s.dataset_id=? AND f.filename=?",
                (spec["ingestionId"], ds["org_id"], ds["dataset_id"], spec["filename"]),
            ).fetchone()
            if f is None:
                raise ApiError(404, "no such file in an ingestion session of this dataset")
            if f["state"] != "pending" or f["session_state"] != "open":
                raise ApiError(409, f"file {spec['filename']!r} no longer accepts uploads ({f['state']})")
            if spec["sizeBytes"] != f["size"]:
                raise ApiError(400, f"sizeBytes {spec['sizeBytes']} differs from the declared size {f['size']}")
            part_size = self.state.config.multipart_part_size
            if remote_of(self.state.blobs) is not None:
                part_size = s3_multipart.part_size(part_size)
            part_count = min(10_000, max(1, -(-f["size"] // part_size)))
            mid = new_id()
            conn.execute(
                "INSERT INTO multipart_uploads VALUES (?,?,?,?,?,?,?,?,?,?,?,'open',?,?,1)",
                (mid, f["session_id"], f["idx"], ds["org_id"], ds["dataset_id"], *source,
                 spec.get("contentType"), f["size"], part_count, now, now),
            )  # fmt: skip
            if (s3 := remote_of(self.state.blobs)) is not None:
                s3_multipart.start(conn, s3, mid, f["upload_id"], spec.get("contentType"))
            row = conn.execute("SELECT * FROM multipart_uploads WHERE multipart_id=?", (mid,)).fetchone()
            return JSONResponse(self._multipart_view(row, f), status_code=201)

    def part_url(self, call: Call) -> Response:
        """POST …/parts/{n}: a signed PUT for one part."""
        with self.state.db.read() as conn:
            row = self._multipart(conn, call)
            self._accepting(conn, row)
        self._open_part(row, call.path["partNumber"])
        if (s3 := remote_of(self.state.blobs)) is not None:
            # The parts go to S3, unseen: asking for a part URL is the sign of a live client.
            with self.state.activity.receiving(row["session_id"]), self.state.db.read() as conn:
                ttl = self.state.config.url_ttl_seconds
                return JSONResponse(s3_multipart.part_url(conn, s3, row["multipart_id"], call.path["partNumber"],
                                                          ttl, now_ms()))  # fmt: skip
        path = f"/storage/v1/parts/{row['multipart_id']}/{call.path['partNumber']}"
        url, expiry = sign_url(
            self.state.secret,
            str(call.request.base_url),
            "PUT",
            path,
            self.state.config.url_ttl_seconds,
        )
        return JSONResponse(
            {
                "method": "PUT",
                "url": url,
                "expiry": expiry,
                "responseHeaders": ["ETag"],
                "responseBody": False,
                "headers": {},
            }
        )

    def _open_part(self, row: Row, part_number: int) -> None:
        if row["state"] != "open":
            raise ApiError(409, f"multipart upload is {row['state']}")
        if part_number > row["part_count"]:
            raise ApiError(400, f"part {part_number} is beyond partCount {row['part_count']}")

    def complete_part(self, call: Call) -> Response:
        """POST …/parts/{n}/completion: the ETag reported must be the one storage gave."""
        number = call.path["partNumber"]
        reported = {k.lower(): v for k, v in call.body["responseHeaders"].items()}
        with self.state.db.tx() as conn:
            row = self._multipart(conn, call)
            self._accepting(conn, row)
            self._open_part(row, number)
            if remote_of(self.state.blobs) is not None:  # the server never saw the part: trust S3's ETag
                _, length = part_range(row["size"], row["part_count"], number)
                s3_multipart.record_part(conn, row["multipart_id"], number, length, reported.get("etag", ""))
                return JSONResponse(self._multipart_view(row, self._file_of(conn, row)))
            part = conn.execute(
                "SELECT * FROM multipart_parts WHERE multipart_id=? AND part_number=?",
                (row["multipart_id"], number),
            ).fetchone()
            if part is None:
                raise ApiError(409, f"part {number} has not been uploaded")
            if reported.get("etag") != part["etag"]:
                raise ApiError(409, f"part {number}: the reported ETag does not match the stored part")
            conn.execute(
                "UPDATE multipart_parts SET completed=1 WHERE multipart_id=? AND part_number=?",
                (row["multipart_id"], number),
            )
            return JSONResponse(self._multipart_view(row, self._file_of(conn, row)))

    def complete_multipart(self, call: Call) -> Response:
        """POST …/completion: join the parts into the session's file and ingest it."""
        with self.state.db.tx() as conn:
            row = self._multipart(conn, call)
            self._accepting(conn, row)
            done = conn.execute(
                "SELECT part_number FROM multipart_parts WHERE multipart_id=? AND completed=1 ORDER BY part_number",
                (row["multipart_id"],),
            ).fetchall()
            if [r[0] for r in done] != list(range(1, row["part_count"] + 1)):
                raise ApiError(409, f"{len(done)} of {row['part_count']} parts completed")
            if (s3 := remote_of(self.state.blobs)) is not None:
                return self._complete_s3(conn, s3, row)
            digests, staged = Digests(), self.state.blobs.new_staging_path()
            with staged.open("wb") as out:
                for n in range(1, row["part_count"] + 1):
                    part_path = self._part_path(row["multipart_id"], n)
                    with part_path.open("rb") as src:
                        while chunk := src.read(1 << 20):
                            digests.update(chunk)
                            out.write(chunk)
            self._drop_parts(row["multipart_id"], row["part_count"], conn)
            conn.execute(
                "UPDATE multipart_uploads SET state='completed', updated=?, generation=generation+1"
                " WHERE multipart_id=?",
                (now_ms(), row["multipart_id"]),
            )
            self._staged(conn, row["session_id"], row["idx"], staged, digests)
            row = conn.execute(
                "SELECT * FROM multipart_uploads WHERE multipart_id=?", (row["multipart_id"],)
            ).fetchone()
            body = self._multipart_view(row, self._file_of(conn, row))
        self.ingestor.enqueue(row["session_id"], row["idx"])
        return JSONResponse(body)

    def _complete_s3(self, conn: Conn, s3: S3BlobStore, row: Row) -> Response:
        """Join the parts in S3; the staged object is then found and checked like any upload."""
        s3_multipart.complete(conn, s3, row["multipart_id"])
        conn.execute(
            "UPDATE multipart_uploads SET state='completed', updated=?, generation=generation+1 WHERE multipart_id=?",
            (now_ms(), row["multipart_id"]),
        )
        row = conn.execute("SELECT * FROM multipart_uploads WHERE multipart_id=?", (row["multipart_id"],)).fetchone()
        return JSONResponse(self._multipart_view(row, self._file_of(conn, row)))

    def abort_multipart(self, call: Call) -> Response:
        """DELETE …/multipartUploads/{id}."""
        with self.state.db.tx() as conn:
            row = self._multipart(conn, call)
            if row["state"] == "open":
                self._drop_parts(row["multipart_id"], row["part_count"], conn)
                conn.execute(
                    "UPDATE multipart_uploads SET state='aborted', updated=?, generation=generation+1"
                    " WHERE multipart_id=?",
                    (now_ms(), row["multipart_id"]),
                )
        return Response(status_code=204)

    def _part_path(self, multipart_id: str, number: int) -> Path:
        return self.state.blobs.staging / f"part-{multipart_id}-{number}"

    def _drop_parts(self, multipart_id: str, part_count: int, conn: Conn) -> None:
        if (s3 := remote_of(self.state.blobs)) is not None:
            s3_multipart.abort(conn, s3, multipart_id)
            return
        for n in range(1, part_count + 1):
            self._part_path(multipart_id, n).unlink(missing_ok=True)

    def _staged(self, conn: Conn, sid: str, idx: int, staged: Path, digests: Digests) -> None:
        received = {
            "size": digests.size,
            "crc32c": digests.crc32c_signed(),
            "sha256": digests.sha256.hexdigest(),
        }
        conn.execute(
            "UPDATE session_files SET state='uploaded', staged=?, received=?, updated=? WHERE session_id=? AND idx=?",
            (str(staged), json.dumps(received), now_ms(), sid, idx),
        )

    # ------------------------------------------------------------------ storage (signed URLs)
    def _check_signature(self, call: Call, method: str) -> None:
        raw_path = call.request.scope.get("raw_path") or call.request.url.path.encode()
        problem = verify(
            self.state.secret, method, raw_path.decode("latin-1").split("?", 1)[0],
            call.request.query_params.get("expires"), call.request.query_params.get("signature"), time.time(),
        )  # fmt: skip
        if problem:
            raise ApiError(403, problem)

    async def _receive(self, call: Call, limit: int) -> tuple[Path, Digests]:
        declared = call.request.headers.get("content-length", "")
        if declared.isascii() and declared.isdigit() and (len(declared) > 18 or int(declared) > limit):
            raise ApiError(413, f"more than {limit} bytes")  # refused before any of the body is read
        staged, digests = self.state.blobs.new_staging_path(), Digests()
        chunks = call.request.stream()
        try:
            with staged.open("wb") as out:
                async for chunk in chunks:
                    digests.update(chunk)
                    if digests.size > limit:
                        raise ApiError(413, f"more than {limit} bytes")
                    out.write(chunk)
        except OSError as exc:
            staged.unlink(missing_ok=True)
            if is_disk_full(exc):  # read and drop the rest of the body, so the client hears the 507
                await discard(chunks, limit - digests.size)
            raise
        except (ApiError, ClientDisconnect):
            staged.unlink(missing_ok=True)
            raise
        return staged, digests

    async def put_upload(self, call: Call) -> Response:
        """PUT /storage/v1/uploads/{uploadId}: store the bytes and queue ingestion."""
        self._check_signature(call, "PUT")
        with self.state.db.read() as conn:
            f = conn.execute("SELECT * FROM session_files WHERE upload_id=?", (call.path["uploadId"],)).fetchone()
        if f is None:
            raise ApiError(404, "no such upload")
        limit = min(self.state.config.max_upload_bytes, f["size"] + (1 << 20))
        with self.state.activity.receiving(f["session_id"]):
            staged, digests = await self._receive(call, limit)
        etag = f'"{digests.md5.hexdigest()}"'
        with self.state.db.tx() as conn:
            f = conn.execute("SELECT * FROM session_files WHERE upload_id=?", (call.path["uploadId"],)).fetchone()
            received = json.loads(f["received"]) if f["received"] else {}
            if f["state"] in ("ingesting", "ingested") and received.get("sha256") == digests.sha256.hexdigest():
                staged.unlink(missing_ok=True)  # a retry of a PUT that already arrived
                return Response(status_code=200, headers={"ETag": etag})
            if f["state"] not in ("pending", "uploaded"):
                staged.unlink(missing_ok=True)
                raise ApiError(
                    409,
                    f"this file no longer accepts uploads ({f['state']}: {f['error_code'] or ''})",
                )
            if f["staged"]:
                Path(f["staged"]).unlink(missing_ok=True)
            self._staged(conn, f["session_id"], f["idx"], staged, digests)
        self.ingestor.enqueue(f["session_id"], f["idx"])
        return Response(status_code=200, headers={"ETag": etag})

    async def put_part(self, call: Call) -> Response:
        """PUT /storage/v1/parts/{id}/{n}: store one part (Content-Length or chunked)."""
        self._check_signature(call, "PUT")
        mid, number = call.path["multipartUploadId"], call.path["partNumber"]
        with self.state.db.read() as conn:
            row = conn.execute("SELECT * FROM multipart_uploads WHERE multipart_id=?", (mid,)).fetchone()
            if row is None:
                raise ApiError(404, "no such multipart upload")
            self._accepting(conn, row)
        self._open_part(row, number)
        _, length = part_range(row["size"], row["part_count"], number)
        with self.state.activity.receiving(row["session_id"]):
            staged, digests = await self._receive(call, length)
        if digests.size != length:
            staged.unlink(missing_ok=True)
            raise ApiError(400, f"part {number} must hold {length} bytes, got {digests.size}")
        etag = f'"{digests.md5.hexdigest()}"'
        with self.state.db.tx() as conn:
            row = conn.execute("SELECT * FROM multipart_uploads WHERE multipart_id=?", (mid,)).fetchone()
            try:
                self._accepting(conn, row)  # cancelled while the bytes were arriving
            except ApiError:
                staged.unlink(missing_ok=True)
                raise
            os.replace(staged, self._part_path(mid, number))
            conn.execute(
                "INSERT INTO multipart_parts VALUES (?,?,?,?,0) ON CONFLICT (multipart_id, part_number)"
                " DO UPDATE SET size=excluded.size, etag=excluded.etag, completed=0",
                (mid, number, length, etag),
            )
        return Response(status_code=200, headers={"ETag": etag})

    async def get_object(self, call: Call) -> Response:
        """GET /storage/v1/objects/{assetId}/{variant}/{filename}."""
        self._check_signature(call, "GET")
        with self.state.db.read() as conn:
            row = conn.execute("SELECT * FROM assets WHERE asset_id=?", (call.path["assetId"],)).fetchone()
        if row is None or basename(row["filename"]) != call.path["filename"]:
            raise ApiError(404, "no such object")
        digest = row["sha256"] if call.path["variant"] == "asset" else row["thumb_sha256"]
        media = row["mime"] if call.path["variant"] == "asset" else "image/jpeg"
        path = self.state.blobs.path_of(digest)
        headers = {"ETag": f'"{digest}"'}
        try:
            stat = path.stat()
            if stat.st_size <= INLINE_BYTES:  # one read beats FileResponse's four thread hops
                return Response(path.read_bytes(), media_type=media, headers=headers)
        except FileNotFoundError:
            raise ApiError(404, "the object's bytes are gone") from None
        return FileResponse(path, media_type=media, headers=headers, stat_result=stat)
