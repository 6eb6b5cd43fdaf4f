"""Deploy events and their correlation with incidents."""

from __future__ import annotations

import httpx

from tests.integration.test_alert_to_incident import ALERT


def test_deploy_shortly_before_an_incident_is_correlated(api: httpx.Client):
    stored = api.post(
        "/webhook/deploy",
        json={
            "service": "payments-api",
            "namespace": "production",
            "image": "payments-api:v2.3.1",
            "actor": "ci-bot",
            "commit_sha": "abc123def456",
            "environment": "prod",
        },
    )
    assert stored.status_code == 200, stored.text
    deploy_id = stored.json()["deploy_id"]
    assert stored.json()["stored"]["actor"] == "ci-bot"

    incident_id = api.post("/webhook", json=ALERT).json()["incident_id"]
    incident = api.get(f"/incidents/{incident_id}").json()["incident"]
    assert incident["deploy_correlation"]["deploy_id"] == deploy_id
    correlation = api.get(f"/incidents/{incident_id}/deploy-correlation", params={"lookback_minutes": 30}).json()
    assert correlation["has_correlation"] is True
    assert correlation["correlated_deploy"]["actor"] == "ci-bot"
    assert correlation["message"].startswith("Deploy by ci-bot (payments-api) was")
    events = [event["event_type"] for event in api.get(f"/incidents/{incident_id}/timeline").json()["events"]]
    assert "deploy_correlated" in events

    recent = api.get("/webhook/deploy/recent").json()
    assert [deploy["deploy_id"] for deploy in recent["deploys"]] == [deploy_id]


def test_incident_of_a_service_without_deploys_has_no_correlation(api: httpx.Client):
    incident_id = api.post("/webhook", json=dict(ALERT, service="never-deployed")).json()["incident_id"]
    body = api.get(f"/incidents/{incident_id}/deploy-correlation").json()
    assert body["has_correlation"] is False and body["correlated_deploy"] is None


def test_deploy_without_service_is_422(api: httpx.Client):
    response = api.post("/webhook/deploy", json={"image": "x:1"})
    assert response.status_code == 422 and response.json()["error"]["field"] == "service"
