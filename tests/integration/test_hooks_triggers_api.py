"""Triggers over HTTP on the local stack (seed 002 /api/v1/triggers): CRUD and its codes, toggle, bad input named
and not stored, and what an event does: TriggerService.on_event (the dispatcher's call) runs the matching triggers'
actions for real (an investigation through the investigation queue and its starter, a workflow's dry run through
Step Functions, a delivery queued to a channel) and each run is in the trigger's history, newest first.

The channels and the delivery queue are other parts' (routing, the delivery pipeline): the stack served here stands
in a channel lookup and a recording queue of this module's for them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from aisre.core.errors import NotFoundError
from aisre.notifications.model.channels import Channel, ChannelType
from aisre.notifications.model.delivery import DeliveryJob
from aisre.notifications.model.events import EventType, NotificationEvent
from aisre.notifications.providers import trigger_channels, trigger_deliveries, trigger_service
from tests.integration.test_alert_to_incident import ALERT
from tests.support.servers import wait_for


class StandInChannels:
    """ports.ChannelLookup: one Slack channel per workspace, `ch-ops`."""

    def get_channel(self, workspace_id: str, channel_id: str) -> Channel:
        if channel_id != "ch-ops":
            raise NotFoundError(f"channel {channel_id} not found", field="channel_id")
        return Channel("ch-ops", workspace_id, "ops", ChannelType.SLACK, {"webhook_url": "https://hooks.slack.com/x"})

    def list_channels(self, workspace_id: str) -> Sequence[Channel]:
        return [self.get_channel(workspace_id, "ch-ops")]


class RecordingQueue:
    """ports.DeliveryQueue: the jobs queued, kept."""

    def __init__(self) -> None:
        self.jobs: list[DeliveryJob] = []

    def enqueue(self, jobs: Sequence[DeliveryJob], delay_seconds: int = 0) -> None:
        self.jobs.extend(jobs)


@pytest.fixture(scope="module")
def stack(local_stack: Any) -> Iterator[tuple[str, Any, RecordingQueue]]:
    """(URL, scope, queue): the API served with the stand-ins, and the investigation starter consuming its queue."""
    from aisre.core.http.deps import current_scope
    from aisre.core.scope import Scope
    from aisre.core.settings import get_settings
    from aisre.local.server import create_local_app
    from aisre.subscriptions import SUBSCRIPTIONS
    from tests.support.servers import serve_app

    queue = RecordingQueue()
    scope = Scope(get_settings().model_copy(update={"diagnosis_wait_seconds": 30}), SUBSCRIPTIONS)
    scope.put(trigger_channels, StandInChannels())
    scope.put(trigger_deliveries, queue)
    (starter,) = local_stack.start_pollers(["InvestigationStarterFunction"])
    app = create_local_app()
    app.dependency_overrides[current_scope] = lambda: scope
    try:
        with serve_app(app) as url:
            yield url, scope, queue
    finally:
        starter.stop()
        local_stack.pollers.remove(starter)


@pytest.fixture
def http(stack: tuple[str, Any, RecordingQueue]) -> Iterator[httpx.Client]:
    workspace = f"ws-{uuid.uuid4().hex[:12]}"
    with httpx.Client(base_url=stack[0], headers={"X-Workspace-Id": workspace}, timeout=60) as client:
        yield client


def opened(workspace: str, incident_id: str, severity: str = "critical") -> NotificationEvent:
    return NotificationEvent(
        event_id=f"evt-{uuid.uuid4().hex[:8]}",
        event_type=EventType.INCIDENT_OPENED,
        workspace_id=workspace,
        occurred_at=datetime.now(UTC),
        severity=severity,
        title=ALERT["title"],
        service=ALERT["service"],
        incident_id=incident_id,
        labels={"namespace": ALERT["namespace"], "pod": ALERT["pod"], "team": "payments"},
    )


INVESTIGATE = {"name": "investigate critical", "type": "incident.opened", "action": {"type": "investigate"}}


def test_crud_and_toggle(api: httpx.Client) -> None:
    created = api.post("/api/v1/triggers", json=dict(INVESTIGATE, config={"severity": ["critical"]}))
    assert created.status_code == 201, created.text
    trigger = created.json()
    assert trigger["id"].startswith("trg-") and trigger["enabled"] and trigger["version"] == 1
    assert trigger["type"] == "incident.opened" and trigger["config"] == {"severity": ["critical"]}
    assert trigger["action"] == {"type": "investigate"}
    trigger_id = trigger["id"]
    assert api.get(f"/api/v1/triggers/{trigger_id}").json() == trigger
    assert api.get("/api/v1/triggers").json() == {"triggers": [trigger], "count": 1}

    updated = api.put(
        f"/api/v1/triggers/{trigger_id}", json={"name": "renamed", "config": {"service": ["a", "b"], "labels": {}}}
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["name"] == "renamed" and updated.json()["config"] == {"service": ["a", "b"]}
    assert updated.json()["action"] == {"type": "investigate"} and updated.json()["version"] == 2

    off = api.post(f"/api/v1/triggers/{trigger_id}/toggle")
    assert off.status_code == 200 and off.json()["enabled"] is False, off.text
    on = api.post(f"/api/v1/triggers/{trigger_id}/toggle")
    assert on.status_code == 200 and on.json()["enabled"] is True
    assert api.post(f"/api/v1/triggers/{trigger_id}/toggle", json={"enabled": True}).json()["enabled"] is True
    assert api.get(f"/api/v1/triggers/{trigger_id}").json()["version"] == 5

    assert api.get(f"/api/v1/triggers/{trigger_id}/history").json() == {
        "trigger_id": trigger_id,
        "runs": [],
        "count": 0,
    }
    deleted = api.delete(f"/api/v1/triggers/{trigger_id}")
    assert deleted.status_code == 200 and deleted.json() == {"id": trigger_id, "deleted": True}
    for gone in (
        api.get(f"/api/v1/triggers/{trigger_id}"),
        api.get(f"/api/v1/triggers/{trigger_id}/history"),
        api.post(f"/api/v1/triggers/{trigger_id}/toggle"),
        api.put(f"/api/v1/triggers/{trigger_id}", json={"name": "x"}),
        api.delete(f"/api/v1/triggers/{trigger_id}"),
    ):
        assert gone.status_code == 404, gone.text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"type": "incident.exploded"}, "type"),
        ({"config": {"severity": ["urgent"]}}, "config.severity[0]"),
        ({"config": {"team": "payments"}}, "config.team"),
        ({"action": {"type": "page_everyone"}}, "action.type"),
        ({"action": {"type": "notify"}}, "action.channel_id"),
        ({"action": {"type": "notify", "channel_id": "ch-does-not-exist"}}, "action.channel_id"),
        ({"action": {"type": "run_workflow", "workflow_id": "wf-does-not-exist"}}, "action.workflow_id"),
        ({"action": {"type": "run_workflow", "workflow_id": "oom_recovery", "dry_run": "yes"}}, "action.dry_run"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_nothing_is_stored(
    api: httpx.Client, change: dict[str, Any], field: str
) -> None:
    refused = api.post("/api/v1/triggers", json=dict(INVESTIGATE, **change))
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["field"] == field
    assert api.get("/api/v1/triggers").json()["count"] == 0


def test_an_event_runs_the_matching_triggers_and_each_run_is_in_their_history(
    stack: tuple[str, Any, RecordingQueue], http: httpx.Client
) -> None:
    _, scope, queue = stack
    workspace = http.headers["X-Workspace-Id"]
    incident_id = http.post("/webhook", json=ALERT).json()["incident_id"]
    workflow = http.post(
        "/api/v1/workflows/", json={"name": "look", "steps": [{"name": "look", "step_type": "inspect_pod"}]}
    ).json()
    critical = {"severity": ["critical"], "labels": {"team": "payments"}}
    made = {
        "investigate": dict(INVESTIGATE, config=critical),
        "notify": {
            "name": "tell ops",
            "type": "incident.created",
            "config": critical,
            "action": {"type": "notify", "channel_id": "ch-ops"},
        },
        "workflow": {
            "name": "look at the pod",
            "type": "*",
            "config": {"service": ALERT["service"]},
            "action": {"type": "run_workflow", "workflow_id": workflow["id"], "context": {"reason": "triggered"}},
        },
        "resolved": dict(INVESTIGATE, name="on resolution", type="incident.resolved"),
    }
    ids = {}
    for key, body in made.items():
        response = http.post("/api/v1/triggers", json=body)
        assert response.status_code == 201, response.text
        ids[key] = response.json()["id"]

    service = scope.get(trigger_service)
    first = opened(workspace, incident_id)
    service.on_event(first)
    service.on_event(opened(workspace, incident_id, severity="info"))  # only the workflow's trigger wants it

    history = {key: http.get(f"/api/v1/triggers/{ids[key]}/history").json() for key in ids}
    assert history["resolved"]["runs"] == []
    for key in ("investigate", "notify"):
        (run,) = history[key]["runs"]
        assert run["outcome"] == "succeeded", run
        assert run["event_id"] == first.event_id and run["incident_id"] == incident_id
        assert run["at"].endswith("Z") and run["error"] is None
    workflow_runs = history["workflow"]["runs"]
    assert [run["outcome"] for run in workflow_runs] == ["succeeded", "succeeded"], workflow_runs
    assert workflow_runs[1]["event_id"] == first.event_id  # newest first

    # The delivery was queued to the channel, for this event.
    (job,) = [job for job in queue.jobs if job.workspace_id == workspace]
    assert history["notify"]["runs"][0]["reference"] == job.delivery_id
    assert (job.target_id, job.event.event_id) == ("ch-ops", first.event_id)

    # The workflow ran (a dry run) on the pod the event's labels name.
    run = http.get(f"/workflows/{workflow_runs[1]['reference']}/status")
    assert run.status_code == 200, run.text
    assert run.json()["dry_run"] is True and run.json()["started_by"] == f"trigger:{ids['workflow']}"
    assert run.json()["context"] == {
        "service": ALERT["service"],
        "namespace": ALERT["namespace"],
        "pod_name": ALERT["pod"],
        "reason": "triggered",
    }

    # The investigation went through the queue to its starter, which says who asked for it.
    diagnosis = http.get(f"/incidents/{incident_id}/diagnosis")
    assert diagnosis.status_code == 200, diagnosis.text
    started = wait_for(
        lambda: [
            event
            for event in http.get(f"/incidents/{incident_id}/timeline").json()["events"]
            if event["event_type"] == "diagnosis_started"
        ],
        timeout=30,
    )
    assert started[0]["payload"]["trigger"] == f"trigger:{ids['investigate']}"


def test_a_failed_action_is_in_the_history_with_its_reason(
    stack: tuple[str, Any, RecordingQueue], http: httpx.Client
) -> None:
    _, scope, _ = stack
    workspace = http.headers["X-Workspace-Id"]
    created = http.post("/api/v1/triggers", json=dict(INVESTIGATE, type="*"))
    trigger_id = created.json()["id"]
    for event_id in ("evt-slo-1", "evt-slo-2"):
        burning = NotificationEvent(
            event_id=event_id,
            event_type=EventType.SLO_BURN,
            workspace_id=workspace,
            occurred_at=datetime.now(UTC),
            severity="warning",
            title="Error budget burning",
        )
        scope.get(trigger_service).on_event(burning)
    runs = http.get(f"/api/v1/triggers/{trigger_id}/history", params={"limit": 1}).json()["runs"]
    assert len(runs) == 1
    assert runs[0]["outcome"] == "failed" and runs[0]["event_id"] == "evt-slo-2"
    assert "names no incident" in runs[0]["error"]
    assert http.get(f"/api/v1/triggers/{trigger_id}/history").json()["count"] == 2
