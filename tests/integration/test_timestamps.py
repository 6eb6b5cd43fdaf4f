"""One timestamp format in every response: UTC with a `Z`. Every GET route of the API document is called on a
workspace holding one of everything (incidents open, acknowledged and resolved, alerts sent with zone offsets,
a deploy stamped in another zone, a finished investigation, similar incidents, a dead letter), and every string
of every body is read: none carries an offset, and each one that reads as a moment ends in `Z`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx

from tests.integration.test_alert_to_incident import ALERT
from tests.support.servers import wait_for

# A moment in ISO 8601 with a zone: the only form a timestamp in a response may take is the `Z` one.
_ZONED = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})")
_PLAIN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$")


def strings(body: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """Every string in a JSON body (keys too), with where it is."""
    if isinstance(body, dict):
        for key, value in body.items():
            yield f"{where}.{key} (key)", str(key)
            yield from strings(value, f"{where}.{key}")
    elif isinstance(body, list):
        for n, item in enumerate(body):
            yield from strings(item, f"{where}[{n}]")
    elif isinstance(body, str):
        yield where, body


def offenders(body: Any) -> list[str]:
    """Timestamps not in UTC with `Z`: a zone offset (+00:00 included), or a bare moment with no zone at all."""
    found = []
    for where, text in strings(body):
        zoned = [match.group(0) for match in _ZONED.finditer(text) if not match.group(0).endswith("Z")]
        if zoned or "+00:00" in text or _PLAIN.match(text):
            found.append(f"{where}: {text[:160]!r}")
    return found


def seed_workspace(api: httpx.Client) -> dict[str, str]:
    """One of everything a response may show a moment of; the ids the routes' paths need."""
    deploy = api.post(
        "/webhook/deploy",
        json={"service": "checkout-api", "actor": "ci-bot", "timestamp": "2026-01-01T09:30:00.250+05:30"},
    )
    assert deploy.status_code == 200, deploy.text
    # An incident resolved with a note: it is indexed with its resolution, so the next ones find it.
    older = api.post("/webhook", json=dict(ALERT, title="OOMKilled on checkout-api", service="checkout-api"))
    older_id = older.json()["incident_id"]
    assert api.post(f"/incidents/{older_id}/resolve", json={"note": "raised the memory limit"}).status_code == 200
    # Alertmanager sends its moments with offsets; the timeline's alert event carries them.
    alertmanager = {
        "version": "4",
        "status": "firing",
        "receiver": "aisre",
        "groupKey": '{}:{alertname="KubePodOOMKilled"}',
        "alerts": [
            {
                "status": "firing",
                "labels": {"alertname": "KubePodOOMKilled", "service": "checkout-api", "namespace": "production"},
                "annotations": {"summary": "OOMKilled on checkout-api"},
                "startsAt": "2026-01-01T01:00:00.5+01:00",
                "endsAt": "0001-01-01T00:00:00Z",
                "fingerprint": "fp-timestamps",
            }
        ],
    }
    received = api.post("/webhook/alertmanager", json=alertmanager)
    assert received.status_code == 200, received.text
    incident_id = received.json()["incident_id"]
    started = api.post(f"/incidents/{incident_id}/investigate")
    assert started.status_code == 202, started.text
    investigation_id = started.json()["investigation_id"]
    wait_for(
        lambda: api.get(f"/investigations/{investigation_id}").json()["status"] != "running", timeout=60, interval=0.25
    )
    assert api.post(f"/incidents/{incident_id}/acknowledge").status_code == 200
    assert api.post("/webhook", content=b"{not json", headers={"content-type": "application/json"}).status_code == 400
    entry_id = api.get("/webhook/dead-letter").json()["entries"][0]["id"]
    # An approval, approved: with no cluster here its execution fails, and is recorded with its moments all the same.
    target = {
        "action": "restart_pod",
        "namespace": "production",
        "pod_name": "checkout-api-0",
        "incident_id": incident_id,
    }
    approval = api.post("/approvals", json=target)
    assert approval.status_code == 201, approval.text
    approval_id = approval.json()["id"]
    approved = api.post(f"/approvals/{approval_id}/approve")
    assert approved.status_code == 200, approved.text
    execution_id = approved.json()["result"]["execution_id"]
    # A saved runbook, run on the incident (which names no pod: its steps are skipped, and recorded with moments).
    runbook = (
        "id: timestamps\nname: Moments\nsteps:\n- {title: Look, read: pod_status}\n- {title: Go, action: restart_pod}\n"
    )
    saved = api.post("/runbooks/import", content=runbook, headers={"Content-Type": "application/yaml"})
    assert saved.status_code == 201, saved.text
    runbook_run = api.post(f"/incidents/{incident_id}/runbooks/timestamps/execute")
    assert runbook_run.status_code in (200, 202), runbook_run.text
    # A workflow of the workspace's own, and a run of it (with no cluster here its read fails: the run ends failed).
    workflow = api.post(
        "/api/v1/workflows/", json={"name": "look", "steps": [{"name": "look", "step_type": "inspect_pod"}]}
    )
    assert workflow.status_code == 201, workflow.text
    context = {"namespace": "production", "pod_name": "checkout-api-0"}
    run = api.post(f"/workflows/{workflow.json()['id']}/execute", json={"context": context})
    assert run.status_code == 202, run.text
    workflow_run_id = run.json()["run_id"]
    wait_for(
        lambda: api.get(f"/workflows/{workflow_run_id}/status").json()["status"] == "failed", timeout=60, interval=0.25
    )
    # An outgoing webhook and a trigger (their deliveries and history are read, empty).
    webhook = api.post("/api/v1/webhooks", json={"url": "https://93.184.216.34/hook", "events": ["*"]})
    assert webhook.status_code == 201, webhook.text
    trigger = api.post(
        "/api/v1/triggers", json={"name": "t", "type": "incident.opened", "action": {"type": "investigate"}}
    )
    assert trigger.status_code == 201, trigger.text
    # An on-call schedule with an override (moments a client sent with an offset), and the policy that pages it.
    schedule = api.post(
        "/oncall/schedules",
        json={
            "name": "checkout",
            "time_zone": "Asia/Kolkata",
            "layers": [
                {"participants": ["asha", "ravi"], "rotation": "daily", "handoff_time": "09:30", "start": "2026-01-01"}
            ],
            "overrides": [
                {"participant": "meera", "start": "2026-01-02T09:30:00+05:30", "end": "2026-01-03T09:30:00+05:30"}
            ],
        },
    )
    assert schedule.status_code == 201, schedule.text
    policy = api.post(
        "/oncall/escalation-policies",
        json={
            "name": "checkout",
            "services": ["checkout-api"],
            "levels": [{"targets": [{"schedule": schedule.json()["id"]}]}],
        },
    )
    assert policy.status_code == 201, policy.text
    # A notification channel, a routing rule naming it, and an in-app notification of the caller's (dev mode's).
    channel = api.post(
        "/api/v1/notifications/channels",
        json={"name": "ops-mail", "type": "email", "config": {"to": ["ops@example.com"]}},
    )
    assert channel.status_code == 201, channel.text
    rule = api.post("/api/v1/notifications/rules", json={"name": "ops", "channels": [channel.json()["id"]]})
    assert rule.status_code == 201, rule.text
    _notify_in_app(str(api.headers["X-Workspace-Id"]), incident_id)
    return {
        "schedule_id": schedule.json()["id"],
        "policy_id": policy.json()["id"],
        "channel_id": channel.json()["id"],
        "rule_id": rule.json()["id"],
        "incident_id": incident_id,
        "investigation_id": investigation_id,
        "entry_id": entry_id,
        "approval_id": approval_id,
        "execution_id": execution_id,
        "runbook_id": "timestamps",
        "run_id": runbook_run.json()["id"],
        "workflow_id": workflow.json()["id"],
        "workflow_run_id": workflow_run_id,
        "webhook_id": webhook.json()["id"],
        "trigger_id": trigger.json()["id"],
    }


