"""One payload of many alerts: read in batches, repeats written once with their count, one transaction per new
incident, and the same outcomes as alert by alert (one incident per fingerprint, correlation, deploys)."""

from __future__ import annotations

import math
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.integration.test_alert_to_incident import alertmanager_payload


def dynamodb_counts(local_stack: Any) -> dict[str, int]:
    counts = local_stack.request_counts()["by_operation"]
    return {op.removeprefix("dynamodb:"): n for op, n in counts.items() if op.startswith("dynamodb:")}


def alert_events(api: httpx.Client, incident_id: str) -> list[dict[str, Any]]:
    events = api.get(f"/incidents/{incident_id}/timeline").json()["events"]
    return [event for event in events if event["event_type"] == "alert_received"]


def test_a_payload_reads_once_and_writes_each_fingerprint_once(api: httpx.Client, local_stack: Any):
    run = uuid.uuid4().hex[:6]
    services = [f"checkout-{run}", f"search-{run}", f"billing-{run}"]
    distinct = [(f"Alert{index}", f"{run}-fp{index}", services[index % 3]) for index in range(30)]
    # Every third fingerprint repeats twice more, the repeats spread through the payload.
    alerts = distinct + [item for item in distinct if int(item[1].rsplit("fp", 1)[1]) % 3 == 0] * 2
    local_stack.reset_request_counts()
    response = api.post("/webhook/alertmanager", json=alertmanager_payload("firing", *alerts))
    counts = dynamodb_counts(local_stack)
    assert response.status_code == 200, response.text
    # 30 fingerprints, 3 anchors and 3 latest deploys: one BatchGetItem (100 keys a request), not one per alert.
    assert counts == {"BatchGetItem": 1, "TransactWriteItems": 30}, counts

    outcomes = response.json()["alerts"]
    assert len(outcomes) == len(alerts) and response.json()["alerts_received"] == len(alerts)
    first_seen: dict[str, dict[str, Any]] = {}
    for item, outcome in zip(alerts, outcomes, strict=True):
        assert outcome["fingerprint"] == item[1]
        if item[1] not in first_seen:
            assert outcome["action"] == "created", outcome
            first_seen[item[1]] = outcome
        else:  # a repeat folded with its first: the same incident, deduplicated
            assert outcome["action"] == "deduplicated" and outcome["deduplicated"] is True, outcome
            assert outcome["incident_id"] == first_seen[item[1]]["incident_id"]
    # Correlation as alert by alert: per service, the first new incident is the root, the rest its children.
    for service in services:
        of_service = [first_seen[fp] for _name, fp, svc in distinct if svc == service]
        root = of_service[0]
        assert root["group_id"] is None
        assert {outcome["group_id"] for outcome in of_service[1:]} == {root["incident_id"]}
    # A fingerprint sent three times: one incident counting three alerts, one timeline event saying so.
    repeated = first_seen[f"{run}-fp0"]["incident_id"]
    assert api.get(f"/incidents/{repeated}").json()["incident"]["alert_count"] == 3
    [received] = alert_events(api, repeated)
    assert received["payload"]["count"] == 3
    assert api.get("/incidents", params={"limit": 100}).json()["count"] == 30


def test_many_keys_are_read_a_hundred_at_a_time(api: httpx.Client, local_stack: Any):
    run = uuid.uuid4().hex[:6]
    alerts = [(f"Alert{index}", f"{run}-many{index}", f"svc-{run}-{index % 10}") for index in range(150)]
    local_stack.reset_request_counts()
    response = api.post("/webhook/alertmanager", json=alertmanager_payload("firing", *alerts))
    assert response.status_code == 200, response.text
    keys = 150 + 10 + 10  # fingerprints, anchors, latest deploys
    assert dynamodb_counts(local_stack) == {"BatchGetItem": math.ceil(keys / 100), "TransactWriteItems": 150}


def test_fold_resolve_and_reopen_within_one_payload(api: httpx.Client):
    run = uuid.uuid4().hex[:6]
    service = f"auth-{run}"
    opened = api.post("/webhook/alertmanager", json=alertmanager_payload("firing", ("Down", f"{run}-a", service)))
    incident_a = opened.json()["incident_id"]
    firing = alertmanager_payload("firing", ("Down", f"{run}-a", service), ("Slow", f"{run}-b", service))
    resolved = alertmanager_payload("resolved", ("Down", f"{run}-a", service))
    # a repeats (folds into its open incident), b is new, a resolves, then a fires again: a new incident.
    payload = dict(firing, alerts=[*firing["alerts"], *resolved["alerts"], firing["alerts"][0], firing["alerts"][0]])
    response = api.post("/webhook/alertmanager", json=payload)
    assert response.status_code == 200, response.text
    actions = [(outcome["action"], outcome["incident_id"]) for outcome in response.json()["alerts"]]
    assert actions[0] == ("deduplicated", incident_a)
    assert actions[1][0] == "created"
    assert actions[2] == ("resolved", incident_a)
    assert actions[3][0] == "created" and actions[3][1] not in {incident_a, actions[1][1]}
    assert actions[4] == ("deduplicated", actions[3][1])
    first = api.get(f"/incidents/{incident_a}").json()["incident"]
    assert first["state"] == "resolved" and first["alert_count"] == 3  # opened, folded, resolved
    # b was a child of a (the service's root then); the new a is a root: a's resolution released the anchor.
    assert response.json()["alerts"][1]["group_id"] == incident_a
    assert response.json()["alerts"][3]["group_id"] is None
    assert api.get(f"/incidents/{actions[3][1]}").json()["incident"]["alert_count"] == 2


