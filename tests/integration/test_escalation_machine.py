"""The escalation's state machine (infra/statemachines/escalation.asl.json) running for real in the local stack's
Step Functions emulator, its Page Task invoking a stand-in notifications function in-process that calls
EscalationService.page (over the test's own policy, incident, dispatch and pages): level 1 is paged at once, level 2
after its delay when nobody acknowledges, then level 3, and the execution ends; an acknowledgement ends it at the next
Page without paging; EscalationService.stop aborts the wait at once."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3

from aisre.core.errors import NotFoundError
from aisre.incidents.model.alert import Severity
from aisre.incidents.model.incident import Incident, IncidentState, TimelineEvent
from aisre.local.stack import LocalStack
from aisre.notifications.adapters.escalation_machine import StepFunctionsEscalations
from aisre.notifications.model.events import EventType, NotificationEvent
from aisre.notifications.model.oncall.escalation import Policy, parse_policy
from aisre.notifications.model.oncall.schedule import Schedule
from aisre.notifications.service.escalation import EscalationService, execution_name
from tests.support.relay import ANSWERS, HANDLER

ROOT = Path(__file__).resolve().parents[2]
WORKSPACE = "ws-escalation-machine"
TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  NotificationsFunction:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: fn/, Handler: notifications.handler, Runtime: python3.12, Timeout: 30}
  EscalationStateMachine:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: sm/escalation.asl.json
      DefinitionSubstitutions:
        NotificationsFunctionArn: !GetAtt NotificationsFunction.Arn
"""
# Three levels, three seconds apart (delays in fractions of a minute, as the policy allows).
POLICY = {
    "name": "checkout",
    "services": ["checkout"],
    "levels": [
        {"targets": [{"user": "anna"}], "delay_minutes": 0.05},
        {"targets": [{"user": "bruno"}], "delay_minutes": 0.05},
        {"targets": [{"user": "carla"}], "delay_minutes": 0},
    ],
}


class World:
    """The ports EscalationService runs over, as the test holds them: one policy, incidents, what was paged."""

    def __init__(self) -> None:
        now = datetime.now(UTC)
        self.policy = Policy("pol-1", WORKSPACE, parse_policy(POLICY), now, now)
        self.incidents: dict[str, Incident] = {}
        self.timeline: list[TimelineEvent] = []
        self.pages: dict[tuple[str, int, int], tuple[str, ...]] = {}
        self.dispatched: list[tuple[float, NotificationEvent]] = []

    # PolicyStore, ScheduleStore
    def policy_for_service(self, workspace_id: str, service: str) -> Policy | None:
        return self.policy if service in self.policy.spec.services else None

    def get_policy(self, workspace_id: str, policy_id: str) -> Policy:
        if policy_id != self.policy.id:
            raise NotFoundError("no such policy")
        return self.policy

    def find_schedules(self, workspace_id: str, schedule_ids: Any) -> dict[str, Schedule]:
        return {}

    # EscalationIncidents
    def get(self, workspace_id: str | None, incident_id: str) -> Incident:
        return self.incidents[incident_id]

    def record_event(self, workspace_id: str, event: TimelineEvent) -> None:
        self.timeline.append(event)

    # Dispatch
    def dispatch(self, event: NotificationEvent) -> None:
        self.dispatched.append((time.monotonic(), event))

    # EscalationPages
    def paged_before(self, workspace_id: str, incident_id: str, round_: int, level: int) -> tuple[str, ...] | None:
        return self.pages.get((incident_id, round_, level))

    def record_page(
        self, workspace_id: str, incident_id: str, policy_id: str, round_: int, level: int, recipients: Any
    ) -> None:
        self.pages[(incident_id, round_, level)] = tuple(recipients)

    def open(self, incident_id: str) -> None:
        self.incidents[incident_id] = Incident(
            id=incident_id,
            workspace_id=WORKSPACE,
            title="Checkout errors",
            severity=Severity.CRITICAL,
            source="prometheus",
            provider="prometheus",
            service="checkout",
            fingerprint=incident_id,
            created_at=datetime.now(UTC),
        )

    def acknowledge(self, incident_id: str) -> None:
        self.incidents[incident_id] = self.incidents[incident_id].model_copy(
            update={"state": IncidentState.ACKNOWLEDGED}
        )

    def paged(self, incident_id: str) -> list[tuple[str, ...]]:
        return [event.recipients for _, event in self.dispatched if event.incident_id == incident_id]


