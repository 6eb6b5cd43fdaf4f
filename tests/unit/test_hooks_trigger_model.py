"""Triggers' pure rules: which events a trigger hears (its type, then its severity, service and label conditions),
how a client's trigger is read (each field at fault named), and the context a triggered workflow runs with."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisre.notifications.errors import TriggerConfigError
from aisre.notifications.model.events import SEVERITIES, WEBHOOK_EVENT_NAMES, EventType, NotificationEvent
from aisre.notifications.model.triggers import (
    ActionType,
    Conditions,
    Trigger,
    TriggerAction,
    listens_to,
    parse_action,
    parse_conditions,
    parse_event_type,
    workflow_context,
)

NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=12)
LABELS = st.dictionaries(NAMES, NAMES, max_size=4)


def event(
    kind: EventType = EventType.INCIDENT_OPENED,
    severity: str = "critical",
    service: str | None = "checkout-api",
    labels: dict[str, str] | None = None,
) -> NotificationEvent:
    return NotificationEvent(
        event_id="evt-1",
        event_type=kind,
        workspace_id="ws",
        occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
        severity=severity,
        title="OOMKilled",
        service=service,
        incident_id="inc-1",
        labels=labels or {},
    )


def trigger(event_type: str, conditions: Conditions, enabled: bool = True) -> Trigger:
    return Trigger("trg-1", "ws", "t", event_type, conditions, TriggerAction(ActionType.INVESTIGATE), enabled)


@pytest.mark.parametrize("kind", list(EventType))
def test_a_trigger_hears_its_event_by_the_platforms_name_and_by_the_webhooks_name(kind: EventType) -> None:
    assert listens_to(kind.value, event(kind))
    assert listens_to(WEBHOOK_EVENT_NAMES[kind], event(kind))
    others = [other for other in EventType if WEBHOOK_EVENT_NAMES[other] != WEBHOOK_EVENT_NAMES[kind]]
    assert not any(listens_to(other.value, event(kind)) for other in others)


def test_incident_updated_hears_an_escalation_and_an_acknowledgement() -> None:
    assert listens_to("incident.updated", event(EventType.INCIDENT_ESCALATED))
    assert listens_to("incident.updated", event(EventType.INCIDENT_ACKNOWLEDGED))
    assert not listens_to("incident.updated", event(EventType.INCIDENT_OPENED))


def test_the_wildcard_hears_every_event_but_a_test() -> None:
    assert all(listens_to("*", event(kind)) for kind in EventType if kind is not EventType.TEST)
    assert not listens_to("*", event(EventType.TEST))
    assert listens_to("notification.test", event(EventType.TEST))  # named, a test is heard


@given(st.sampled_from(SEVERITIES), NAMES, LABELS, st.data())
def test_conditions_taken_from_an_event_hold_for_it(
    severity: str, service: str, labels: dict[str, str], data: st.DataObject
) -> None:
    happened = event(severity=severity, service=service, labels=labels)
    severities = data.draw(st.lists(st.sampled_from(SEVERITIES), unique=True).map(lambda s: tuple({severity, *s})))
    some_labels = (
        {name: labels[name] for name in data.draw(st.lists(st.sampled_from(sorted(labels)), unique=True))}
        if labels
        else {}
    )
    conditions = Conditions(severities, (service, "another"), some_labels)
    assert conditions.matches(happened)
    assert trigger("incident.opened", conditions).matches(happened)
    assert not trigger("incident.opened", conditions, enabled=False).matches(happened)
    assert not trigger("incident.resolved", conditions).matches(happened)


@given(st.sampled_from(SEVERITIES), NAMES, LABELS, NAMES)
def test_one_condition_the_event_does_not_meet_is_enough_to_miss_it(
    severity: str, service: str, labels: dict[str, str], other: str
) -> None:
    happened = event(severity=severity, service=service, labels=labels)
    other_severities = tuple(s for s in SEVERITIES if s != severity)
    assert not Conditions(severities=other_severities).matches(happened)
    if other != service:
        assert not Conditions(services=(other,)).matches(happened)
    label = next(iter(labels), "absent")
    assert not Conditions(labels={label: labels.get(label, "x") + "-not"}).matches(happened)
    assert Conditions().matches(happened)


def test_an_event_without_a_service_misses_a_service_condition() -> None:
    assert not Conditions(services=("checkout-api",)).matches(event(service=None))


def test_conditions_are_read_back_as_a_client_wrote_them() -> None:
    config = {"severity": ["critical", "high"], "service": "checkout-api", "labels": {"team": "payments"}}
    conditions = parse_conditions(config)
    assert conditions == Conditions(("critical", "high"), ("checkout-api",), {"team": "payments"})
    assert conditions.to_config() == config
    assert parse_conditions({"service": ["a", "b"], "severity": "info"}).to_config() == {
        "severity": ["info"],
        "service": ["a", "b"],
    }
    assert parse_conditions(None) == parse_conditions({}) == Conditions()


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ([], "config"),
        ({"severty": ["critical"]}, "config.severty"),
        ({"severity": ["critical", "urgent"]}, "config.severity[1]"),
        ({"severity": "urgent"}, "config.severity"),
        ({"severity": {"critical": True}}, "config.severity"),
        ({"service": ["a", ""]}, "config.service[1]"),
        ({"service": 7}, "config.service"),
        ({"labels": ["team"]}, "config.labels"),
        ({"labels": {"team": 7}}, "config.labels.team"),
    ],
)
def test_a_condition_that_cannot_be_used_is_named(config: Any, field: str) -> None:
    with pytest.raises(TriggerConfigError) as refused:
        parse_conditions(config)
    assert refused.value.field == field


def test_event_types_a_trigger_may_listen_to() -> None:
    for name in ("incident.opened", "incident.created", "investigation.completed", "*", "slo.burn"):
        assert parse_event_type(name) == name
    for bad in ("incident.exploded", "", None, 7, ["incident.opened"]):
        with pytest.raises(TriggerConfigError) as refused:
            parse_event_type(bad)
        assert refused.value.field == "type"


def test_actions_are_read_with_their_own_keys() -> None:
    assert parse_action({"type": "notify", "channel_id": "ch-1"}) == TriggerAction(ActionType.NOTIFY, channel_id="ch-1")
    assert parse_action({"type": "investigate"}) == TriggerAction(ActionType.INVESTIGATE)
    run = parse_action({"type": "run_workflow", "workflow_id": "oom_recovery", "context": {"namespace": "prod"}})
    assert run == TriggerAction(ActionType.RUN_WORKFLOW, workflow_id="oom_recovery", context={"namespace": "prod"})
    assert run.dry_run  # a triggered workflow is a dry run unless the trigger says otherwise
    assert run.to_dict() == {
        "type": "run_workflow",
        "workflow_id": "oom_recovery",
        "dry_run": True,
        "context": {"namespace": "prod"},
    }
    assert parse_action(run.to_dict()) == run


@pytest.mark.parametrize(
    ("action", "field"),
    [
        (None, "action"),
        ("notify", "action"),
        ({}, "action.type"),
        ({"type": "page"}, "action.type"),
        ({"type": ["notify"]}, "action.type"),
        ({"type": "notify"}, "action.channel_id"),
        ({"type": "notify", "channel_id": ""}, "action.channel_id"),
        ({"type": "notify", "channel_id": "ch-1", "workflow_id": "x"}, "action.workflow_id"),
        ({"type": "investigate", "channel_id": "ch-1"}, "action.channel_id"),
        ({"type": "run_workflow"}, "action.workflow_id"),
        ({"type": "run_workflow", "workflow_id": "w", "dry_run": "no"}, "action.dry_run"),
        ({"type": "run_workflow", "workflow_id": "w", "context": []}, "action.context"),
        ({"type": "run_workflow", "workflow_id": "w", "context": {"a-b": "x"}}, "action.context"),
        ({"type": "run_workflow", "workflow_id": "w", "context": {"ns": {"deep": 1}}}, "action.context.ns"),
        ({"type": "run_workflow", "workflow_id": "w", "context": {"ns": float("nan")}}, "action.context.ns"),
    ],
)
def test_an_action_that_cannot_be_used_is_named(action: Any, field: str) -> None:
    with pytest.raises(TriggerConfigError) as refused:
        parse_action(action)
    assert refused.value.field == field


def test_a_triggered_workflow_runs_on_the_workload_the_events_labels_name() -> None:
    labels = {"namespace": "production", "pod": "checkout-0", "deployment": "checkout", "team": "payments"}
    context = workflow_context(event(labels=labels), {})
    assert context == {
        "service": "checkout-api",
        "namespace": "production",
        "pod_name": "checkout-0",
        "deployment_name": "checkout",
    }
    assert workflow_context(event(labels=labels), {"namespace": "staging"})["namespace"] == "staging"
    assert workflow_context(event(service=None), {}) == {}
