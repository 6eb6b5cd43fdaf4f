"""In-app notifications over real HTTP against the local stack (seed 002 /api/v1/notifications), per principal:
two API keys with names (alice, bob) each see only their own; newest first, paged; the unread count; one marked
read, then all; an event delivered twice is one notification; items carry the retention's TTL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import httpx
import pytest

from aisre.core.settings import get_settings
from aisre.notifications.model.events import EventType, NotificationEvent

KEYS = "alice=alice-key,bob=bob-key,acme=acme-key:ws-acme-inbox"
INBOX = "/api/v1/notifications"


@pytest.fixture(scope="module")
def url(serve_with_settings: Any) -> Iterator[str]:
    with serve_with_settings(api_keys=KEYS) as served:
        yield served


def client(url: str, key: str, workspace: str | None) -> httpx.Client:
    headers = {"X-API-Key": key} | ({"X-Workspace-Id": workspace} if workspace else {})
    return httpx.Client(base_url=url, headers=headers, timeout=60)


@pytest.fixture
def alice(url: str, workspace: str) -> Iterator[httpx.Client]:
    with client(url, "alice-key", workspace) as http:
        yield http


@pytest.fixture
def bob(url: str, workspace: str) -> Iterator[httpx.Client]:
    with client(url, "bob-key", workspace) as http:
        yield http


def notify(workspace: str, principal: str, title: str, event_id: str | None = None) -> NotificationEvent:
    """What the dispatch does for each recipient: Inbox.add."""
    from aisre.core.scope import default_scope
    from aisre.notifications.providers import inbox_service

    event = NotificationEvent(
        event_id=event_id or f"ev-{uuid.uuid4().hex[:12]}",
        event_type=EventType.INCIDENT_OPENED,
        workspace_id=workspace,
        occurred_at=datetime.now(UTC),
        severity="critical",
        title=title,
        service="checkout",
        summary="5xx above 5%",
        incident_id="inc-0123456789ab",
        link="https://aisre.example.com/incidents/inc-0123456789ab",
    )
    default_scope().get(inbox_service).add(workspace, principal, event)
    return event


def titles(http: httpx.Client, **params: int) -> list[str]:
    response = http.get(INBOX, params=params)
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["notifications"]]


def unread(http: httpx.Client) -> int:
    response = http.get(f"{INBOX}/unread-count")
    assert response.status_code == 200, response.text
    count: int = response.json()["unread_count"]
    return count


def test_each_principal_reads_only_their_own_newest_first(alice: httpx.Client, bob: httpx.Client, workspace: str):
    for n in range(3):
        notify(workspace, "alice", f"alice {n}")
    notify(workspace, "bob", "bob 0")
    listed = alice.get(INBOX)
    assert listed.status_code == 200
    body = listed.json()
    assert [item["title"] for item in body["notifications"]] == ["alice 2", "alice 1", "alice 0"]
    first = body["notifications"][0]
    assert first["id"].startswith("ntf-") and first["read"] is False and first["read_at"] is None
    assert first["event_type"] == "incident.opened" and first["severity"] == "critical"
    assert first["message"] == "5xx above 5%" and first["incident_id"] == "inc-0123456789ab"
    assert first["created_at"].endswith("Z")
    assert (body["count"], body["limit"], body["offset"], body["has_more"]) == (3, 50, 0, False)
    assert titles(bob) == ["bob 0"]
    assert (unread(alice), unread(bob)) == (3, 1)
    # Without a trailing slash and with one.
    assert alice.get(f"{INBOX}/").json()["count"] == 3


def test_pages_follow_limit_and_offset(alice: httpx.Client, workspace: str) -> None:
    for n in range(5):
        notify(workspace, "alice", f"n{n}")
    assert titles(alice, limit=2) == ["n4", "n3"]
    page = alice.get(INBOX, params={"limit": 2, "offset": 2}).json()
    assert [item["title"] for item in page["notifications"]] == ["n2", "n1"] and page["has_more"] is True
    last = alice.get(INBOX, params={"limit": 2, "offset": 4}).json()
    assert [item["title"] for item in last["notifications"]] == ["n0"] and last["has_more"] is False
    for params, field in (({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"offset": -1}, "offset")):
        refused = alice.get(INBOX, params=params)
        assert refused.status_code == 422 and refused.json()["error"]["field"] == f"query.{field}"


def test_one_read_then_all_read_and_later_ones_stay_unread(
    alice: httpx.Client, bob: httpx.Client, workspace: str
) -> None:
    for n in range(3):
        notify(workspace, "alice", f"n{n}")
    notify(workspace, "bob", "bob's")
    newest = alice.get(INBOX).json()["notifications"][0]
    marked = alice.put(f"{INBOX}/{newest['id']}/read")
    assert marked.status_code == 200, marked.text
    assert marked.json()["id"] == newest["id"] and marked.json()["read"] is True
    assert marked.json()["read_at"].endswith("Z")
    assert unread(alice) == 2
    again = alice.put(f"{INBOX}/{newest['id']}/read")
    assert again.status_code == 200 and again.json()["read_at"] == marked.json()["read_at"]
    assert unread(alice) == 2

    # Bob cannot mark Alice's, and an id that is nobody's is a 404.
    assert bob.put(f"{INBOX}/{newest['id']}/read").status_code == 404
    missing = alice.put(f"{INBOX}/ntf-20200101000000000000-0000000000/read")
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "notification_id"

    all_read = alice.put(f"{INBOX}/read-all")
    assert all_read.status_code == 200 and all_read.json() == {"marked_read": 2, "unread_count": 0}
    assert unread(alice) == 0
    assert all(item["read"] for item in alice.get(INBOX).json()["notifications"])
    assert unread(bob) == 1

    notify(workspace, "alice", "later")
    assert unread(alice) == 1
    listed = alice.get(INBOX).json()["notifications"]
    assert (listed[0]["title"], listed[0]["read"]) == ("later", False)
    assert all(item["read"] for item in listed[1:])


def test_an_event_delivered_twice_is_one_notification(alice: httpx.Client, workspace: str) -> None:
    event = notify(workspace, "alice", "once")
    notify(workspace, "alice", "once", event_id=event.event_id)
    assert titles(alice) == ["once"] and unread(alice) == 1


def test_a_scoped_key_reads_its_own_workspace_and_no_other(url: str) -> None:
    notify("ws-acme-inbox", "acme", "acme's")
    with client(url, "acme-key", None) as acme:
        assert "acme's" in titles(acme)
    with client(url, "acme-key", f"ws-{uuid.uuid4().hex[:12]}") as elsewhere:
        assert elsewhere.get(INBOX).status_code == 404
    with client(url, "no-such-key", None) as stranger:
        assert stranger.get(INBOX).status_code == 401


def test_notifications_age_out_after_the_retention(alice: httpx.Client, workspace: str) -> None:
    notify(workspace, "alice", "ages")
    item_id = alice.get(INBOX).json()["notifications"][0]["id"]
    settings = get_settings()
    dynamodb = boto3.client("dynamodb", endpoint_url=settings.dynamodb_endpoint, region_name=settings.aws_region)
    key = {"pk": {"S": f"WS#{workspace}#INBOX#alice"}, "sk": {"S": item_id}}
    item = dynamodb.get_item(TableName=settings.table_name, Key=key, ConsistentRead=True)["Item"]
    expires = datetime.fromtimestamp(int(item["ttl"]["N"]), UTC)
    retention = timedelta(days=settings.notification_retention_days)
    assert abs(expires - (datetime.now(UTC) + retention)) < timedelta(minutes=5)
