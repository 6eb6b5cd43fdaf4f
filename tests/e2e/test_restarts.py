"""`aisre serve` outlives its failures. An emulator killed mid-run is replaced with its data in place, and while it
is down every answer is a 503 naming DynamoDB, never its address; a server stopped (SIGTERM) or killed
(SIGKILL) starts again on the same data directory with everything it acknowledged; SIGTERM stops everything
within 10 s even with 1,000-alert requests in flight."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.processes import Service, emulator_pids, serve_aisre, stop_service
from tests.support.servers import wait_for

pytestmark = pytest.mark.e2e

# Investigations append to timelines in the background: off, so that a timeline is what the test wrote.
NO_INVESTIGATIONS = ("--parameter", "AutoInvestigate=false")
BACK_WITHIN_SECONDS = 15.0
HELD_DOWN_SECONDS = 10.0
STOP_WITHIN_SECONDS = 10.0
EMULATOR_ADDRESS = re.compile(r"127\.0\.0\.1|localhost|http://")


def alert(number: int, run: str) -> dict[str, Any]:
    return {"title": f"{run} alert {number}", "severity": "critical", "service": f"{run}-svc-{number}"}


def send(http: httpx.Client, payload: dict[str, Any]) -> str:
    response = http.post("/webhook", json=payload)
    assert response.status_code == 200, response.text
    incident_id: str = response.json()["incident_id"]
    return incident_id


def state(http: httpx.Client) -> dict[str, Any]:
    """Everything the API shows of the workspace: the list, and each incident's detail and timeline."""
    listing = http.get("/incidents", params={"limit": 100})
    assert listing.status_code == 200, listing.text
    incidents = sorted(listing.json()["incidents"], key=lambda incident: incident["id"])
    details, timelines = {}, {}
    for incident in incidents:
        detail = http.get(f"/incidents/{incident['id']}")
        timeline = http.get(f"/incidents/{incident['id']}/timeline", params={"limit": 100})
        assert detail.status_code == timeline.status_code == 200, (detail.text, timeline.text)
        details[incident["id"]], timelines[incident["id"]] = detail.json(), timeline.json()
    return {"incidents": incidents, "details": details, "timelines": timelines}


def same_state(http: httpx.Client, expected: dict[str, Any]) -> bool:
    try:
        return state(http) == expected
    except (httpx.HTTPError, AssertionError):
        return False  # not back yet


def stop(service: Service, signum: signal.Signals) -> float:
    """Send `signum`; return the seconds until the server and everything it started were gone."""
    started = time.monotonic()
    leftovers = stop_service(service, signum)  # names (and kills) whatever outlived it
    assert leftovers == [], leftovers
    return time.monotonic() - started


@pytest.fixture
def run() -> str:
    return f"run-{uuid.uuid4().hex[:8]}"


def test_a_killed_emulator_is_replaced_and_while_it_is_down_answers_are_503s_naming_dynamodb(
    tmp_path: Path, run: str
) -> None:
    service = serve_aisre(tmp_path, "--data-dir", str(tmp_path / "data"), *NO_INVESTIGATIONS)
    try:
        with httpx.Client(base_url=service.url, headers={"X-Workspace-Id": run}, timeout=60) as http:
            ids = [send(http, alert(number, run)) for number in range(5)]
            send(http, alert(0, run))  # a duplicate: alert_count 2
            assert http.post(f"/incidents/{ids[0]}/acknowledge").status_code == 200
            before = state(http)
            assert len(before["incidents"]) == 5

            [emulator] = emulator_pids(service)
            killed = time.monotonic()
            os.kill(emulator, signal.SIGKILL)
            wait_for(lambda: same_state(http, before), timeout=BACK_WITHIN_SECONDS * 2)
            back_after = time.monotonic() - killed
            assert back_after < BACK_WITHIN_SECONDS
            print(f"\nthe API answered again {back_after:.1f} s after the emulator was killed")
            assert emulator_pids(service) != [emulator]

            # Held down: every emulator the supervisor starts is killed at once, for a while.
            answers = hold_down(service, http, ids[1])
            wait_for(lambda: same_state(http, before), timeout=BACK_WITHIN_SECONDS * 2)
    finally:
        assert stop_service(service) == []
    assert "the AWS emulator is back after" in service.output(limit=10**7)

    assert answers, "no request was answered while the emulator was down"
    for method, path, response in answers:
        where = f"{method} {path}: {response.status_code} {response.text[:300]}"
        assert response.status_code == 503, where
        assert not EMULATOR_ADDRESS.search(response.text), where
        assert "Retry-After" in response.headers, where
        if path != "/health":
            error = response.json()["error"]
            assert "(DynamoDB)" in error["message"] and error["details"]["dependency"] == "DynamoDB", where