def test_deploy_correlation_in_a_payload(api: httpx.Client):
    run = uuid.uuid4().hex[:6]
    service = f"payments-{run}"
    assert api.post("/webhook/deploy", json={"service": service, "actor": "ci-bot", "image": "v2"}).status_code == 200
    alerts = [(f"Symptom{index}", f"{run}-dep{index}", service) for index in range(5)]
    response = api.post("/webhook/alertmanager", json=alertmanager_payload("firing", *alerts))
    for outcome in response.json()["alerts"]:
        incident = api.get(f"/incidents/{outcome['incident_id']}").json()["incident"]
        assert incident["deploy_correlation"]["service"] == service, incident
        assert incident["deploy_correlation"]["actor"] == "ci-bot"


def test_simultaneous_payloads_with_the_same_alerts_make_one_incident_each(base_url: str, workspace: str):
    run = uuid.uuid4().hex[:6]
    alerts = [(f"Race{index}", f"{run}-race{index}", f"svc-{run}-{index % 4}") for index in range(40)]
    payload = alertmanager_payload("firing", *alerts)

    def deliver(_: int) -> dict[str, Any]:
        with httpx.Client(base_url=base_url, headers={"X-Workspace-Id": workspace}, timeout=60) as http:
            response = http.post("/webhook/alertmanager", json=payload)
            assert response.status_code == 200, response.text
            return response.json()

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(deliver, range(4)))
    with httpx.Client(timeout=60, base_url=base_url, headers={"X-Workspace-Id": workspace}) as http:
        for index, (_name, fingerprint, _service) in enumerate(alerts):
            ids = {result["alerts"][index]["incident_id"] for result in results}
            assert len(ids) == 1, (fingerprint, ids)
            assert sum(result["alerts"][index]["action"] == "created" for result in results) == 1
            assert http.get(f"/incidents/{ids.pop()}").json()["incident"]["alert_count"] == 4
        listed = http.get("/incidents", params={"limit": 100}).json()
        assert listed["count"] == 40
        # One root per service, however the four deliveries interleaved.
        roots = [item for item in listed["incidents"] if item["group_id"] is None]
        assert sorted(item["service"] for item in roots) == sorted({service for _n, _f, service in alerts})


def test_a_storm_of_one_service_groups_under_its_first_alert(api: httpx.Client, local_stack: Any):
    # Its children are written side by side (they move no anchor), its root first.
    run = uuid.uuid4().hex[:6]
    service = f"storm-{run}"
    alerts = [(f"Pod{index}", f"{run}-pod{index}", service) for index in range(200)]
    local_stack.reset_request_counts()
    response = api.post("/webhook/alertmanager", json=alertmanager_payload("firing", *alerts))
    assert response.status_code == 200, response.text
    assert dynamodb_counts(local_stack) == {"BatchGetItem": 3, "TransactWriteItems": 200}
    root, *children = response.json()["alerts"]
    assert root["action"] == "created" and root["group_id"] is None and root["fingerprint"] == f"{run}-pod0"
    assert {child["group_id"] for child in children} == {root["incident_id"]}
    assert len({child["incident_id"] for child in children}) == 199
    group = api.get(f"/incidents/{root['incident_id']}/group").json()
    assert len(group["children"]) == 199


def test_a_root_resolved_mid_payload_hands_its_service_a_new_root(api: httpx.Client):
    run = uuid.uuid4().hex[:6]
    service = f"svc-{run}"
    firing = alertmanager_payload("firing", *[(f"A{index}", f"{run}-{index}", service) for index in range(4)])
    resolved = alertmanager_payload("resolved", ("A0", f"{run}-0", service))
    later = alertmanager_payload("firing", ("A9", f"{run}-9", service), ("A10", f"{run}-10", service))
    payload = dict(firing, alerts=[*firing["alerts"], *resolved["alerts"], *later["alerts"]])
    outcomes = api.post("/webhook/alertmanager", json=payload).json()["alerts"]
    first_root = outcomes[0]["incident_id"]
    assert [outcome["group_id"] for outcome in outcomes[1:4]] == [first_root] * 3
    assert outcomes[4] == outcomes[4] | {"action": "resolved", "incident_id": first_root}
    # The root's resolution released the anchor: the next new incident is the service's new root.
    assert outcomes[5]["group_id"] is None and outcomes[5]["incident_id"] != first_root
    assert outcomes[6]["group_id"] == outcomes[5]["incident_id"]
