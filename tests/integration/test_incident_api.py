"""Incident reads and lifecycle over HTTP: detail, timeline, metrics, actions, activity, paging, noisy, 409s."""

from __future__ import annotations

import httpx

from tests.integration.test_alert_to_incident import ALERT


def open_incident(api: httpx.Client, title: str, service: str = "billing") -> str:
    response = api.post("/webhook", json=dict(ALERT, title=title, service=service))
    assert response.status_code == 200, response.text
    incident_id: str = response.json()["incident_id"]
    return incident_id


def test_acknowledge_then_resolve_with_history_and_metrics(api: httpx.Client):
    incident_id = open_incident(api, "Queue backlog")
    acked = api.post(f"/incidents/{incident_id}/acknowledge", json={"actor": "dave", "note": "looking"})
    assert acked.status_code == 200 and acked.json()["incident"]["state"] == "acknowledged"
    resolved = api.post(f"/incidents/{incident_id}/resolve", json={"actor": "dave", "note": "scaled consumers"})
    assert resolved.status_code == 200 and resolved.json()["incident"]["state"] == "resolved"

    detail = api.get(f"/incidents/{incident_id}").json()
    assert detail["metrics"]["time_to_first_response_minutes"] is not None
    assert detail["metrics"]["resolution_time_minutes"] is not None
    assert [action["action"] for action in detail["actions"]] == ["acknowledge", "resolve"]
    assert {action["actor"] for action in detail["actions"]} == {"dave"}

    events = [event["event_type"] for event in api.get(f"/incidents/{incident_id}/timeline").json()["events"]]
    assert events[-2:] == ["incident_acknowledged", "incident_resolved"]
    metrics = api.get(f"/incidents/{incident_id}/metrics").json()
    assert [point["metric_name"] for point in metrics["timeline"]] == [
        "time_to_first_response_minutes",
        "resolution_time_minutes",
    ]
    activity = api.get("/activity").json()["activity"]
    assert [(item["action"], item["incident_id"]) for item in activity[:2]] == [
        ("resolve", incident_id),
        ("acknowledge", incident_id),
    ]


def test_impossible_transitions_are_409_and_change_nothing(api: httpx.Client):
    incident_id = open_incident(api, "Cert expiring")
    assert api.post(f"/incidents/{incident_id}/acknowledge").status_code == 200
    second = api.post(f"/incidents/{incident_id}/acknowledge")
    assert second.status_code == 409
    assert second.json()["error"]["details"] == {"current_state": "acknowledged", "requested_state": "acknowledged"}
    assert api.post(f"/incidents/{incident_id}/resolve").status_code == 200
    assert api.post(f"/incidents/{incident_id}/resolve").status_code == 409
    assert api.post(f"/incidents/{incident_id}/acknowledge").status_code == 409
    assert api.get(f"/incidents/{incident_id}").json()["incident"]["state"] == "resolved"


def test_manual_resolve_releases_the_fingerprint(api: httpx.Client):
    incident_id = open_incident(api, "Flapping check")
    api.post(f"/incidents/{incident_id}/resolve")
    again = api.post("/webhook", json=dict(ALERT, title="Flapping check", service="billing")).json()
    assert again["incident_id"] != incident_id and again["deduplicated"] is False


def test_unknown_incident_is_404(api: httpx.Client):
    response = api.get("/incidents/inc-000000000000")
    assert response.status_code == 404 and response.json()["error"]["field"] == "incident_id"
    assert api.post("/incidents/inc-000000000000/acknowledge").status_code == 404


def test_listing_pages_with_a_cursor_and_filters_by_state(api: httpx.Client):
    ids = [open_incident(api, f"Paging {index}", service=f"svc-{index}") for index in range(5)]
    api.post(f"/incidents/{ids[0]}/resolve")
    first = api.get("/incidents", params={"limit": 2}).json()
    assert first["count"] == 2 and first["next_cursor"]
    assert [item["id"] for item in first["incidents"]] == ids[::-1][:2]  # newest first
    second = api.get("/incidents", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [item["id"] for item in second["incidents"]] == ids[::-1][2:4]
    open_only = api.get("/incidents", params={"state": "open", "limit": 100}).json()
    assert {item["id"] for item in open_only["incidents"]} == set(ids[1:])
    resolved = api.get("/incidents", params={"state": "resolved"}).json()
    assert [item["id"] for item in resolved["incidents"]] == [ids[0]]


def test_a_cursor_from_another_listing_is_refused(api: httpx.Client, base_url: str):
    for index in range(3):
        open_incident(api, f"Cursor {index}", service=f"c-{index}")
    cursor = api.get("/incidents", params={"limit": 1}).json()["next_cursor"]
    with httpx.Client(timeout=60, base_url=base_url, headers={"X-Workspace-Id": "ws-someone-else"}) as other:
        response = other.get("/incidents", params={"limit": 1, "cursor": cursor})
    assert response.status_code == 422 and response.json()["error"]["field"] == "cursor"
    assert api.get("/incidents", params={"cursor": "!!garbage"}).status_code == 422


def test_noisy_lists_quickly_self_resolved_incidents(api: httpx.Client):
    noisy_id = open_incident(api, "Brief CPU spike", service="cache")
    api.post(
        "/webhook",
        json=dict(ALERT, title="Brief CPU spike", service="cache", status="resolved"),
    )
    kept_id = open_incident(api, "Still burning", service="search")
    body = api.get("/incidents/noisy", params={"max_duration_minutes": 5}).json()
    assert [item["id"] for item in body["noisy_incidents"]] == [noisy_id]
    assert kept_id not in {item["id"] for item in body["noisy_incidents"]}
    assert body["note"].startswith("These incidents resolved with no actions")


def test_query_validation_is_422_naming_the_field(api: httpx.Client):
    response = api.get("/incidents", params={"limit": 0})
    assert response.status_code == 422 and response.json()["error"]["field"] == "query.limit"
    assert api.get("/incidents", params={"state": "sleeping"}).status_code == 422


def test_crafted_cursors_are_422_never_5xx(api: httpx.Client, workspace: str):
    import base64
    import json

    def cursor(key: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")

    incident_id = open_incident(api, "Cursor target", service="crafted")
    listing, timeline = f"WS#{workspace}#INC", f"WS#{workspace}#INC#{incident_id}"
    crafted_for_listing = [
        {"gsi1pk": listing},  # a partition that is not an attribute value
        {"gsi1pk": {"S": listing}},  # the index's key without the table's
        {"gsi1pk": {"S": listing}, "gsi1sk": {"N": "1"}, "pk": {"S": "x"}, "sk": {"S": "y"}},
        {"gsi1pk": {"S": listing}, "gsi1sk": {"S": "z"}, "pk": {"S": "x"}, "sk": {"S": "y"}, "other": {"S": "1"}},
        ["not", "an", "object"],
        "a string",
    ]
    for key in crafted_for_listing:
        response = api.get("/incidents", params={"cursor": cursor(key)})
        assert response.status_code == 422 and response.json()["error"]["field"] == "cursor", (key, response.text)
    outside = {"pk": {"S": timeline}, "sk": {"S": "ZZZ-outside-the-events"}}
    response = api.get(f"/incidents/{incident_id}/timeline", params={"cursor": cursor(outside)})
    assert response.status_code == 422 and response.json()["error"]["field"] == "cursor"
    inside = {"pk": {"S": timeline}, "sk": {"S": "EV#"}}
    assert api.get(f"/incidents/{incident_id}/timeline", params={"cursor": cursor(inside)}).status_code == 200
