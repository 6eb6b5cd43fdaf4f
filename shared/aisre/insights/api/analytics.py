"""Seed 002's analytics for the console's charts (/api/v1/analytics): a task is an incident (open, acknowledged,
resolved = completed); agents and workers are not this platform's, so their routes are not served."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from aisre.core.http.deps import ReadWorkspace, provide
from aisre.core.http.routing import ApiRouter
from aisre.core.http.schemas import READ_ERRORS, error_responses
from aisre.incidents.model.incident import IncidentState
from aisre.insights.api.platform import Days
from aisre.insights.api.schemas import AnalyticsOverview, TaskTimeline
from aisre.insights.model.metrics import ratio
from aisre.insights.providers import insights_service

if TYPE_CHECKING:
    from aisre.insights.service.insights import InsightsService

InsightsDep = Annotated["InsightsService", provide(insights_service)]

router = ApiRouter(prefix="/api/v1/analytics", tags=["insights"])

_ERRORS = error_responses(*READ_ERRORS)


@router.get("/overview", response_model=AnalyticsOverview, responses=_ERRORS)
def analytics_overview(service: InsightsDep, workspace: ReadWorkspace, days: Days = 7) -> dict[str, Any]:
    """The window's tasks (incidents) by status, how many were completed (resolved), response times and alerts."""
    report = service.report(workspace, days)
    metrics = report.metrics
    by_status = {state.value: metrics.by_state.get(state.value, 0) for state in IncidentState}
    return {
        "workspace_id": workspace,
        "days": report.span.days,
        "since": report.span.since,
        "until": report.span.until,
        "tasks": {
            "total": metrics.incidents,
            "by_status": by_status,
            "completed": metrics.resolved,
            "completion_rate": ratio(metrics.resolved, metrics.incidents),
        },
        "alerts_received": metrics.alerts_received,
        "compression_ratio": metrics.compression_ratio,
        "mtta_minutes": metrics.mtta.mean_minutes,
        "mttr_minutes": metrics.mttr.mean_minutes,
        "auto_resolved_share": metrics.auto_resolved_share,
        "by_severity": metrics.by_severity,
        "by_service": metrics.by_service,
        "truncated": report.truncated,
    }


@router.get("/tasks/timeline", response_model=TaskTimeline, responses=_ERRORS)
def tasks_timeline(service: InsightsDep, workspace: ReadWorkspace, days: Days = 7) -> dict[str, Any]:
    """Tasks (incidents) created, and resolved, per calendar day (UTC) of the window, oldest first, every day."""
    timeline = service.timeline(workspace, days)
    return {
        "workspace_id": workspace,
        "days": timeline.span.days,
        "since": timeline.span.since,
        "until": timeline.span.until,
        "total": timeline.total,
        "timeline": [
            {"date": point.day.isoformat(), "created": point.created, "resolved": point.resolved}
            for point in timeline.days
        ],
        "truncated": timeline.truncated,
    }
