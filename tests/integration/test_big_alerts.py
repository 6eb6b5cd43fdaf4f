"""One alert of 400 KB or 1 MB (bodies under MAX_BODY_BYTES) through every intake route: a 2xx, an incident whose
long fields are cut to fit (and say so), and the payload as received, byte for byte, under the incident.

Before, such an alert answered 503 ("Item size has exceeded the maximum allowed size", DynamoDB's 400 KB item
limit), which a sender retries forever.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from aisre.incidents.model.alert_bounds import (
    ANNOTATION_VALUE_BYTES,
    DESCRIPTION_BYTES,
    LABEL_VALUE_BYTES,
    TITLE_BYTES,
    TRUNCATION_MARK,
)

# Sizes of the whole body; the default MAX_BODY_BYTES is 1,048,576.
SIZES = {"400 KB": 400 * 1024, "1 MB": 1_000_000}
# Text that is not ASCII, so cuts must fall between characters (each of these is 2 or 3 bytes in UTF-8).
PIECE = "Ünïcødé stack frame … "


def filler(size: int) -> str:
    return (PIECE * (size // len(PIECE.encode()) + 1)).encode()[:size].decode("utf-8", "ignore")


def now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


# route -> (path, build(tag, big text) -> payload, the field the big text lands in)
Build = Callable[[str, str], Any]
ROUTES: dict[str, tuple[str, Build, str]] = {
    "webhook": (
        "/webhook",
        lambda tag, big: {"title": f"Big {tag} " + big[:5000], "description": big, "service": f"svc-{tag}"},
        "description",
    ),
    "alertmanager": (
        "/webhook/alertmanager",
        lambda tag, big: {
            "version": "4",
            "status": "firing",
            "alerts": [
                {
                    "status": "firing",
                    "fingerprint": f"fp-{tag}",
                    "labels": {"alertname": f"Big{tag}", "service": f"svc-{tag}", "query": big[:20_000]},
                    "annotations": {"summary": f"big {tag}", "description": big},
                    "startsAt": now_iso(),
                }
            ],
        },
        "description",
    ),
    "grafana": (
        "/webhook/grafana",
        lambda tag, big: {"ruleName": f"Big {tag}", "state": "alerting", "message": big, "ruleId": tag},
        "description",
    ),
    "datadog": (
        "/webhook/datadog",
        lambda tag, big: {"title": f"Big {tag}", "body": big, "alert_id": tag, "alert_transition": "Triggered"},
        "description",
    ),
    "opsgenie": (
        "/webhook/opsgenie",
        lambda tag, big: {"action": "Create", "alert": {"message": f"Big {tag}", "description": big, "alertId": tag}},
        "description",
    ),
    "newrelic": (
        "/webhook/newrelic",
        lambda tag, big: {"issueId": tag, "title": f"Big {tag}", "state": "ACTIVATED", "description": big},
        "description",
    ),
    "cloudwatch": (
        "/webhook/cloudwatch",
        lambda tag, big: {
            "AlarmName": f"Big {tag}",
            "AlarmDescription": big,
            "NewStateValue": "ALARM",
            "NewStateReason": "Threshold Crossed",
            "StateChangeTime": now_iso(),
        },
        "description",
    ),
    "pagerduty": (
        "/webhook/pagerduty",
        lambda tag, big: {
            "event": {
                "id": f"evt-{tag}",
                "event_type": "incident.triggered",
                "occurred_at": now_iso(),
                "data": {"id": f"P{tag}", "type": "incident", "title": f"Big {tag}", "description": big},
            }
        },
        "description",
    ),
    "enqueue": (
        "/v2/enqueue",
        lambda tag, big: {
            "routing_key": "R" * 32,
            "event_action": "trigger",
            "dedup_key": f"dk-{tag}",
            "payload": {"summary": big, "source": "bench", "severity": "critical", "custom_details": {"log": big}},
        },
        "title",
    ),
}


def body_of(build: Build, tag: str, size: int) -> bytes:
    """The payload's JSON as UTF-8, with the longest filler that keeps the body within `size` bytes."""

    def encoded(length: int) -> bytes:
        return json.dumps(build(tag, filler(length)), ensure_ascii=False).encode()

    low, high = 0, size
    while low < high:  # the filler may appear more than once: search its length
        middle = (low + high + 1) // 2
        low, high = (middle, high) if len(encoded(middle)) <= size else (low, middle - 1)
    return encoded(low)


def incident_id_of(response: httpx.Response) -> str:
    body = response.json()
    return str(body.get("incident_id") or body.get("local_incident_id"))


def utf8(text: str) -> int:
    return len(text.encode())


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("route", list(ROUTES))
def test_a_big_alert_opens_a_bounded_incident_and_keeps_its_payload(api: httpx.Client, route: str, size: str):
    path, build, big_field = ROUTES[route]
    tag = uuid.uuid4().hex[:10]
    body = body_of(build, tag, SIZES[size])
    assert SIZES[size] - 64 <= len(body) <= 1_048_576

    response = api.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code in (200, 202), (route, response.status_code, response.text[:300])
    incident_id = incident_id_of(response)
    if route != "enqueue":  # PagerDuty's own response shape has no room for it
        assert response.json()["truncated"] is True, response.text[:500]

    incident = api.get(f"/incidents/{incident_id}").json()["incident"]
    assert incident["truncated"] is True and big_field in incident["truncated_fields"], incident["truncated_fields"]
    assert utf8(incident["title"]) <= TITLE_BYTES and utf8(incident["description"]) <= DESCRIPTION_BYTES
    assert incident[big_field].endswith(TRUNCATION_MARK)
    assert all(utf8(value) <= LABEL_VALUE_BYTES for value in incident["labels"].values())
    assert all(utf8(value) <= ANNOTATION_VALUE_BYTES for value in incident["annotations"].values())
    kept = len(json.dumps(incident, ensure_ascii=False).encode())
    assert kept < 150 * 1024, f"the incident item is {kept} bytes"

    raw = api.get(f"/incidents/{incident_id}/alerts/raw")
    assert raw.status_code == 200, raw.text[:300]
    assert raw.content == body and raw.headers["content-type"] == "application/json"

    events = api.get(f"/incidents/{incident_id}/timeline").json()["events"]
    [received] = [event for event in events if event["event_type"] == "alert_received"]
    assert received["payload"]["truncated_fields"] == incident["truncated_fields"]
    assert len(json.dumps(received, ensure_ascii=False).encode()) < 150 * 1024


