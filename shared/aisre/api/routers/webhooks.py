"""Alert webhooks: every provider at /webhook (X-Source) and /webhook/{source}, PagerDuty sync, Events API v2."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from aisre.api.deps import PlatformDep, WriteWorkspace
from aisre.domain.signatures import (
    GRAFANA_SIGNATURE_HEADER,
    GRAFANA_TIMESTAMP_HEADER,
    PAGERDUTY_SIGNATURE_HEADER,
    verify_grafana,
    verify_pagerduty,
)
from aisre.domain.sns_messages import SNS_MESSAGE_TYPE_HEADER
from aisre.errors import AisreError
from aisre.wiring import Platform

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
    platform: PlatformDep,
    workspace: WriteWorkspace,
    x_source: Annotated[str, Header(description="Alert source: webhook (default), alertmanager, ...")] = "webhook",
) -> dict[str, Any]:
    """Ingest an alert; X-Source picks the normalizer."""
    return await _ingest(request, platform, workspace, x_source.strip().lower() or "webhook")


@router.post("/webhook/pagerduty", responses=_RESPONSES)
async def ingest_pagerduty_webhook(
    request: Request, platform: PlatformDep, workspace: WriteWorkspace
) -> dict[str, Any]:
    """PagerDuty v3 webhook events: create or update the local incident (bidirectional sync)."""
    return await _ingest(request, platform, workspace, "pagerduty")


@router.post("/webhook/{source}", responses=_RESPONSES)
async def ingest_alert_from(
    request: Request, platform: PlatformDep, workspace: WriteWorkspace, source: str
) -> dict[str, Any]:
    """Ingest an alert from the source named in the path (for tools that cannot set headers)."""
    return await _ingest(request, platform, workspace, source.strip().lower())


@router.post("/v2/enqueue", status_code=202, responses=_RESPONSES)
async def enqueue_event(request: Request, platform: PlatformDep, workspace: WriteWorkspace) -> Any:
    """PagerDuty Events API v2: anything that can page PagerDuty can send here."""
    body = await request.body()
    content_type = request.headers.get("content-type")
    try:
        alerts = await run_in_threadpool(platform.intake.read_alerts, "pagerduty_events", body, content_type)
    except AisreError as error:
        await run_in_threadpool(
            platform.intake.dead_letter, workspace, "pagerduty_events", body, content_type, error, status_code=400
        )
        # PagerDuty's own error shape, so its clients read it as they would PagerDuty's.
        return JSONResponse(
            {"status": "invalid event", "message": "Event object is invalid", "errors": [error.message]}, 400
        )
    incident_id = await run_in_threadpool(platform.pagerduty.handle_event, workspace, alerts[0])
    return {
        "status": "success",
        "message": "Event processed",
        "dedup_key": alerts[0].fingerprint,
        "incident_id": incident_id,
    }


async def _ingest(request: Request, platform: Platform, workspace: str, source: str) -> dict[str, Any]:
    body = await request.body()
    _check_signature(platform, source, body, request)
    content_type = request.headers.get("content-type")
    if source == "pagerduty":
        return await run_in_threadpool(
            _pagerduty, platform, workspace, body, content_type, request.headers.get("x-webhook-id")
        )
    if source == "cloudwatch" and SNS_MESSAGE_TYPE_HEADER in request.headers:
        # An SNS HTTP(S) subscription: signed, and its first message asks to be confirmed.
        return await run_in_threadpool(platform.sns_deliveries.receive, workspace, body, content_type)
    result = await run_in_threadpool(platform.intake.accept, workspace, source, body, content_type)
    return result.response()


def _check_signature(platform: Platform, source: str, body: bytes, request: Request) -> None:
    """Where the provider signs and a secret is configured, the exact raw bytes must carry its signature.
    Checked before anything is read or stored: a forged request leaves no trace but the 4xx."""
    if source == "pagerduty" and platform.pagerduty_secrets:
        verify_pagerduty(body, request.headers.get(PAGERDUTY_SIGNATURE_HEADER), platform.pagerduty_secrets)
    elif source == "grafana" and platform.grafana_secrets:
        verify_grafana(
            body,
            request.headers.get(GRAFANA_SIGNATURE_HEADER),
            request.headers.get(GRAFANA_TIMESTAMP_HEADER),
            platform.grafana_secrets,
            now_epoch=time.time(),
            max_age_seconds=platform.settings.grafana_signature_max_age_seconds,
        )


def _pagerduty(
    platform: Platform, workspace: str, body: bytes, content_type: str | None, webhook_id: str | None
) -> dict[str, Any]:
    """A v3 delivery, answered from its receipt when PagerDuty redelivers the same X-Webhook-Id."""
    if webhook_id:
        previous = platform.receipts.get(workspace, "pagerduty", webhook_id)
        if previous is not None:
            return previous | {"deduplicated": True, "dedup_strategy": "webhook_id", "redelivery": True}
    try:
        alerts = platform.intake.read_alerts("pagerduty", body, content_type)
    except AisreError as error:
        platform.intake.dead_letter(workspace, "pagerduty", body, content_type, error, status_code=400)
        raise
    sync = platform.pagerduty.handle_webhook(workspace, alerts)
    # The incident existed before this event unless the event created it (or concerned none).
    existed = sync["action_taken"] not in {"created", "created_acknowledged", "ignored"}
    response = {
        "incident_id": sync["local_incident_id"],
        "deduplicated": existed,
        "dedup_strategy": "provider_fingerprint" if existed else None,
        "group_id": None,
    } | sync
    if webhook_id:
        platform.receipts.put(workspace, "pagerduty", webhook_id, response, platform.settings.webhook_id_retention_days)
    return response
