"""The API document: FastAPI's, with every error response under application/json whatever the route's own
content type (an event stream answers its errors in JSON too), a stream described by its items alone, and
its rendering as the repository keeps it (docs/openapi.json)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from aisre.core.http.schemas import ERROR_SCHEMA_REF, ErrorResponse


def build_document(app: FastAPI) -> dict[str, Any]:
    document = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        description=app.description,
        routes=app.routes,
    )
    _add_error_schema(document)
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for response in operation.get("responses", {}).values():
                _errors_as_json(response)
                _streams_by_item(response)
    return document


def _add_error_schema(document: dict[str, Any]) -> None:
    """The error body's schema, which routes name by reference (core/http/schemas.error_responses)."""
    schema = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}", mode="serialization")
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(schema.pop("$defs", {}))
    schemas["ErrorResponse"] = schema
    document["components"]["schemas"] = dict(sorted(schemas.items()))


def _errors_as_json(response: dict[str, Any]) -> None:
    content = response.get("content", {})
    for media_type, body in list(content.items()):
        if media_type != "application/json" and body.get("schema", {}).get("$ref") == ERROR_SCHEMA_REF:
            content.setdefault("application/json", content.pop(media_type))


def _streams_by_item(response: dict[str, Any]) -> None:
    """A stream documented by its items (itemSchema) loses the {"type": "string"} FastAPI gives any non-JSON
    body, which would describe the whole stream as one string."""
    for body in response.get("content", {}).values():
        if "itemSchema" in body:
            body.pop("schema", None)


def install_openapi(app: FastAPI) -> None:
    """app.openapi() (and so /openapi.json) answers build_document's, built once."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def render(document: dict[str, Any]) -> str:
    """The document as the repository keeps it (docs/openapi.json): stable, diffable."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
