"""PagerDuty: v3 webhook sync with signatures and redelivery, and the Events API v2 at /v2/enqueue."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

SECRET = "pd-webhook-secret"


def v3_event(
    event_type: str, incident_id: str = "PD12345", title: str = "Database connection pool exhausted"
) -> dict[str, Any]:
    # Each event its own id, occurring now: PagerDuty's events are deduplicated by id and refused when stale.
    return {
        "event": {
            "id": f"01D{uuid.uuid4().hex[:12].upper()}",
            "event_type": event_type,
            "resource_type": "incident",
            "occurred_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "agent": {"id": "PUSER01", "type": "user_reference", "summary": "Dave"},
            "data": {
                "id": incident_id,
                "type": "incident",
                "title": title,
                "number": 42,
                "status": {"incident.resolved": "resolved", "incident.acknowledged": "acknowledged"}.get(
                    event_type, "triggered"
                ),
                "urgency": "high",
                "html_url": f"https://acme.pagerduty.com/incidents/{incident_id}",
                "service": {"id": "PSVC01", "summary": "auth-service", "type": "service_reference"},
                "priority": None,
            },
        }
    }


def signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-PagerDuty-Signature": f"v1={digest}", "content-type": "application/json"}


@pytest.fixture(scope="module")
def pd_url(serve_with_settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with serve_with_settings(pagerduty_webhook_secret=f"rotated-out-secret,{SECRET}") as url:
        yield url


@pytest.fixture
def pd(pd_url: str, workspace: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=pd_url, headers={"X-Workspace-Id": workspace}, timeout=30) as http:
        yield http


def test_signed_triggered_event_creates_and_acknowledged_event_syncs(pd: httpx.Client):
    body = json.dumps(v3_event("incident.triggered")).encode()
    created = pd.post("/webhook/pagerduty", content=body, headers=signed(body))
    assert created.status_code == 200, created.text
    result = created.json()
    assert result | {"local_incident_id": None} == {
        "ok": True,
        "event_type": "incident.triggered",
        "pd_incident_id": "PD12345",
        "local_incident_id": None,
        "action_taken": "created",
        "incident_id": result["local_incident_id"],
        "deduplicated": False,
        "dedup_strategy": None,
        "group_id": None,
    }
    local_id = result["local_incident_id"]

    ack_body = json.dumps(v3_event("incident.acknowledged")).encode()
    acked = pd.post("/webhook/pagerduty", content=ack_body, headers=signed(ack_body)).json()
    assert (acked["action_taken"], acked["local_incident_id"]) == ("acknowledged", local_id)
    assert pd.get(f"/incidents/{local_id}").json()["incident"]["state"] == "acknowledged"

    done_body = json.dumps(v3_event("incident.resolved")).encode()
    done = pd.post("/webhook/pagerduty", content=done_body, headers=signed(done_body)).json()
    assert done["action_taken"] == "resolved"
    assert pd.get(f"/incidents/{local_id}").json()["incident"]["state"] == "resolved"


def test_update_events_land_on_the_timeline(pd: httpx.Client):
    body = json.dumps(v3_event("incident.triggered", "PDUPD1")).encode()
    local_id = pd.post("/webhook/pagerduty", content=body, headers=signed(body)).json()["local_incident_id"]
    update = json.dumps(v3_event("incident.escalated", "PDUPD1")).encode()
    assert pd.post("/webhook/pagerduty", content=update, headers=signed(update)).json()["action_taken"] == "updated"
    events = [event["event_type"] for event in pd.get(f"/incidents/{local_id}/timeline").json()["events"]]
    assert events[-1] == "pagerduty_escalated"


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"X-PagerDuty-Signature": "sha1=abcdef"}, 400),
        ({"X-PagerDuty-Signature": "v1=" + "0" * 64}, 401),
    ],
)
def test_missing_malformed_or_wrong_signature_creates_nothing(pd: httpx.Client, headers: dict[str, str], status: int):
    body = json.dumps(v3_event("incident.triggered", "PDFORGED")).encode()
    response = pd.post("/webhook/pagerduty", content=body, headers=headers | {"content-type": "application/json"})
    assert response.status_code == status
    assert response.json()["error"]["field"] == "X-PagerDuty-Signature"
    assert pd.get("/incidents").json()["count"] == 0
    assert pd.get("/webhook/dead-letter").json()["count"] == 0


def test_signature_is_over_the_raw_bytes(pd: httpx.Client):
    body = json.dumps(v3_event("incident.triggered", "PDRAW")).encode()
    reformatted = json.dumps(json.loads(body), indent=2).encode()  # same JSON, other bytes
    assert pd.post("/webhook/pagerduty", content=reformatted, headers=signed(body)).status_code == 401


def test_x_source_pagerduty_on_webhook_is_checked_too(pd: httpx.Client):
    body = json.dumps(v3_event("incident.triggered", "PDHDR")).encode()
    unsigned = pd.post("/webhook", content=body, headers={"X-Source": "pagerduty", "content-type": "application/json"})
    assert unsigned.status_code == 401
    ok = pd.post("/webhook", content=body, headers=signed(body) | {"X-Source": "pagerduty"})
    assert ok.status_code == 200 and ok.json()["action_taken"] == "created"


def test_redelivery_with_the_same_webhook_id_is_answered_not_reprocessed(pd: httpx.Client):
    body = json.dumps(v3_event("incident.triggered", "PDREDELIVER")).encode()
    headers = signed(body) | {"X-Webhook-Id": "wh-0001"}
    first = pd.post("/webhook/pagerduty", content=body, headers=headers).json()
    second = pd.post("/webhook/pagerduty", content=body, headers=headers).json()
    assert second["local_incident_id"] == first["local_incident_id"]
    assert (second["deduplicated"], second["dedup_strategy"], second["redelivery"]) == (True, "webhook_id", True)
    detail = pd.get(f"/incidents/{first['local_incident_id']}").json()["incident"]
    assert detail["alert_count"] == 1  # the redelivery was not counted as another alert


def events_v2(action: str, dedup_key: str | None = "disk-full-db01", **payload: Any) -> dict[str, Any]:
    event: dict[str, Any] = {"routing_key": "R0UT1NGKEY", "event_action": action}
    if dedup_key:
        event["dedup_key"] = dedup_key
    if action == "trigger":
        event["payload"] = {
            "summary": "Disk 95% full on db01",
            "source": "db01.prod",
            "severity": "error",
            "component": "postgres",
            "group": "prod-db",
            "class": "disk",
        } | payload
    return event


def test_events_api_v2_trigger_acknowledge_resolve(api: httpx.Client):
    triggered = api.post("/v2/enqueue", json=events_v2("trigger"))
    assert triggered.status_code == 202, triggered.text
    assert triggered.json() | {"incident_id": None} == {
        "status": "success",
        "message": "Event processed",
        "dedup_key": "disk-full-db01",
        "incident_id": None,
    }
    incident_id = triggered.json()["incident_id"]
    assert api.get(f"/incidents/{incident_id}").json()["incident"]["severity"] == "high"
    assert api.post("/v2/enqueue", json=events_v2("acknowledge")).status_code == 202
    assert api.get(f"/incidents/{incident_id}").json()["incident"]["state"] == "acknowledged"
    assert api.post("/v2/enqueue", json=events_v2("resolve")).status_code == 202
    assert api.get(f"/incidents/{incident_id}").json()["incident"]["state"] == "resolved"


def test_events_api_v2_trigger_without_dedup_key_gets_one(api: httpx.Client):
    first = api.post("/v2/enqueue", json=events_v2("trigger", dedup_key=None)).json()
    second = api.post("/v2/enqueue", json=events_v2("trigger", dedup_key=None)).json()
    assert first["dedup_key"] and first["dedup_key"] == second["dedup_key"]
    assert first["incident_id"] == second["incident_id"]


def test_events_api_v2_invalid_event_answers_like_pagerduty(api: httpx.Client):
    response = api.post("/v2/enqueue", json={"routing_key": "R", "event_action": "resolve"})
    assert response.status_code == 400
    assert response.json()["status"] == "invalid event" and "dedup_key" in response.json()["errors"][0]
    assert api.get("/webhook/dead-letter").json()["entries"][0]["source"] == "pagerduty_events"
