"""Notifications: from an alert received to its first notification delivered at a loopback receiver (a Slack
incoming webhook stand-in, routed by the default rules), one alert at a time, two a second; and the alert storm of
the throughput benchmark with notifications on against off (default settings otherwise, a channel configured in
both)."""

from __future__ import annotations

import json
import os
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from tests.bench.throughput import WORKSPACE, _payloads, _send_all, serve

ALERTS = int(os.environ.get("BENCH_NOTIFY_ALERTS", "40"))


class Receiver:
    """Records when each message arrives, by the text it carries."""

    def __init__(self) -> None:
        self.arrivals: list[tuple[float, str]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.arrivals.append((time.perf_counter(), body.decode("utf-8", "replace")))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/services/T000/B000/bench"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def arrived(self, text: str) -> float | None:
        return next((at for at, body in list(self.arrivals) if text in body), None)

    def close(self) -> None:
        self.server.shutdown()


def _channel(http: httpx.Client, receiver: Receiver) -> None:
    answer = http.post(
        "/api/v1/notifications/channels",
        json={"name": "bench-slack", "type": "slack", "config": {"webhook_url": receiver.url}, "enabled": True},
    )
    answer.raise_for_status()


def _latency() -> dict[str, Any]:
    receiver = Receiver()
    latencies: list[float] = []
    try:
        with (
            serve(auto_investigate=False, OUTBOUND_ALLOW_PRIVATE_NETWORKS="true") as (base_url, _pid),
            httpx.Client(base_url=base_url, timeout=60, headers={"X-Workspace-Id": WORKSPACE}) as http,
        ):
            _channel(http, receiver)
            for index in range(ALERTS):
                marker = f"bench-notify-{index}-{time.time_ns()}"
                alert = {"title": marker, "severity": "critical", "service": f"svc-{index}", "source": "bench"}
                started = time.perf_counter()
                http.post("/webhook", json=alert).raise_for_status()
                deadline = started + 60
                while (arrived := receiver.arrived(marker)) is None and time.perf_counter() < deadline:
                    time.sleep(0.005)
                if arrived is None:
                    raise RuntimeError(f"no notification for alert {index} within 60 s")
                latencies.append(arrived - started)
                # Alerts one at a time, two a second: not a storm (past ten alerts in two seconds the local stack
                # holds background work, notifications included, until intake calms: local/intake_pressure.py).
                time.sleep(max(0.0, 0.5 - (time.perf_counter() - started)))
    finally:
        receiver.close()
    ordered = sorted(latencies)
    return {
        "alerts (one at a time)": ALERTS,
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def _storm(enabled: bool) -> dict[str, Any]:
    receiver = Receiver()
    try:
        environment = {"OUTBOUND_ALLOW_PRIVATE_NETWORKS": "true", "NOTIFICATIONS_ENABLED": str(enabled).lower()}
        with serve(auto_investigate=False, **environment) as (base_url, _pid):
            with httpx.Client(base_url=base_url, timeout=60, headers={"X-Workspace-Id": WORKSPACE}) as http:
                _channel(http, receiver)
            stream, _distinct = _payloads()
            _latencies, failures, elapsed = _send_all(base_url, stream)
            time.sleep(2.0)
            return {
                "notifications": "on (default)" if enabled else "off",
                "alerts": len(stream),
                "alerts_per_second": round(len(stream) / elapsed, 1),
                "failed_requests": failures,
                "messages_received_by_2s_after": len(receiver.arrivals),
            }
    finally:
        receiver.close()


def run() -> dict[str, Any]:
    return {"latency": _latency(), "storm": [_storm(False), _storm(True)]}


def report(result: dict[str, Any]) -> None:
    print("\n== Alert received -> first notification delivered (loopback Slack receiver, local stack) ==")
    for key, value in result["latency"].items():
        print(f"{key:<32} {value}")
    off, on = result["storm"]
    print(f"\n== Ingest throughput, notifications off / on ({off['alerts']} alerts, 70% duplicates) ==")
    for key in off:
        print(f"{key:<36} {off[key]!s:>16} {on[key]!s:>16}")
    print(f"{'rate with notifications / without':<36} {on['alerts_per_second'] / off['alerts_per_second']:>16.0%}")
    print(json.dumps(result))


if __name__ == "__main__":
    report(run())
