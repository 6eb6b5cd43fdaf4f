"""What the demo's service needs, as Protocols: the others' services (alert intake, incidents and deploys,
investigations' starter and diagnoses, approval requests, on-call) and its own marker store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from aisre.demo.model.seed import SeedMarker, SeedResult

if TYPE_CHECKING:
    from aisre.alerts.model.dead_letter import DeadLetter
    from aisre.alerts.service.intake import IntakeResult
    from aisre.incidents.model.alert import Alert
    from aisre.incidents.model.deploy import Deploy
    from aisre.incidents.model.incident import Incident, TimelineEvent
    from aisre.investigations.model.investigation import Diagnosis, Investigation
    from aisre.investigations.model.start_requests import InvestigationRequest, QueuedInvestigation
    from aisre.investigations.service.starter import StartReport
    from aisre.notifications.model.oncall.escalation import Policy
    from aisre.notifications.model.oncall.schedule import Schedule
    from aisre.remediation.model.approvals import Approval
    from aisre.remediation.model.requests import ActionRequest


class AlertIntakePort(Protocol):
    """alerts' AlertIntake: a payload's alerts into incidents; what cannot be read, dead-lettered."""

    def accept(self, workspace_id: str, source: str, body: bytes, content_type: str | None) -> IntakeResult: ...

    def read_alerts(self, source: str, body: bytes, content_type: str | None) -> list[Alert]: ...

    def dead_letter(
        self,
        workspace_id: str,
        source: str,
        body: bytes,
        content_type: str | None,
        error: Exception,
        *,
        status_code: int,
        channel: str = "http",
    ) -> DeadLetter: ...


class IncidentsPort(Protocol):
    """incidents' IncidentService."""

    def get(self, workspace_id: str | None, incident_id: str) -> Incident: ...

    def resolve(self, workspace_id: str | None, incident_id: str, actor: str, note: str | None = None) -> Incident: ...

    def recent_events(self, incident: Incident, limit: int) -> list[TimelineEvent]: ...


class DeploysPort(Protocol):
    """incidents' DeployService."""

    def record(self, workspace_id: str, fields: dict[str, Any]) -> Deploy: ...


class InvestigationStartsPort(Protocol):
    """investigations' InvestigationStarter: an incident's investigation started unless it has one."""

    def start_requested(self, requests: Sequence[InvestigationRequest], watch_seconds: float) -> StartReport: ...


class DiagnosesPort(Protocol):
    """investigations' DiagnosisReader."""

    def diagnosis(
        self, workspace_id: str | None, incident_id: str, wait_seconds: float, *, queued: bool = False
    ) -> Diagnosis | Investigation | QueuedInvestigation | None: ...


class ApprovalRequestsPort(Protocol):
    """remediation's ActionService: an approval asked for an action, judged by the policy first."""

    def request_approval(
        self,
        workspace_id: str,
        request: ActionRequest,
        principal: str,
        *,
        note: str | None = None,
        for_suggestion: bool = False,
    ) -> Approval: ...


class SchedulesPort(Protocol):
    """notifications' OnCallService."""

    def create_schedule(self, workspace_id: str, raw: Mapping[str, Any], principal: str | None) -> Schedule: ...


class EscalationPoliciesPort(Protocol):
    """notifications' EscalationPolicyService."""

    def create_policy(self, workspace_id: str, raw: Mapping[str, Any], principal: str | None) -> Policy: ...


class SeedMarkers(Protocol):
    """The demo's own marker per workspace, claimed with a conditional write."""

    def find(self, workspace_id: str) -> SeedMarker | None: ...

    def claim(self, workspace_id: str, now: datetime, lease_until: datetime) -> bool:
        """True when this request now holds the workspace's seeding (none yet, or one abandoned past its lease)."""
        ...

    def finish(self, result: SeedResult, claimed_at: datetime) -> None: ...

    def release(self, workspace_id: str, claimed_at: datetime) -> None:
        """Let go of a claim whose seeding failed, so a later request may try again."""
        ...