@pytest.mark.parametrize("route", ["webhook", "alertmanager", "pagerduty"])
def test_a_big_duplicate_folds_with_a_bounded_event_and_its_own_payload(api: httpx.Client, route: str):
    path, build, _field = ROUTES[route]
    tag = uuid.uuid4().hex[:10]
    first = body_of(build, tag, SIZES["400 KB"])
    incident_id = incident_id_of(api.post(path, content=first, headers={"content-type": "application/json"}))
    # The same alert again, larger: a duplicate, and its timeline event is the one that must fit now.
    again = body_of(build, tag, SIZES["1 MB"])
    if route == "pagerduty":  # a new event about the same PagerDuty incident (its own event id)
        document = json.loads(again)
        document["event"]["id"] = f"evt-{tag}-2"
        again = json.dumps(document, ensure_ascii=False).encode()
    response = api.post(path, content=again, headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text[:300]
    assert incident_id_of(response) == incident_id and response.json()["deduplicated"] is True

    events = api.get(f"/incidents/{incident_id}/timeline").json()["events"]
    received = [event for event in events if event["event_type"] == "alert_received"]
    assert len(received) == 2
    duplicate = received[1]["payload"]
    assert duplicate["truncated_fields"] and duplicate["raw_payload_id"] != received[0]["payload"]["raw_payload_id"]
    raw = api.get(f"/incidents/{incident_id}/alerts/raw", params={"payload_id": duplicate["raw_payload_id"]})
    assert raw.status_code == 200 and raw.content == again
    # The incident's own payload is still the one that opened it.
    assert api.get(f"/incidents/{incident_id}/alerts/raw").content == first
    assert api.get(f"/incidents/{incident_id}").json()["incident"]["alert_count"] == 2


def test_an_alert_that_fits_keeps_no_payload_and_says_so(api: httpx.Client):
    response = api.post("/webhook", json={"title": f"Small {uuid.uuid4().hex[:8]}", "description": "fits"})
    incident_id = response.json()["incident_id"]
    assert "truncated" not in response.json()
    incident = api.get(f"/incidents/{incident_id}").json()["incident"]
    assert incident["truncated"] is False and incident["truncated_fields"] == []
    missing = api.get(f"/incidents/{incident_id}/alerts/raw")
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "incident_id"


def test_a_raw_payload_is_read_only_in_its_workspace(base_url: str, api: httpx.Client):
    path, build, _field = ROUTES["webhook"]
    body = body_of(build, uuid.uuid4().hex[:10], SIZES["400 KB"])
    incident_id = incident_id_of(api.post(path, content=body, headers={"content-type": "application/json"}))
    with httpx.Client(
        timeout=60, base_url=base_url, headers={"X-Workspace-Id": f"ws-other-{uuid.uuid4().hex[:6]}"}
    ) as other:
        assert other.get(f"/incidents/{incident_id}/alerts/raw").status_code == 404


def test_a_long_provider_fingerprint_is_hashed_and_still_deduplicates(api: httpx.Client):
    fingerprint = "f" * 5000  # past DynamoDB's 2,048-byte partition key, where it is stored as part of a key
    payload = {"title": f"Long fingerprint {uuid.uuid4().hex[:8]}", "fingerprint": fingerprint}
    first = api.post("/webhook", json=payload)
    assert first.status_code == 200, first.text
    again = api.post("/webhook", json=payload).json()
    assert again["incident_id"] == first.json()["incident_id"] and again["deduplicated"] is True
    incident = api.get(f"/incidents/{again['incident_id']}").json()["incident"]
    assert incident["fingerprint"].startswith("sha256:") and "fingerprint" in incident["truncated_fields"]
    assert api.get(f"/incidents/{again['incident_id']}/alerts/raw").content == first.request.content


def test_a_big_alert_through_the_queue_is_bounded_and_kept(local_stack: object, api: httpx.Client, workspace: str):
    # SQS messages stop at 256 KiB, so the queue's big alerts are smaller, but still past what an incident keeps.
    from aisre.alerts.providers import alert_intake
    from aisre.alerts.service.queue_intake import accept_queued_alert
    from aisre.core.scope import default_scope

    tag = uuid.uuid4().hex[:10]
    body = json.dumps({"title": f"Queued {tag}", "description": filler(200_000)}, ensure_ascii=False)
    attributes = {"workspace_id": {"stringValue": workspace}, "source": {"stringValue": "webhook"}}
    result = accept_queued_alert(default_scope().get(alert_intake), f"m-{tag}", body, attributes)
    assert result.truncated
    incident_id = result.outcomes[0].incident_id
    incident = api.get(f"/incidents/{incident_id}").json()["incident"]
    assert incident["truncated_fields"] == ["description"]
    assert api.get(f"/incidents/{incident_id}/alerts/raw").content == body.encode()
