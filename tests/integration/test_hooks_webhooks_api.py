"""Outgoing webhooks over HTTP on the local stack (seed 002 /api/v1/webhooks): CRUD and its codes, the secret shown
once and masked after, bad input named and not stored, SSRF attempts refused (and allowed where the setting says),
and a test delivery reaching a loopback receiver with a signature Standard Webhooks' own library verifies.

The signed sender of the platform is written beside this part (adapters/senders/webhook.py); until it is in, the
served stack here stands in a minimal one of this module's, signing with the `standardwebhooks` library."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook

from aisre.notifications.adapters.outbound import GuardedHttp
from aisre.notifications.errors import OutboundAddressError
from aisre.notifications.model.delivery import SendResult
from aisre.notifications.model.events import WEBHOOK_EVENT_NAMES, NotificationEvent
from aisre.notifications.model.webhooks import OutgoingWebhook
from aisre.notifications.providers import webhook_sender

PUBLIC_URL = "https://93.184.216.34/aisre"  # a public address: taken without a DNS lookup


class MinimalSigningSender:
    """ports.WebhookSender, as Standard Webhooks signs: `id.timestamp.body` under the webhook's secret."""

    def __init__(self, http: GuardedHttp):
        self._http = http

    def send(self, webhook: OutgoingWebhook, event: NotificationEvent, message_id: str) -> SendResult:
        body = json.dumps({"type": WEBHOOK_EVENT_NAMES[event.event_type], "data": event.to_dict()})
        now = int(time.time())
        signature = Webhook(webhook.secret).sign(message_id, datetime.fromtimestamp(now, UTC), body)
        headers = {
            "content-type": "application/json",
            "webhook-id": message_id,
            "webhook-timestamp": str(now),
            "webhook-signature": signature,
        }
        try:
            answer = self._http.post(webhook.url, body.encode(), headers, timeout=5)
        except OutboundAddressError as refused:
            return SendResult.refused(refused.message)
        except OSError as error:
            return SendResult.unreachable(str(error))
        return SendResult.from_http(answer.status_code, answer.body)


