"""A payload over MAX_ALERTS_PER_PAYLOAD is refused 413 and dead-lettered (Alertmanager does not retry a 4xx);
replaying the entry, an operator's decision, ingests all of it in chunks of the cap."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.integration.test_alert_to_incident import alertmanager_payload


def storm(run: str, count: int, service: str) -> dict[str, Any]:
    return alertmanager_payload("firing", *[(f"Storm{run}", f"{run}-{index:05d}", service) for index in range(count)])


def test_replay_of_an_over_cap_payload_ingests_it_in_chunks_of_the_cap(
    serve_with_settings: Any, local_stack: Any, workspace: str
):
    run = uuid.uuid4().hex[:6]
    with (
        serve_with_settings(max_alerts_per_payload=50) as url,
        httpx.Client(base_url=url, headers={"X-Workspace-Id": workspace}, timeout=120) as http,
    ):
        refused = http.post("/webhook/alertmanager", json=storm(run, 250, f"svc-{run}"))
        assert refused.status_code == 413 and refused.json()["error"]["field"] == "alerts"
        [entry] = http.get("/webhook/dead-letter").json()["entries"]
        assert entry["status_code"] == 413

        local_stack.reset_request_counts()
        replay = http.post(f"/webhook/dead-letter/{entry['id']}/replay")
        assert replay.status_code == 200, replay.text[:500]
        batch_reads = local_stack.request_counts()["by_operation"].get("dynamodb:BatchGetItem")
        # Five chunks of 50 (each its 50 fingerprints, one anchor, one deploy: one read), not 250 at once.
        assert batch_reads == 5

        result = replay.json()["result"]
        assert result["alerts_received"] == 250 and len(result["alerts"]) == 250
        assert [outcome["fingerprint"] for outcome in result["alerts"]] == [f"{run}-{i:05d}" for i in range(250)]
        assert {outcome["action"] for outcome in result["alerts"]} == {"created"}
        # Correlation across chunks: one root for the service, every other incident its child.
        roots = [outcome for outcome in result["alerts"] if outcome["group_id"] is None]
        assert len(roots) == 1 and roots[0] == result["alerts"][0]

        # 250 outcomes would not fit the entry's item: it records them counted.
        after = http.get(f"/webhook/dead-letter/{entry['id']}").json()
        assert after["replay_count"] == 1
        assert after["replay_result"]["alerts_by_action"] == {"created": 250}
        assert "alerts" not in after["replay_result"]

        # Replaying again folds: nothing acknowledged twice becomes two incidents.
        again = http.post(f"/webhook/dead-letter/{entry['id']}/replay").json()["result"]
        assert {outcome["action"] for outcome in again["alerts"]} == {"deduplicated"}
        listed, cursor, total = None, None, 0
        while listed is None or cursor:
            listed = http.get("/incidents", params={"limit": 100, **({"cursor": cursor} if cursor else {})}).json()
            total += listed["count"]
            cursor = listed["next_cursor"]
        assert total == 250


def test_a_small_replay_keeps_every_outcome_on_its_entry(serve_with_settings: Any, workspace: str):
    run = uuid.uuid4().hex[:6]
    with (
        serve_with_settings(max_alerts_per_payload=3) as url,
        httpx.Client(base_url=url, headers={"X-Workspace-Id": workspace}, timeout=60) as http,
    ):
        assert http.post("/webhook/alertmanager", json=storm(run, 7, f"svc-{run}")).status_code == 413
        [entry] = http.get("/webhook/dead-letter").json()["entries"]
        assert http.post(f"/webhook/dead-letter/{entry['id']}/replay").status_code == 200
        recorded = http.get(f"/webhook/dead-letter/{entry['id']}").json()["replay_result"]
        assert len(recorded["alerts"]) == 7 and "alerts_by_action" not in recorded
