"""Seed 001's platform reads: GET /adapters, GET /platform/overview, GET /metrics/export (JSON or CSV)."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import Query, Response

from aisre.core.http.deps import DEFAULT_WORKSPACE, ReadWorkspace, provide
from aisre.core.http.routing import ApiRouter
from aisre.core.http.schemas import READ_ERRORS, error_responses
from aisre.insights.api.schemas import AdapterList, PilotMetrics, PlatformOverview
from aisre.insights.model.export import metric_rows, to_csv
from aisre.insights.model.window import MAX_DAYS, MIN_DAYS
from aisre.insights.providers import insights_service

if TYPE_CHECKING:
    from aisre.insights.service.insights import InsightsService, Report

InsightsDep = Annotated["InsightsService", provide(insights_service)]
Days = Annotated[int, Query(ge=MIN_DAYS, le=MAX_DAYS, description="Calendar days (UTC), today included")]

router = ApiRouter(tags=["insights"])

_ERRORS = error_responses(*READ_ERRORS)


def report_public(report: Report, workspace_id: str | None) -> dict[str, Any]:
    metrics = report.metrics
    return {
        "workspace_id": workspace_id,
        "days": report.span.days,
        "since": report.span.since,
        "until": report.span.until,
        "incidents": metrics.incidents,
        "alerts_received": metrics.alerts_received,
        "compression_ratio": metrics.compression_ratio,
        "mtta": asdict(metrics.mtta),
        "mttr": asdict(metrics.mttr),
        "incidents_by_service": metrics.by_service,
        "incidents_by_severity": metrics.by_severity,
        "incidents_by_state": metrics.by_state,
        "resolved": metrics.resolved,
        "resolved_by_alert": metrics.resolved_by_alert,
        "resolved_by_person": metrics.resolved_by_person,
        "auto_resolved_share": metrics.auto_resolved_share,
        "truncated": report.truncated,
    }


@router.get("/adapters", response_model=AdapterList, responses=_ERRORS)
def list_adapters(service: InsightsDep, workspace: ReadWorkspace) -> dict[str, Any]:
    """What the platform can work with (alert sources, log stores, action providers and actions, channel types),
    and what this deployment and the workspace have configured."""
    catalog, channel_types = service.adapters(workspace or DEFAULT_WORKSPACE)
    return {
        "alert_sources": list(catalog.alert_sources),
        "log_backends": list(catalog.log_backends),
        "action_providers": list(catalog.action_providers),
        "action_names": list(catalog.action_names),
        "notification_channels": list(catalog.notification_channels),
        "metrics_backends": list(catalog.metrics_backends),
        "configured": {
            "log_backends": list(catalog.configured_log_backends),
            "metrics_backends": list(catalog.configured_metrics_backends),
            "notification_channels": list(channel_types),
            "cluster": catalog.cluster_configured,
            "llm": catalog.llm_configured,
        },
    }


@router.get("/platform/overview", response_model=PlatformOverview, responses=_ERRORS)
def platform_overview(service: InsightsDep, workspace: ReadWorkspace, days: Days = 7) -> dict[str, Any]:
    """Incidents of the window by state and severity, those open now, approvals waiting, the table's and queues'
    health, the workspace's integrations (a key seeing every workspace: the default one's), recent activity."""
    overview = service.overview(workspace, workspace or DEFAULT_WORKSPACE, days)
    report = overview.report
    healthy = all(check.get("status") in {"ok", "not_configured"} for check in overview.health.values())
    return {
        "workspace_id": workspace,
        "days": report.span.days,
        "since": report.span.since,
        "until": report.span.until,
        "incidents": {
            "total": report.metrics.incidents,
            "by_state": report.metrics.by_state,
            "by_severity": report.metrics.by_severity,
            "truncated": report.truncated,
        },
        "active": {**overview.active, "truncated": overview.active_truncated},
        "approvals": {"pending": overview.pending_approvals, "truncated": overview.approvals_truncated},
        "health": {"status": "ok" if healthy else "degraded", "checks": overview.health},
        "integrations": {
            **asdict(overview.integrations),
            "channel_types": list(overview.integrations.channel_types),
        },
        "recent_activity": [
            record.model_dump(include={"incident_id", "action", "outcome", "actor", "dry_run", "created_at"})
            for record in overview.activity
        ],
    }


@router.get(
    "/metrics/export",
    response_model=PilotMetrics,
    responses={
        **_ERRORS,
        200: {
            "description": "The pilot metrics: JSON, or with format=csv a CSV of `metric,dimension,value` rows",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
    },
)
def export_metrics(
    service: InsightsDep,
    workspace: ReadWorkspace,
    days: Days = 30,
    format: Annotated[Literal["json", "csv"], Query(description="json or csv")] = "json",
) -> Any:
    """Pilot metrics of the incidents created in the window: MTTA, MTTR, per service and severity, alerts per
    incident, the share resolved by their alerts rather than by a person."""
    report = service.report(workspace, days)
    if format == "csv":
        body = to_csv(metric_rows(report.metrics, report.span.days, report.truncated))
        filename = f"aisre-metrics-{report.span.until.date().isoformat()}-{days}d.csv"
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return report_public(report, workspace)
