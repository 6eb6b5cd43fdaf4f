"""Live events: from an alert sent to `aisre serve` to its `incident.created` on an open WebSocket (WS /ws).

One socket subscribed to incident.created; alerts sent one at a time (each a new fingerprint), each waited for on
the socket. Printed: the latency from the send and from the webhook's 200, p50/p95/max; and, while a burst of alerts
is taken in, how long the last event of the burst follows its alert."""

from __future__ import annotations

import json
import os
import statistics
import time
import uuid
from typing import Any

import httpx
from websockets.sync.client import connect

from tests.bench.throughput import serve

ALERTS = int(os.environ.get("BENCH_LIVE_ALERTS", "50"))
BURST = int(os.environ.get("BENCH_LIVE_BURST", "200"))
WORKSPACE = "bench-live"


def _alert(title: str) -> dict[str, Any]:
    return {
        "title": title,
        "service": f"svc-{uuid.uuid4().hex[:6]}",
        "severity": "high",
        "fingerprint": uuid.uuid4().hex,
    }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run() -> dict[str, Any]:
    with (
        serve(auto_investigate=False) as (base_url, _pid),
        httpx.Client(base_url=base_url, timeout=30) as http,
        connect(base_url.replace("http://", "ws://") + "/ws", open_timeout=10) as ws,
    ):
        ws.send(json.dumps({"type": "auth", "workspace_id": WORKSPACE}))
        json.loads(ws.recv(timeout=10))
        ws.send(json.dumps({"type": "subscribe", "event": "incident.created"}))
        json.loads(ws.recv(timeout=10))
        http.post("/webhook", json=_alert("warm-up"), headers={"X-Workspace-Id": WORKSPACE})
        ws.recv(timeout=10)
        from_send, from_answer = [], []
        for number in range(ALERTS):
            started = time.perf_counter()
            answer = http.post("/webhook", json=_alert(f"live {number}"), headers={"X-Workspace-Id": WORKSPACE})
            answered = time.perf_counter()
            event = json.loads(ws.recv(timeout=10))
            arrived = time.perf_counter()
            assert event["data"]["id"] == answer.json()["incident_id"], event
            from_send.append(1000 * (arrived - started))
            from_answer.append(1000 * (arrived - answered))
        # A burst in one payload: every incident's event, the last one's delay after the 200.
        burst = [_alert(f"burst {n}") for n in range(BURST)]
        started = time.perf_counter()
        answer = http.post("/webhook", json=burst, headers={"X-Workspace-Id": WORKSPACE})
        answered = time.perf_counter()
        for _ in range(BURST):
            json.loads(ws.recv(timeout=30))
        last = time.perf_counter()
    return {
        "alerts": ALERTS,
        "from_send_ms": from_send,
        "from_answer_ms": from_answer,
        "burst": BURST,
        "burst_answer_ms": 1000 * (answered - started),
        "burst_last_event_after_answer_ms": 1000 * (last - answered),
        "burst_status": answer.status_code,
    }


def report(result: dict[str, Any]) -> None:
    print(
        f"\n== Live events: alert -> incident.created on an open socket ({result['alerts']} alerts, one at a time) =="
    )
    for name in ("from_send_ms", "from_answer_ms"):
        values = result[name]
        print(
            f"{name:>16}: p50 {statistics.median(values):6.1f}  p95 {_percentile(values, 0.95):6.1f}"
            f"  max {max(values):6.1f} ms"
        )
    print(
        f"burst of {result['burst']} alerts in one payload: answered in {result['burst_answer_ms']:.0f} ms "
        f"(HTTP {result['burst_status']}), its last event {result['burst_last_event_after_answer_ms']:.0f} ms later"
    )


if __name__ == "__main__":
    report(run())
