"""A real Prometheus Alertmanager notifies the platform (`aisre serve`) through its webhook; the incidents
are checked through the platform's HTTP API.

Alertmanager posts without custom headers, so everything lands in the `default` workspace: each test uses
alert names and services of its own, and looks only at those.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
import pytest

from tests.support.processes import Service

pytestmark = pytest.mark.e2e

WAIT_SECONDS = 30.0
POLL_SECONDS = 0.2

T = TypeVar("T")


# --- helpers -------------------------------------------------------------------------------------------


@pytest.fixture
def aisre(platform: Service) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=platform.url, timeout=10) as http:
        yield http


@pytest.fixture
def am(alertmanager: Service) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=alertmanager.url, timeout=10) as http:
        yield http


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def alert(labels: dict[str, str], starts_at: datetime, ends_at: datetime | None = None) -> dict[str, Any]:
    """One alert as Prometheus posts it to Alertmanager's API v2."""
    body: dict[str, Any] = {
        "labels": labels,
        "annotations": {
            "summary": f"{labels['alertname']} on {labels['service']} ({labels['pod']})",
            "description": "posted by the Alertmanager end-to-end test",
        },
        "startsAt": timestamp(starts_at),
        "generatorURL": f"http://prometheus.test/graph?g0.expr=up%7Bpod%3D%22{labels['pod']}%22%7D",
    }
    if ends_at is not None:
        body["endsAt"] = timestamp(ends_at)
    return body


def post_alerts(am: httpx.Client, alerts: list[dict[str, Any]]) -> None:
    response = am.post("/api/v2/alerts", json=alerts)
    assert response.status_code == 200, f"Alertmanager refused the alerts: {response.status_code} {response.text}"


def alertmanager_fingerprints(am: httpx.Client, alertname: str) -> dict[str, str]:
    """pod label -> Alertmanager's fingerprint, for the alerts it holds under this name."""
    response = am.get("/api/v2/alerts", params={"filter": f'alertname="{alertname}"'})
    assert response.status_code == 200, response.text
    return {item["labels"]["pod"]: item["fingerprint"] for item in response.json()}


def incidents_named(aisre: httpx.Client, alertname: str, state: str | None = None) -> list[dict[str, Any]]:
    """The platform's incidents whose alertname label is this one (every page)."""
    found: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 100}
    if state is not None:
        params["state"] = state
    while True:
        response = aisre.get("/incidents", params=params)
        assert response.status_code == 200, f"GET /incidents {params}: {response.status_code} {response.text}"
        body = response.json()
        found += [item for item in body["incidents"] if item.get("labels", {}).get("alertname") == alertname]
        if not body.get("next_cursor"):
            return found
        params["cursor"] = body["next_cursor"]


def incident(aisre: httpx.Client, incident_id: str) -> dict[str, Any]:
    response = aisre.get(f"/incidents/{incident_id}")
    assert response.status_code == 200, f"GET /incidents/{incident_id}: {response.status_code} {response.text}"
    found: dict[str, Any] = response.json()["incident"]
    return found


def timeline(aisre: httpx.Client, incident_id: str) -> list[dict[str, Any]]:
    response = aisre.get(f"/incidents/{incident_id}/timeline")
    assert response.status_code == 200, f"GET /incidents/{incident_id}/timeline: {response.text}"
    events: list[dict[str, Any]] = response.json()["events"]
    return events


def event_types(events: list[dict[str, Any]]) -> list[str]:
    """The alert path's events; `aisre serve` also investigates each new incident, asynchronously, and
    those diagnosis_* events land on the timeline at their own pace."""
    return [event["event_type"] for event in events if not event["event_type"].startswith("diagnosis_")]


def notification_metrics(am: httpx.Client) -> str:
    """Alertmanager's own count of webhook notifications sent and failed: why nothing arrived, if nothing did."""
    try:
        text = am.get("/metrics").text
    except httpx.HTTPError as error:
        return f"(no metrics: {error!r})"
    lines = [
        line
        for line in text.splitlines()
        if line.startswith(("alertmanager_notifications_total", "alertmanager_notifications_failed_total"))
        and 'integration="webhook"' in line
    ]
    return "\n".join(lines) or "(no webhook notification metrics)"


