"""The one place errors become HTTP: each AisreError class maps to one status and one JSON body shape."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from aisre.core import errors
from aisre.core.observability import logger

# Most specific first: the first class an error is an instance of decides.
STATUS_BY_ERROR: tuple[tuple[type[errors.AisreError], int], ...] = (
    (errors.UnknownSourceError, 400),
    (errors.PayloadError, 400),
    (errors.SignatureMalformedError, 400),
    (errors.ValidationError, 422),
    (errors.PayloadTooLargeError, 413),
    (errors.AuthenticationError, 401),
    (errors.NotFoundError, 404),
    (errors.InvalidTransitionError, 409),
    (errors.ConflictError, 409),
    (errors.StorageError, 503),
    (errors.UpstreamError, 502),
)


def status_for(error: errors.AisreError) -> int:
    for error_class, status in STATUS_BY_ERROR:
        if isinstance(error, error_class):
            return status
    return 500


def error_body(error_type: str, message: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"detail": message, "error": {"type": error_type, "message": message}}
    if field:
        body["error"]["field"] = field
    body["error"].update(extra)
    return body


def _aisre_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, errors.AisreError)
    status = status_for(error)
    if status >= 500:
        logger.error("request failed", extra={"error_type": type(error).__name__, "error": error.message})
    extra = {"details": error.details} if error.details else {}
    headers = {"Retry-After": "1"} if status == 503 else None
    return JSONResponse(error_body(type(error).__name__, error.message, error.field, **extra), status, headers=headers)


def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = [
        {
            "field": ".".join(str(part) for part in item.get("loc", ()) if part != "body") or "body",
            "message": item.get("msg"),
        }
        for item in error.errors()
    ]
    message = "; ".join(f"{problem['field']}: {problem['message']}" for problem in problems)
    field = problems[0]["field"] if problems else None
    return JSONResponse(error_body("ValidationError", message, field, problems=problems), 422)


# What FastAPI raises (400) when a JSON body cannot even be decoded, e.g. bytes that are not UTF-8.
_UNPARSABLE_BODY = "There was an error parsing the body"


def _http_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 400 and error.detail == _UNPARSABLE_BODY:
        message = "the request body cannot be read: it is not UTF-8 JSON"
        return JSONResponse(error_body("PayloadError", message, "body"), 400)
    return JSONResponse(error_body("HTTPError", str(error.detail)), error.status_code, headers=error.headers)


def _unexpected(_request: Request, error: Exception) -> JSONResponse:
    logger.exception("unhandled error")
    return JSONResponse(error_body("InternalError", "internal server error"), 500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(errors.AisreError, _aisre_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
