"""The one error shape of the API: ``{"message", "code", "status"}``."""

from __future__ import annotations

from starlette.responses import JSONResponse

CODES = {
    400: "ValidationFailed",
    401: "AuthenticationFailed",
    403: "PermissionDenied",
    404: "ResourceNotFound",
    405: "MethodNotAllowed",
    409: "ResourceConflict",
    413: "FileTooLarge",
    415: "UnsupportedMediaType",
    429: "RateLimitExceeded",
    500: "ServerError",
    507: "InsufficientStorage",
}


class ApiError(Exception):
    """An error answered to the client."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The JSON body every 4xx/5xx carries."""
    body = {"message": message, "code": CODES.get(status, "Error"), "status": status}
    return JSONResponse(body, status_code=status, headers=headers)
