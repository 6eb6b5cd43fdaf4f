"""TriggerService over in-memory ports: an event runs the actions of the matching triggers and records each run
(a failure too, without stopping the others), a workspace's triggers are read once per few seconds whatever the
number of events, and an action naming a channel or workflow that does not exist is refused naming the field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from aisre.core.errors import ConflictError, DependencyUnavailableError, NotFoundError
from aisre.notifications.errors import TriggerConfigError
from aisre.notifications.model.events import EventType, NotificationEvent
from aisre.notifications.model.triggers import RunOutcome, Trigger, TriggerRun
from aisre.notifications.service.hooks_cache import RecentCache
from aisre.notifications.service.triggers import TriggerChanges, TriggerService

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)


class MemoryTriggers:
    def __init__(self) -> None:
        self.triggers: dict[str, Trigger] = {}
        self.runs: list[tuple[TriggerRun, datetime]] = []
        self.lists = 0

    def create_trigger(self, trigger: Trigger) -> None:
        self.triggers[trigger.id] = trigger

    def get_trigger(self, workspace_id: str | None, trigger_id: str) -> Trigger:
        found = self.triggers.get(trigger_id)
        if found is None or workspace_id not in (None, found.workspace_id):
            raise NotFoundError(f"trigger {trigger_id} not found", field="trigger_id")
        return found

    def list_triggers(self, workspace_id: str | None, limit: int) -> list[Trigger]:
        self.lists += 1
        return [t for t in self.triggers.values() if workspace_id in (None, t.workspace_id)][:limit]

    def replace_trigger(self, trigger: Trigger, read_version: int) -> None:
        if self.triggers[trigger.id].version != read_version:
            raise ConflictError("changed meanwhile")
        self.triggers[trigger.id] = trigger

    def delete_trigger(self, trigger: Trigger) -> None:
        del self.triggers[trigger.id]

    def add_run(self, run: TriggerRun, expires_at: datetime) -> None:
        self.runs.append((run, expires_at))

    def list_runs(self, workspace_id: str, trigger_id: str, limit: int) -> list[TriggerRun]:
        return [run for run, _ in reversed(self.runs) if run.trigger_id == trigger_id][:limit]


class RecordingActions:
    """Does what the platform's would, recording it; `channel-down` fails as an unreachable queue does."""

    def __init__(self) -> None:
        self.done: list[tuple[str, Any]] = []

    def check_channel(self, workspace_id: str, channel_id: str) -> None:
        if not channel_id.startswith("channel"):
            raise NotFoundError(f"channel {channel_id} not found", field="channel_id")

    def check_workflow(self, workspace_id: str, workflow_id: str) -> None:
        if workflow_id != "oom_recovery":
            raise NotFoundError(f"workflow {workflow_id} not found", field="workflow_id")

    def notify(self, workspace_id: str, channel_id: str, event: NotificationEvent) -> str:
        if channel_id == "channel-down":
            raise DependencyUnavailableError("the delivery queue is unreachable")
        self.done.append(("notify", (channel_id, event.event_id)))
        return "dlv-1"

    def investigate(self, workspace_id: str, incident_id: str, reason: str) -> str:
        self.done.append(("investigate", (incident_id, reason)))
        return incident_id

    def run_workflow(
        self,
        workspace_id: str,
        workflow_id: str,
        context: Mapping[str, Any],
        principal: str,
        *,
        dry_run: bool,
        incident_id: str | None,
    ) -> str:
        self.done.append(("run_workflow", (workflow_id, dict(context), principal, dry_run, incident_id)))
        return "wfr-1"


@pytest.fixture
def parts() -> tuple[TriggerService, MemoryTriggers, RecordingActions]:
    store, actions = MemoryTriggers(), RecordingActions()
    return TriggerService(store, actions, retention=timedelta(days=30), clock=lambda: NOW), store, actions


def opened(workspace: str = "ws", severity: str = "critical", incident_id: str | None = "inc-1") -> NotificationEvent:
    return NotificationEvent(
        event_id=f"evt-{severity}",
        event_type=EventType.INCIDENT_OPENED,
        workspace_id=workspace,
        occurred_at=NOW,
        severity=severity,
        title="OOMKilled",
        service="checkout-api",
        incident_id=incident_id,
        labels={"namespace": "production", "pod": "checkout-0"},
    )


