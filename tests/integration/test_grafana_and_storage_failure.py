"""Grafana's HMAC signature, and a storage failure answering 5xx so the sender retries."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

GRAFANA_SECRET = "grafana-hmac"

GRAFANA_PAYLOAD = {
    "receiver": "aisre",
    "status": "firing",
    "orgId": 1,
    "alerts": [
        {
            "status": "firing",
            "labels": {"alertname": "HighErrorRate", "service": "checkout", "severity": "critical"},
            "annotations": {"summary": "5xx above 5%"},
            "startsAt": "2026-01-01T00:00:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://grafana/alerting/1/edit",
            "fingerprint": "c6eadffa33fcdf37",
        }
    ],
    "groupLabels": {},
    "commonLabels": {},
    "commonAnnotations": {},
    "externalURL": "http://grafana/",
    "version": "1",
    "groupKey": "{}:{}",
    "truncatedAlerts": 0,
    "title": "[FIRING:1] HighErrorRate",
    "state": "alerting",
    "message": "",
}


@pytest.fixture(scope="module")
def grafana_url(serve_with_settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with serve_with_settings(grafana_webhook_secret=GRAFANA_SECRET) as url:
        yield url


def test_grafana_timestamped_signature_passes_and_a_replay_does_not(grafana_url: str, workspace: str):
    body = json.dumps(GRAFANA_PAYLOAD).encode()
    with httpx.Client(timeout=60, base_url=grafana_url, headers={"X-Workspace-Id": workspace}) as http:
        now = str(int(time.time()))
        signature = hmac.new(GRAFANA_SECRET.encode(), now.encode() + b":" + body, hashlib.sha256).hexdigest()
        headers = {
            "X-Grafana-Alerting-Signature": signature,
            "X-Grafana-Alerting-Timestamp": now,
            "content-type": "application/json",
        }
        accepted = http.post("/webhook/grafana", content=body, headers=headers)
        assert accepted.status_code == 200, accepted.text
        old = str(int(time.time()) - 3600)
        stale = hmac.new(GRAFANA_SECRET.encode(), old.encode() + b":" + body, hashlib.sha256).hexdigest()
        replay = http.post(
            "/webhook/grafana",
            content=body,
            headers=headers | {"X-Grafana-Alerting-Signature": stale, "X-Grafana-Alerting-Timestamp": old},
        )
        assert replay.status_code == 401 and replay.json()["error"]["type"] == "SignatureExpiredError"
        unsigned = http.post("/webhook/grafana", content=body, headers={"content-type": "application/json"})
        assert unsigned.status_code == 401


class _UnavailableStore:
    """An IncidentStore whose table is unreachable (the port's contract on failure: StorageError)."""

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        from aisre.core.errors import StorageError

        def fail(*_args, **_kwargs):  # type: ignore[no-untyped-def]
            raise StorageError("DynamoDB unavailable")

        return fail


def test_storage_failure_is_503_never_a_2xx(local_stack: object):
    from aisre.alerts.providers import alert_intake
    from aisre.alerts.service.intake import AlertIntake
    from aisre.core.http.deps import current_scope
    from aisre.core.scope import Scope
    from aisre.core.settings import get_settings
    from aisre.incidents.service.ingest import IngestService
    from aisre.local.server import create_local_app
    from tests.support.servers import serve_app

    broken = Scope(get_settings())
    failing_ingest = IngestService(
        _UnavailableStore(),
        correlation_window=timedelta(minutes=10),
        deploy_lookback=timedelta(hours=1),
    )
    # The table is unreachable behind this platform's intake (a cached part, replaced on the instance).
    broken.put(alert_intake, AlertIntake(failing_ingest, _UnavailableStore(), dead_letter_retention_days=1))
    app = create_local_app()
    app.dependency_overrides[current_scope] = lambda: broken
    with serve_app(app) as url, httpx.Client(timeout=60, base_url=url) as http:
        response = http.post("/webhook", json={"title": "x", "service": "y"})
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.json()["error"]["type"] == "StorageError"