class Receiver:
    """A loopback receiver recording each request; it answers `status` with `answer`."""

    def __init__(self, status: int = 200, answer: bytes = b'{"ok":true}'):
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/aisre"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="module")
def private_url(serve_with_settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The API with OUTBOUND_ALLOW_PRIVATE_NETWORKS on (loopback receivers), and the minimal signing sender."""
    sender = MinimalSigningSender(GuardedHttp(allow_private=True))
    with serve_with_settings(parts={webhook_sender: sender}, outbound_allow_private_networks=True) as url:
        yield url


@pytest.fixture
def private_api(private_url: str, workspace: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=private_url, headers={"X-Workspace-Id": workspace}, timeout=60) as http:
        yield http


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


def test_crud_with_the_secret_shown_once_and_masked_after(api: httpx.Client) -> None:
    created = api.post(
        "/api/v1/webhooks", json={"url": PUBLIC_URL, "events": ["incident.created"], "description": "bridge"}
    )
    assert created.status_code == 201, created.text
    body = created.json()
    webhook_id, secret = body["id"], body["secret"]
    assert secret.startswith("whsec_") and body["secret_hint"].endswith(secret[-4:])
    assert body["events"] == ["incident.created"] and body["enabled"] and body["version"] == 1
    assert body["created_at"].endswith("Z")

    key = secret.removeprefix("whsec_")
    for read in (api.get(f"/api/v1/webhooks/{webhook_id}"), api.get("/api/v1/webhooks")):
        assert read.status_code == 200, read.text
        assert key[:-4] not in read.text and "secret" not in read.json().get("webhooks", [read.json()])[0]
    listed = api.get("/api/v1/webhooks").json()
    assert listed["count"] == 1 and listed["webhooks"][0]["id"] == webhook_id

    updated = api.put(f"/api/v1/webhooks/{webhook_id}", json={"events": ["*"], "enabled": False})
    assert updated.status_code == 200, updated.text
    assert updated.json()["events"] == ["*"] and not updated.json()["enabled"] and updated.json()["version"] == 2
    assert updated.json()["url"] == PUBLIC_URL and updated.json()["description"] == "bridge"
    assert "secret" not in updated.json()

    deleted = api.delete(f"/api/v1/webhooks/{webhook_id}")
    assert deleted.status_code == 200 and deleted.json() == {"id": webhook_id, "deleted": True}
    assert api.get(f"/api/v1/webhooks/{webhook_id}").status_code == 404
    assert api.delete(f"/api/v1/webhooks/{webhook_id}").status_code == 404
    assert api.put(f"/api/v1/webhooks/{webhook_id}", json={"enabled": True}).status_code == 404
    assert api.get("/api/v1/webhooks").json() == {"webhooks": [], "count": 0}


def test_a_secret_given_is_kept_and_another_workspace_sees_nothing(api: httpx.Client, base_url: str) -> None:
    secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    created = api.post("/api/v1/webhooks", json={"url": PUBLIC_URL, "events": ["*"], "secret": secret})
    assert created.status_code == 201, created.text
    assert created.json()["secret"] == secret
    webhook_id = created.json()["id"]
    with httpx.Client(base_url=base_url, headers={"X-Workspace-Id": "ws-someone-else"}, timeout=60) as other:
        assert other.get(f"/api/v1/webhooks/{webhook_id}").status_code == 404
        assert other.post(f"/api/v1/webhooks/{webhook_id}/test").status_code == 404
        assert webhook_id not in other.get("/api/v1/webhooks").text


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"url": "http://93.184.216.34/aisre", "events": ["*"]}, "url", "https"),
        ({"url": "not a url", "events": ["*"]}, "url", "url"),
        ({"url": PUBLIC_URL, "events": ["incident.created", "incident.exploded"]}, "events[1]", "incident.exploded"),
        ({"url": PUBLIC_URL, "events": []}, "events", ""),
        ({"url": PUBLIC_URL, "events": ["*"], "secret": "hunter2"}, "secret", "whsec_"),
        ({"url": PUBLIC_URL, "events": ["*"], "secret": "whsec_c2hvcnQ="}, "secret", "bytes"),
        ({"url": "https://127.0.0.1/hook", "events": ["*"]}, "url", "loopback"),
        ({"url": "https://169.254.169.254/latest/meta-data/", "events": ["*"]}, "url", "metadata"),
        ({"url": "https://localhost:8443/hook", "events": ["*"]}, "url", "loopback"),
        ({"url": "https://10.1.2.3/hook", "events": ["*"]}, "url", "private"),
        ({"url": "https://[::1]/hook", "events": ["*"]}, "url", "loopback"),
        ({"url": "https://[::ffff:169.254.169.254]/", "events": ["*"]}, "url", "metadata"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_nothing_is_stored(
    api: httpx.Client, body: dict[str, Any], field: str, words: str
) -> None:
    refused = api.post("/api/v1/webhooks", json=body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["field"] == field
    assert words in refused.json()["error"]["message"]
    assert api.get("/api/v1/webhooks").json()["count"] == 0


def test_an_update_to_a_url_inside_is_refused_and_the_webhook_keeps_its_own(api: httpx.Client) -> None:
    webhook_id = api.post("/api/v1/webhooks", json={"url": PUBLIC_URL, "events": ["*"]}).json()["id"]
    for url in ("https://127.0.0.1/x", "https://169.254.169.254/", "https://localhost/x"):
        refused = api.put(f"/api/v1/webhooks/{webhook_id}", json={"url": url})
        assert refused.status_code == 422 and refused.json()["error"]["field"] == "url", refused.text
    refused = api.put(f"/api/v1/webhooks/{webhook_id}", json={"events": ["nope"]})
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "events[0]"
    assert api.get(f"/api/v1/webhooks/{webhook_id}").json()["url"] == PUBLIC_URL


def test_private_networks_allowed_by_the_setting_but_never_the_metadata_address(private_api: httpx.Client) -> None:
    for url in ("http://127.0.0.1:9/hook", "http://localhost:9/hook", "https://10.1.2.3/hook"):
        created = private_api.post("/api/v1/webhooks", json={"url": url, "events": ["*"]})
        assert created.status_code == 201, created.text
    for url in ("http://169.254.169.254/latest/meta-data/", "http://169.254.170.2/v2/credentials"):
        refused = private_api.post("/api/v1/webhooks", json={"url": url, "events": ["*"]})
        assert refused.status_code == 422 and refused.json()["error"]["field"] == "url", refused.text
    assert private_api.get("/api/v1/webhooks").json()["count"] == 3


def test_a_test_delivery_reaches_the_receiver_signed_and_is_listed(
    private_api: httpx.Client, receiver: Receiver
) -> None:
    created = private_api.post("/api/v1/webhooks", json={"url": receiver.url, "events": ["incident.created"]})
    assert created.status_code == 201, created.text
    webhook_id, secret = created.json()["id"], created.json()["secret"]

    sent = private_api.post(f"/api/v1/webhooks/{webhook_id}/test")
    assert sent.status_code == 200, sent.text
    result = sent.json()
    assert result["ok"] and result["status"] == "delivered" and result["status_code"] == 200
    assert result["event_type"] == "notification.test" and result["webhook_id"] == webhook_id

    ((headers, body),) = receiver.received
    assert headers["webhook-id"] == result["delivery_id"]
    payload = Webhook(secret).verify(body, headers)  # raises unless the signature is the secret's
    assert payload["type"] == "notification.test" and payload["data"]["data"]["webhook_id"] == webhook_id
    forged = dict(headers, **{"webhook-signature": headers["webhook-signature"][:-6] + "AAAAA="})
    with pytest.raises(Exception, match="signature"):
        Webhook(secret).verify(body, forged)

    deliveries = private_api.get(f"/api/v1/webhooks/{webhook_id}/deliveries")
    assert deliveries.status_code == 200, deliveries.text
    (delivery,) = deliveries.json()["deliveries"]
    assert delivery["id"] == result["delivery_id"] and delivery["status"] == "delivered"
    assert delivery["attempts"] == 1 and delivery["last_status_code"] == 200 and delivery["target_kind"] == "webhook"


def test_a_receiver_that_refuses_or_is_down_is_a_failed_delivery_not_an_error(private_api: httpx.Client) -> None:
    refusing = Receiver(status=500, answer=b"database on fire")
    try:
        webhook_id = private_api.post("/api/v1/webhooks", json={"url": refusing.url, "events": ["*"]}).json()["id"]
        sent = private_api.post(f"/api/v1/webhooks/{webhook_id}/test")
        assert sent.status_code == 200, sent.text
        assert not sent.json()["ok"] and sent.json()["status_code"] == 500 and sent.json()["status"] == "failed"
        assert sent.json()["response"] == "database on fire"
    finally:
        refusing.close()
    gone = private_api.post(f"/api/v1/webhooks/{webhook_id}/test")  # nothing listens there any more
    assert gone.status_code == 200, gone.text
    assert not gone.json()["ok"] and gone.json()["status_code"] is None
    deliveries = private_api.get(f"/api/v1/webhooks/{webhook_id}/deliveries", params={"limit": 10}).json()
    assert [d["status"] for d in deliveries["deliveries"]] == ["failed", "failed"]
    assert deliveries["deliveries"][0]["last_status_code"] is None  # newest first: the one that found nobody
    assert deliveries["deliveries"][1]["last_error"] == "database on fire"
