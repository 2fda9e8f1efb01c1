"""Handlers for datasets, assets and bulk-delete sessions, plus authentication."""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import islice
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from vi_server import assets_store, paging, queries
from vi_server.errors import ApiError
from vi_server.keys import key_hash, new_id, well_formed
from vi_server.s3_blobs import remote_of, s3_contents
from vi_server.spec_router import Call
from vi_server.state import ServerState, now_ms
from vi_server.store import Conn, Row
from vi_server.views import (
    ContentsSigner,
    asset_view,
    condition,
    dataset_link,
    dataset_view,
    page,
    resource_metadata,
    server_signed,
)

DEFAULT_PAGE_SIZE = 10
SCAN_BATCH = 500  # rows read per hold of the database lock in filtered listings and counts
METADATA_KEYS = {
    "generations", "insertedBy", "annotations", "frames", "cohorts", "fileSize", "height", "width",
    "mimeType", "source", "status", "uploadStatus", "visibility", "userDefined", "customMetadata",
    "dimensions", "pixelRatio", "comments", "customMetadataCount", "hash", "contentsFrom",
    "framesChange", "timeCreated", "lastUpdated", "contentsLastUpdated",
}  # fmt: skip


class CoreHandlers:
    """Datasets, assets, bulk deletes."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self._orgs: dict[str, str] = {}

    # ------------------------------------------------------------------ auth
    def authenticate(self, request: Request, path: dict[str, Any]) -> str:
        """Return the caller's organization, or raise 401/403."""
        header = request.headers.get("authorization", "")
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise ApiError(401, "missing credentials: send Authorization: Bearer <secret key>")
        key = key.strip()
        digest = key_hash(key)
        org = self._orgs.get(digest)
        if org is None and well_formed(key):
            with self.state.db.read() as conn:
                row = conn.execute("SELECT org_id FROM orgs WHERE key_hash=?", (digest,)).fetchone()
            if row is not None:
                org = self._orgs[digest] = row["org_id"]
        if org is None:
            raise ApiError(401, "invalid secret key")
        claimed = request.headers.get("organization-id", "").strip()
        if not claimed:
            raise ApiError(401, "missing Organization-Id header")
        if claimed != org or path.get("organizationId", org) != org:
            raise ApiError(403, "the secret key does not belong to this organization")
        return org

    def dataset(self, conn: Conn, call: Call) -> Row:
        """The dataset named by the composite path segment, or 404."""
        composite: str = call.path["datasetId"]
        prefix = call.org_id + "_"
        row: Row | None = None
        if composite.startswith(prefix):
            row = conn.execute(
                "SELECT * FROM datasets WHERE org_id=? AND dataset_id=?",
                (call.org_id, composite[len(prefix) :]),
            ).fetchone()
        if row is None:
            raise ApiError(404, f"dataset {composite!r} not found")
        return row

    def _base(self, call: Call) -> str:
        return str(call.request.base_url).rstrip("/")

    # ------------------------------------------------------------------ datasets
    def list_datasets(self, call: Call) -> Response:
        """GET …/datasets."""
        size = call.query.get("s", DEFAULT_PAGE_SIZE)
        scope = paging.scope_of("datasets", call.org_id)
        after = -1
        if "p" in call.query:
            after = self._cursor(call.query["p"], scope).seq
        with self.state.db.read() as conn:
            rows = conn.execute(
                "SELECT * FROM datasets WHERE org_id=? AND seq>? ORDER BY seq LIMIT ?",
                (call.org_id, after, size + 1),
            ).fetchall()
            items = [dataset_view(r, assets_store.count(conn, r["org_id"], r["dataset_id"])) for r in rows[:size]]
        token = None
        if len(rows) > size:
            token = paging.encode(self.state.secret, paging.Cursor(scope, None, rows[size - 1]["seq"]))
        return JSONResponse(page(items, token))

    def create_dataset(self, call: Call) -> Response:
        """POST …/datasets (flat body)."""
        body = call.body
        ds = body.get("datasetId") or new_id("ds-")
        now = now_ms()
        with self.state.db.tx() as conn:
            exists = conn.execute(
                "SELECT 1 FROM datasets WHERE org_id=? AND dataset_id=?", (call.org_id, ds)
            ).fetchone()
            if exists:
                raise ApiError(409, f"dataset {ds!r} already exists")
            conn.execute(
                "INSERT INTO datasets (org_id, dataset_id, name, description, type, content, localization,"
                " data_localization, status, tags, created, generation) VALUES (?,?,?,?,?,?,?,?,?,?,?,1)",
                (call.org_id, ds, body["name"], body.get("description", ""), body.get("type", "phrase-grounding"),
                 body.get("content", "Image"), body.get("localization", "Datature/Multi"),
                 body.get("dataLocalization", "Datature/Multi"), body.get("status", 0),
                 json.dumps(body.get("tags", {})), now),
            )  # fmt: skip
            row = conn.execute("SELECT * FROM datasets WHERE org_id=? AND dataset_id=?", (call.org_id, ds)).fetchone()
            return JSONResponse(dataset_view(row, 0), status_code=201)

    def get_dataset(self, call: Call) -> Response:
        """GET …/datasets/{datasetId}."""
        with self.state.db.read() as conn:
            row = self.dataset(conn, call)
            return JSONResponse(dataset_view(row, assets_store.count(conn, row["org_id"], row["dataset_id"])))

    # ------------------------------------------------------------------ assets
    def _predicate(self, filt: Any, metadata_query: str | None, rule_query: str | None, strict: bool) -> Any:
        try:
            return queries.combine([
                queries.filter_predicate(queries.parse_filter(filt), strict, METADATA_KEYS),
                queries.query_predicate(queries.parse_query(metadata_query), on_custom_metadata=True),
                queries.query_predicate(queries.parse_query(rule_query), on_custom_metadata=False),
            ])  # fmt: skip
        except queries.QueryError as exc:
            raise ApiError(400, str(exc)) from exc

    def _cursor(self, token: str, scope: str) -> paging.Cursor:
        try:
            return paging.decode(self.state.secret, token, scope)
        except paging.PageTokenError as exc:
            raise ApiError(400, str(exc)) from exc

    def list_assets(self, call: Call) -> Response:
        """GET …/assets: keyset pages, any sort, filters applied before paging."""
        q = call.query
        size = q.get("s", DEFAULT_PAGE_SIZE)
        sort_by = q.get("sortBy", "default")
        descending = q.get("o") == "desc"
        strict = q.get("strictQuery") == "y"
        predicate = self._predicate(q.get("filter"), q.get("metadataQuery"), q.get("ruleQuery"), strict)
        scope = paging.scope_of(call.path["datasetId"], sort_by, descending, q.get("filter"),
                                q.get("metadataQuery"), q.get("ruleQuery"), strict)  # fmt: skip
        after = None
        if "p" in q:
            cursor = self._cursor(q["p"], scope)
            after = (cursor.value, cursor.seq)
        contents = self._contents(call)
        items: list[dict[str, Any]] = []
        last: Row | None = None
        more = False
        with self.state.db.read() as conn:
            ds = self.dataset(conn, call)
        batch = size + 1 if predicate is None else max(4 * size, 256)
        for row in self._scan(ds, sort_by, descending, after, batch):
            view = asset_view(row, contents if q.get("contents") == "y" else None)
            if predicate is not None and not predicate(view):
                continue
            if len(items) == size:
                more = True
                break
            items.append(view)
            last = row
        token = None
        if more and last is not None:
            value = assets_store.sort_value(last, sort_by)
            token = paging.encode(self.state.secret, paging.Cursor(scope, value, last["seq"]))
        return JSONResponse(page(items, token))

    def count_assets(self, call: Call) -> Response:
        """GET …/assets:count."""
        q = call.query
        predicate = self._predicate(
            q.get("filter"), q.get("metadataQuery"), q.get("ruleQuery"), q.get("strictQuery") == "y"
        )
        with self.state.db.read() as conn:
            ds = self.dataset(conn, call)
            if predicate is None:
                total = assets_store.count(conn, ds["org_id"], ds["dataset_id"])
        if predicate is not None:
            total = sum(1 for r in self._scan(ds, "default", False, None, SCAN_BATCH) if predicate(asset_view(r)))
        return JSONResponse({"count": total})

    def _scan(
        self, ds: Row, sort_by: str, descending: bool, after: tuple[Any, int] | None, batch: int
    ) -> Iterator[Row]:
        """`assets_store.scan`, holding the database lock for one batch at a time (never a full scan).

        Filtering happens between batches, outside the lock, so a filtered listing of a large
        dataset does not stall every other request (keyset positions keep the pages consistent).
        """
        position = after
        while True:
            with self.state.db.read() as conn:
                rows = list(
                    islice(
                        assets_store.scan(conn, ds["org_id"], ds["dataset_id"], sort_by, descending, position, batch),
                        batch,
                    )
                )
            yield from rows
            if len(rows) < batch:
                return
            position = (assets_store.sort_value(rows[-1], sort_by), rows[-1]["seq"])

    def _contents(self, call: Call) -> ContentsSigner:
        """Who signs download URLs: the object store (S3) or the server for its own route."""
        ttl = self.state.config.url_ttl_seconds
        if (s3 := remote_of(self.state.blobs)) is not None:
            return s3_contents(s3, ttl)
        return server_signed(self.state.secret, self._base(call), ttl)

    def _asset(self, conn: Conn, call: Call) -> Row:
        """The asset named by the path, in the dataset named by the path, or 404."""
        ds = self.dataset(conn, call)
        row = assets_store.get(conn, ds["org_id"], ds["dataset_id"], call.path["assetId"])
        if row is None:
            raise ApiError(404, f"asset {call.path['assetId']!r} not found")
        return row

    def get_asset(self, call: Call) -> Response:
        """GET …/assets/{assetId}."""
        with self.state.db.read() as conn:
            row = self._asset(conn, call)
            contents = None
            if call.query.get("contents") == "y":
                contents = self._contents(call)
            return JSONResponse(asset_view(row, contents))

    def delete_asset(self, call: Call) -> Response:
        """DELETE …/assets/{assetId}: 204, empty body."""
        with self.state.db.tx() as conn:
            assets_store.delete(conn, self.state.blobs, [self._asset(conn, call)])
        return Response(status_code=204)

    # ------------------------------------------------------------------ bulk delete
    def create_delete_session(self, call: Call) -> Response:
        """POST …/deleteManyAssetsSessions: deletes what the filter selects, then reports."""
        spec = {
            "filter": None,
            "metadataQuery": None,
            "ruleQuery": None,
            "strictQuery": None,
            **call.body["spec"],
        }
        predicate = self._predicate(spec["filter"], spec["metadataQuery"], spec["ruleQuery"], bool(spec["strictQuery"]))
        now = now_ms()
        delete_id = new_id()
        with self.state.db.tx() as conn:
            ds = self.dataset(conn, call)
            rows = list(assets_store.scan(conn, ds["org_id"], ds["dataset_id"], "default", False, None, 1000))
            chosen = rows if predicate is None else [r for r in rows if predicate(asset_view(r))]
            deleted = assets_store.delete(conn, self.state.blobs, chosen)
            conn.execute(
                "INSERT INTO delete_sessions (delete_id, org_id, dataset_id, spec, deleted, created, updated)"
                " VALUES (?,?,?,?,?,?,?)",
                (
                    delete_id,
                    ds["org_id"],
                    ds["dataset_id"],
                    json.dumps(spec),
                    deleted,
                    now,
                    now_ms(),
                ),
            )
            row = conn.execute("SELECT * FROM delete_sessions WHERE delete_id=?", (delete_id,)).fetchone()
        return JSONResponse(self._delete_view(row), status_code=201)

    def _delete_view(self, row: Row) -> dict[str, Any]:
        org, ds = row["org_id"], row["dataset_id"]
        return {
            "kind": "DeleteManyAssetsSession",
            "workspaceId": org,
            "datasetId": f"{org}_{ds}",
            "deleteManyAssetsSessionId": row["delete_id"],
            "selfLink": f"{dataset_link(org, ds)}/deleteManyAssetsSessions/{row['delete_id']}",
            "etag": 'W/"2"',
            "metadata": resource_metadata(row["created"], row["updated"], 2),
            "spec": json.loads(row["spec"]),
            "status": {
                "conditions": [
                    condition(
                        "Finished",
                        "Reached",
                        row["updated"],
                        "Completed",
                        f"{row['deleted']} assets deleted",
                    ),
                    condition("Started", "Reached", row["created"]),
                ]
            },
        }

    def get_delete_session(self, call: Call) -> Response:
        """GET …/deleteManyAssetsSessions/{id}."""
        with self.state.db.read() as conn:
            ds = self.dataset(conn, call)
            row = conn.execute(
                "SELECT * FROM delete_sessions WHERE delete_id=? AND org_id=? AND dataset_id=?",
                (call.path["deleteManyAssetsSessionId"], ds["org_id"], ds["dataset_id"]),
            ).fetchone()
        if row is None:
            raise ApiError(404, "bulk-delete session not found")
        return JSONResponse(self._delete_view(row))

    def list_delete_sessions(self, call: Call) -> Response:
        """GET …/deleteManyAssetsSessions."""
        size = call.query.get("s", DEFAULT_PAGE_SIZE)
        scope = paging.scope_of("deletes", call.path["datasetId"])
        after = self._cursor(call.query["p"], scope).seq if "p" in call.query else -1
        with self.state.db.read() as conn:
            ds = self.dataset(conn, call)
            rows = conn.execute(
                "SELECT * FROM delete_sessions WHERE org_id=? AND dataset_id=? AND seq>? ORDER BY seq LIMIT ?",
                (ds["org_id"], ds["dataset_id"], after, size + 1),
            ).fetchall()
        token = None
        if len(rows) > size:
            token = paging.encode(self.state.secret, paging.Cursor(scope, None, rows[size - 1]["seq"]))
        return JSONResponse(page([self._delete_view(r) for r in rows[:size]], token))
