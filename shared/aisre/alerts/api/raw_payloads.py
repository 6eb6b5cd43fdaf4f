"""The payload an incident's alert came in, byte for byte, when the alert was cut to fit the incident."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response

from aisre.alerts.providers import raw_payload_service
from aisre.alerts.service.raw_payloads import RawPayloadService
from aisre.core.http.deps import ReadWorkspace, provide
from aisre.core.http.routing import ApiRouter
from aisre.core.http.schemas import READ_ERRORS, error_responses

RawPayloadsDep = Annotated[RawPayloadService, provide(raw_payload_service)]

router = ApiRouter(tags=["incidents"])

# The body goes back under its own type only when that is JSON: any other type a sender declared (text/html,
# say) would let stored bytes run as a page of this origin, so they are served as opaque bytes.
_JSON = "application/json"
_OPAQUE = "application/octet-stream"


@router.get(
    "/incidents/{incident_id}/alerts/raw",
    response_class=Response,
    responses={
        200: {
            "description": "The payload as received (JSON under its own type, anything else as bytes)",
            "content": {
                _JSON: {"schema": {"description": "The JSON payload, as the provider sent it"}},
                _OPAQUE: {"schema": {"type": "string", "format": "binary"}},
            },
        },
        **error_responses(
            *READ_ERRORS,
            _404="No such incident in this workspace, or its alert fit whole and no payload was kept",
        ),
    },
)
def get_raw_alert_payload(
    incident_id: str,
    raw_payloads: RawPayloadsDep,
    workspace: ReadWorkspace,
    payload_id: Annotated[
        str | None,
        Query(
            pattern=r"^raw-[0-9a-f]{16}$",
            description="A duplicate's payload (raw_payload_id of its alert_received event); default: the one "
            "that opened the incident",
        ),
    ] = None,
) -> Response:
    """The payload the incident's alert came in, byte for byte. Kept only when a field of the alert was cut
    to fit the incident (`truncated` on the incident), for as long as the incident."""
    payload = raw_payloads.of_incident(workspace, incident_id, payload_id)
    declared = (payload.content_type or "").split(";", 1)[0].strip().lower()
    return Response(
        payload.body,
        media_type=_JSON if declared == _JSON else _OPAQUE,
        headers={"X-Content-Type-Options": "nosniff", "X-Raw-Payload-Id": payload.id},
    )
