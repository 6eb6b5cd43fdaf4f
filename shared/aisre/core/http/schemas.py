"""What every route shares in the API document: the one error body, and the statuses a route documents with
it (`error_responses`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ValidationProblem(BaseModel):
    """One field a 422 names."""

    field: str = Field(description="Dotted location of the field: query.limit, subject.name, X-Workspace-Id")
    message: str


class ErrorInfo(BaseModel):
    type: str = Field(description="The error's class: NotFoundError, ValidationError, InvalidTransitionError...")
    message: str
    field: str | None = Field(None, description="The field or header at fault, when one is")
    problems: list[ValidationProblem] | None = Field(None, description="422: every field at fault")
    details: dict[str, Any] | None = Field(None, description="More about the error (a 409's current state...)")


class ErrorResponse(BaseModel):
    """Every error the platform answers: `detail` for clients that read FastAPI's, `error` for the rest."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "detail": "incident inc-0123456789ab not found",
                "error": {
                    "type": "NotFoundError",
                    "message": "incident inc-0123456789ab not found",
                    "field": "incident_id",
                },
            }
        }
    )

    detail: str = Field(description="The same text as error.message")
    error: ErrorInfo


ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "The request body cannot be read: not JSON, or not UTF-8",
    401: "API keys are configured and none, or no valid one, was sent (X-API-Key or ?api_key=)",
    403: "A policy refuses the request; `error.details` names the policy and its reasons",
    404: "No such resource in the workspaces the caller can see",
    409: "The resource is not in a state that allows this change",
    413: "The request body is over the size limit (MAX_BODY_BYTES)",
    422: "A parameter, header or body field has an unusable value; `error.problems` names each",
    429: "Too many of these within the policy's window; retry after Retry-After seconds",
    502: "A service outside the platform (language model, embeddings, SNS) failed or refused; retry",
    503: "Storage failed and nothing was acknowledged; retry (Retry-After)",
}


ERROR_SCHEMA_REF = "#/components/schemas/ErrorResponse"
# The error body by reference, not as `"model": ErrorResponse`: FastAPI would build a pydantic field for every
# status of every route at import, a third of an HTTP Lambda's cold start; core/http/openapi.py puts the one
# schema in the document's components.
_ERROR_CONTENT = {"application/json": {"schema": {"$ref": ERROR_SCHEMA_REF}}}


def error_responses(*statuses: int, **descriptions: str) -> dict[int | str, dict[str, Any]]:
    """`responses=` documenting each status with the error body; `descriptions` override by status, as
    `_404="..."` (keyword names cannot start with a digit)."""
    return {
        status: {"description": descriptions.get(f"_{status}", ERROR_DESCRIPTIONS[status]), "content": _ERROR_CONTENT}
        for status in statuses
    }


# The statuses every workspace-scoped route shares: auth when keys are on, a workspace a scoped key may not
# see (404), a bad parameter or header, storage.
READ_ERRORS = (401, 404, 422, 503)
