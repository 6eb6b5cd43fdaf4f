"""Alert webhooks: every provider at /webhook (X-Source) and /webhook/{source}, PagerDuty sync, Events API v2."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import Depends, Header, Path, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from aisre.alerts.api.schemas import ENQUEUE_BODY, WEBHOOK_BODY, EnqueueResponse, PagerDutyEventError, WebhookResponse
from aisre.alerts.model.normalizers import SOURCES
from aisre.alerts.model.signatures import SigningSecrets, verify_delivery
from aisre.alerts.model.sns_messages import SNS_MESSAGE_TYPE_HEADER
from aisre.alerts.providers import alert_intake, pagerduty_sync, signing_secrets, sns_deliveries
from aisre.alerts.service.intake import AlertIntake, Received
from aisre.alerts.service.pagerduty import PagerDutySync
from aisre.alerts.service.sns_deliveries import SnsDeliveries
from aisre.core.errors import AisreError
from aisre.core.http.deps import WriteWorkspace, provide
from aisre.core.http.routing import ApiRouter
from aisre.core.http.schemas import error_responses

IntakeDep = Annotated[AlertIntake, provide(alert_intake)]
PagerDutyDep = Annotated[PagerDutySync, provide(pagerduty_sync)]
SnsDep = Annotated[SnsDeliveries, provide(sns_deliveries)]
SecretsDep = Annotated[SigningSecrets, provide(signing_secrets)]


class AlertReceiver:
    """What a webhook delivery needs (the intake, PagerDuty sync, SNS deliveries, the signing secrets), as one
    dependency: the webhook routes differ only in where they read the source from."""

    def __init__(self, intake: IntakeDep, pagerduty: PagerDutyDep, sns: SnsDep, secrets: SecretsDep):
        self._intake = intake
        self._pagerduty = pagerduty
        self._sns = sns
        self._secrets = secrets

    async def receive(self, request: Request, workspace: str, source: str) -> dict[str, Any]:
        body = await request.body()
        verify_delivery(source, body, request.headers, self._secrets, now_epoch=time.time())
        content_type = request.headers.get("content-type")
        if source == "pagerduty":
            return await run_in_threadpool(
                self._pagerduty.handle_delivery, workspace, body, content_type, request.headers.get("x-webhook-id")
            )
        if source == "cloudwatch" and SNS_MESSAGE_TYPE_HEADER in request.headers:
            # An SNS HTTP(S) subscription: signed, and its first message asks to be confirmed.
            return await run_in_threadpool(self._sns.receive, workspace, body, content_type)
        result = await run_in_threadpool(self._intake.accept, workspace, source, body, content_type)
        return result.response()


ReceiverDep = Annotated[AlertReceiver, Depends()]

router = ApiRouter(tags=["webhooks"])

_RESPONSES = error_responses(
    400,
    401,
    404,
    413,
    422,
    502,
    503,
    _400="The body cannot be read, or fits no shape the named source sends (kept in the dead-letter store)",
    _404="A scoped API key naming another workspace in X-Workspace-Id",
    _401="Missing or invalid API key, or a webhook signature that is missing, wrong or outside its window",
    _422="A header or a field of the payload has an unusable value (the payload is dead-lettered)",
    _502="Confirming an SNS subscription failed at SNS (dead-lettered; replay confirms again)",
)
_SOURCE_DOC = {"enum": list(SOURCES)}


@router.post(
    "/webhook", response_model=WebhookResponse, responses=_RESPONSES, openapi_extra={"requestBody": WEBHOOK_BODY}
)
async def ingest_alert(
    request: Request,
    receiver: ReceiverDep,
    workspace: WriteWorkspace,
    x_source: Annotated[
        str, Header(description="Alert source: webhook (default), alertmanager, ...", json_schema_extra=_SOURCE_DOC)
    ] = "webhook",
) -> dict[str, Any]:
    """Ingest an alert; X-Source picks the normalizer."""
    return await receiver.receive(request, workspace, x_source.strip().lower() or "webhook")


@router.post(
    "/webhook/pagerduty",
    response_model=WebhookResponse,
    responses=_RESPONSES,
    openapi_extra={"requestBody": WEBHOOK_BODY},
)
async def ingest_pagerduty_webhook(
    request: Request, receiver: ReceiverDep, workspace: WriteWorkspace
) -> dict[str, Any]:
    """PagerDuty v3 webhook events: create or update the local incident (bidirectional sync)."""
    return await receiver.receive(request, workspace, "pagerduty")


@router.post(
    "/webhook/{source}",
    response_model=WebhookResponse,
    responses=_RESPONSES,
    openapi_extra={"requestBody": WEBHOOK_BODY},
)
async def ingest_alert_from(
    request: Request,
    receiver: ReceiverDep,
    workspace: WriteWorkspace,
    source: Annotated[str, Path(description="The alert source", json_schema_extra=_SOURCE_DOC)],
) -> dict[str, Any]:
    """Ingest an alert from the source named in the path (for tools that cannot set headers)."""
    return await receiver.receive(request, workspace, source.strip().lower())


@router.post(
    "/v2/enqueue",
    status_code=202,
    response_model=EnqueueResponse,
    responses={
        **error_responses(401, 404, 413, 422, 503),
        400: {"model": PagerDutyEventError, "description": "Not a valid event (PagerDuty's own body; dead-lettered)"},
    },
    openapi_extra={"requestBody": ENQUEUE_BODY},
)
async def enqueue_event(request: Request, intake: IntakeDep, pagerduty: PagerDutyDep, workspace: WriteWorkspace) -> Any:
    """PagerDuty Events API v2: anything that can page PagerDuty can send here."""
    body = await request.body()
    content_type = request.headers.get("content-type")
    try:
        alerts = await run_in_threadpool(intake.read_alerts, "pagerduty_events", body, content_type)
    except AisreError as error:
        await run_in_threadpool(
            intake.dead_letter, workspace, "pagerduty_events", body, content_type, error, status_code=400
        )
        # PagerDuty's own error shape, so its clients read it as they would PagerDuty's.
        return JSONResponse(
            {"status": "invalid event", "message": "Event object is invalid", "errors": [error.message]}, 400
        )
    received = Received("pagerduty_events", body, content_type)
    incident_id = await run_in_threadpool(pagerduty.handle_event, workspace, alerts[0], received)
    return {
        "status": "success",
        "message": "Event processed",
        "dedup_key": alerts[0].fingerprint,
        "incident_id": incident_id,
    }
