"""DemoSeeder: tells the story (model/story.py) into a workspace through the platform's own services, once.

Nothing is written around the platform: the alerts go through the alert intake (its dedup and correlation make
the incidents), the earlier incident is resolved with its note through the incidents' service (and so becomes
knowledge), the roots are investigated by the investigation state machine as the queue's starter starts it, the
approval is asked through the action service as POST /approvals asks it, on-call through its services. A marker
per workspace, claimed with a conditional write, makes a second call answer what the first made."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aisre.core.auth import DEMO_PRINCIPAL
from aisre.core.clock import utc_now
from aisre.core.errors import AisreError, ConflictError
from aisre.core.observability import logger
from aisre.demo.errors import SeedingInProgressError
from aisre.demo.model.seed import SKIPPED_PARTS, SeededIncident, SeedResult, SkippedPart
from aisre.demo.model.story import Story, build_story
from aisre.demo.ports import (
    AlertIntakePort,
    ApprovalRequestsPort,
    DeploysPort,
    DiagnosesPort,
    EscalationPoliciesPort,
    IncidentsPort,
    InvestigationStartsPort,
    SchedulesPort,
    SeedMarkers,
)

SOURCE = "alertmanager"
CONTENT_TYPE = "application/json"
TRIGGER = "demo_seed"
# A seeding that died holds its workspace this long; then another request may take it over.
SEED_LEASE = timedelta(minutes=2)
# How long the seed waits for its roots' diagnoses (the analyzer takes well under a second a diagnosis locally).
DIAGNOSIS_WAIT_SECONDS = 8.0


@dataclass(frozen=True)
class Platform:
    """The services the story is told through."""

    intake: AlertIntakePort
    incidents: IncidentsPort
    deploys: DeploysPort
    starts: InvestigationStartsPort
    diagnoses: DiagnosesPort
    approvals: ApprovalRequestsPort
    schedules: SchedulesPort
    policies: EscalationPoliciesPort


class DemoSeeder:
    def __init__(
        self,
        platform: Platform,
        markers: SeedMarkers,
        *,
        clock: Callable[[], datetime] = utc_now,
        diagnosis_wait_seconds: float = DIAGNOSIS_WAIT_SECONDS,
    ):
        self._p = platform
        self._markers = markers
        self._clock = clock
        self._wait = diagnosis_wait_seconds

    def seed(self, workspace_id: str) -> SeedResult:
        """The workspace's seed: made now (`created`), or the one made before (`created` false, nothing new).
        SeedingInProgressError while another request is making it."""
        found = self._markers.find(workspace_id)
        if found is None or found.status != "seeded":
            now = self._clock()
            if not self._markers.claim(workspace_id, now, now + SEED_LEASE):
                found = self._markers.find(workspace_id)
                if found is None or found.result is None:
                    raise SeedingInProgressError(f"seeding in progress in workspace {workspace_id}: ask again shortly")
            else:
                return self._tell(workspace_id, now)
        assert found is not None and found.result is not None
        return found.result.model_copy(update={"created": False})

    def _tell(self, workspace_id: str, claimed_at: datetime) -> SeedResult:
        try:
            result = self._tell_story(workspace_id, build_story(claimed_at))
        except BaseException:
            self._markers.release(workspace_id, claimed_at)
            raise
        self._markers.finish(result, claimed_at)
        return result

    def _tell_story(self, workspace_id: str, story: Story) -> SeedResult:
        ws = workspace_id
        skipped = [SkippedPart(part=part, reason=reason) for part, reason in SKIPPED_PARTS]
        # On-call first, so that the storm's incidents page the people it names.
        schedule_id, policy_id = self._oncall(ws, story, skipped)
        resolved_id = self._earlier_incident(ws, story)
        deploy = self._p.deploys.record(ws, dict(story.deploy))
        incidents, opened_by = self._storm(ws, story)
        dead_letter_id = self._dead_letter(ws, story)
        replayable_id = self._stalled_delivery(ws, story)
        roots = [item.id for item in incidents if item.root]
        main_id = opened_by[story.main_alert.key]
        diagnosed = self._investigate(ws, [main_id, *(root for root in roots if root != main_id)])
        approval = self._ask_approval(ws, story, main_id, diagnosed.get(main_id))
        return SeedResult(
            workspace_id=ws,
            created=True,
            seeded_at=story.now,
            main_incident_id=main_id,
            incidents=incidents,
            alerts_sent=story.alerts_sent,
            incident_count=len(incidents),
            deploy_id=deploy.deploy_id,
            investigation_ids=self._investigation_ids(ws, roots),
            diagnosed_incident_ids=[root for root in roots if root in diagnosed],
            approval_id=approval.id if approval else None,
            approval_action=approval.action if approval else None,
            resolved_incident_id=resolved_id,
            dead_letter_id=dead_letter_id,
            replayable_dead_letter_id=replayable_id,
            oncall_schedule_id=schedule_id,
            escalation_policy_id=policy_id,
            skipped=skipped,
        )

    # -- the parts ------------------------------------------------------------------------------------------------

    def _oncall(self, ws: str, story: Story, skipped: list[SkippedPart]) -> tuple[str | None, str | None]:
        schedule = self._p.schedules.create_schedule(ws, story.schedule, DEMO_PRINCIPAL)
        try:
            policy = self._p.policies.create_policy(ws, story.escalation_policy(schedule.id), DEMO_PRINCIPAL)
        except ConflictError as taken:  # the workspace's own policy pages for checkout already: it stays
            skipped.append(SkippedPart(part="escalation_policy", reason=taken.message))
            return schedule.id, None
        return schedule.id, policy.id

    def _send(self, ws: str, payload: dict[str, Any]) -> list[str | None]:
        """Each alert's incident, as the intake decided it."""
        result = self._p.intake.accept(ws, SOURCE, json.dumps(payload).encode(), CONTENT_TYPE)
        return [outcome.incident_id for outcome in result.outcomes]

    def _earlier_incident(self, ws: str, story: Story) -> str:
        """The same crash loop two weeks ago, diagnosed, then resolved by a rollback: resolving it with its note makes
        it knowledge (investigations remember a resolution) and frees checkout's group for today's storm. Diagnosed
        first, because an investigation re-indexes its incident as it stands, which would drop the note."""
        earlier = story.earlier_alert
        payload = {"version": "4", "status": "firing", "receiver": "aisre", "alerts": [earlier.payload_item()]}
        [incident_id] = self._send(ws, payload)
        assert incident_id is not None
        self._investigate(ws, [incident_id])
        self._p.incidents.resolve(ws, incident_id, DEMO_PRINCIPAL, story.resolution_note)
        return incident_id

    def _storm(self, ws: str, story: Story) -> tuple[list[SeededIncident], dict[str, str]]:
        """The notifications, in order; the incidents the platform made of them (in the order they opened) and the
        incident each story alert went to."""
        opened_by: dict[str, str] = {}
        counts: dict[str, int] = {}
        for delivery in story.deliveries:
            for alert, incident_id in zip(delivery.alerts, self._send(ws, delivery.payload()), strict=True):
                assert incident_id is not None
                opened_by.setdefault(alert.key, incident_id)
                counts[incident_id] = counts.get(incident_id, 0) + 1
        incidents = []
        for incident_id in dict.fromkeys(opened_by[alert.key] for alert in story.storm):
            incident = self._p.incidents.get(ws, incident_id)
            incidents.append(
                SeededIncident(
                    id=incident.id,
                    title=incident.title,
                    service=incident.service,
                    severity=incident.severity.value,
                    root=incident.group_id is None,
                    group_id=incident.group_id,
                    alerts=counts[incident_id],
                )
            )
        return incidents, opened_by

    def _dead_letter(self, ws: str, story: Story) -> str:
        """The unreadable payload, read by the intake and kept with its error, as /v2/enqueue keeps one."""
        from aisre.alerts.service.intake import status_of

        body = json.dumps(story.malformed_payload).encode()
        try:
            self._p.intake.read_alerts(SOURCE, body, CONTENT_TYPE)
        except AisreError as error:
            status = status_of(error)
            entry = self._p.intake.dead_letter(ws, SOURCE, body, CONTENT_TYPE, error, status_code=status)
            return entry.id
        raise AssertionError("the story's malformed payload was read: it must not be")  # the story is wrong

    def _stalled_delivery(self, ws: str, story: Story) -> str:
        """A delivery the ingest queue gave up on (the table throttled its writes through every retry), kept as the
        queue's consumer keeps one: readable, so replaying it (the console's button) ingests it."""
        from aisre.core.errors import DependencyUnavailableError

        body = json.dumps(story.stalled_payload).encode()
        self._p.intake.read_alerts(SOURCE, body, CONTENT_TYPE)  # readable: the story is wrong if this raises
        error = DependencyUnavailableError(
            "the table throttled the write through every retry (ProvisionedThroughputExceededException)"
        )
        entry = self._p.intake.dead_letter(ws, SOURCE, body, CONTENT_TYPE, error, status_code=503, channel="sqs")
        return entry.id

    def _investigate(self, ws: str, roots: list[str]) -> dict[str, Any]:
        """Start each root's investigation unless the automatic path did (the starter's own check), then wait a
        bounded time for the diagnoses; those finished by then, by incident."""
        from aisre.investigations.model.investigation import Diagnosis
        from aisre.investigations.model.start_requests import InvestigationRequest

        self._p.starts.start_requested([InvestigationRequest(ws, root, TRIGGER) for root in roots], watch_seconds=0)
        deadline = time.monotonic() + self._wait
        finished: dict[str, Any] = {}
        for root in roots:
            found = self._p.diagnoses.diagnosis(ws, root, max(0.0, deadline - time.monotonic()))
            if isinstance(found, Diagnosis):
                finished[root] = found
        return finished

    def _ask_approval(self, ws: str, story: Story, main_id: str, diagnosis: Any) -> Any:
        """An approval of the main incident's first suggestion that the policy sends to a person; with none (no
        cluster to read, the analyzer suggests nothing from an alert's words alone), of the rollback of the deploy
        the diagnosis correlates, argued as remediation's proposals argue one."""
        from aisre.remediation.model.requests import action_request

        name, arguments = "rollback_deployment", story.rollback_arguments()
        for suggestion in getattr(diagnosis, "suggested_actions", None) or []:
            if suggestion.get("executable") and suggestion.get("allowed") and suggestion.get("approval_required"):
                name, arguments = str(suggestion["name"]), dict(suggestion.get("arguments") or {})
                break
        request = action_request(name, arguments, incident_id=main_id, dry_run=True)
        try:
            return self._p.approvals.request_approval(
                ws, request, DEMO_PRINCIPAL, note=story.approval_note, for_suggestion=True
            )
        except AisreError as refused:  # the deployment's policy refuses it: the queue stays empty, the seed stands
            logger.warning("the demo's approval was refused: %s", refused.message)
            return None

    def _investigation_ids(self, ws: str, roots: list[str]) -> list[str]:
        """Each root's latest investigation, as its timeline names it (started here or by the automatic path)."""
        found = []
        for root in roots:
            events = self._p.incidents.recent_events(self._p.incidents.get(ws, root), 50)
            started = next((event for event in events if event.event_type == "diagnosis_started"), None)
            if started is not None and isinstance(started.payload.get("investigation_id"), str):
                found.append(started.payload["investigation_id"])
        return found