def _notify_in_app(workspace: str, incident_id: str) -> None:
    """What the dispatch does for a recipient of an event (Inbox.add), here for dev mode's principal."""
    from datetime import UTC

    from aisre.core.auth import DEV_CALLER
    from aisre.core.scope import default_scope
    from aisre.notifications.model.events import EventType, NotificationEvent
    from aisre.notifications.providers import inbox_service

    event = NotificationEvent(
        event_id=f"ev-{incident_id}",
        event_type=EventType.INCIDENT_OPENED,
        workspace_id=workspace,
        occurred_at=datetime.now(UTC),
        severity="critical",
        title="OOMKilled on checkout-api",
        incident_id=incident_id,
    )
    default_scope().get(inbox_service).add(workspace, DEV_CALLER.principal, event)


def path_with(path: str, ids: dict[str, str]) -> str:
    """The path with the seeded ids. Two routes name a different run `{run_id}`: a workflow's
    (/workflows/{run_id}/status) and a runbook's (/incidents/{incident_id}/runbooks/runs/{run_id})."""
    if path.startswith("/workflows/"):
        ids = {**ids, "run_id": ids["workflow_run_id"]}
    return path.format(**ids) + QUERIES.get(path, "")


# Routes that need a query parameter to answer.
QUERIES = {
    "/oncall/current": "?service=checkout-api",
    "/notifications/escalation": "?service=checkout-api&minutes_elapsed=5",
}


