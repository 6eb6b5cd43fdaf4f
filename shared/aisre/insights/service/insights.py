"""InsightsService: a workspace's pilot metrics, daily timeline, overview and adapters, from bounded reads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aisre.core.clock import utc_now
from aisre.incidents.model.incident import ActionRecord, IncidentState
from aisre.insights.model.catalog import AdapterCatalog, Integrations
from aisre.insights.model.metrics import PilotMetrics, pilot_metrics
from aisre.insights.model.timeline import DayCount, daily_counts
from aisre.insights.model.window import MAX_INCIDENTS, Window, window
from aisre.insights.ports import HealthChecks, IncidentReads, IntegrationReads, PendingApprovals
from aisre.insights.service.reading import incidents_since, resolved_by_person

RECENT_ACTIVITY = 10
# Open incidents are counted however old they are: what waits for a responder now, not only a window's.
EVER = datetime(1970, 1, 1, tzinfo=UTC)
MAX_PENDING_APPROVALS = 1_000


@dataclass(frozen=True)
class Report:
    span: Window
    metrics: PilotMetrics
    truncated: bool


@dataclass(frozen=True)
class Timeline:
    span: Window
    days: list[DayCount]
    total: int
    truncated: bool


@dataclass(frozen=True)
class Overview:
    report: Report
    active: dict[str, int]
    active_truncated: bool
    pending_approvals: int
    approvals_truncated: bool
    health: dict[str, dict[str, Any]]
    integrations: Integrations
    activity: list[ActionRecord] = field(default_factory=list)


class InsightsService:
    def __init__(
        self,
        incidents: IncidentReads,
        approvals: PendingApprovals,
        integrations: IntegrationReads,
        health: HealthChecks,
        catalog: AdapterCatalog,
        *,
        max_incidents: int = MAX_INCIDENTS,
        clock: Callable[[], datetime] = utc_now,
    ):
        self._incidents = incidents
        self._approvals = approvals
        self._integrations = integrations
        self._health = health
        self._catalog = catalog
        self._max = max_incidents
        self._clock = clock

    def report(self, workspace_id: str | None, days: int) -> Report:
        span = window(days, self._clock())
        found, truncated = incidents_since(self._incidents, workspace_id, span.since, self._max)
        people, cut_short = resolved_by_person(self._incidents, workspace_id, found, span.since, self._max)
        return Report(span, pilot_metrics(found, people), truncated or cut_short)

    def timeline(self, workspace_id: str | None, days: int) -> Timeline:
        span = window(days, self._clock())
        found, truncated = incidents_since(self._incidents, workspace_id, span.since, self._max)
        return Timeline(span, daily_counts(found, span), len(found), truncated)

    def overview(self, workspace_id: str | None, integrations_of: str, days: int) -> Overview:
        """`integrations_of`: the workspace whose integrations are shown (a key seeing every workspace reads the
        default one's: channels and policies belong to one workspace)."""
        report = self.report(workspace_id, days)
        active: dict[str, int] = {}
        active_truncated = False
        for state in (IncidentState.OPEN, IncidentState.ACKNOWLEDGED):
            found, more = incidents_since(self._incidents, workspace_id, EVER, self._max, state)
            active[state.value] = len(found)
            active_truncated = active_truncated or more
        pending, approvals_truncated = self._approvals.count_pending(workspace_id, MAX_PENDING_APPROVALS, self._clock())
        return Overview(
            report=report,
            active=active,
            active_truncated=active_truncated,
            pending_approvals=pending,
            approvals_truncated=approvals_truncated,
            health=self._health(),
            integrations=self._integrations.integrations(integrations_of),
            activity=self._incidents.activity(workspace_id, RECENT_ACTIVITY),
        )

    def adapters(self, workspace_id: str) -> tuple[AdapterCatalog, tuple[str, ...]]:
        """The registries, and the channel types the workspace has configured."""
        return self._catalog, self._integrations.channel_types(workspace_id)
