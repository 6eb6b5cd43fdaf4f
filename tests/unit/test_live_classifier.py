"""The live events' classifier: which item changes make which events, with what data, and whose workspace."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aisre.live.model.events import EVENT_TYPES, ItemChange, events_of, iso

AT = "2026-12-02T12:00:00Z"


def change(kind: str, pk: str, sk: str, **image: Any) -> ItemChange:
    return ItemChange(kind, {"pk": pk, "sk": sk}, {"pk": pk, "sk": sk, **image} if kind != "REMOVE" else None, AT)  # type: ignore[arg-type]


INCIDENT = {
    "id": "inc-1",
    "title": "checkout down",
    "state": "open",
    "severity": "critical",
    "service": "checkout",
    "group_id": "inc-0",
    "alert_count": 3,
    "created_at": "2026-12-02T11:00:00.000000+0000",
    "acknowledged_at": "2026-12-02T11:30:00.000000+0000",
    "description": "not shown",
    "labels": '{"secret": "not shown"}',
}


def test_a_new_incident_is_created_with_its_summary_only() -> None:
    (event,) = events_of(change("INSERT", "WS#acme#INC#inc-1", "META", **INCIDENT))
    assert event.name == "incident.created" and event.workspace_id == "acme" and event.at == AT
    assert event.data == {
        "id": "inc-1",
        "title": "checkout down",
        "state": "open",
        "severity": "critical",
        "service": "checkout",
        "group_id": "inc-0",
        "alert_count": 3,
        "created_at": "2026-12-02T11:00:00Z",
        "updated_at": "2026-12-02T11:30:00Z",
    }
    assert event.message() == {"type": "event", "event": "incident.created", "workspace_id": "acme", "at": AT,
                               "data": event.data}  # fmt: skip


@pytest.mark.parametrize(("state", "name"), [("acknowledged", "incident.updated"), ("resolved", "incident.resolved")])
def test_a_changed_incident_is_updated_or_resolved(state: str, name: str) -> None:
    (event,) = events_of(change("MODIFY", "WS#acme#INC#inc-1", "META", **{**INCIDENT, "state": state}))
    assert event.name == name and event.data["state"] == state


def test_investigations_start_and_complete_and_say_their_incident() -> None:
    body = json.dumps({"id": "inv-1", "incident_id": "inc-1", "status": "running"})
    (started,) = events_of(change("INSERT", "WS#acme#INV#inv-1", "META", status="running", body=body))
    assert (started.name, started.data) == (
        "investigation.started",
        {"id": "inv-1", "incident_id": "inc-1", "status": "running"},
    )
    assert events_of(change("MODIFY", "WS#acme#INV#inv-1", "META", status="running", body=body)) == []
    (done,) = events_of(change("MODIFY", "WS#acme#INV#inv-1", "META", status="failed", body="{broken"))
    assert (done.name, done.data["status"], done.data["incident_id"]) == ("investigation.completed", "failed", None)


def test_approvals_are_requested_and_decided_and_never_show_a_task_token() -> None:
    approval = {"approval_id": "apr-1", "incident_id": "inc-1", "action": "restart_pod", "task_token": "secret"}
    (asked,) = events_of(change("INSERT", "WS#acme#APR#apr-1", "META", status="pending", **approval))
    assert asked.name == "approval.requested" and "task_token" not in asked.data
    assert events_of(change("MODIFY", "WS#acme#APR#apr-1", "META", status="pending", **approval)) == []
    (decided,) = events_of(change("MODIFY", "WS#acme#APR#apr-1", "META", status="rejected", **approval))
    assert decided.data == {"id": "apr-1", "incident_id": "inc-1", "action": "restart_pod", "status": "rejected"}


def test_action_records_notifications_and_dead_letters() -> None:
    (action,) = events_of(
        change("INSERT", "WS#a#INC#inc-1", "ACT#2026#x", incident_id="inc-1", action="acknowledge", outcome="ok")
    )
    assert (action.name, action.data) == ("action.executed", {"incident_id": "inc-1", "action": "acknowledge",
                                                              "outcome": "ok"})  # fmt: skip
    delivery = {"delivery_id": "dlv-1", "incident_id": "inc-1", "target_name": "ops", "target_type": "slack"}
    (sent,) = events_of(change("MODIFY", "WS#a#NTFY#inc-1", "DLV#dlv-1", status="delivered", **delivery))
    (failed,) = events_of(change("MODIFY", "WS#a#NTFY#inc-1", "DLV#dlv-1", status="failed", **delivery))
    assert (sent.name, failed.name, sent.data["channel"]) == ("notification.sent", "notification.failed", "ops")
    assert events_of(change("INSERT", "WS#a#NTFY#inc-1", "DLV#dlv-1", status="queued", **delivery)) == []
    (alert,) = events_of(change("INSERT", "WS#a#DLQ#dlq-1", "DLQ", id="dlq-1", source="grafana", error="bad", body="x"))
    assert (alert.name, alert.data) == ("system.alert", {"id": "dlq-1", "source": "grafana", "error": "bad"})
    assert events_of(change("MODIFY", "WS#a#DLQ#dlq-1", "DLQ", id="dlq-1", source="grafana", error="bad")) == []


@pytest.mark.parametrize(
    ("pk", "sk"),
    [
        ("WS#a#INC#inc-1", "EV#2026#x"),  # a timeline event
        ("WS#a#FP#abc", "FP"),  # a fingerprint claim
        ("WS#a#WF#wf-1", "META"),  # a workflow: META, but no event
        ("WS#a#LIVE", "CONN#abc"),  # a live connection itself
        ("INC#inc-1", "META"),  # not a workspace key
    ],
)
def test_items_that_make_no_event(pk: str, sk: str) -> None:
    assert events_of(change("INSERT", pk, sk, state="open")) == []


def test_a_removal_makes_no_event() -> None:
    assert events_of(change("REMOVE", "WS#a#INC#inc-1", "META")) == []


def test_every_event_type_is_made_by_some_change() -> None:
    made = {
        e.name
        for c in [
            change("INSERT", "WS#a#INC#i", "META", **INCIDENT),
            change("MODIFY", "WS#a#INC#i", "META", **INCIDENT),
            change("MODIFY", "WS#a#INC#i", "META", **{**INCIDENT, "state": "resolved"}),
            change("INSERT", "WS#a#INV#v", "META", status="running", body="{}"),
            change("MODIFY", "WS#a#INV#v", "META", status="succeeded", body="{}"),
            change("INSERT", "WS#a#APR#p", "META", status="pending"),
            change("MODIFY", "WS#a#APR#p", "META", status="approved"),
            change("INSERT", "WS#a#INC#i", "ACT#t#r"),
            change("INSERT", "WS#a#NTFY#i", "DLV#d", status="delivered"),
            change("INSERT", "WS#a#NTFY#i", "DLV#d", status="failed"),
            change("INSERT", "WS#a#DLQ#d", "DLQ"),
        ]
        for e in events_of(c)
    }
    assert made == set(EVENT_TYPES)


def test_moments_are_written_in_utc_with_z() -> None:
    assert iso("2026-12-02T13:00:00.000000+0100") == "2026-12-02T12:00:00Z"
    assert iso(None) is None and iso("not a time") == "not a time"
