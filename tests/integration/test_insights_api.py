"""Insights over HTTP against the local stack: pilot metrics (JSON and CSV), the overview, the adapters and seed 002's
analytics, on a workspace where one incident is resolved by a person, one by its alerts and one is still open."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.integration.test_alert_to_incident import ALERT, alertmanager_payload


def make_story(api: httpx.Client) -> dict[str, Any]:
    """payments-api: three alerts, acknowledged then resolved by a person; auth: fired then resolved by its alert;
    search: one warning, still open. Returns the incidents as /incidents lists them."""
    for _ in range(3):
        assert api.post("/webhook", json=ALERT).status_code == 200
    person = api.get("/incidents").json()["incidents"][0]["id"]
    assert api.post(f"/incidents/{person}/acknowledge", json={}).status_code == 200
    assert api.post(f"/incidents/{person}/resolve", json={"note": "scaled up"}).status_code == 200
    fired = api.post("/webhook/alertmanager", json=alertmanager_payload("firing", ("Down", "fp-ins-auth", "auth")))
    by_alert = fired.json()["incident_id"]
    gone = api.post("/webhook/alertmanager", json=alertmanager_payload("resolved", ("Down", "fp-ins-auth", "auth")))
    assert gone.json()["incident_id"] == by_alert
    search = dict(ALERT, title="Slow queries on search", service="search", severity="warning", deployment="search")
    assert api.post("/webhook", json=search).status_code == 200
    listed = api.get("/incidents", params={"limit": 100}).json()["incidents"]
    assert len(listed) == 3
    return {"person": person, "by_alert": by_alert, "incidents": listed}


def test_pilot_metrics_count_the_story(api: httpx.Client, workspace: str) -> None:
    story = make_story(api)
    response = api.get("/metrics/export", params={"days": 7})
    assert response.status_code == 200, response.text
    body = response.json()
    alerts = sum(incident["alert_count"] for incident in story["incidents"])
    assert body["workspace_id"] == workspace and body["days"] == 7 and body["truncated"] is False
    assert body["incidents"] == 3
    assert body["alerts_received"] == alerts and alerts >= 5
    assert body["compression_ratio"] == round(alerts / 3, 4)
    assert body["incidents_by_service"] == {"auth": 1, "payments-api": 1, "search": 1}
    assert body["incidents_by_severity"] == {"critical": 2, "warning": 1}
    assert body["incidents_by_state"] == {"resolved": 2, "open": 1}
    assert (body["resolved"], body["resolved_by_alert"], body["resolved_by_person"]) == (2, 1, 1)
    assert body["auto_resolved_share"] == 0.5
    assert body["mtta"]["count"] == 1 and body["mtta"]["mean_minutes"] is not None
    assert body["mttr"]["count"] == 2 and body["mttr"]["mean_minutes"] >= 0
    assert body["since"].endswith("T00:00:00Z") and body["until"].endswith("Z")


def test_pilot_metrics_as_csv_with_a_header_row(api: httpx.Client) -> None:
    make_story(api)
    response = api.get("/metrics/export", params={"format": "csv", "days": 1})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["metric", "dimension", "value"]
    figures = {(metric, dimension): value for metric, dimension, value in rows[1:]}
    assert figures[("incidents", "")] == "3"
    assert figures[("resolved_by_person", "")] == "1"
    assert figures[("incidents_by_service", "auth")] == "1"


def test_an_empty_workspace_has_no_ratios_and_every_day_at_zero(api: httpx.Client) -> None:
    body = api.get("/metrics/export").json()
    assert body["days"] == 30 and body["incidents"] == 0
    assert body["compression_ratio"] is None and body["auto_resolved_share"] is None
    timeline = api.get("/api/v1/analytics/tasks/timeline", params={"days": 90}).json()
    assert len(timeline["timeline"]) == 90 and timeline["total"] == 0
    assert all(point["created"] == 0 for point in timeline["timeline"])


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/metrics/export", {"days": 0}, "days"),
        ("/metrics/export", {"days": 91}, "days"),
        ("/metrics/export", {"days": "week"}, "days"),
        ("/metrics/export", {"format": "xlsx"}, "format"),
        ("/platform/overview", {"days": -1}, "days"),
        ("/api/v1/analytics/overview", {"days": 10**20}, "days"),
        ("/api/v1/analytics/tasks/timeline", {"days": "1.5"}, "days"),
        ("/adapters", {"workspace_id": "not a workspace!"}, "workspace_id"),
    ],
)
def test_bad_query_values_are_422_naming_the_field(api: httpx.Client, path: str, params: dict[str, Any], field: str):
    response = api.get(path, params=params)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"].endswith(field)


def test_analytics_overview_maps_tasks_to_incidents(api: httpx.Client) -> None:
    make_story(api)
    body = api.get("/api/v1/analytics/overview").json()
    assert body["days"] == 7
    assert body["tasks"] == {
        "total": 3,
        "by_status": {"open": 1, "acknowledged": 0, "resolved": 2},
        "completed": 2,
        "completion_rate": round(2 / 3, 4),
    }
    assert body["auto_resolved_share"] == 0.5 and body["mtta_minutes"] is not None
    assert body["by_service"] == {"auth": 1, "payments-api": 1, "search": 1}


def test_tasks_timeline_counts_today(api: httpx.Client) -> None:
    make_story(api)
    body = api.get("/api/v1/analytics/tasks/timeline", params={"days": 3}).json()
    assert [point["date"] for point in body["timeline"]][-1] == datetime.now(UTC).date().isoformat()
    assert len(body["timeline"]) == 3 and body["total"] == 3
    assert body["timeline"][-1]["created"] == 3 and body["timeline"][-1]["resolved"] == 2


def test_platform_overview(api: httpx.Client, workspace: str) -> None:
    story = make_story(api)
    created = api.post(
        "/api/v1/notifications/channels",
        json={"name": "ops", "type": "slack", "config": {"webhook_url": "https://hooks.slack.com/services/T/B/x"}},
    )
    assert created.status_code in (200, 201), created.text
    response = api.get("/platform/overview")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["incidents"] == {
        "total": 3,
        "by_state": {"resolved": 2, "open": 1},
        "by_severity": {"critical": 2, "warning": 1},
        "truncated": False,
    }
    assert body["active"] == {"open": 1, "acknowledged": 0, "truncated": False}
    assert body["approvals"] == {"pending": 0, "truncated": False}
    assert body["health"]["checks"]["table"]["status"] == "ok"
    assert body["integrations"]["workspace_id"] == workspace
    assert body["integrations"]["channels"] == 1 and body["integrations"]["channel_types"] == ["slack"]
    actions = [(item["incident_id"], item["action"]) for item in body["recent_activity"]]
    assert actions[:2] == [(story["person"], "resolve"), (story["person"], "acknowledge")]


def test_adapters_list_the_registries_and_what_is_configured(api: httpx.Client) -> None:
    body = api.get("/adapters").json()
    assert {"alertmanager", "datadog", "grafana", "newrelic", "opsgenie", "pagerduty", "prometheus", "webhook"} <= set(
        body["alert_sources"]
    )
    assert {"restart_pod", "scale_deployment"} <= set(body["action_names"])
    assert body["action_providers"] == ["kubernetes"]
    assert {"email", "pagerduty", "slack", "teams", "webhook"} <= set(body["notification_channels"])
    assert {"loki", "cloudwatch_logs", "kubernetes"} == set(body["log_backends"])
    assert set(body["configured"]["log_backends"]) <= set(body["log_backends"])
    assert body["configured"]["notification_channels"] == []
    api.post(
        "/api/v1/notifications/channels",
        json={"name": "mail", "type": "email", "config": {"to": ["a@example.com"]}},
    )
    assert api.get("/adapters").json()["configured"]["notification_channels"] == ["email"]
