"""CloudWatch alarms through an SNS HTTP(S) subscription to /webhook/cloudwatch, over real HTTP: the
subscription confirms itself, signed alarms become incidents, forged ones leave no trace."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from aisre.alerts.adapters.sns_https import SnsHttpsClient, https_get
from tests.support.sns import (
    SUBSCRIPTION_ARN,
    TOPIC_ARN,
    FakeSns,
    SnsSigner,
    fake_sns,
    notification,
    subscription_confirmation,
)

ALARM = {
    "AlarmName": "checkout-api-5xx",
    "NewStateValue": "ALARM",
    "NewStateReason": "Threshold Crossed: 5 datapoints were greater than the threshold (10.0).",
    "StateChangeTime": "2026-11-23T12:00:00.000+0000",
    "Trigger": {
        "MetricName": "5XXError",
        "Namespace": "AWS/ApiGateway",
        "Dimensions": [{"name": "ApiName", "value": "checkout-api"}],
    },
}
SNS_HEADERS = {"x-amz-sns-message-type": "Notification", "content-type": "text/plain; charset=UTF-8"}


@pytest.fixture(scope="module")
def signer() -> SnsSigner:
    return SnsSigner()


@contextmanager
def served(sns: FakeSns, **settings: Any) -> Iterator[str]:
    """The whole API, with SNS's endpoints on loopback trusted in place of sns.<region>.amazonaws.com."""
    from aisre.alerts.providers import sns_endpoint
    from aisre.core.http.deps import current_scope
    from aisre.core.scope import Scope
    from aisre.core.settings import get_settings
    from aisre.local.server import create_local_app
    from aisre.subscriptions import SUBSCRIPTIONS
    from tests.support.servers import serve_app

    scope = Scope(get_settings().model_copy(update=settings), SUBSCRIPTIONS)
    scope.put(sns_endpoint, SnsHttpsClient(trusted_url=lambda url: url.startswith(sns.base_url + "/"), fetch=https_get))
    app = create_local_app()
    app.dependency_overrides[current_scope] = lambda: scope
    with serve_app(app) as url:
        yield url


@pytest.fixture
def sns(local_stack: object, signer: SnsSigner) -> Iterator[FakeSns]:
    with fake_sns(signer) as fake:
        yield fake


@pytest.fixture
def api(sns: FakeSns, workspace: str) -> Iterator[httpx.Client]:
    with served(sns) as url, httpx.Client(base_url=url, headers={"X-Workspace-Id": workspace}, timeout=30) as http:
        yield http


def deliver(api: httpx.Client, message: dict[str, Any]) -> httpx.Response:
    # SNS posts JSON as text/plain, with the message type in a header of its own.
    headers = SNS_HEADERS | {"x-amz-sns-message-type": message["Type"]}
    return api.post("/webhook/cloudwatch", content=json.dumps(message).encode(), headers=headers)


def confirmations(sns: FakeSns) -> list[str]:
    return [path for path in sns.requests if "Action=ConfirmSubscription" in path]


def test_a_subscription_confirms_itself_then_its_alarms_open_and_resolve_an_incident(api, sns, signer):
    confirmation = signer.sign(subscription_confirmation(sns.subscribe_url), cert_url=sns.cert_url)
    response = deliver(api, confirmation)
    assert response.status_code == 200, response.text
    assert response.json()["sns"] == {
        "type": "SubscriptionConfirmation",
        "topic_arn": TOPIC_ARN,
        "subscription": "confirmed",
        "subscription_arn": SUBSCRIPTION_ARN,
    }
    assert response.json()["incident_id"] is None
    assert len(confirmations(sns)) == 1

    fired = deliver(api, signer.sign(notification(ALARM), cert_url=sns.cert_url, version="2"))
    assert fired.status_code == 200, fired.text
    incident_id = fired.json()["incident_id"]
    ok = ALARM | {"NewStateValue": "OK", "OldStateValue": "ALARM"}
    resolved = deliver(api, signer.sign(notification(ok, subject="OK"), cert_url=sns.cert_url))
    assert resolved.json()["incident_id"] == incident_id
    assert api.get(f"/incidents/{incident_id}").json()["incident"]["state"] == "resolved"
    assert sum(path.endswith(".pem") for path in sns.requests) == 1  # the certificate is fetched once


def test_a_forged_or_unsigned_alarm_is_refused_and_leaves_nothing(api, sns, signer):
    signed = signer.sign(notification(ALARM), cert_url=sns.cert_url)
    forged = signed | {"Message": json.dumps(ALARM | {"AlarmName": "someone-elses-alarm"})}
    assert deliver(api, forged).status_code == 401
    unsigned = notification(ALARM)
    response = deliver(api, unsigned)
    assert response.status_code == 401 and response.json()["error"]["field"] == "Signature"
    assert api.get("/incidents").json()["count"] == 0
    assert api.get("/webhook/dead-letter").json()["count"] == 0


def test_an_unsigned_confirmation_is_never_visited(api, sns):
    response = deliver(api, subscription_confirmation(sns.subscribe_url))
    assert response.status_code == 401
    assert confirmations(sns) == []


def test_a_failed_confirmation_is_502_dead_lettered_and_confirmed_by_replay(api, sns, signer):
    sns.confirm_status = 500
    response = deliver(api, signer.sign(subscription_confirmation(sns.subscribe_url), cert_url=sns.cert_url))
    assert response.status_code == 502 and response.json()["error"]["type"] == "UpstreamError"
    [entry] = api.get("/webhook/dead-letter").json()["entries"]
    assert entry["channel"] == "sns-subscription" and entry["status_code"] == 502

    sns.confirm_status = 200
    replay = api.post(f"/webhook/dead-letter/{entry['id']}/replay")
    assert replay.status_code == 200, replay.text
    assert replay.json()["result"]["sns"]["subscription"] == "confirmed"
    assert len(confirmations(sns)) == 2


def test_with_verification_and_confirmation_off_the_operator_gets_the_link(sns, workspace):
    with (
        served(sns, sns_verify_signatures=False, sns_confirm_subscriptions=False) as url,
        httpx.Client(timeout=60, base_url=url, headers={"X-Workspace-Id": workspace}) as api,
    ):
        response = deliver(api, subscription_confirmation(sns.subscribe_url))
        assert response.json()["sns"]["subscription"] == "pending"
        assert response.json()["sns"]["subscribe_url"] == sns.subscribe_url
        assert deliver(api, notification(ALARM)).json()["alerts_received"] == 1
    assert sns.requests == []


def test_an_unreadable_sns_delivery_is_400_and_dead_lettered(api):
    response = api.post("/webhook/cloudwatch", content=b"{oops", headers=SNS_HEADERS)
    assert response.status_code == 400 and response.json()["error"]["field"] == "body"
    [entry] = api.get("/webhook/dead-letter").json()["entries"]
    assert entry["payload"] == "{oops"
