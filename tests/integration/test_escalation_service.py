"""An incident's escalation at the service level, on the local stack's table with a clock of the test's own: the
first Page pages level 1 (the new incident, to the schedule's on-call person), level 2 fires when nobody has
acknowledged by its delay, a retried Page pages no one twice, and once someone acknowledges the next Page ends the
escalation without paging; each page is on the incident's timeline. And the Step Functions adapter against the
emulator: an execution named from the incident starts once, and stops."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import httpx

from aisre.notifications.model.events import EventType, NotificationEvent


class RecordingDispatch:
    """Dispatch (ports.py) that keeps what it was handed: the integrator's dispatcher routes it for real."""

    def __init__(self) -> None:
        self.events: list[NotificationEvent] = []

    def dispatch(self, event: NotificationEvent) -> None:
        self.events.append(event)


class NamedExecutions:
    """EscalationMachine that remembers names as Step Functions does: a name starts once."""

    def __init__(self) -> None:
        self.started: dict[str, Mapping[str, Any]] = {}

    def start(self, name: str, state: Mapping[str, Any]) -> bool:
        if name in self.started:
            return False
        self.started[name] = state
        return True

    def stop(self, name: str) -> bool:
        return self.started.pop(name, None) is not None


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def escalation(dispatch: RecordingDispatch, machine: NamedExecutions, clock: Clock) -> Any:
    """The EscalationService the notifications function builds, with the test's dispatch, machine and clock."""
    from aisre.core.scope import Scope
    from aisre.core.settings import get_settings
    from aisre.incidents.providers import incident_service
    from aisre.notifications.providers import escalation_pages, oncall_store
    from aisre.notifications.service.escalation import EscalationService

    scope = Scope(get_settings())
    store = scope.get(oncall_store)
    return EscalationService(
        store,
        store,
        scope.get(incident_service),
        dispatch,
        scope.get(escalation_pages),
        machine,
        clock=clock,
        public_url="https://aisre.example",
    )


def setup_policy(api: httpx.Client, service: str) -> dict[str, Any]:
    schedule = api.post(
        "/oncall/schedules",
        json={
            "name": "primary",
            "time_zone": "Europe/Berlin",
            "layers": [{"participants": ["anna"], "rotation": "daily", "handoff_time": "09:00", "start": "2020-01-01"}],
        },
    )
    assert schedule.status_code == 201, schedule.text
    policy = api.post(
        "/oncall/escalation-policies",
        json={
            "name": "checkout",
            "services": [service],
            "levels": [
                {"targets": [{"schedule": schedule.json()["id"]}], "delay_minutes": 5},
                {"targets": [{"user": "bruno"}, {"schedule": schedule.json()["id"]}], "delay_minutes": 10},
                {"targets": [{"user": "carla"}], "delay_minutes": 10},
            ],
        },
    )
    assert policy.status_code == 201, policy.text
    answer: dict[str, Any] = policy.json()
    return answer


def open_incident(api: httpx.Client, service: str) -> str:
    received = api.post(
        "/webhook",
        json={"title": f"Errors on {service}", "severity": "critical", "source": "prometheus", "service": service},
    )
    assert received.status_code == 200, received.text
    incident_id: str = received.json()["incident_id"]
    return incident_id


def timeline(api: httpx.Client, incident_id: str, kind: str) -> list[dict[str, Any]]:
    events = api.get(f"/incidents/{incident_id}/timeline").json()["events"]
    return [event for event in events if event["event_type"] == kind]


def test_level_two_fires_when_nobody_acknowledges_and_an_acknowledgement_stops_it(api: httpx.Client, workspace: str):
    service = f"checkout-{uuid.uuid4().hex[:6]}"
    policy = setup_policy(api, service)
    incident_id = open_incident(api, service)
    dispatch, machine, clock = RecordingDispatch(), NamedExecutions(), Clock(datetime.now(UTC))
    escalations = escalation(dispatch, machine, clock)

    assert escalations.start(workspace, incident_id, service, "critical") is True
    assert escalations.start(workspace, incident_id, service, "critical") is False  # incident.opened redelivered
    assert escalations.start(workspace, incident_id, "no-policy-here", "critical") is False
    (state,) = machine.started.values()
    assert (state["policy_id"], state["level"], state["done"]) == (policy["id"], 0, False)

    # Page 1, at once: the new incident, to whoever the schedule has on call.
    state = escalations.page(state)
    (first,) = dispatch.events
    assert first.event_type is EventType.INCIDENT_OPENED and first.recipients == ("anna",)
    assert first.incident_id == incident_id and first.service == service and first.severity == "critical"
    assert first.link == f"https://aisre.example/incidents/{incident_id}"
    assert (state["level"], state["wait_seconds"], state["done"]) == (1, 300, False)

    # Nobody acknowledged within 5 minutes: level 2.
    clock.now += timedelta(minutes=5)
    state = escalations.page(state)
    second = dispatch.events[1]
    assert second.event_type is EventType.INCIDENT_ESCALATED and second.recipients == ("bruno", "anna")
    assert second.data["escalation"]["level"] == 2 and second.data["escalation"]["policy_id"] == policy["id"]
    assert (state["level"], state["wait_seconds"]) == (2, 600)

    # A Task retried after its page went out (the same state handed again) pages nobody a second time.
    retried = escalations.page({**state, "level": 1})
    assert len(dispatch.events) == 2 and retried["level"] == 2

    # Someone acknowledges: the next Page ends the escalation, paging nobody.
    assert api.post(f"/incidents/{incident_id}/acknowledge").status_code == 200
    clock.now += timedelta(minutes=10)
    state = escalations.page(state)
    assert state["done"] is True and state["reason"] == "incident acknowledged"
    assert len(dispatch.events) == 2
    assert escalations.stop(workspace, incident_id) is True

    paged = timeline(api, incident_id, "oncall_paged")
    escalated = timeline(api, incident_id, "incident_escalated")
    assert [event["payload"]["recipients"] for event in paged] == [["anna"]]
    assert [(event["payload"]["level"], event["payload"]["recipients"]) for event in escalated] == [
        (2, ["bruno", "anna"])
    ]
    assert escalated[0]["actor"] == "escalation" and escalated[0]["payload"]["next_level"] == 3


