"""What the insights' service reads, as Protocols: incidents and their activity, pending approvals, integrations,
health. The providers hand it the other capabilities' services (and remediation's approval reads) behind these."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from aisre.core.paging import Page
from aisre.incidents.model.incident import ActionRecord, Incident, IncidentState
from aisre.insights.model.catalog import Integrations


class IncidentReads(Protocol):
    """IncidentService's reads."""

    def list_incidents(
        self, workspace_id: str | None, state: IncidentState | None, limit: int, cursor: str | None
    ) -> Page[Incident]: ...

    def activity(self, workspace_id: str | None, limit: int) -> list[ActionRecord]: ...


class PendingApprovals(Protocol):
    def count_pending(self, workspace_id: str | None, at_most: int, now: datetime) -> tuple[int, bool]:
        """How many approvals wait for a decision (at most `at_most` counted), and whether there are more."""
        ...


class IntegrationReads(Protocol):
    def integrations(self, workspace_id: str) -> Integrations: ...

    def channel_types(self, workspace_id: str) -> tuple[str, ...]: ...


class HealthChecks(Protocol):
    def __call__(self) -> dict[str, dict[str, Any]]:
        """Each check's name and result (`status`: ok | not_configured | degraded | error, and its figures)."""
        ...