def hold_down(service: Service, http: httpx.Client, incident_id: str) -> list[tuple[str, str, httpx.Response]]:
    """Keep the emulator dead for HELD_DOWN_SECONDS while asking the API what a user would; the answers."""
    stop_killing = threading.Event()

    def keep_killing() -> None:
        while not stop_killing.wait(0.02):
            for pid in emulator_pids(service):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    killer = threading.Thread(target=keep_killing, daemon=True)
    killer.start()
    probes: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", "/incidents", None),
        ("GET", f"/incidents/{incident_id}", None),
        ("GET", f"/incidents/{incident_id}/timeline", None),
        ("POST", f"/incidents/{incident_id}/acknowledge", {}),
        ("POST", "/webhook", {"title": "while down", "severity": "warning"}),
        ("GET", "/health", None),
    ]
    answers = []
    try:
        time.sleep(0.5)  # the supervisor has noticed and the clients' connections are gone
        deadline = time.monotonic() + HELD_DOWN_SECONDS
        while time.monotonic() < deadline:
            for method, path, body in probes:
                answers.append((method, path, http.request(method, path, json=body)))
    finally:
        stop_killing.set()
        killer.join()
    return answers


def test_a_restart_after_sigterm_and_after_sigkill_keeps_everything_acknowledged(tmp_path: Path, run: str) -> None:
    data = ["--data-dir", str(tmp_path / "data"), *NO_INVESTIGATIONS]
    first = serve_aisre(tmp_path, *data, name="first")
    try:
        with httpx.Client(base_url=first.url, headers={"X-Workspace-Id": run}, timeout=60) as http:
            ids = [send(http, alert(number, run)) for number in range(3)]
            assert send(http, alert(0, run)) == ids[0]
            assert http.post(f"/incidents/{ids[1]}/acknowledge", json={"note": "on it"}).status_code == 200
            before = state(http)
    finally:
        stopped_in = stop(first, signal.SIGTERM)
    assert stopped_in < STOP_WITHIN_SECONDS
    print(f"\nstopped by SIGTERM in {stopped_in:.1f} s")
    assert [item["state"] for item in before["incidents"] if item["id"] == ids[1]] == ["acknowledged"]
    assert before["details"][ids[0]]["incident"]["alert_count"] == 2

    second = serve_aisre(tmp_path, *data, name="second")
    try:
        with httpx.Client(base_url=second.url, headers={"X-Workspace-Id": run}, timeout=60) as http:
            assert state(http) == before
            send(http, alert(3, run))
            assert send(http, alert(2, run)) == ids[2]
            before = state(http)
            time.sleep(1.5)  # past the journal's one-second sync: a SIGKILL may lose only the last second
    finally:
        stop(second, signal.SIGKILL)  # the emulator goes with it: it watches its parent

    third = serve_aisre(tmp_path, *data, name="third")
    try:
        with httpx.Client(base_url=third.url, headers={"X-Workspace-Id": run}, timeout=60) as http:
            after = state(http)
    finally:
        stop(third, signal.SIGTERM)
    assert len(after["incidents"]) == 4
    assert after == before


def test_sigterm_stops_everything_within_10_s_with_1000_alert_requests_in_flight(tmp_path: Path, run: str) -> None:
    service = serve_aisre(tmp_path, "--ephemeral", *NO_INVESTIGATIONS)
    payload = {"alerts": [alert(number, run) for number in range(1000)]}
    answers: list[Any] = []

    def post_thousand() -> None:
        try:
            answers.append(
                httpx.post(f"{service.url}/webhook", json=payload, headers={"X-Workspace-Id": run}, timeout=120)
            )
        except httpx.HTTPError as error:
            answers.append(error)

    senders = [threading.Thread(target=post_thousand) for _ in range(2)]
    try:
        for sender in senders:
            sender.start()
        with httpx.Client(base_url=service.url, headers={"X-Workspace-Id": run}, timeout=30) as http:
            wait_for(lambda: http.get("/incidents", params={"limit": 5}).json()["count"] >= 5, timeout=60)
        assert answers == [], "the 1,000-alert requests were answered before the stop: nothing was in flight"
        stopped_in = stop(service, signal.SIGTERM)
    finally:
        if service.process.poll() is None:
            stop_service(service)
        for sender in senders:
            sender.join(timeout=130)
    assert stopped_in < STOP_WITHIN_SECONDS, f"stopped in {stopped_in:.1f} s"
    print(f"\nstopped in {stopped_in:.1f} s with two 1,000-alert requests in flight; their answers: {answers}")
    # Unanswered (the connection closed) or answered whole: never a failure that looks like success.
    for answer in answers:
        assert isinstance(answer, httpx.HTTPError) or answer.status_code in (200, 503), answer