def test_a_resolved_incident_or_a_deleted_policy_ends_the_escalation(api: httpx.Client, workspace: str):
    service = f"checkout-{uuid.uuid4().hex[:6]}"
    policy = setup_policy(api, service)
    incident_id = open_incident(api, service)
    dispatch, machine, clock = RecordingDispatch(), NamedExecutions(), Clock(datetime.now(UTC))
    escalations = escalation(dispatch, machine, clock)
    escalations.start(workspace, incident_id, service, "critical")
    (state,) = machine.started.values()

    assert api.delete(f"/oncall/escalation-policies/{policy['id']}").status_code == 200
    assert escalations.page(state)["reason"] == "escalation policy deleted"
    assert api.post(f"/incidents/{incident_id}/resolve").status_code == 200
    assert escalations.page(state)["reason"] == "incident resolved"
    assert escalations.page({**state, "incident_id": "inc-000000000000"})["reason"] == "incident not found"
    assert dispatch.events == []


def test_the_step_functions_adapter_starts_an_incidents_execution_once_and_stops_it(local_stack: Any):
    from aisre.notifications.adapters.escalation_machine import StepFunctionsEscalations
    from aisre.notifications.service.escalation import execution_name

    endpoint = local_stack.endpoint_url  # type: ignore[attr-defined]
    states = boto3.client("stepfunctions", endpoint_url=endpoint, region_name="us-east-1")
    waiting = {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 120, "End": True}}}
    machine = states.create_state_machine(
        name=f"escalation-test-{uuid.uuid4().hex[:8]}",
        definition=json.dumps(waiting),
        roleArn="arn:aws:iam::123456789012:role/escalation-test",
    )["stateMachineArn"]
    adapter = StepFunctionsEscalations("us-east-1", endpoint, machine)
    name = execution_name("ws-a", "inc-0123456789ab")
    assert name.startswith("esc-inc-0123456789ab-") and len(name) <= 80
    assert execution_name("ws-b", "inc-0123456789ab") != name

    assert adapter.start(name, {"incident_id": "inc-0123456789ab", "started_at": "1"}) is True
    assert adapter.start(name, {"incident_id": "inc-0123456789ab", "started_at": "2"}) is False
    executions = states.list_executions(stateMachineArn=machine)["executions"]
    assert [execution["name"] for execution in executions] == [name]
    assert adapter.stop(name) is True
    deadline = time.monotonic() + 30
    while states.describe_execution(executionArn=adapter.execution_arn(name))["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert states.describe_execution(executionArn=adapter.execution_arn(name))["status"] == "ABORTED"
    assert adapter.stop(name) is False  # over already
    assert adapter.stop(execution_name("ws-a", "inc-never-started")) is False
    # Once over, the name is spent: an incident escalates once.
    assert adapter.start(name, {"incident_id": "inc-0123456789ab"}) is False


def test_the_composed_parts_answer_who_responds_and_start_nothing_without_a_state_machine(
    api: httpx.Client, workspace: str
):
    """What the integrator wires: `oncall` (the dispatcher's OnCall port) and `escalation_service` as the scope
    builds them; with no ESCALATION_STATE_MACHINE_ARN an incident's escalation is not started (and says so)."""
    from aisre.core.scope import Scope
    from aisre.core.settings import get_settings
    from aisre.notifications.providers import escalation_service, oncall

    service = f"checkout-{uuid.uuid4().hex[:6]}"
    setup_policy(api, service)
    scope = Scope(get_settings().model_copy(update={"escalation_state_machine_arn": ""}))
    assert list(scope.get(oncall).responders(workspace, service)) == ["anna"]
    assert list(scope.get(oncall).responders(workspace, "no-policy-here")) == []
    assert list(scope.get(oncall).responders(workspace, None)) == []
    assert scope.get(escalation_service).start(workspace, open_incident(api, service), service, "critical") is False