def test_an_event_runs_each_matching_trigger_and_records_each_run(parts) -> None:  # type: ignore[no-untyped-def]
    service, store, actions = parts
    critical = {"severity": ["critical"]}
    notify = service.create(
        "ws",
        "me",
        name="n",
        type="incident.created",
        config=critical,
        action={"type": "notify", "channel_id": "channel-1"},
    )
    investigate = service.create(
        "ws", "me", name="i", type="incident.opened", config={}, action={"type": "investigate"}
    )
    workflow = service.create(
        "ws",
        "me",
        name="w",
        type="*",
        config={"service": "checkout-api"},
        action={"type": "run_workflow", "workflow_id": "oom_recovery"},
    )
    service.create("ws", "me", name="other", type="incident.resolved", config={}, action={"type": "investigate"})

    service.on_event(opened())

    assert actions.done == [
        ("notify", ("channel-1", "evt-critical")),
        ("investigate", ("inc-1", f"trigger:{investigate.id}")),
        (
            "run_workflow",
            (
                "oom_recovery",
                {"service": "checkout-api", "namespace": "production", "pod_name": "checkout-0"},
                f"trigger:{workflow.id}",
                True,
                "inc-1",
            ),
        ),
    ]
    assert {run.trigger_id: run.outcome for run, _ in store.runs} == {
        notify.id: RunOutcome.SUCCEEDED,
        investigate.id: RunOutcome.SUCCEEDED,
        workflow.id: RunOutcome.SUCCEEDED,
    }
    assert all(expires == NOW + timedelta(days=30) for _, expires in store.runs)
    _, history = service.history("ws", notify.id, 10)
    assert [(run.reference, run.event_id, run.incident_id) for run in history] == [("dlv-1", "evt-critical", "inc-1")]

    actions.done.clear()
    service.on_event(opened(severity="info"))  # the notify trigger wants critical only
    assert [kind for kind, _ in actions.done] == ["investigate", "run_workflow"]


def test_a_failing_action_is_recorded_and_the_other_triggers_still_run(parts) -> None:  # type: ignore[no-untyped-def]
    service, store, actions = parts
    down = service.create(
        "ws", "me", name="d", type="*", config={}, action={"type": "notify", "channel_id": "channel-down"}
    )
    service.create("ws", "me", name="i", type="*", config={}, action={"type": "investigate"})
    service.on_event(opened(incident_id=None))  # no incident: nothing to investigate either
    service.on_event(opened())
    outcomes = [(run.trigger_id == down.id, run.outcome, run.error) for run, _ in store.runs]
    assert outcomes[0] == (True, RunOutcome.FAILED, "DependencyUnavailableError: the delivery queue is unreachable")
    assert outcomes[1][1] is RunOutcome.FAILED and "names no incident" in (outcomes[1][2] or "")
    assert outcomes[3][1:] == (RunOutcome.SUCCEEDED, None)
    assert actions.done == [("investigate", ("inc-1", f"trigger:{store.runs[3][0].trigger_id}"))]


def test_a_workspace_without_triggers_is_read_once_for_a_storm_of_events(parts) -> None:  # type: ignore[no-untyped-def]
    service, store, _ = parts
    for _ in range(500):
        service.on_event(opened(workspace="quiet"))
    assert store.lists == 1


def test_a_change_made_here_is_seen_at_once_and_a_disabled_trigger_does_not_run(parts) -> None:  # type: ignore[no-untyped-def]
    service, _, actions = parts
    service.on_event(opened())  # caches the empty list
    made = service.create("ws", "me", name="i", type="*", config={}, action={"type": "investigate"})
    service.on_event(opened())
    assert len(actions.done) == 1
    toggled = service.toggle("ws", made.id)
    assert not toggled.enabled and toggled.version == made.version + 1
    service.on_event(opened())
    assert len(actions.done) == 1
    assert service.toggle("ws", made.id, enabled=True).enabled
    assert service.toggle("ws", made.id, enabled=True).enabled  # set, not flipped
    service.on_event(opened())
    assert len(actions.done) == 2


def test_an_action_naming_what_does_not_exist_is_refused_naming_the_field(parts) -> None:  # type: ignore[no-untyped-def]
    service, store, _ = parts
    with pytest.raises(TriggerConfigError) as refused:
        service.create("ws", "me", name="n", type="*", config={}, action={"type": "notify", "channel_id": "ch-nope"})
    assert refused.value.field == "action.channel_id"
    with pytest.raises(TriggerConfigError) as refused:
        service.create(
            "ws", "me", name="w", type="*", config={}, action={"type": "run_workflow", "workflow_id": "nope"}
        )
    assert refused.value.field == "action.workflow_id"
    made = service.create("ws", "me", name="i", type="*", config={}, action={"type": "investigate"})
    with pytest.raises(TriggerConfigError) as refused:
        service.update("ws", made.id, TriggerChanges(action={"type": "notify", "channel_id": "ch-nope"}))
    assert refused.value.field == "action.channel_id"
    assert list(store.triggers) == [made.id]
    assert store.triggers[made.id] == made  # nothing stored of the refused changes


def test_an_update_changes_the_fields_sent_only(parts) -> None:  # type: ignore[no-untyped-def]
    service, _, _ = parts
    made = service.create(
        "ws", "me", name="i", type="*", config={"severity": ["critical"]}, action={"type": "investigate"}
    )
    updated = service.update("ws", made.id, TriggerChanges(name="renamed", config={"service": "api"}))
    assert replace(updated, updated_at=None) == replace(
        made, name="renamed", conditions=updated.conditions, version=2, updated_at=None
    )
    assert updated.conditions.to_config() == {"service": "api"}


def test_the_recent_cache_loads_again_once_its_time_is_up() -> None:
    now = [0.0]
    cache: RecentCache[int] = RecentCache(5.0, clock=lambda: now[0])
    loads = iter(range(100))
    assert cache.get("ws", lambda: next(loads)) == 0
    now[0] = 4.9
    assert cache.get("ws", lambda: next(loads)) == 0
    now[0] = 5.1
    assert cache.get("ws", lambda: next(loads)) == 1
    cache.forget("ws")
    assert cache.get("ws", lambda: next(loads)) == 2
