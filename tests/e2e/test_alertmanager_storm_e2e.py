"""A group of 5,000 alerts in a real Prometheus Alertmanager, against `aisre serve` with its default cap of 1,000
alerts per payload (MAX_ALERTS_PER_PAYLOAD).

With `max_alerts: 1000` on the webhook (the pairing the README recommends), Alertmanager sends the first
1,000 and counts the rest in `truncatedAlerts`: the platform ingests them and stays responsive. Without it,
the notification is over the cap: 413, dead-lettered (Alertmanager does not retry a 4xx), and an operator's
replay ingests all 5,000 in chunks of the cap. Either way, nothing the platform acknowledged is lost.

A relay between Alertmanager and the platform records each notification and the platform's answer, so the
tests know exactly what was sent and acknowledged. The platform here starts no investigations
(AutoInvestigate=false): the ingest path is what is under test, not the investigation starter. Its
MAX_BODY_BYTES is 4 MiB: 5,000 alerts as Alertmanager sends them are ~1.6 MB, past the default 1 MiB, and a
body over MAX_BODY_BYTES is refused before it is read, so it is not kept (the README says so, and why
max_alerts is the setting that keeps a big group from being lost).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Service, running_alertmanager, running_platform
from tests.support.servers import free_port

pytestmark = pytest.mark.e2e

STORM = 5000
CAP = 1000  # MAX_ALERTS_PER_PAYLOAD's default, and the max_alerts paired with it
DEFAULT_MAX_BODY_BYTES = 1_048_576
WAIT_SECONDS = 180.0


@dataclass
class Delivery:
    status: int
    size: int
    fingerprints: list[str]
    truncated_alerts: int
    seconds: float


class RecordingRelay:
    """Forwards each notification to the platform as it came and answers Alertmanager with the platform's
    answer, recording what was sent and how it was answered."""

    def __init__(self, target: str):
        self.target = target
        self.deliveries: list[Delivery] = []
        self._lock = threading.Lock()
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                started = time.monotonic()
                answer = httpx.post(
                    relay.target,
                    content=body,
                    headers={"content-type": self.headers.get("content-type", "application/json")},
                    timeout=600,
                )
                payload = json.loads(body)
                with relay._lock:
                    relay.deliveries.append(
                        Delivery(
                            status=answer.status_code,
                            size=len(body),
                            fingerprints=[alert["fingerprint"] for alert in payload["alerts"]],
                            truncated_alerts=int(payload.get("truncatedAlerts") or 0),
                            seconds=time.monotonic() - started,
                        )
                    )
                try:
                    self.send_response(answer.status_code)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(answer.content)))
                    self.end_headers()
                    self.wfile.write(answer.content)
                except OSError:
                    pass  # Alertmanager gave up waiting: what the platform answered is recorded all the same

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def of(self, fingerprints: set[str]) -> list[Delivery]:
        with self._lock:
            return [d for d in self.deliveries if set(d.fingerprints) <= fingerprints]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def storm_platform(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    with running_platform(
        request,
        tmp_path_factory,
        "--parameter",
        "AutoInvestigate=false",
        "--ephemeral",  # the storm's data is this module's alone
        name="aisre serve (storm)",
        settings={"MAX_BODY_BYTES": str(4 * 1024 * 1024)},
    ) as service:
        yield service


@pytest.fixture(scope="module")
def relay(storm_platform: Service) -> Iterator[RecordingRelay]:
    recorder = RecordingRelay(f"{storm_platform.url}/webhook/alertmanager")
    yield recorder
    recorder.close()


@pytest.fixture(scope="module")
def storm_alertmanager(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, relay: RecordingRelay
) -> Iterator[Service]:
    config = (
        "route:\n"
        "  receiver: capped\n"
        "  group_by: [alertname]\n"
        "  group_wait: 2s\n"
        "  group_interval: 30s\n"
        "  repeat_interval: 1h\n"
        "  routes:\n"
        "    - matchers: ['storm_route=\"uncapped\"']\n"
        "      receiver: uncapped\n"
        "receivers:\n"
        "  - name: capped\n"
        "    webhook_configs:\n"
        f"      - url: {relay.url}/webhook/alertmanager\n"
        f"        max_alerts: {CAP}\n"
        "  - name: uncapped\n"
        "    webhook_configs:\n"
        f"      - url: {relay.url}/webhook/alertmanager\n"
    )
    with running_alertmanager(request, tmp_path_factory, config, name="alertmanager (storm)") as service:
        yield service


def storm(alertname: str, route: str) -> list[dict[str, Any]]:
    started = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    return [
        {
            "labels": {
                "alertname": alertname,
                "storm_route": route,
                "service": f"svc-{index % 25}",
                "namespace": "e2e",
                "pod": f"pod-{index:05d}",
                "severity": "warning",
            },
            "annotations": {"summary": f"{alertname} on pod-{index:05d}"},
            "startsAt": started,
        }
        for index in range(STORM)
    ]


def post_storm(alertmanager: Service, alerts: list[dict[str, Any]]) -> set[str]:
    """Post the alerts; return Alertmanager's fingerprints of them."""
    alertname = alerts[0]["labels"]["alertname"]
    with httpx.Client(base_url=alertmanager.url, timeout=60) as am:
        response = am.post("/api/v2/alerts", json=alerts)
        assert response.status_code == 200, response.text
        held = am.get("/api/v2/alerts", params={"filter": f'alertname="{alertname}"'}).json()
    assert len(held) == STORM, f"Alertmanager holds {len(held)} of the {STORM} alerts"
    return {item["fingerprint"] for item in held}


