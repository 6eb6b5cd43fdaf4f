"""A captured, validly signed PagerDuty v3 delivery sent again later: deduplicated by the event's own id (an
X-Webhook-Id is a header anyone replaying can change), and refused once older than PagerDuty still retries."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.integration.test_pagerduty import SECRET, signed


def event(event_type: str, incident_id: str, *, event_id: str | None = None, age: timedelta = timedelta(0)) -> Any:
    occurred = (datetime.now(UTC) - age).isoformat().replace("+00:00", "Z")
    return {
        "event": {
            "id": event_id or uuid.uuid4().hex,
            "event_type": event_type,
            "resource_type": "incident",
            "occurred_at": occurred,
            "data": {
                "id": incident_id,
                "type": "incident",
                "title": f"Replay check {incident_id}",
                "status": "resolved" if event_type == "incident.resolved" else "triggered",
                "urgency": "high",
                "service": {"id": "PSVC01", "summary": "auth-service", "type": "service_reference"},
            },
        }
    }


@pytest.fixture(scope="module")
def pd_url(serve_with_settings: Any) -> Iterator[str]:
    with serve_with_settings(pagerduty_webhook_secret=SECRET) as url:
        yield url


@pytest.fixture
def pd(pd_url: str, workspace: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=pd_url, headers={"X-Workspace-Id": workspace}, timeout=30) as http:
        yield http


def deliver(pd: httpx.Client, body: bytes, webhook_id: str | None = None) -> httpx.Response:
    headers = signed(body) | ({"X-Webhook-Id": webhook_id} if webhook_id else {})
    return pd.post("/webhook/pagerduty", content=body, headers=headers)


def test_a_captured_delivery_replayed_under_a_new_webhook_id_opens_nothing(pd: httpx.Client):
    incident = f"PD{uuid.uuid4().hex[:8].upper()}"
    triggered = json.dumps(event("incident.triggered", incident)).encode()
    first = deliver(pd, triggered, "wh-original").json()
    assert first["action_taken"] == "created"
    resolved = json.dumps(event("incident.resolved", incident)).encode()
    assert deliver(pd, resolved, "wh-resolved").json()["action_taken"] == "resolved"

    # The same signed bytes, later, under a webhook id of the sender's choosing: before, a new incident.
    replayed = deliver(pd, triggered, "wh-chosen-by-whoever-replays")
    assert replayed.status_code == 200, replayed.text
    body = replayed.json()
    assert (body["deduplicated"], body["dedup_strategy"], body["redelivery"]) == (True, "event_id", True)
    assert body["local_incident_id"] == first["local_incident_id"]
    assert pd.get("/incidents").json()["count"] == 1
    assert pd.get(f"/incidents/{first['local_incident_id']}").json()["incident"]["state"] == "resolved"
    # And with no webhook id at all.
    assert deliver(pd, triggered).json()["dedup_strategy"] == "event_id"
    assert pd.get("/incidents").json()["count"] == 1


def test_an_event_older_than_the_window_is_refused_named_and_kept(pd: httpx.Client):
    stale = json.dumps(event("incident.triggered", "PDSTALE", age=timedelta(days=4))).encode()
    response = deliver(pd, stale, "wh-stale")
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["type"] == "StaleEventError" and error["field"] == "event.occurred_at"
    assert "PAGERDUTY_MAX_EVENT_AGE_SECONDS (259200 s)" in error["message"]
    assert pd.get("/incidents").json()["count"] == 0
    [entry] = pd.get("/webhook/dead-letter").json()["entries"]
    assert (entry["status_code"], entry["error_type"], entry["source"]) == (422, "StaleEventError", "pagerduty")
    # Within the window, the same kind of event is taken.
    fresh = json.dumps(event("incident.triggered", "PDFRESH", age=timedelta(hours=47))).encode()
    assert deliver(pd, fresh).json()["action_taken"] == "created"


def test_the_window_is_a_setting(serve_with_settings: Any, workspace: str):
    two_hours_old = json.dumps(event("incident.triggered", "PDWINDOW", age=timedelta(hours=2))).encode()
    with (
        serve_with_settings(pagerduty_webhook_secret=SECRET, pagerduty_max_event_age_seconds=3600) as url,
        httpx.Client(timeout=60, base_url=url, headers={"X-Workspace-Id": workspace}) as http,
    ):
        response = http.post("/webhook/pagerduty", content=two_hours_old, headers=signed(two_hours_old))
        assert response.status_code == 422 and "(3600 s)" in response.json()["error"]["message"]


def test_an_event_without_id_or_time_is_taken_as_before(pd: httpx.Client):
    # Seed 001's example: neither event.id nor event.occurred_at; nothing to deduplicate or date it by.
    document = event("incident.triggered", "PDSEED")
    del document["event"]["id"], document["event"]["occurred_at"]
    body = json.dumps(document).encode()
    assert deliver(pd, body).json()["action_taken"] == "created"
    assert deliver(pd, body).json()["action_taken"] == "updated"


def test_a_long_event_id_or_webhook_id_still_deduplicates(pd: httpx.Client):
    body = json.dumps(event("incident.triggered", "PDLONGID", event_id="e" * 5000)).encode()
    first = deliver(pd, body, "w" * 3000)
    assert first.status_code == 200, first.text
    again = deliver(pd, body, "w" * 3000).json()
    assert again["dedup_strategy"] == "webhook_id"
    assert deliver(pd, body, "another").json()["dedup_strategy"] == "event_id"
