"""The ASGI application: both specs' routes, the handlers, and the ingestion worker's lifetime."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from vi_server import spec_router
from vi_server.errors import error_response
from vi_server.handlers_core import CoreHandlers
from vi_server.handlers_datasets import DatasetHandlers
from vi_server.handlers_uploads import UploadHandlers
from vi_server.ingest import Enqueuer, Ingestor
from vi_server.ingest_notify import Notifier
from vi_server.limits import Limits
from vi_server.shared_activity import Publisher
from vi_server.state import ServerConfig, ServerState
from vi_server.storage_errors import DISK_FULL_MESSAGE, disk_full_as_507, is_disk_full

log = logging.getLogger("vi_server")
STREAMING = {"putUpload", "putPart", "getObject"}


def create_app(config: ServerConfig, role: str = "all") -> Starlette:
    """Build the server for ``config`` (the ingestion worker starts with the app's lifespan).

    Args:
        config: The server's configuration.
        role: ``"all"`` ingests in this process; ``"http"`` only records uploads (an HTTP worker
            of ``serve --workers N``: it hints the ingestion role, which also finds them in the
            database, and publishes its session activity there).

    Returns:
        The ASGI application.
    """
    state = ServerState(config)
    ingestor = Ingestor(state) if role == "all" else None
    publisher = Publisher(state.db, state.activity) if role == "http" else None
    enqueuer: Enqueuer = ingestor if ingestor is not None else Notifier(config.data_dir)
    core = CoreHandlers(state)
    uploads = UploadHandlers(state, core, enqueuer)
    datasets = DatasetHandlers(state, core)
    handlers: dict[str, Any] = {
        "listDatasets": core.list_datasets,
        "createDataset": core.create_dataset,
        "getDataset": core.get_dataset,
        "updateDataset": datasets.update_dataset,
        "deleteDataset": datasets.delete_dataset,
        "getDatasetDeleteOperation": datasets.get_delete_operation,
        "renameAsset": datasets.rename_asset,
        "listAssetIngestionSessions": datasets.list_sessions,
        "listAssets": core.list_assets,
        "countAssets": core.count_assets,
        "getAsset": core.get_asset,
        "deleteAsset": core.delete_asset,
        "createDeleteManyAssetsSession": core.create_delete_session,
        "getDeleteManyAssetsSession": core.get_delete_session,
        "listDeleteManyAssetsSessions": core.list_delete_sessions,
        "createAssetIngestionSession": uploads.create_session,
        "getAssetIngestionSession": uploads.get_session,
        "cancelAssetIngestionSession": uploads.cancel_session,
        "createMultipartUpload": uploads.create_multipart,
        "abortMultipartUpload": uploads.abort_multipart,
        "getMultipartUploadPartUrl": uploads.part_url,
        "completeMultipartUploadPart": uploads.complete_part,
        "completeMultipartUpload": uploads.complete_multipart,
        "putUpload": uploads.put_upload,
        "putPart": uploads.put_part,
        "getObject": uploads.get_object,
    }
    handlers = {name: disk_full_as_507(handler) for name, handler in handlers.items()}
    limits = Limits.from_env()
    routes = spec_router.build_routes(spec_router.load("openapi.yaml"), handlers, core.authenticate, STREAMING, limits)
    routes += spec_router.build_routes(spec_router.load("storage.yaml"), handlers, core.authenticate, STREAMING, limits)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        background = ingestor or publisher
        if background is not None:
            background.start()
        try:
            yield
        finally:
            if background is not None:
                background.stop()
            state.db.close()

    async def http_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return error_response(exc.status_code, str(exc.detail), dict(exc.headers or {}))

    async def server_error(request: Request, exc: Exception) -> Response:
        if is_disk_full(exc):  # e.g. a storage PUT on a full disk: a clear 507, the client reports it per file
            log.warning("%s %s: %s", request.method, request.url.path, exc)
            return error_response(507, DISK_FULL_MESSAGE)
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(500, "internal server error")

    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={HTTPException: http_error, Exception: server_error},
    )
    app.state.vi = state
    app.state.ingestor = ingestor
    return app
