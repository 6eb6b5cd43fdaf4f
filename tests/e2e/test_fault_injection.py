"""With a tenth of DynamoDB's calls failing as DynamoDB fails (AISRE_LOCAL_FAULT_RATE=0.1: throttled, failed, or
failed after the write was applied), a sender that retries on 5xx and on connection errors loses nothing: every
alert the platform acknowledged is counted, each fingerprint is one incident."""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.processes import Service, serve_aisre, stop_service

pytestmark = pytest.mark.e2e

FAULT_RATE = "0.1"
FINGERPRINTS = 60
SENDS_PER_FINGERPRINT = 5  # the first opens the incident, the rest are duplicates
SENDERS = 4
MAX_ATTEMPTS = 40


def send_until_acknowledged(http: httpx.Client, payload: dict[str, Any]) -> int:
    """POST until a 2xx, retrying what a careful sender retries (5xx, a dropped connection); the attempts."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            response = http.post("/webhook", json=payload)
        except httpx.TransportError:
            time.sleep(0.1)
            continue
        if response.status_code >= 500:
            assert response.status_code == 503 and "Retry-After" in response.headers, response.text
            time.sleep(0.1)
            continue
        assert response.status_code == 200, response.text
        return attempt
    raise AssertionError(f"not acknowledged after {MAX_ATTEMPTS} attempts: {payload}")


def emulator_figures(service: Service) -> dict[str, Any]:
    """The emulator's own counters (/_aisre/requests), at the address `aisre serve` printed."""
    found = re.search(r"aisre: emulated AWS at (http://\S+)", service.output(limit=10**7))
    assert found, service.output()
    figures: dict[str, Any] = httpx.get(f"{found.group(1)}/_aisre/requests", timeout=10).json()
    return figures


def read(http: httpx.Client, path: str, params: dict[str, Any] | None = None) -> Any:
    """GET, retried on 5xx as the sender retries (the faults hit reads too)."""
    for _attempt in range(MAX_ATTEMPTS):
        response = http.get(path, params=params)
        if response.status_code < 500:
            assert response.status_code == 200, response.text
            return response.json()
        time.sleep(0.1)
    raise AssertionError(f"GET {path} kept failing: {response.status_code} {response.text}")


def stored(http: httpx.Client) -> dict[str, int]:
    """fingerprint -> the alert count of its incident, for every incident of the workspace."""
    counts: dict[str, int] = {}
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = read(http, "/incidents", params)
        for incident in page["incidents"]:
            detail = read(http, f"/incidents/{incident['id']}")["incident"]  # the live count
            assert detail["fingerprint"] not in counts, f"two incidents for {detail['fingerprint']}"
            counts[detail["fingerprint"]] = detail["alert_count"]
        cursor = page["next_cursor"]
        if not cursor:
            return counts


def test_with_a_tenth_of_storage_calls_failing_no_acknowledged_alert_is_lost(tmp_path: Path) -> None:
    run = f"faults-{uuid.uuid4().hex[:8]}"
    service = serve_aisre(
        tmp_path, "--ephemeral", "--parameter", "AutoInvestigate=false", env={"AISRE_LOCAL_FAULT_RATE": FAULT_RATE}
    )
    payloads = [
        {"title": f"{run} alert {number}", "severity": "critical", "service": f"{run}-{number}", "fingerprint": fp}
        for number in range(FINGERPRINTS)
        for fp in [f"{run}-fp-{number}"] * SENDS_PER_FINGERPRINT
    ]
    acknowledged: Counter[str] = Counter()
    attempts: Counter[str] = Counter()
    lock = threading.Lock()
    failures: list[BaseException] = []

    def sender(share: list[dict[str, Any]]) -> None:
        try:
            with httpx.Client(base_url=service.url, headers={"X-Workspace-Id": run}, timeout=60) as http:
                for payload in share:
                    tries = send_until_acknowledged(http, payload)
                    with lock:
                        acknowledged[payload["fingerprint"]] += 1
                        attempts[payload["fingerprint"]] += tries
        except BaseException as error:
            failures.append(error)

    try:
        threads = [threading.Thread(target=sender, args=(payloads[index::SENDERS],)) for index in range(SENDERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        with httpx.Client(base_url=service.url, headers={"X-Workspace-Id": run}, timeout=60) as http:
            counts = stored(http)
        figures = emulator_figures(service)
    finally:
        assert stop_service(service) == []

    injected = figures["faults_injected"]
    assert injected["throttled"] > 0 and injected["failed"] > 0 and injected["failed_after_write"] > 0, figures
    assert sum(acknowledged.values()) == len(payloads)
    # One incident per fingerprint, none missing, none doubled.
    assert sorted(counts) == sorted(acknowledged)
    # Every acknowledged alert is counted. A request answered 5xx after some of its writes were applied can be
    # counted again when its retry is acknowledged (at least once), so a count may exceed what was acknowledged,
    # never the attempts made.
    lost = {fp: (counts[fp], acknowledged[fp]) for fp in acknowledged if counts[fp] < acknowledged[fp]}
    assert lost == {}
    assert all(counts[fp] <= attempts[fp] for fp in acknowledged)
    print(
        f"\nfaults injected {injected}; transaction retries answered by their token "
        f"{figures['transaction_repeats_answered']}; sends {len(payloads)}, attempts {sum(attempts.values())}, "
        f"counted {sum(counts.values())}"
    )
