"""The one place errors become HTTP: each AisreError class maps to one status and one JSON body shape."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from aisre.core import errors
from aisre.core.dependencies import unavailable
from aisre.core.observability import logger

RETRY_AFTER_SECONDS = "1"

# Most specific first: the first class an error is an instance of decides.
STATUS_BY_ERROR: tuple[tuple[type[errors.AisreError], int], ...] = (
    (errors.UnknownSourceError, 400),
    (errors.PayloadError, 400),
    (errors.SignatureMalformedError, 400),
    (errors.ValidationError, 422),
    (errors.PayloadTooLargeError, 413),
    (errors.AuthenticationError, 401),
    (errors.ForbiddenError, 403),
    (errors.RateLimitedError, 429),
    (errors.NotFoundError, 404),
    (errors.InvalidTransitionError, 409),
    (errors.ConflictError, 409),
    (errors.StorageError, 503),
    (errors.DependencyUnavailableError, 503),
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
    message, details = error.message, error.details
    if status >= 500:
        logger.error("request failed", extra={"error_type": type(error).__name__, "error": error.message})
        # A store's error may carry botocore's text, and with it the service's address: name the service instead.
        outage = unavailable(error)
        if outage is not None:
            status, message, details = 503, outage.message, {**details, **outage.details}
    extra = {"details": details} if details else {}
    headers = {"Retry-After": RETRY_AFTER_SECONDS} if status == 503 else None
    if isinstance(error, errors.RateLimitedError):
        headers = {"Retry-After": str(error.retry_after_seconds)}
    return JSONResponse(error_body(type(error).__name__, message, error.field, **extra), status, headers=headers)


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
    outage = unavailable(error)
    if outage is not None:
        # Not a bug: a service the platform runs on failed. Say which, and when to come back.
        logger.error("request failed", extra={"error_type": type(error).__name__, **outage.details})
        body = error_body(type(outage).__name__, outage.message, details=outage.details)
        return JSONResponse(body, 503, headers={"Retry-After": RETRY_AFTER_SECONDS})
    logger.exception("unhandled error")
    return JSONResponse(error_body("InternalError", "internal server error"), 500)


def install_error_handlers(app: FastAPI) -> None:
    from botocore.exceptions import BotoCoreError, ClientError
    from pynamodb.exceptions import PynamoDBException

    app.add_exception_handler(errors.AisreError, _aisre_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    # The AWS SDKs' errors by class, so that they are answered where the others are: the catch-all below is
    # Starlette's outermost middleware, which answers and then raises again (the server logs a crash and drops
    # the connection).
    for sdk_error in (PynamoDBException, BotoCoreError, ClientError):
        app.add_exception_handler(sdk_error, _unexpected)
    app.add_exception_handler(Exception, _unexpected)
