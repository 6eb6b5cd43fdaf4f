"""Live events over the real served local stack: a real WebSocket client on WS /ws, alerts posted over HTTP, the
table's stream read by the stream poller and fanned out by LiveFanOutFunction's handler through the emulated
management API (POST /@connections/{id}). With API keys configured: one that sees every workspace, one scoped."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.support.live_events import api_keys_in_environment, live_events_served
from tests.support.servers import serve_app, wait_for

ADMIN_KEY = "live-admin-key"
SCOPED_KEY = "live-scoped-key"
DECIDER_KEY = "live-decider-key"  # an approval is decided by someone other than who asked


@pytest.fixture(scope="module")
def scoped_workspace() -> str:
    return f"ws-live-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def live_url(local_stack: Any, scoped_workspace: str) -> Iterator[str]:
    """The local app served with keys configured, the stack's live events pointed at it, its stream read."""
    from aisre.local.server import create_local_app

    keys = f"admin={ADMIN_KEY},decider={DECIDER_KEY},scoped={SCOPED_KEY}:{scoped_workspace}"
    with api_keys_in_environment(keys), serve_app(create_local_app()) as url, live_events_served(local_stack, url):
        yield url


def socket(url: str) -> ClientConnection:
    return connect(url.replace("http://", "ws://") + "/ws", open_timeout=10)


def ask(ws: ClientConnection, message: Any) -> dict[str, Any]:
    ws.send(message if isinstance(message, str) else json.dumps(message))
    answer: dict[str, Any] = json.loads(ws.recv(timeout=10))
    return answer


@contextmanager
def signed_in(url: str, workspace: str, key: str = ADMIN_KEY, events: Any = "*") -> Iterator[ClientConnection]:
    with socket(url) as ws:
        assert ask(ws, {"type": "auth", "api_key": key, "workspace_id": workspace})["type"] == "welcome"
        assert ask(ws, {"type": "subscribe", "event": events} if isinstance(events, str) else
                   {"type": "subscribe", "events": events})["type"] == "subscribed"  # fmt: skip
        yield ws


def post_alert(url: str, workspace: str, title: str, key: str = ADMIN_KEY) -> dict[str, Any]:
    answer = httpx.post(
        f"{url}/webhook",
        json={"title": title, "service": "checkout", "severity": "critical", "fingerprint": uuid.uuid4().hex},
        headers={"X-API-Key": key, "X-Workspace-Id": workspace},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def next_event(ws: ClientConnection, timeout: float = 10) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=timeout))
    return message


def test_auth_ping_and_the_welcome(live_url: str, workspace: str) -> None:
    with socket(live_url) as ws:
        pong = ask(ws, {"type": "ping"})  # before auth too
        assert pong["type"] == "pong" and pong["at"].endswith("Z")
        welcome = ask(ws, {"type": "auth", "api_key": ADMIN_KEY, "workspace_id": workspace})
        assert welcome["workspace_id"] == workspace and welcome["principal"] == "admin"
        assert "incident.created" in welcome["events"] and "system.alert" in welcome["events"]
        assert ask(ws, {"type": "ping"})["type"] == "pong"


def test_a_scoped_key_hears_its_own_workspace(live_url: str, scoped_workspace: str) -> None:
    with socket(live_url) as ws:
        welcome = ask(ws, {"type": "auth", "api_key": SCOPED_KEY})
        assert (welcome["workspace_id"], welcome["principal"]) == (scoped_workspace, "scoped")


@pytest.mark.parametrize(
    "auth",
    [
        {"type": "auth", "api_key": "wrong-key"},
        {"type": "auth"},
        {"type": "auth", "api_key": SCOPED_KEY, "workspace_id": "someone-else"},
    ],
)
def test_a_refused_key_is_an_error_then_the_connection_is_closed(live_url: str, auth: dict[str, Any]) -> None:
    with socket(live_url) as ws:
        error = ask(ws, auth)
        assert error["type"] == "error" and error["code"] == "unauthorized" and error["message"]
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=10)


def test_messages_before_auth_and_bad_messages_are_errors_not_crashes(live_url: str, workspace: str) -> None:
    with socket(live_url) as ws:
        assert ask(ws, {"type": "subscribe", "event": "incident.created"})["code"] == "unauthenticated"
        assert ask(ws, "{not json")["code"] == "invalid"
        ask(ws, {"type": "auth", "api_key": ADMIN_KEY, "workspace_id": workspace})
        unknown = ask(ws, {"type": "subscribe", "event": "incident.exploded"})
        assert (unknown["code"], unknown["field"]) == ("invalid", "event")
        assert ask(ws, {"type": "launch"})["field"] == "type"
        assert ask(ws, {"type": "ping"})["type"] == "pong"  # still open, still answering