def incident_fingerprints(platform: Service, alertname: str) -> list[str]:
    found: list[str] = []
    params: dict[str, Any] = {"limit": 100}
    with httpx.Client(base_url=platform.url, timeout=60) as http:
        while True:
            body = http.get("/incidents", params=params).json()
            found += [item["fingerprint"] for item in body["incidents"] if item["labels"]["alertname"] == alertname]
            if not body.get("next_cursor"):
                return found
            params["cursor"] = body["next_cursor"]


def wait_responsive(platform: Service, done: Any, what: str) -> float:
    """Poll /health until done() holds; return the slowest /health answer seen meanwhile."""
    slowest = 0.0
    deadline = time.monotonic() + WAIT_SECONDS
    with httpx.Client(base_url=platform.url, timeout=30) as http:
        while not done():
            started = time.monotonic()
            assert http.get("/health").status_code == 200
            slowest = max(slowest, time.monotonic() - started)
            if time.monotonic() > deadline:
                pytest.fail(f"within {WAIT_SECONDS:.0f} s, {what}", pytrace=False)
            time.sleep(0.2)
    return slowest


def test_a_group_of_5000_with_max_alerts_is_ingested_as_sent_and_the_server_stays_responsive(
    storm_platform: Service, storm_alertmanager: Service, relay: RecordingRelay
) -> None:
    alertname = f"E2EStorm{uuid.uuid4().hex[:8]}"
    sent = post_storm(storm_alertmanager, storm(alertname, "capped"))

    slowest = wait_responsive(
        storm_platform, lambda: any(d.status == 200 for d in relay.of(sent)), "no notification was acknowledged"
    )
    deliveries = relay.of(sent)
    first = deliveries[0]
    assert len(first.fingerprints) == CAP and first.truncated_alerts == STORM - CAP, first
    assert first.size < DEFAULT_MAX_BODY_BYTES, "with max_alerts, the default body limit would do too"
    assert first.status == 200, f"the platform answered {first.status} to a notification of {CAP} alerts"
    acknowledged = {fp for delivery in deliveries if delivery.status == 200 for fp in delivery.fingerprints}

    stored = incident_fingerprints(storm_platform, alertname)
    assert len(stored) == len(set(stored)), "one incident per fingerprint"
    assert acknowledged <= set(stored), f"{len(acknowledged - set(stored))} acknowledged alerts have no incident"
    assert set(stored) <= sent
    assert slowest < 5.0, f"/health took {slowest:.1f} s while {CAP} alerts were ingested"
    # What Alertmanager left out is said where an operator looks.
    assert f"alertmanager left {STORM - CAP} alerts" in storm_platform.output(limit=10**7)
    print(f"\n{CAP} alerts ingested in {first.seconds:.2f} s; slowest /health meanwhile {slowest:.2f} s")


def test_a_group_of_5000_without_max_alerts_is_refused_kept_and_replayed_whole(
    storm_platform: Service, storm_alertmanager: Service, relay: RecordingRelay
) -> None:
    alertname = f"E2EStormUncapped{uuid.uuid4().hex[:8]}"
    sent = post_storm(storm_alertmanager, storm(alertname, "uncapped"))
    wait_responsive(storm_platform, lambda: bool(relay.of(sent)), "no notification reached the platform")
    refused = relay.of(sent)[0]
    assert refused.status == 413 and len(refused.fingerprints) == STORM and refused.truncated_alerts == 0
    assert refused.size > DEFAULT_MAX_BODY_BYTES, "under the default body limit, this body would not be kept"

    with httpx.Client(base_url=storm_platform.url, timeout=600) as http:
        entries = [
            entry
            for entry in http.get("/webhook/dead-letter", params={"limit": 1000}).json()["entries"]
            if entry["status_code"] == 413 and entry["payload"]["alerts"][0]["labels"]["alertname"] == alertname
        ]
        assert entries, "the refused notification is not in the dead-letter store"
        started = time.monotonic()
        replay = http.post(f"/webhook/dead-letter/{entries[-1]['id']}/replay")
        seconds = time.monotonic() - started
        assert replay.status_code == 200, replay.text[:500]
        assert replay.json()["result"]["alerts_received"] == STORM
    stored = incident_fingerprints(storm_platform, alertname)
    assert len(stored) == STORM and set(stored) == sent
    print(f"\nreplayed {STORM} alerts in {seconds:.1f} s; {len(relay.of(sent))} refused notifications")
