"""Notifications end to end on the local stack: an alert over HTTP, the notification queue's consumer (the template's
NotificationDeliveryFunction, polled as its event source mapping would be), channels at loopback receivers. What a
user sees: the first message within seconds, a storm as one conversation per group, a receiver that fails retried
(after its backoff, or as long as its 429 asked), one that is down failed into the dead-letter queue and replayed
once it is back, the escalation paging level 2 when nobody acknowledges and stopping when someone does."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest

from tests.support.receivers import Answer, Receiver
from tests.support.servers import wait_for

# The delivery function runs in this process: its settings are the process's, set for this module.
SETTINGS = {
    "OUTBOUND_ALLOW_PRIVATE_NETWORKS": "true",
    "NOTIFICATION_MAX_ATTEMPTS": "2",
    "NOTIFICATION_GROUP_UPDATE_SECONDS": "6",
}


@pytest.fixture(scope="module")
def delivering(local_stack: Any) -> Iterator[Any]:
    from aisre.core.scope import reset_scope
    from aisre.core.settings import reset_settings

    saved = {name: os.environ.get(name) for name in SETTINGS}
    os.environ.update(SETTINGS)
    reset_settings()
    reset_scope()
    (poller,) = local_stack.start_pollers(["NotificationDeliveryFunction"])
    try:
        yield local_stack
    finally:
        poller.stop()
        local_stack.pollers.remove(poller)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        reset_settings()
        reset_scope()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def slack_channel(api: httpx.Client, url: str, name: str = "ops") -> str:
    created = api.post(
        "/api/v1/notifications/channels", json={"name": name, "type": "slack", "config": {"webhook_url": url}}
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def alert(api: httpx.Client, title: str, service: str = "payments", severity: str = "critical") -> str:
    answer = api.post("/webhook", json={"title": title, "severity": severity, "service": service, "source": "test"})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["incident_id"])


def notifications(api: httpx.Client, incident_id: str) -> list[dict[str, Any]]:
    answer = api.get(f"/incidents/{incident_id}/notifications")
    assert answer.status_code == 200, answer.text
    return list(answer.json()["notifications"])


def test_an_alert_reaches_its_channel_and_the_delivery_is_recorded(
    delivering: Any, api: httpx.Client, receiver: Receiver
) -> None:
    slack_channel(api, receiver.url("/services/T0/B0/x"))
    incident_id = alert(api, "Checkout 5xx above 5%")
    (message,) = receiver.wait_for(1, timeout=20)
    assert "Checkout 5xx above 5%" in message.json()["text"]
    (delivery,) = wait_for(lambda: [n for n in notifications(api, incident_id) if n["status"] == "delivered"], 20)
    assert (delivery["event"], delivery["channel_type"], delivery["attempts"]) == ("incident.opened", "slack", 1)
    # The same alert again folds into the incident: nobody is told twice.
    alert(api, "Checkout 5xx above 5%")
    time.sleep(2)
    assert len(receiver.requests) == 1


def test_a_storm_of_one_service_is_one_message_and_one_update(
    delivering: Any, api: httpx.Client, receiver: Receiver
) -> None:
    slack_channel(api, receiver.url("/hook"))
    root = alert(api, "payments pod 0 crash looping")
    receiver.wait_for(1, timeout=20)
    children = [alert(api, f"payments pod {n} crash looping") for n in range(1, 16)]
    assert all(child != root for child in children)
    update = receiver.wait_for(2, timeout=30)[1]
    time.sleep(8)  # nothing more comes: the 15 later incidents rode on the one update
    assert len(receiver.requests) == 2, [r.json()["text"] for r in receiver.requests]
    assert "15 more incidents in this group" in update.json()["text"]


def test_a_500_is_retried_after_its_backoff_and_a_429_waits_as_asked(
    delivering: Any, api: httpx.Client, receiver: Receiver
) -> None:
    receiver.script(Answer(500, "boom"), Answer(200, "ok"), Answer(429, "slow down", {"Retry-After": "3"}), Answer(200))
    slack_channel(api, receiver.url("/hook"))
    first = alert(api, "Orders queue backlog", service="orders")
    receiver.wait_for(2, timeout=30)
    delivered = wait_for(lambda: [n for n in notifications(api, first) if n["status"] == "delivered"], 20)
    assert delivered[0]["attempts"] == 2
    second = alert(api, "Search latency high", service="search")
    requests = receiver.wait_for(4, timeout=30)
    assert requests[3].json()["text"].endswith("Search latency high")
    delivered = wait_for(lambda: [n for n in notifications(api, second) if n["status"] == "delivered"], 20)
    assert delivered[0]["attempts"] == 2


def test_a_channel_that_is_down_fails_into_the_dead_letter_queue_and_replays(
    delivering: Any, api: httpx.Client
) -> None:
    from aisre.core.settings import get_settings

    with Receiver() as probe:
        down_url = probe.url("/hook")  # nothing listens there once the probe stops
    slack_channel(api, down_url)
    incident_ids = [alert(api, f"Disk full on node {n}", service=f"node-{n}") for n in range(2)]

    def statuses() -> list[dict[str, Any]]:
        return [item for incident_id in incident_ids for item in notifications(api, incident_id)]

    # Two attempts each (NOTIFICATION_MAX_ATTEMPTS=2), the backoff between.
    wait_for(lambda: [item["status"] for item in statuses()] == ["failed", "failed"], timeout=60)
    failed = api.get("/api/v1/notifications/deliveries").json()["deliveries"]
    assert {item["incident_id"] for item in failed} == set(incident_ids)
    assert all(item["attempts"] == 2 and "refused" in item["last_error"].lower() for item in failed)
    sqs = boto3.client("sqs", endpoint_url=get_settings().aws_endpoint_url, region_name=get_settings().aws_region)
    parked = sqs.receive_message(
        QueueUrl=get_settings().notification_dead_letter_queue_url,
        MaxNumberOfMessages=10,
        MessageAttributeNames=["All"],
    ).get("Messages", [])
    assert parked and all("error" in message["MessageAttributes"] for message in parked)
    # The receiver is back (at a URL the channel is changed to): a replay delivers.
    with Receiver() as back:
        channel_id = failed[0]["target_id"]
        changed = api.put(
            f"/api/v1/notifications/channels/{channel_id}",
            json={"name": "ops", "type": "slack", "config": {"webhook_url": back.url("/hook")}},
        )
        assert changed.status_code == 200, changed.text
        replayed = api.post(f"/api/v1/notifications/deliveries/{failed[0]['id']}/replay")
        assert replayed.status_code == 200 and replayed.json()["status"] == "queued"
        back.wait_for(1, timeout=30)
        wait_for(lambda: any(item["status"] == "delivered" for item in statuses()), timeout=30)


def test_a_channel_that_keeps_failing_opens_its_circuit_while_alerts_flow(
    delivering: Any, api: httpx.Client, receiver: Receiver
) -> None:
    receiver.script(respond=lambda received: Answer(503, "down for maintenance"))
    slack_channel(api, receiver.url("/hook"))
    started = time.perf_counter()
    incident_ids = [alert(api, f"Cache miss storm {n}", service=f"cache-{n}") for n in range(8)]
    assert time.perf_counter() - started < 30  # the ingest path never waits on the channel

    def statuses() -> list[dict[str, Any]]:
        return [item for incident_id in incident_ids for item in notifications(api, incident_id)]

    # After five failures in a row the circuit opens: the rest wait for it, the receiver is not hammered.
    wait_for(lambda: any("circuit" in (item["last_error"] or "") for item in statuses()), timeout=60)
    attempts = len(receiver.requests)
    time.sleep(5)
    assert 5 <= len(receiver.requests) == attempts <= 8
    assert all(item["status"] in ("retrying", "failed") for item in statuses())


def test_an_escalation_pages_level_two_unless_someone_acknowledges(delivering: Any, api: httpx.Client) -> None:
    layer = {"participants": ["dave"], "rotation": "weekly", "handoff_time": "09:00", "start": "2026-01-05"}
    schedule = api.post("/oncall/schedules", json={"name": "db", "time_zone": "Europe/Berlin", "layers": [layer]})
    assert schedule.status_code == 201, schedule.text
    levels = [
        {"targets": [{"schedule": schedule.json()["id"]}], "delay_minutes": 0.05},
        {"targets": [{"user": "eve"}], "delay_minutes": 0.05},
    ]
    policy = api.post("/oncall/escalation-policies", json={"name": "db", "services": ["db"], "levels": levels})
    assert policy.status_code == 201, policy.text

    def timeline(incident_id: str) -> list[str]:
        return [event["event_type"] for event in api.get(f"/incidents/{incident_id}/timeline").json()["events"]]

    ignored = alert(api, "DB replica lag", service="db")
    wait_for(lambda: "incident_escalated" in timeline(ignored), timeout=60)
    paged = [e for e in api.get(f"/incidents/{ignored}/timeline").json()["events"] if e["actor"] == "escalation"]
    assert [(e["payload"]["level"], e["payload"]["recipients"]) for e in paged] == [(1, ["dave"]), (2, ["eve"])]
    api.post(f"/incidents/{ignored}/resolve", json={})
    answered = alert(api, "DB primary CPU", service="db")
    wait_for(lambda: "oncall_paged" in timeline(answered), timeout=60)
    assert api.post(f"/incidents/{answered}/acknowledge", json={}).status_code == 200
    time.sleep(8)  # past level 2's time
    assert "incident_escalated" not in timeline(answered)
