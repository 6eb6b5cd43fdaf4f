"""POST /demo/seed over real HTTP on the local stack: the story's alerts become fewer incidents through the intake,
the main incident has a finished diagnosis (with the deploy and the earlier fix), its approval waits, the earlier
incident is resolved with its note, the dead letter is listed, checkout has someone on call; a second call answers the
same ids and makes nothing; two at once seed once; a scoped key is refused, an admin key may seed."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import httpx

from aisre.demo.model.story import build_story


def seeded(api: httpx.Client) -> dict[str, Any]:
    started = time.monotonic()
    response = api.post("/demo/seed")
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert body["created"] is True and time.monotonic() - started < 15
    return body


def diagnosis_of(api: httpx.Client, incident_id: str, within_seconds: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + within_seconds
    while True:
        response = api.get(f"/incidents/{incident_id}/diagnosis")
        if response.status_code == 200 or time.monotonic() > deadline:
            assert response.status_code == 200, response.text
            answer: dict[str, Any] = response.json()
            return answer
        time.sleep(0.2)


def all_incidents(api: httpx.Client) -> list[dict[str, Any]]:
    response = api.get("/incidents", params={"limit": 100})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["incidents"]
    return items


def test_the_seed_tells_the_whole_story(api: httpx.Client, workspace: str):
    seed = seeded(api)
    assert seed["workspace_id"] == workspace and seed["alerts_sent"] == build_story(seed_time(seed)).alerts_sent
    assert seed["skipped"] == [{"part": "slo", "reason": "SLOs are not configured in this version"}]

    # The storm, compressed by the platform: fewer incidents than alerts, three groups under their roots.
    incidents = {item["id"]: item for item in all_incidents(api)}
    storm = [item["id"] for item in seed["incidents"]]
    assert set(incidents) == {*storm, seed["resolved_incident_id"]}
    assert seed["incident_count"] == len(storm) == 6 < seed["alerts_sent"]
    assert sum(incidents[incident_id]["alert_count"] for incident_id in storm) == seed["alerts_sent"]
    roots = [item["id"] for item in seed["incidents"] if item["root"]]
    assert {incidents[root]["service"] for root in roots} == {"checkout", "payments", "orders-db"}
    main = incidents[seed["main_incident_id"]]
    assert main["service"] == "checkout" and main["group_id"] is None and main["state"] == "open"
    assert main["deploy_correlation"]["deploy_id"] == seed["deploy_id"]

    # Finished diagnoses: the roots', the main one with its cause, evidence, the deploy and the earlier fix.
    assert len(seed["investigation_ids"]) == len(roots)
    diagnosis = diagnosis_of(api, main["id"])
    assert diagnosis["root_cause"] and 0 < diagnosis["confidence"] <= 1 and "CrashLoopBackOff" in diagnosis["answer"]
    assert diagnosis["deploy_correlation"]["deploy_id"] == seed["deploy_id"]
    [earlier] = [item for item in diagnosis["similar_incidents"] if item["id"] == seed["resolved_incident_id"]]
    assert "Rolled back checkout" in earlier["resolution"]
    # The deploy is the change the analyzer concludes on: it proposes the rollback, whose approval the seed asked.
    [rollback] = [item for item in diagnosis["suggested_actions"] if item["name"] == "rollback_deployment"]
    assert rollback["approval_required"] is True and rollback["approval_id"] == seed["approval_id"]
    for root in roots:
        assert diagnosis_of(api, root)["investigated_incident_id"] == root
        investigation = api.get(f"/investigations/{seed['investigation_ids'][roots.index(root)]}").json()
        assert investigation["status"] == "succeeded" and investigation["incident_id"] == root

    # The approval waits, for the main incident's rollback.
    pending = api.get("/approvals").json()["approvals"]
    [approval] = [item for item in pending if item["id"] == seed["approval_id"]]
    assert (approval["status"], approval["incident_id"], approval["action"]) == (
        "pending",
        main["id"],
        "rollback_deployment",
    )
    assert approval["requested_by"] == "demo" and approval["arguments"]["deployment_name"] == "checkout"
    assert approval["dry_run"] is True  # the demo has no cluster to write to: approving it rehearses the rollback

    # The earlier incident, resolved with how.
    resolved = api.get(f"/incidents/{seed['resolved_incident_id']}").json()["incident"]
    assert resolved["state"] == "resolved"
    events = api.get(f"/incidents/{resolved['id']}/timeline").json()["events"]
    assert any(event["event_type"] == "incident_resolved" and "v2.11.2" in event["payload"]["note"] for event in events)

    # The dead letter, with its error; on call for checkout, now.
    entries = api.get("/webhook/dead-letter").json()["entries"]
    [entry] = [item for item in entries if item["id"] == seed["dead_letter_id"]]
    assert "alertname" in entry["error"] and entry["source"] == "alertmanager"
    oncall = api.get("/oncall/current", params={"service": "checkout"})
    assert oncall.status_code == 200, oncall.text
    assert (
        oncall.json()["oncall"] in {"alice", "bob", "carol"}
        and oncall.json()["policy_id"] == seed["escalation_policy_id"]
    )

    # Asked again: the same answer, nothing new.
    again = api.post("/demo/seed")
    assert again.status_code == 200, again.text
    assert again.json() == {**seed, "created": False}
    assert {item["id"]: item["alert_count"] for item in all_incidents(api)} == {
        incident_id: item["alert_count"] for incident_id, item in incidents.items()
    }
    assert len(api.get("/approvals").json()["approvals"]) == len(pending)
    assert len(api.get("/webhook/dead-letter").json()["entries"]) == len(entries)

    # The delivery the queue gave up on while the table throttled is readable: replaying it takes its alert in.
    [stalled] = [item for item in entries if item["id"] == seed["replayable_dead_letter_id"]]
    assert stalled["status_code"] == 503 and "throttled" in stalled["error"]
    replayed = api.post(f"/webhook/dead-letter/{stalled['id']}/replay")
    assert replayed.status_code == 200, replayed.text
    assert replayed.json()["result"]["ok"] is True and replayed.json()["result"]["incident_id"]


def seed_time(seed: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(seed["seeded_at"].replace("Z", "+00:00"))


def test_two_seeds_at_once_seed_once(base_url: str, workspace: str):
    def ask(_: int) -> httpx.Response:
        with httpx.Client(base_url=base_url, headers={"X-Workspace-Id": workspace}, timeout=30) as http:
            return http.post("/demo/seed")

    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(ask, range(2))
    statuses = sorted([first.status_code, second.status_code])
    assert statuses in ([201, 409], [200, 201]), (first.text, second.text)
    refused = first if first.status_code == 409 else second
    if refused.status_code == 409:
        assert "seeding in progress" in refused.json()["error"]["message"]
    with httpx.Client(base_url=base_url, headers={"X-Workspace-Id": workspace}, timeout=30) as http:
        made = next(response for response in (first, second) if response.status_code == 201).json()
        assert http.post("/demo/seed").json() == {**made, "created": False}
        assert len(http.get("/incidents", params={"limit": 100}).json()["incidents"]) == made["incident_count"] + 1


def test_a_scoped_key_is_refused_and_an_admin_key_may_seed(serve_with_settings, workspace: str):  # type: ignore[no-untyped-def]
    keys = f"admin=admin-key,ops=ops-key:{workspace}"
    with serve_with_settings(api_keys=keys) as url, httpx.Client(base_url=url, timeout=30) as http:
        refused = http.post("/demo/seed", headers={"X-API-Key": "ops-key"})
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["field"] == "X-API-Key"
        assert "scoped to workspace" in refused.json()["error"]["message"]
        listed = http.get("/incidents", headers={"X-API-Key": "ops-key"})
        assert listed.status_code == 200 and listed.json()["incidents"] == []
        assert http.post("/demo/seed").status_code == 401
        admin = http.post("/demo/seed", headers={"X-API-Key": "admin-key", "X-Workspace-Id": workspace})
        assert admin.status_code == 201, admin.text
        # Seeded by an admin, asked for by the story: the admin may approve it (they did not ask).
        approval = admin.json()["approval_id"]
        shown = http.get(f"/approvals/{approval}", headers={"X-API-Key": "ops-key"}).json()
        assert shown["requested_by"] == "demo" and shown["status"] == "pending"
