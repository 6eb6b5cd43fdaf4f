"""Bad input gets a clear 4xx naming the problem, and the raw payload is kept in the dead-letter store."""

from __future__ import annotations

import httpx

from tests.integration.test_alert_to_incident import ALERT


def dead_letters(api: httpx.Client) -> list[dict]:
    return api.get("/webhook/dead-letter").json()["entries"]


def test_malformed_json_is_400_and_dead_lettered_byte_for_byte(api: httpx.Client):
    raw = b'{"title": "half an alert",'
    response = api.post("/webhook", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"] == {
        "type": "PayloadError",
        "message": "malformed JSON at line 1 column 27: Expecting property name enclosed in double quotes",
        "field": "body",
    }
    [entry] = dead_letters(api)
    assert entry["payload"] == raw.decode() and entry["error_type"] == "PayloadError" and entry["status_code"] == 400
    assert entry["source"] == "webhook"


def test_unknown_source_is_400_and_names_the_known_ones(api: httpx.Client):
    response = api.post("/webhook", json=ALERT, headers={"X-Source": "nagios"})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "source" and "alertmanager" in response.json()["detail"]
    assert dead_letters(api)[0]["source"] == "nagios"


def test_payload_fitting_no_shape_is_400(api: httpx.Client):
    response = api.post("/webhook/alertmanager", json={"hello": "world"})
    assert response.status_code == 400 and response.json()["error"]["field"] == "alerts"
    response = api.post("/webhook", json={"description": "no title anywhere"})
    assert response.status_code == 400 and response.json()["error"]["field"] == "title"
    assert len(dead_letters(api)) == 2


def test_unusable_field_value_is_422_and_dead_lettered(api: httpx.Client):
    response = api.post("/webhook", json=dict(ALERT, labels="not-an-object"))
    assert response.status_code == 422 and response.json()["error"]["field"] == "labels"
    assert dead_letters(api)[0]["status_code"] == 422


def test_body_over_one_megabyte_is_413(api: httpx.Client):
    huge = b'{"title": "' + b"x" * (1024 * 1024) + b'"}'
    response = api.post("/webhook", content=huge, headers={"content-type": "application/json"})
    assert response.status_code == 413 and response.json()["error"]["type"] == "PayloadTooLargeError"


def test_replay_of_a_payload_that_still_fails_keeps_the_entry_and_says_why(api: httpx.Client):
    api.post("/webhook/grafana", json={"nothing": "useful"})
    [entry] = dead_letters(api)
    replay = api.post(f"/webhook/dead-letter/{entry['id']}/replay")
    assert replay.status_code == 400
    [after] = dead_letters(api)
    assert after["replay_count"] == 1 and after["replay_result"]["ok"] is False


def test_replay_of_a_payload_that_failed_for_a_passing_reason_creates_the_incident(api: httpx.Client, workspace: str):
    # A delivery that failed while storage was down is dead-lettered as received; replay finishes the job.
    from aisre.alerts.providers import alert_intake
    from aisre.core.errors import StorageError
    from aisre.core.scope import default_scope

    body = httpx.Request("POST", "http://x", json=dict(ALERT, title="Replayed alert")).content
    entry = (
        default_scope()
        .get(alert_intake)
        .dead_letter(workspace, "webhook", body, "application/json", StorageError("table unavailable"), status_code=503)
    )
    replay = api.post(f"/webhook/dead-letter/{entry.id}/replay")
    assert replay.status_code == 200, replay.text
    incident_id = replay.json()["result"]["incident_id"]
    assert api.get(f"/incidents/{incident_id}").json()["incident"]["title"] == "Replayed alert"
    assert api.get(f"/webhook/dead-letter/{entry.id}").json()["replay_result"]["incident_id"] == incident_id


def test_large_binary_payload_is_kept_whole(api: httpx.Client):
    import os

    raw = os.urandom(700 * 1024)  # incompressible, over DynamoDB's item size: stored in parts
    response = api.post("/webhook", content=raw, headers={"content-type": "application/octet-stream"})
    assert response.status_code == 400
    [entry] = dead_letters(api)
    assert entry["size_bytes"] == len(raw)
    from aisre.alerts.providers import dead_letter_service
    from aisre.core.scope import default_scope

    assert default_scope().get(dead_letter_service).get(None, entry["id"]).body == raw