def eventually(probe: Callable[[], tuple[bool, T]], what: str, am: httpx.Client, timeout: float = WAIT_SECONDS) -> T:
    """Poll probe() -> (done, observed) until done; fail with what was last observed, and Alertmanager's
    notification counters, when the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        done, observed = probe()
        if done:
            return observed
        if time.monotonic() > deadline:
            pytest.fail(
                f"within {timeout:.0f} s, {what}.\nThe platform last returned:\n"
                f"{json.dumps(observed, indent=2, default=str)}\n"
                f"Alertmanager's webhook notification counters:\n{notification_metrics(am)}",
                pytrace=False,
            )
        time.sleep(POLL_SECONDS)


# --- tests ---------------------------------------------------------------------------------------------


def test_grouped_alerts_open_correlated_incidents_and_resolve_them(aisre: httpx.Client, am: httpx.Client) -> None:
    alertname, service = unique("E2EPodCrashLooping"), unique("checkout-")
    started = datetime.now(UTC)
    labels = {
        pod: {"alertname": alertname, "service": service, "namespace": "e2e", "pod": pod, "severity": "critical"}
        for pod in ("checkout-7d9f-a", "checkout-7d9f-b")
    }
    post_alerts(am, [alert(pod_labels, started) for pod_labels in labels.values()])

    # Alertmanager notifies after group_wait: one notification carrying both alerts.
    def opened() -> tuple[bool, list[dict[str, Any]]]:
        found = incidents_named(aisre, alertname, "open")
        return len(found) >= 2, found

    found = eventually(opened, f"the platform did not open two incidents for {alertname}", am)
    assert len(found) == 2, f"one incident per alert, no more: {found}"

    # Each incident carries Alertmanager's fingerprint of its alert.
    fingerprints = alertmanager_fingerprints(am, alertname)
    assert set(fingerprints) == set(labels), fingerprints
    by_pod = {item["labels"]["pod"]: item for item in found}
    assert set(by_pod) == set(labels), found
    for pod, item in by_pod.items():
        assert item["fingerprint"] == fingerprints[pod], (pod, item, fingerprints)
        assert item["service"] == service and item["severity"] == "critical", item
        assert item["state"] == "open", item
    assert fingerprints[sorted(labels)[0]] != fingerprints[sorted(labels)[1]]

    # The same service, within the correlation window: the second is grouped under the first.
    roots = [item for item in found if item["group_id"] is None]
    children = [item for item in found if item["group_id"] is not None]
    assert len(roots) == 1 and len(children) == 1, f"one root and one child: {found}"
    root, child = roots[0], children[0]
    assert child["group_id"] == root["id"], found
    assert child["correlation_reason"] == "same_service_within_window", child
    group = aisre.get(f"/incidents/{root['id']}/group").json()
    assert [link["incident_id"] for link in group["children"]] == [child["id"]], group
    for item in found:
        detail = incident(aisre, item["id"])
        assert detail["alert_count"] == 1, detail
        assert detail["labels"] == labels[item["labels"]["pod"]], detail
        assert detail["annotations"]["summary"].startswith(alertname), detail
        events = timeline(aisre, item["id"])
        # Written in one go, these share a timestamp: their order among themselves is not asserted.
        grouped = ["incident_grouped"] if item is child else []
        assert sorted(event_types(events)) == sorted(["alert_received", "incident_created", *grouped]), events
        received = next(event for event in events if event["event_type"] == "alert_received")
        assert received["payload"]["status"] == "firing", received
        assert received["payload"]["provider"] == "alertmanager", received
        assert received["payload"]["fingerprint"] == item["fingerprint"], received
        if grouped:
            grouping = next(event for event in events if event["event_type"] == "incident_grouped")
            assert grouping["payload"]["parent_id"] == root["id"], grouping

    # Prometheus stops firing: the same alerts, ended now. Alertmanager sends them resolved.
    ended = datetime.now(UTC)
    post_alerts(am, [alert(pod_labels, started, ended) for pod_labels in labels.values()])

    def resolved() -> tuple[bool, list[dict[str, Any]]]:
        current = [incident(aisre, item["id"]) for item in found]
        return all(item["state"] == "resolved" for item in current), current

    current = eventually(resolved, f"the platform did not resolve both incidents of {alertname}", am)
    for item in current:
        assert item["resolved_at"] is not None, item
        events = timeline(aisre, item["id"])
        types = event_types(events)
        assert types.count("incident_resolved") == 1, events
        assert types.count("incident_created") == 1, events
        resolution = next(event for event in events if event["event_type"] == "incident_resolved")
        assert resolution["actor"].startswith("alertmanager"), resolution
        statuses = [event["payload"].get("status") for event in events if event["event_type"] == "alert_received"]
        assert statuses == ["firing", "resolved"], events

    assert incidents_named(aisre, alertname, "open") == []
    assert {item["id"] for item in incidents_named(aisre, alertname, "resolved")} == {root["id"], child["id"]}


def test_refiring_alert_folds_into_its_open_incident(aisre: httpx.Client, am: httpx.Client) -> None:
    alertname, service = unique("E2EHighLatency"), unique("payments-")
    started = datetime.now(UTC)

    def labels(pod: str) -> dict[str, str]:
        return {"alertname": alertname, "service": service, "namespace": "e2e", "pod": pod, "severity": "warning"}

    first = alert(labels("payments-1"), started)
    post_alerts(am, [first])

    def opened() -> tuple[bool, list[dict[str, Any]]]:
        found = incidents_named(aisre, alertname)
        return len(found) >= 1, found

    found = eventually(opened, f"the platform did not open an incident for {alertname}", am)
    assert len(found) == 1 and found[0]["state"] == "open", found
    first_incident = found[0]
    first_fingerprint = alertmanager_fingerprints(am, alertname)["payments-1"]
    assert first_incident["fingerprint"] == first_fingerprint, (first_incident, first_fingerprint)

    # Prometheus re-sends the firing alert (it does on every evaluation). Alertmanager only notifies again
    # when the group changes (or after repeat_interval): a second alert joins the group, and the next
    # notification carries both, the first one firing again.
    post_alerts(am, [first])
    post_alerts(am, [first, alert(labels("payments-2"), datetime.now(UTC))])

    def renotified() -> tuple[bool, dict[str, Any]]:
        named = incidents_named(aisre, alertname)
        refired = incident(aisre, first_incident["id"])
        return (
            refired["alert_count"] >= 2 and any(item["labels"]["pod"] == "payments-2" for item in named),
            {"first_incident": refired, "incidents_named": named},
        )

    eventually(renotified, f"Alertmanager's second notification for {alertname} did not reach the platform", am)

    named = incidents_named(aisre, alertname)
    of_first = [item for item in named if item["fingerprint"] == first_fingerprint]
    assert [item["id"] for item in of_first] == [first_incident["id"]], f"the re-fired alert opened another: {named}"
    open_named = incidents_named(aisre, alertname, "open")
    assert len(open_named) == 2, f"one open incident per alert: {open_named}"
    second = next(item for item in open_named if item["labels"]["pod"] == "payments-2")
    assert second["fingerprint"] == alertmanager_fingerprints(am, alertname)["payments-2"], second
    assert second["group_id"] == first_incident["id"], f"grouped under the first (same service): {second}"

    refired = incident(aisre, first_incident["id"])
    assert refired["state"] == "open" and refired["group_id"] is None, refired
    events = timeline(aisre, first_incident["id"])
    types = event_types(events)
    assert types.count("incident_created") == 1, events
    assert types.count("alert_received") == refired["alert_count"], events
    assert all(
        event["payload"]["fingerprint"] == first_fingerprint
        for event in events
        if event["event_type"] == "alert_received"
    ), events