def test_an_alert_arrives_as_incident_created_and_only_in_its_workspace(live_url: str) -> None:
    mine, theirs = f"ws-{uuid.uuid4().hex[:12]}", f"ws-{uuid.uuid4().hex[:12]}"
    with (
        signed_in(live_url, mine, events="incident.*") as ws,
        signed_in(live_url, theirs) as other,
        signed_in(live_url, mine, events=["system.alert"]) as unsubscribed,
    ):
        started = time.perf_counter()
        created = post_alert(live_url, mine, "checkout is down")
        answered = time.perf_counter()
        event = next_event(ws)
        arrived = time.perf_counter()
        assert event["type"] == "event" and event["event"] == "incident.created"
        assert event["workspace_id"] == mine and event["at"].endswith("Z")
        data = event["data"]
        assert (data["id"], data["title"], data["state"], data["severity"], data["service"]) == (
            created["incident_id"], "checkout is down", "open", "critical", "checkout")  # fmt: skip
        assert data["alert_count"] == 1 and data["created_at"].endswith("Z")
        print(f"\nlive event: {1000 * (arrived - started):.0f} ms after the alert was sent, "
              f"{1000 * (arrived - answered):.0f} ms after its 200")  # fmt: skip
        assert arrived - started < 5
        # Their workspace's own alert reaches them; mine never did.
        theirs_created = post_alert(live_url, theirs, "their alert")
        received = next_event(other)
        assert received["workspace_id"] == theirs and received["data"]["id"] == theirs_created["incident_id"]
        with pytest.raises(TimeoutError):
            unsubscribed.recv(timeout=1.0)  # subscribed to system alerts only


def test_a_resolution_is_told_and_a_closed_socket_is_forgotten(live_url: str) -> None:
    from aisre.core.scope import default_scope
    from aisre.live.providers import live_connections

    workspace = f"ws-{uuid.uuid4().hex[:12]}"
    with signed_in(live_url, workspace, events=["incident.resolved", "action.executed"]) as ws:
        incident = post_alert(live_url, workspace, "to resolve")["incident_id"]
        resolved = httpx.post(
            f"{live_url}/incidents/{incident}/resolve",
            headers={"X-API-Key": ADMIN_KEY, "X-Workspace-Id": workspace},
            timeout=30,
        )
        assert resolved.status_code == 200, resolved.text
        names = {next_event(ws)["event"], next_event(ws)["event"]}
        assert names == {"incident.resolved", "action.executed"}
    connections = default_scope().get(live_connections)
    wait_for(lambda: connections.of_workspace(workspace) == [], timeout=10)


def test_the_management_api_is_not_in_the_api_document_and_a_gone_connection_is_410(live_url: str) -> None:
    document = httpx.get(f"{live_url}/openapi.json", headers={"X-API-Key": ADMIN_KEY}, timeout=30)
    assert "@connections" not in document.text and "/ws" not in document.json()["paths"]
    gone = httpx.post(f"{live_url}/@connections/nobody", content=b"{}", timeout=30)
    assert gone.status_code == 410


def test_a_dead_lettered_payload_is_a_system_alert(live_url: str) -> None:
    workspace = f"ws-{uuid.uuid4().hex[:12]}"
    with signed_in(live_url, workspace, events=["system.alert"]) as ws:
        refused = httpx.post(
            f"{live_url}/webhook",
            content=b'{"title": "half an alert",',
            headers={"X-API-Key": ADMIN_KEY, "X-Workspace-Id": workspace, "content-type": "application/json"},
            timeout=30,
        )
        assert refused.status_code == 400
        event = next_event(ws)
        assert (event["event"], event["workspace_id"], event["data"]["source"]) == (
            "system.alert",
            workspace,
            "webhook",
        )
        assert event["data"]["id"] and "malformed JSON" in event["data"]["error"]


def test_an_investigation_is_told_when_it_starts_and_when_it_completes(live_url: str) -> None:
    workspace = f"ws-{uuid.uuid4().hex[:12]}"
    headers = {"X-API-Key": ADMIN_KEY, "X-Workspace-Id": workspace}
    with signed_in(live_url, workspace, events="investigation.*") as ws:
        incident = post_alert(live_url, workspace, "pod OOMKilled")["incident_id"]
        started = httpx.post(f"{live_url}/incidents/{incident}/investigate", headers=headers, timeout=30)
        assert started.status_code == 202, started.text
        investigation = started.json()["investigation_id"]
        first = next_event(ws)
        assert (first["event"], first["data"]) == (
            "investigation.started",
            {"id": investigation, "incident_id": incident, "status": "running"},
        )
        done = next_event(ws, timeout=60)
        assert done["event"] == "investigation.completed" and done["data"]["id"] == investigation
        assert done["data"]["status"] in ("succeeded", "failed")


def test_an_approval_is_told_when_asked_for_and_when_decided(live_url: str) -> None:
    workspace = f"ws-{uuid.uuid4().hex[:12]}"
    headers = {"X-API-Key": ADMIN_KEY, "X-Workspace-Id": workspace}
    with signed_in(live_url, workspace, events="approval.*") as ws:
        incident = post_alert(live_url, workspace, "checkout pods crash")["incident_id"]
        target = {"action": "restart_pod", "namespace": "production", "pod_name": "checkout-0", "incident_id": incident}
        asked = httpx.post(f"{live_url}/approvals", json=target, headers=headers, timeout=30)
        assert asked.status_code == 201, asked.text
        approval = asked.json()["id"]
        requested = next_event(ws)
        assert (requested["event"], requested["data"]) == (
            "approval.requested",
            {"id": approval, "incident_id": incident, "action": "restart_pod", "status": "pending"},
        )
        decider = {**headers, "X-API-Key": DECIDER_KEY}
        rejected = httpx.post(f"{live_url}/approvals/{approval}/reject", headers=decider, timeout=30)
        assert rejected.status_code == 200, rejected.text
        decided = next_event(ws)
        assert (decided["event"], decided["data"]["id"], decided["data"]["status"]) == (
            "approval.decided",
            approval,
            "rejected",
        )