def test_unknown_dead_letter_is_404(api: httpx.Client):
    assert api.post("/webhook/dead-letter/dlq-000000000000/replay").status_code == 404


BAD_JSON_BODIES = {
    "nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
    "nested 65 deep": b'{"title": "x", "labels": ' + b"[" * 65 + b"]" * 65 + b"}",
    "an integer of 5,000 digits": b'{"title": "x", "count": ' + b"9" * 5000 + b"}",
    "a lone surrogate": b'{"title": "x", "description": "\\ud800"}',
    "NaN": b'{"title": "x", "value": NaN}',
    "Infinity": b'{"title": "x", "value": -Infinity}',
    "a float out of range": b'{"title": "x", "value": 1e999}',
    "no alerts": b"[]",
}


def test_json_no_tool_sends_is_400_named_and_dead_lettered_and_the_list_still_reads(api: httpx.Client, workspace: str):
    for case, raw in BAD_JSON_BODIES.items():
        response = api.post("/webhook", content=raw, headers={"content-type": "application/json"})
        assert response.status_code == 400, (case, response.status_code, response.text[:200])
        assert response.json()["error"]["type"] == "PayloadError", case
    listed = api.get("/webhook/dead-letter", params={"limit": 100})
    assert listed.status_code == 200
    entries = listed.json()["entries"]
    assert len(entries) == len(BAD_JSON_BODIES)
    assert sorted(entry["size_bytes"] for entry in entries) == sorted(len(raw) for raw in BAD_JSON_BODIES.values())
    for entry in entries:  # each one reads, and replays (failing again, with its reason), whatever bytes it holds
        assert api.get(f"/webhook/dead-letter/{entry['id']}").status_code == 200
        replay = api.post(f"/webhook/dead-letter/{entry['id']}/replay")
        assert replay.status_code == 400 and replay.json()["error"]["type"] == "PayloadError"
    assert api.get("/incidents", params={"workspace_id": workspace}).json()["count"] == 0


def test_metrics_labels_come_from_a_closed_set(api: httpx.Client, base_url: str):
    import uuid

    made_up = [f"nagios-{uuid.uuid4().hex[:8]}" for _ in range(3)]
    for source in made_up:
        assert api.post(f"/webhook/{source}", json=ALERT).status_code == 400
    api.request("PROPFIND", "/webhook")  # a method HTTP parsers know and no route answers
    exposition = httpx.get(f"{base_url}/metrics").text
    assert not any(source in exposition for source in made_up)
    assert 'aisre_alerts_dead_lettered_total{source="unknown"}' in exposition
    assert 'method="PROPFIND"' not in exposition and 'method="OTHER"' in exposition


def test_more_alerts_in_one_payload_than_the_cap_is_413_and_dead_lettered(serve_with_settings, workspace: str):
    alert = {"status": "firing", "labels": {"alertname": "Storm", "service": "s"}, "annotations": {}}
    payload = {"status": "firing", "alerts": [dict(alert, fingerprint=f"fp-{index}") for index in range(4)]}
    with (
        serve_with_settings(max_alerts_per_payload=3) as url,
        httpx.Client(timeout=60, base_url=url, headers={"X-Workspace-Id": workspace}) as http,
    ):
        response = http.post("/webhook/alertmanager", json=payload)
        assert response.status_code == 413
        assert response.json()["error"] == {
            "type": "PayloadTooLargeError",
            "message": "the payload holds 4 alerts, more than 3 (MAX_ALERTS_PER_PAYLOAD): "
            "send them in several requests",
            "field": "alerts",
        }
        [entry] = http.get("/webhook/dead-letter").json()["entries"]
        assert entry["status_code"] == 413 and entry["error_type"] == "PayloadTooLargeError"
        assert http.get("/incidents").json()["count"] == 0
        payload["alerts"] = payload["alerts"][:3]
        assert http.post("/webhook/alertmanager", json=payload).status_code == 200
