"""Handlers for dataset update and deletion, asset rename and the listing of ingestion sessions."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import JSONResponse, Response

from vi_server import assets_store, paging, s3_multipart, sessions
from vi_server.errors import ApiError
from vi_server.handlers_core import DEFAULT_PAGE_SIZE, CoreHandlers
from vi_server.handlers_uploads import MANAGED_SOURCE
from vi_server.s3_blobs import remote_of
from vi_server.spec_router import Call
from vi_server.state import ServerState, now_ms
from vi_server.store import Row
from vi_server.views import asset_view, condition, dataset_link, dataset_view, page, resource_metadata


def merged_update(row: Row, body: dict[str, Any]) -> dict[str, Any]:
    """The dataset columns after a PATCH body: fields not sent keep their values, maps are merged."""
    return {
        "name": body.get("name", row["name"]),
        "description": body.get("description", row["description"]),
        "preference": json.dumps({**json.loads(row["preference"]), **body.get("preference", {})}),
        "attributes": json.dumps(
            {**json.loads(row["attributes"]), **(body.get("metadata") or {}).get("attributes", {})}
        ),
    }


def deletion_view(row: Row) -> dict[str, Any]:
    """DatasetDeleteOperation (the reference server deletes at once: `Finished` is `Reached`)."""
    org, ds = row["org_id"], row["dataset_id"]
    return {
        "kind": "DatasetDeleteOperation",
        "user": row["user"],
        "workspaceId": org,
        "datasetId": f"{org}_{ds}",
        "selfLink": f"{dataset_link(org, ds)}/deleteOperation",
        "etag": 'W/"2"',
        "metadata": resource_metadata(row["created"], row["finished"], 2),
        "status": {
            "conditions": [
                condition("Finished", "Reached", row["finished"], "Completed",
                          f"{row['deleted_assets']} assets deleted"),
                condition("Started", "Reached", row["created"]),
            ]
        },
    }  # fmt: skip


class DatasetHandlers:
    """updateDataset, deleteDataset, getDatasetDeleteOperation, renameAsset, listAssetIngestionSessions."""

    def __init__(self, state: ServerState, core: CoreHandlers) -> None:
        self.state = state
        self.core = core

    # ------------------------------------------------------------------ datasets
    def update_dataset(self, call: Call) -> Response:
        """PATCH …/datasets/{datasetId}: only the fields sent change."""
        with self.state.db.tx() as conn:
            row = self.core.dataset(conn, call)
            new = merged_update(row, call.body)
            conn.execute(
                "UPDATE datasets SET name=?, description=?, preference=?, attributes=?, generation=generation+1"
                " WHERE seq=?",
                (new["name"], new["description"], new["preference"], new["attributes"], row["seq"]),
            )
            row = conn.execute("SELECT * FROM datasets WHERE seq=?", (row["seq"],)).fetchone()
            return JSONResponse(dataset_view(row, assets_store.count(conn, row["org_id"], row["dataset_id"])))

    def delete_dataset(self, call: Call) -> Response:
        """DELETE …/datasets/{datasetId}: assets, sessions, uploads and the dataset go in one transaction."""
        now = now_ms()
        with self.state.db.tx() as conn:
            ds = self.core.dataset(conn, call)
            org, dsid = ds["org_id"], ds["dataset_id"]
            for (sid,) in conn.execute(
                "SELECT session_id FROM sessions WHERE org_id=? AND dataset_id=?", (org, dsid)
            ).fetchall():
                sessions.fail_rest(conn, sid, "the dataset was deleted", now)  # drops staged bytes
                conn.execute("DELETE FROM session_files WHERE session_id=?", (sid,))
            conn.execute("DELETE FROM sessions WHERE org_id=? AND dataset_id=?", (org, dsid))
            uploads = conn.execute(
                "SELECT multipart_id FROM multipart_uploads WHERE org_id=? AND dataset_id=?", (org, dsid)
            ).fetchall()
            for (mid,) in uploads:
                conn.execute("DELETE FROM multipart_parts WHERE multipart_id=?", (mid,))
                for part in self.state.blobs.staging.glob(f"part-{mid}-*"):
                    part.unlink(missing_ok=True)
                if (s3 := remote_of(self.state.blobs)) is not None:
                    s3_multipart.abort(conn, s3, mid)
            conn.execute("DELETE FROM multipart_uploads WHERE org_id=? AND dataset_id=?", (org, dsid))
            conn.execute("DELETE FROM delete_sessions WHERE org_id=? AND dataset_id=?", (org, dsid))
            rows = list(assets_store.scan(conn, org, dsid, "default", False, None, 1000))
            deleted = assets_store.delete(conn, self.state.blobs, rows)
            conn.execute("DELETE FROM datasets WHERE seq=?", (ds["seq"],))
            conn.execute(
                "INSERT INTO dataset_deletions VALUES (?,?,?,?,?,?) ON CONFLICT (org_id, dataset_id) DO UPDATE SET"
                ' "user"=excluded."user", created=excluded.created, finished=excluded.finished,'
                " deleted_assets=excluded.deleted_assets",
                (org, dsid, org, now, now_ms(), deleted),
            )
            row = conn.execute(
                "SELECT * FROM dataset_deletions WHERE org_id=? AND dataset_id=?", (org, dsid)
            ).fetchone()
        return JSONResponse(deletion_view(row), status_code=202)

    def get_delete_operation(self, call: Call) -> Response:
        """GET …/datasets/{datasetId}/deleteOperation (404 unless the dataset was deleted)."""
        composite: str = call.path["datasetId"]
        prefix = call.org_id + "_"
        row = None
        if composite.startswith(prefix):
            with self.state.db.read() as conn:
                row = conn.execute(
                    "SELECT * FROM dataset_deletions WHERE org_id=? AND dataset_id=?",
                    (call.org_id, composite[len(prefix) :]),
                ).fetchone()
        if row is None:
            raise ApiError(404, f"no deletion of dataset {composite!r}")
        return JSONResponse(deletion_view(row))

    # ------------------------------------------------------------------ assets
    def rename_asset(self, call: Call) -> Response:
        """POST …/assets/{assetId}/name with ``{"filename": …}``; 409 when another asset has the name."""
        name: str = call.body["filename"]
        problem = sessions.filename_problem(name)
        if problem is not None:
            raise ApiError(400, f"filename {name!r} {problem}")
        with self.state.db.tx() as conn:
            ds = self.core.dataset(conn, call)
            row = assets_store.get(conn, ds["org_id"], ds["dataset_id"], call.path["assetId"])
            if row is None:
                raise ApiError(404, f"asset {call.path['assetId']!r} not found")
            if name != row["filename"]:
                taken = conn.execute(
                    "SELECT 1 FROM assets WHERE org_id=? AND dataset_id=? AND filename=?",
                    (ds["org_id"], ds["dataset_id"], name),
                ).fetchone()
                if taken is not None:
                    raise ApiError(409, f"another asset is named {name!r}")
                conn.execute(
                    "UPDATE assets SET filename=?, updated=?, generation=generation+1 WHERE seq=?",
                    (name, now_ms(), row["seq"]),
                )
                row = conn.execute("SELECT * FROM assets WHERE seq=?", (row["seq"],)).fetchone()
            return JSONResponse(asset_view(row))

    # ------------------------------------------------------------------ ingestion sessions
    def list_sessions(self, call: Call) -> Response:
        """GET …/assetIngestionSessions: oldest first, keyset pages (without upload URLs)."""
        source = (call.path["assetSourceClass"], call.path["assetSourceProvider"], call.path["assetSourceId"])
        size = call.query.get("s", DEFAULT_PAGE_SIZE)
        scope = paging.scope_of("sessions", call.path["datasetId"], *source)
        after = self.core._cursor(call.query["p"], scope).seq if "p" in call.query else -1
        base = str(call.request.base_url)
        with self.state.db.read() as conn:
            ds = self.core.dataset(conn, call)
            if source != MANAGED_SOURCE:
                raise ApiError(
                    404, f"asset source {'/'.join(source)!r} not found (uploads use managed/datature/default)"
                )
            rows = conn.execute(
                "SELECT * FROM sessions WHERE org_id=? AND dataset_id=? AND seq>? ORDER BY seq LIMIT ?",
                (ds["org_id"], ds["dataset_id"], after, size + 1),
            ).fetchall()
            items = [sessions.view(self.state, conn, r, base, with_uploads=False) for r in rows[:size]]
        token = None
        if len(rows) > size:
            token = paging.encode(self.state.secret, paging.Cursor(scope, None, rows[size - 1]["seq"]))
        return JSONResponse(page(items, token))
