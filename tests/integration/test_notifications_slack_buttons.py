"""Slack's buttons end to end over HTTP against the served stack: a request signed with SLACK_SIGNING_SECRET
acknowledges an incident (created by posting an alert) and approves a pending approval as the clicking person
(`slack:<username>`), what happened is told to them (the answer and the response_url); a refusal (already
acknowledged, already approved) is a 200 saying why; forged, stale, unsigned or unconfigured requests are 401s
and nothing is acted on."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from aisre.notifications.model.slack_interactions import (
    ACKNOWLEDGE_ACTION,
    APPROVE_ACTION,
    OPEN_ACTION,
    ButtonValue,
)
from aisre.notifications.model.slack_signature import slack_signature
from tests.integration.test_alert_to_incident import ALERT
from tests.support.kube_apiserver import KubeApiServer, KubeState, kube_apiserver
from tests.support.receivers import Answer, Receiver

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
KEYS = "alice=alice-key"
NS = "shop"
PATH = "/integrations/slack/interactions"


@pytest.fixture(scope="module")
def kube() -> Iterator[KubeApiServer]:
    with kube_apiserver() as server:
        yield server


@pytest.fixture(scope="module")
def response_urls() -> Iterator[Receiver]:
    with Receiver(default=Answer(200, "ok")) as receiver:
        yield receiver


@pytest.fixture(scope="module")
def url(serve_with_settings, kube: KubeApiServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    kubeconfig = kube.kubeconfig(tmp_path_factory.mktemp("kube"))
    with serve_with_settings(
        api_keys=KEYS,
        slack_signing_secret=SECRET,
        # The response_url receiver is on loopback.
        outbound_allow_private_networks=True,
        actions_kubeconfig=kubeconfig,
        action_verify_seconds=3.0,
        action_verify_interval_seconds=0.05,
    ) as served:
        yield served


@pytest.fixture
def alice(url: str, workspace: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, headers={"X-API-Key": "alice-key", "X-Workspace-Id": workspace}, timeout=60) as c:
        yield c


@pytest.fixture
def slack(url: str) -> Iterator[httpx.Client]:
    """Slack itself: no API key, only its signature."""
    with httpx.Client(base_url=url, timeout=60) as client:
        yield client


def click(
    action_id: str,
    value: str | None,
    *,
    username: str = "amy.mcgee",
    response_url: str | None = None,
) -> bytes:
    action: dict[str, Any] = {"action_id": action_id, "block_id": "aisre_actions", "type": "button"}
    if value is not None:
        action["value"] = value
    payload = {
        "type": "block_actions",
        "user": {"id": f"U{abs(hash(username)) % 10**8}", "username": username, "name": username, "team_id": "T1"},
        "team": {"id": "T1", "domain": "example"},
        "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": "C123"},
        "channel": {"id": "C123", "name": "incidents"},
        "response_url": response_url,
        "actions": [action],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def signed(body: bytes, *, secret: str = SECRET, at: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if at is None else at)
    return {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": slack_signature(secret, stamp, body),
        "Content-Type": "application/x-www-form-urlencoded",
    }


def post(client: httpx.Client, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return client.post(PATH, content=body, headers=headers)


def open_incident(alice: httpx.Client, title: str) -> str:
    created = alice.post("/webhook", json=dict(ALERT, title=title, service="checkout"))
    assert created.status_code == 200, created.text
    incident_id: str = created.json()["incident_id"]
    return incident_id


def test_acknowledge_button_acknowledges_as_the_clicking_person(
    alice: httpx.Client, slack: httpx.Client, workspace: str, response_urls: Receiver
):
    incident_id = open_incident(alice, "Slack acknowledges this")
    response_urls.reset()
    value = ButtonValue(workspace, incident_id=incident_id).encode()
    body = click(ACKNOWLEDGE_ACTION, value, response_url=response_urls.url("/actions/T1/1/abc"))
    answered = post(slack, body, signed(body))
    assert answered.status_code == 200, answered.text
    reply = answered.json()
    assert reply["response_type"] == "in_channel" and reply["replace_original"] is False
    assert reply["text"] == f"Incident {incident_id} acknowledged by slack:amy.mcgee."
    # Slack ignores a block_actions answer's body: the person is told through the response_url.
    (told,) = response_urls.wait_for(1)
    assert told.path == "/actions/T1/1/abc" and told.json() == reply

    detail = alice.get(f"/incidents/{incident_id}").json()
    assert detail["incident"]["state"] == "acknowledged"
    assert [(a["action"], a["actor"]) for a in detail["actions"]] == [("acknowledge", "slack:amy.mcgee")]

    # Again (another person, later): a refusal told to them, not an error status.
    body = click(ACKNOWLEDGE_ACTION, value, username="bob")
    again = post(slack, body, signed(body))
    assert again.status_code == 200
    assert again.json()["response_type"] == "ephemeral"
    assert again.json()["text"].startswith(f"Incident {incident_id} was not acknowledged:")


def test_approve_button_approves_as_the_clicking_person(
    alice: httpx.Client, slack: httpx.Client, workspace: str, kube: KubeApiServer
):
    cluster: KubeState = kube.reset()
    cluster.add_deployment(NS, "checkout", replicas=2, images=("shop/checkout:1.4.1", "shop/checkout:1.4.2"))
    pod = next(item["metadata"]["name"] for item in cluster.items("pods", NS))
    asked = alice.post(
        "/actions/execute", json={"action": "restart_pod", "namespace": NS, "pod_name": pod, "dry_run": False}
    )
    assert asked.status_code == 202, asked.text
    approval_id = asked.json()["approval_id"]
    assert kube.writes() == []

    value = ButtonValue(workspace, approval_id=approval_id).encode()
    body = click(APPROVE_ACTION, value, username="carol")
    approved = post(slack, body, signed(body))
    assert approved.status_code == 200, approved.text
    reply = approved.json()
    assert reply["response_type"] == "in_channel"
    assert reply["text"].startswith(f"Approval {approval_id} approved by slack:carol. success:")
    assert len(kube.writes()) == 1

    detail = alice.get(f"/approvals/{approval_id}").json()
    assert detail["status"] == "approved" and detail["decided_by"] == "slack:carol"
    assert detail["comment"] == "approved in Slack" and detail["execution"]["status"] == "succeeded"

    # Someone else clicking it now is told it was decided; nothing runs twice.
    body = click(APPROVE_ACTION, value, username="dave")
    late = post(slack, body, signed(body))
    assert late.status_code == 200 and late.json()["response_type"] == "ephemeral"
    assert "already approved by slack:carol" in late.json()["text"]
    assert len(kube.writes()) == 1


def test_unknown_ids_and_link_buttons(slack: httpx.Client, workspace: str):
    body = click(ACKNOWLEDGE_ACTION, ButtonValue(workspace, incident_id="inc-000000000000").encode())
    missing = post(slack, body, signed(body))
    assert missing.status_code == 200 and "no longer exists" in missing.json()["text"]
    body = click(APPROVE_ACTION, ButtonValue(workspace, approval_id="apr-000000000000").encode())
    assert "no longer exists" in post(slack, body, signed(body)).json()["text"]
    # A link button still sends an interaction: acknowledged with nothing to say.
    body = click(OPEN_ACTION, None)
    opened = post(slack, body, signed(body))
    assert opened.status_code == 200 and opened.json() == {}


def test_forged_stale_and_unsigned_requests_are_refused(alice: httpx.Client, slack: httpx.Client, workspace: str):
    incident_id = open_incident(alice, "Nobody may acknowledge this by forgery")
    body = click(ACKNOWLEDGE_ACTION, ButtonValue(workspace, incident_id=incident_id).encode())
    forged = post(slack, body, signed(body, secret="not-the-secret"))
    assert forged.status_code == 401 and forged.json()["error"]["type"] == "SignatureMismatchError"
    stale = post(slack, body, signed(body, at=int(time.time()) - 600))
    assert stale.status_code == 401 and stale.json()["error"]["type"] == "SignatureExpiredError"
    tampered = post(slack, body.replace(b"amy.mcgee", b"mallory"), signed(body))
    assert tampered.status_code == 401
    unsigned = slack.post(PATH, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert unsigned.status_code == 401 and unsigned.json()["error"]["field"] == "X-Slack-Signature"
    malformed = post(slack, body, {**signed(body), "X-Slack-Request-Timestamp": "yesterday"})
    assert malformed.status_code == 400
    assert alice.get(f"/incidents/{incident_id}").json()["incident"]["state"] == "open"

    # Signed, but not Slack's form, or a button value that is not ours: 4xx, nothing acted on.
    garbage = b"payload=%7Bnot json"
    assert post(slack, garbage, signed(garbage)).status_code == 400
    bad_value = click(ACKNOWLEDGE_ACTION, '{"w": "../etc"}')
    assert post(slack, bad_value, signed(bad_value)).status_code == 422


def test_without_a_signing_secret_nothing_is_acted_on(base_url: str, workspace: str):
    body = click(ACKNOWLEDGE_ACTION, ButtonValue(workspace, incident_id="inc-000000000000").encode())
    with httpx.Client(base_url=base_url, timeout=60) as slack:
        refused = post(slack, body, signed(body))
    assert refused.status_code == 401
    assert refused.json()["error"] == {
        "type": "SlackNotConfiguredError",
        "message": "Slack interactivity is not configured: set SLACK_SIGNING_SECRET to the Slack app's signing secret",
        "field": "SLACK_SIGNING_SECRET",
    }
