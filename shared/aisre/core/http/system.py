"""/health and /metrics: open without an API key, as monitors and scrapers expect."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from aisre import __version__
from aisre.core.http.deps import current_scope
from aisre.core.http.errors import RETRY_AFTER_SECONDS
from aisre.core.http.routing import ApiRouter
from aisre.core.observability import render_prometheus
from aisre.core.providers import configured_table
from aisre.core.queue_health import check_queue
from aisre.core.scope import Scope
from aisre.core.table.health import check_table

router = ApiRouter(tags=["system"])


class HealthCheck(BaseModel):
    model_config = ConfigDict(extra="allow")  # each probe adds its own figures (latency_ms, messages_waiting...)

    status: str = Field(description="ok | not_configured | degraded | error")
    error: str | None = Field(None, description="The failure's class, when the probe failed")


class HealthResponse(BaseModel):
    status: str = Field(description="ok, or degraded when a check failed")
    version: str
    profile: str
    stage: str
    checks: dict[str, HealthCheck] = Field(description="table, queue (alerts), investigation_queue")


class PrometheusResponse(Response):
    """The Prometheus text exposition format, under its own content type."""

    media_type = "text/plain"


@router.get(
    "/health",
    response_model=HealthResponse,
    responses={503: {"model": HealthResponse, "description": "A check failed: status is degraded"}},
)
async def health(scope: Annotated[Scope, Depends(current_scope)]) -> Any:
    """Status, version, and checks of the table, the alert queue and the investigation queue (503 when a
    check fails)."""
    settings = scope.settings
    scope.get(configured_table)  # points the records at the configured table
    table = await run_in_threadpool(check_table)
    queue = await run_in_threadpool(
        check_queue, settings.alert_queue_url, settings.aws_region, settings.aws_endpoint_url
    )
    # How far the investigations are behind: after a storm, the requests still waiting for the starter.
    investigation_queue = await run_in_threadpool(
        check_queue, settings.investigation_queue_url, settings.aws_region, settings.aws_endpoint_url
    )
    checks = {"table": table, "queue": queue, "investigation_queue": investigation_queue}
    healthy = all(check["status"] in {"ok", "not_configured"} for check in checks.values())
    body = {
        "status": "ok" if healthy else "degraded",
        "version": __version__,
        "profile": settings.profile,
        "stage": settings.stage,
        "checks": checks,
    }
    if healthy:
        return JSONResponse(body)
    return JSONResponse(body, status_code=503, headers={"Retry-After": RETRY_AFTER_SECONDS})


@router.get(
    "/metrics",
    response_class=PrometheusResponse,
    responses={
        200: {
            "description": "Counters and latency histograms of this process (Prometheus text format 0.0.4)",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        }
    },
)
def prometheus_metrics() -> Response:
    """Prometheus text exposition of this process's counters and latency histograms."""
    payload, content_type = render_prometheus()
    return Response(payload, media_type=content_type)
