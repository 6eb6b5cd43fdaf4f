"""The alert-to-incident path over real HTTP against the emulator: dedup, correlation, resolution, concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.support.servers import client

ALERT: dict[str, Any] = {
    "title": "High CPU on payments-api",
    "description": "CPU usage > 90% for 5 minutes",
    "severity": "critical",
    "source": "prometheus",
    "namespace": "production",
    "pod": "payments-api-7d8f9c6b5-x2k4m",
    "deployment": "payments-api",
    "service": "payments-api",
}


def alertmanager_payload(status: str, *alerts: tuple[str, str, str]) -> dict[str, Any]:
    """(alertname, fingerprint, service) triples as one Alertmanager v4 notification."""
    return {
        "version": "4",
        "groupKey": '{}:{alertname="x"}',
        "status": status,
        "receiver": "aisre",
        "groupLabels": {},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "alerts": [
            {
                "status": status,
                "labels": {"alertname": name, "namespace": "production", "service": service, "severity": "critical"},
                "annotations": {"summary": f"{name} on {service}"},
                "startsAt": "2026-01-01T00:00:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus:9090/graph",
                "fingerprint": fingerprint,
            }
            for name, fingerprint, service in alerts
        ],
    }


def test_generic_alert_opens_an_incident_and_a_repeat_folds_into_it(api: httpx.Client):
    first = api.post("/webhook", json=ALERT)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["ok"] is True and body["incident_id"].startswith("inc-")
    assert (body["deduplicated"], body["dedup_strategy"], body["group_id"]) == (False, None, None)

    again = api.post("/webhook", json=dict(ALERT, description="CPU usage > 95% for 5 minutes")).json()
    assert again["incident_id"] == body["incident_id"]
    assert (again["deduplicated"], again["dedup_strategy"]) == (True, "identity_fingerprint")

    detail = api.get(f"/incidents/{body['incident_id']}").json()
    assert detail["incident"]["alert_count"] == 2
    assert detail["incident"]["state"] == "open" and detail["incident"]["severity"] == "critical"
    events = api.get(f"/incidents/{body['incident_id']}/timeline").json()["events"]
    assert [event["event_type"] for event in events] == ["alert_received", "incident_created", "alert_received"]
    assert events[0]["actor"] == "webhook:prometheus"


def test_alertmanager_notification_with_several_alerts_reports_each(api: httpx.Client):
    payload = alertmanager_payload(
        "firing", ("PodCrashLooping", "fp-a1", "checkout"), ("HighLatency", "fp-a2", "checkout")
    )
    response = api.post("/webhook/alertmanager", json=payload)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["alerts_received"] == 2 and len(body["alerts"]) == 2
    root, child = body["alerts"]
    assert root["action"] == "created" and root["group_id"] is None
    # Same service, inside the window: the second becomes a child of the first.
    assert child["action"] == "created" and child["group_id"] == root["incident_id"]
    group = api.get(f"/incidents/{root['incident_id']}/group").json()
    assert group["is_parent"] is True
    assert [entry["incident_id"] for entry in group["children"]] == [child["incident_id"]]
    assert group["children"][0]["correlation_reason"] == "same_service_within_window"
    assert api.get(f"/incidents/{child['incident_id']}/group").json()["parent_id"] == root["incident_id"]
    # Provider fingerprints are used as given.
    assert api.get(f"/incidents/{root['incident_id']}").json()["incident"]["fingerprint"] == "fp-a1"


def test_x_source_header_and_path_source_read_the_same_provider(api: httpx.Client):
    payload = alertmanager_payload("firing", ("DiskFull", "fp-disk", "db"))
    by_header = api.post("/webhook", json=payload, headers={"X-Source": "alertmanager"}).json()
    by_path = api.post("/webhook/alertmanager", json=payload).json()
    assert by_path["incident_id"] == by_header["incident_id"] and by_path["deduplicated"] is True
    assert by_path["dedup_strategy"] == "provider_fingerprint"


def test_resolved_alert_resolves_the_incident_and_a_new_firing_opens_a_new_one(api: httpx.Client):
    opened = api.post("/webhook/alertmanager", json=alertmanager_payload("firing", ("Down", "fp-r1", "auth"))).json()
    api.post("/webhook/alertmanager", json=alertmanager_payload("firing", ("Down", "fp-r1", "auth")))
    resolved = api.post(
        "/webhook/alertmanager", json=alertmanager_payload("resolved", ("Down", "fp-r1", "auth"))
    ).json()
    assert resolved["incident_id"] == opened["incident_id"]
    incident = api.get(f"/incidents/{opened['incident_id']}").json()["incident"]
    assert incident["state"] == "resolved" and incident["resolved_at"] is not None
    assert incident["alert_count"] == 3  # two firings and the resolution, counted on the claim then copied

    reopened = api.post("/webhook/alertmanager", json=alertmanager_payload("firing", ("Down", "fp-r1", "auth"))).json()
    assert reopened["incident_id"] != opened["incident_id"] and reopened["deduplicated"] is False
    # The resolved root released the service's anchor: the new incident is a root, not a child.
    assert reopened["group_id"] is None


def test_resolution_without_an_open_incident_is_acknowledged_and_changes_nothing(api: httpx.Client):
    body = api.post("/webhook/alertmanager", json=alertmanager_payload("resolved", ("Ghost", "fp-ghost", "x"))).json()
    assert body["ok"] is True and body["incident_id"] is None
    assert api.get("/incidents").json()["count"] == 0


def test_eight_simultaneous_deliveries_make_one_incident(api: httpx.Client, base_url: str, workspace: str):
    def deliver(_: int) -> dict[str, Any]:
        with client(base_url, **{"X-Workspace-Id": workspace}) as http:
            response = http.post("/webhook", json=ALERT)
            assert response.status_code == 200, response.text
            return response.json()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(deliver, range(8)))
    incident_ids = {result["incident_id"] for result in results}
    assert len(incident_ids) == 1
    assert sum(not result["deduplicated"] for result in results) == 1
    listed = api.get("/incidents").json()
    assert listed["count"] == 1
    assert api.get(f"/incidents/{incident_ids.pop()}").json()["incident"]["alert_count"] == 8


def test_simultaneous_alerts_of_one_service_group_under_exactly_one_root(base_url: str, workspace: str):
    def deliver(index: int) -> dict[str, Any]:
        with client(base_url, **{"X-Workspace-Id": workspace}) as http:
            return http.post("/webhook", json=dict(ALERT, title=f"Symptom {index} on payments-api")).json()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(deliver, range(8)))
    roots = [result for result in results if result["group_id"] is None]
    assert len(roots) == 1
    assert {result["group_id"] for result in results if result["group_id"]} == {roots[0]["incident_id"]}


def test_workspaces_do_not_see_each_other(base_url: str):
    with (
        client(base_url, **{"X-Workspace-Id": "ws-iso-a"}) as a,
        client(base_url, **{"X-Workspace-Id": "ws-iso-b"}) as b,
    ):
        created = a.post("/webhook", json=dict(ALERT, title="Isolation check")).json()
        # Same alert in another workspace is a separate incident, not a duplicate.
        other = b.post("/webhook", json=dict(ALERT, title="Isolation check")).json()
        assert other["incident_id"] != created["incident_id"] and other["deduplicated"] is False
        listed = a.get("/incidents", params={"workspace_id": "ws-iso-a"}).json()["incidents"]
        assert {item["workspace_id"] for item in listed} == {"ws-iso-a"}
