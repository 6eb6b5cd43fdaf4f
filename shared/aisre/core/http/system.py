"""/health and /metrics: open without an API key, as monitors and scrapers expect."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from aisre import __version__
from aisre.core.http.deps import current_scope
from aisre.core.observability import render_prometheus
from aisre.core.providers import configured_table
from aisre.core.queue_health import check_queue
from aisre.core.scope import Scope
from aisre.core.table.health import check_table

router = APIRouter(tags=["system"])


@router.get("/health")
async def health(scope: Annotated[Scope, Depends(current_scope)]) -> Any:
    """Status, version, and checks of the table and the alert queue (503 when a check fails)."""
    settings = scope.settings
    scope.get(configured_table)  # points the records at the configured table
    table = await run_in_threadpool(check_table)
    queue = await run_in_threadpool(
        check_queue, settings.alert_queue_url, settings.aws_region, settings.aws_endpoint_url
    )
    checks = {"table": table, "queue": queue}
    healthy = all(check["status"] in {"ok", "not_configured"} for check in checks.values())
    body = {
        "status": "ok" if healthy else "degraded",
        "version": __version__,
        "profile": settings.profile,
        "stage": settings.stage,
        "checks": checks,
    }
    return JSONResponse(body, status_code=200 if healthy else 503)


@router.get("/metrics")
def prometheus_metrics() -> Response:
    """Prometheus text exposition of this process's counters and latency histograms."""
    payload, content_type = render_prometheus()
    return Response(payload, media_type=content_type)