@contextmanager
def escalation_stack(tmp_path: Path) -> Iterator[tuple[World, EscalationService, Any]]:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    (tmp_path / "fn").mkdir()
    (tmp_path / "fn" / "notifications.py").write_text(HANDLER.format(name="notifications"))
    (tmp_path / "sm").mkdir()
    shutil.copy(ROOT / "infra" / "statemachines" / "escalation.asl.json", tmp_path / "sm" / "escalation.asl.json")
    world = World()
    with LocalStack(tmp_path, stack_name="escalation-test") as stack:
        machine = StepFunctionsEscalations(
            "us-east-1", stack.endpoint_url, stack.resources.physical_id("EscalationStateMachine")
        )
        service = EscalationService(world, world, world, world, world, machine)

        def notifications_function(event: Mapping[str, Any]) -> Any:
            # What the notifications function's handler does with the Page Task's payload.
            assert event["escalation"] == "page"
            return service.page(event["state"])

        ANSWERS["notifications"] = notifications_function
        states = boto3.client("stepfunctions", endpoint_url=stack.endpoint_url, region_name="us-east-1")
        try:
            yield world, service, (states, machine)
        finally:
            ANSWERS.pop("notifications", None)


def wait_for(condition: Any, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return value


def ended(states: Any, arn: str) -> dict[str, Any]:
    return wait_for(lambda: (d := states.describe_execution(executionArn=arn))["status"] != "RUNNING" and d)  # type: ignore[no-any-return]


def test_nobody_acknowledges_so_every_level_is_paged_in_turn_then_it_ends(tmp_path: Path):
    with escalation_stack(tmp_path) as (world, service, (states, machine)):
        world.open("inc-nobody")
        began = time.monotonic()
        assert service.start(WORKSPACE, "inc-nobody", "checkout", "critical") is True
        done = ended(states, machine.execution_arn(execution_name(WORKSPACE, "inc-nobody")))
        assert done["status"] == "SUCCEEDED", done
        assert json.loads(done["output"])["reason"] == "every level paged"
        assert world.paged("inc-nobody") == [("anna",), ("bruno",), ("carla",)]
        kinds = [event.event_type for _, event in world.dispatched]
        assert kinds == [EventType.INCIDENT_OPENED, EventType.INCIDENT_ESCALATED, EventType.INCIDENT_ESCALATED]
        # Level 2 only after its delay (3 s), level 3 after the next.
        at = [moment - began for moment, _ in world.dispatched]
        assert at[0] < 2.5 and at[1] - at[0] >= 2.5 and at[2] - at[1] >= 2.5
        assert [event.event_type for event in world.timeline] == [
            "oncall_paged",
            "incident_escalated",
            "incident_escalated",
        ]


def test_an_acknowledgement_ends_the_escalation_and_stop_aborts_its_wait(tmp_path: Path):
    with escalation_stack(tmp_path) as (world, service, (states, machine)):
        world.open("inc-acked")
        service.start(WORKSPACE, "inc-acked", "checkout", "critical")
        wait_for(lambda: world.paged("inc-acked"))
        world.acknowledge("inc-acked")  # within level 1's 3 seconds
        done = ended(states, machine.execution_arn(execution_name(WORKSPACE, "inc-acked")))
        assert done["status"] == "SUCCEEDED" and json.loads(done["output"])["reason"] == "incident acknowledged"
        assert world.paged("inc-acked") == [("anna",)]

        world.open("inc-stopped")
        service.start(WORKSPACE, "inc-stopped", "checkout", "critical")
        wait_for(lambda: world.paged("inc-stopped"))
        assert service.stop(WORKSPACE, "inc-stopped") is True
        stopped = ended(states, machine.execution_arn(execution_name(WORKSPACE, "inc-stopped")))
        assert stopped["status"] == "ABORTED"
        time.sleep(3.5)  # past level 2's due time: nothing more was paged
        assert world.paged("inc-stopped") == [("anna",)]
        assert service.start(WORKSPACE, "inc-stopped", "checkout", "critical") is False
