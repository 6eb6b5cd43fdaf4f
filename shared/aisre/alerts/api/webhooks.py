"""Alert webhooks: every provider at /webhook (X-Source) and /webhook/{source}, PagerDuty sync, Events API v2."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from aisre.alerts.model.signatures import SigningSecrets, verify_delivery
from aisre.alerts.model.sns_messages import SNS_MESSAGE_TYPE_HEADER
from aisre.alerts.providers import alert_intake, pagerduty_sync, signing_secrets, sns_deliveries
from aisre.alerts.service.intake import AlertIntake
from aisre.alerts.service.pagerduty import PagerDutySync
from aisre.alerts.service.sns_deliveries import SnsDeliveries
from aisre.core.errors import AisreError
from aisre.core.http.deps import WriteWorkspace, provide

IntakeDep = Annotated[AlertIntake, provide(alert_intake)]
PagerDutyDep = Annotated[PagerDutySync, provide(pagerduty_sync)]
SnsDep = Annotated[SnsDeliveries, provide(sns_deliveries)]
SecretsDep = Annotated[SigningSecrets, provide(signing_secrets)]

router = APIRouter(tags=["webhooks"])

_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed body, unknown source, or a payload that fits no provider shape (dead-lettered)"},
    401: {"description": "Missing or invalid API key or webhook signature"},
    413: {"description": "Body over the size limit"},
    422: {"description": "A field has an unusable value (dead-lettered)"},
    502: {"description": "Confirming an SNS subscription failed at SNS (dead-lettered; replay confirms again)"},
    503: {"description": "Storage failed: nothing was acknowledged, retry"},
}


@router.post("/webhook", responses=_RESPONSES)
async def ingest_alert(
    request: Request,
    intake: IntakeDep,
    pagerduty: PagerDutyDep,
    sns: SnsDep,
    secrets: SecretsDep,
    workspace: WriteWorkspace,
    x_source: Annotated[str, Header(description="Alert source: webhook (default), alertmanager, ...")] = "webhook",
) -> dict[str, Any]:
    """Ingest an alert; X-Source picks the normalizer."""
    return await _ingest(request, intake, pagerduty, sns, secrets, workspace, x_source.strip().lower() or "webhook")


@router.post("/webhook/pagerduty", responses=_RESPONSES)
async def ingest_pagerduty_webhook(
    request: Request,
    intake: IntakeDep,
    pagerduty: PagerDutyDep,
    sns: SnsDep,
    secrets: SecretsDep,
    workspace: WriteWorkspace,
) -> dict[str, Any]:
    """PagerDuty v3 webhook events: create or update the local incident (bidirectional sync)."""
    return await _ingest(request, intake, pagerduty, sns, secrets, workspace, "pagerduty")


@router.post("/webhook/{source}", responses=_RESPONSES)
async def ingest_alert_from(
    request: Request,
    intake: IntakeDep,
    pagerduty: PagerDutyDep,
    sns: SnsDep,
    secrets: SecretsDep,
    workspace: WriteWorkspace,
    source: str,
) -> dict[str, Any]:
    """Ingest an alert from the source named in the path (for tools that cannot set headers)."""
    return await _ingest(request, intake, pagerduty, sns, secrets, workspace, source.strip().lower())


@router.post("/v2/enqueue", status_code=202, responses=_RESPONSES)
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
    incident_id = await run_in_threadpool(pagerduty.handle_event, workspace, alerts[0])
    return {
        "status": "success",
        "message": "Event processed",
        "dedup_key": alerts[0].fingerprint,
        "incident_id": incident_id,
    }


async def _ingest(
    request: Request,
    intake: AlertIntake,
    pagerduty: PagerDutySync,
    sns: SnsDeliveries,
    secrets: SigningSecrets,
    workspace: str,
    source: str,
) -> dict[str, Any]:
    body = await request.body()
    verify_delivery(source, body, request.headers, secrets, now_epoch=time.time())
    content_type = request.headers.get("content-type")
    if source == "pagerduty":
        return await run_in_threadpool(
            pagerduty.handle_delivery, workspace, body, content_type, request.headers.get("x-webhook-id")
        )
    if source == "cloudwatch" and SNS_MESSAGE_TYPE_HEADER in request.headers:
        # An SNS HTTP(S) subscription: signed, and its first message asks to be confirmed.
        return await run_in_threadpool(sns.receive, workspace, body, content_type)
    result = await run_in_threadpool(intake.accept, workspace, source, body, content_type)
    return result.response()