def test_no_response_carries_a_timestamp_other_than_utc_with_z(api: httpx.Client):
    ids = seed_workspace(api)
    document = api.get("/openapi.json").json()
    bodies: dict[str, Any] = {}
    for path, operations in document["paths"].items():
        # /metrics is Prometheus text, its own format; an alert's raw payload is the sender's bytes, as sent; a
        # schedule's calendar is iCalendar, its times in the schedule's zone (TZID).
        own_format = {"/metrics", "/incidents/{incident_id}/alerts/raw", "/oncall/schedules/{schedule_id}.ics"}
        if "get" not in operations or path in own_format:
            continue
        response = api.get(path_with(path, ids))
        assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:300]}"
        bodies[path] = response.json()
    # The routes that show moments did show some, so the walk read timestamps and not only empty lists.
    assert bodies["/incidents/{incident_id}/similar"]["similar_incidents"]
    diagnosis = bodies["/incidents/{incident_id}/diagnosis"]
    assert diagnosis["similar_incidents"] and "Started at:" in diagnosis["answer"]
    assert any(event["payload"].get("starts_at") for event in bodies["/incidents/{incident_id}/timeline"]["events"])
    assert bodies["/webhook/deploy/recent"]["deploys"][0]["timestamp"] == "2026-01-01T04:00:00.250000Z"
    assert bodies["/workflows/{run_id}/status"]["steps"][0]["started_at"]
    # The one exception, by issue #13's shape: a shift's start and end are in its schedule's zone, with the offset
    # there then (India: +05:30). Everything else about the schedule is in UTC.
    shifts = bodies["/oncall/schedules/{schedule_id}/shifts"].pop("shifts")
    assert shifts and all(s["start"].endswith("+05:30") and s["end"].endswith("+05:30") for s in shifts), shifts
    assert bodies["/oncall/schedules/{schedule_id}"]["overrides"][0]["start"] == "2026-01-02T04:00:00Z"
    assert bodies["/api/v1/notifications"]["notifications"][0]["created_at"]
    assert bodies["/api/v1/notifications/channels/{channel_id}"]["created_at"]
    found = {path: offenders(body) for path, body in bodies.items() if offenders(body)}
    assert not found, found


def test_datetimes_in_the_api_document_are_date_time_strings(api: httpx.Client):
    # The serializer changes how a datetime is written, not what the document promises.
    schemas = api.get("/openapi.json").json()["components"]["schemas"]
    for name in ("IncidentPublic", "InvestigationPublic", "DeadLetterPublic", "SimilarIncidentPublic"):
        properties = schemas[name]["properties"]
        stamped = [key for key in properties if key.endswith("_at") or key == "timestamp"]
        assert stamped, name
        for key in stamped:
            variants = properties[key].get("anyOf", [properties[key]])
            assert any(v.get("type") == "string" and v.get("format") == "date-time" for v in variants), (name, key)


def test_the_serializer_writes_utc_with_z() -> None:
    from datetime import UTC, timedelta, timezone

    from aisre.core.timestamps import utc_iso

    assert utc_iso(datetime(2026, 12, 2, 3, 25, 46, 123456, tzinfo=UTC)) == "2026-12-02T03:25:46.123456Z"
    assert utc_iso(datetime(2026, 12, 2, 5, 25, 46, tzinfo=timezone(timedelta(hours=2)))) == "2026-12-02T03:25:46Z"
    assert utc_iso(datetime(2026, 12, 2, 3, 25, 46)) == "2026-12-02T03:25:46Z"  # naive: the platform's UTC
