"""Analyzer path: from an alert received to its diagnosis available, against `aisre serve` (the template's
state machine on the local stack, investigations started automatically)."""

from __future__ import annotations

import statistics
import time
from typing import Any

import httpx

from tests.bench.throughput import serve

ALERTS = 40


def run() -> dict[str, Any]:
    latencies: list[float] = []
    with serve(auto_investigate=True) as (base_url, _pid), httpx.Client(base_url=base_url, timeout=60) as http:
        for index in range(ALERTS):
            alert = {
                "title": f"Pod checkout-{index} OOMKilled",
                "description": "Container was OOMKilled: memory limit exceeded",
                "severity": "critical",
                "service": f"checkout-{index}",
                "namespace": "production",
                "pod": f"checkout-{index}-7d8f9c6b5-x2k4m",
            }
            started = time.perf_counter()
            incident_id = http.post("/webhook", json=alert).json()["incident_id"]
            # The endpoint waits (bounded) for the running investigation: it answers once the diagnosis exists.
            response = http.get(f"/incidents/{incident_id}/diagnosis")
            if response.status_code != 200:
                raise RuntimeError(f"no diagnosis for {incident_id}: {response.status_code} {response.text}")
            latencies.append(time.perf_counter() - started)
    ordered = sorted(latencies)
    return {
        "alerts": ALERTS,
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
        "first_ms (cold: modules load)": round(latencies[0] * 1000, 1),
        "p95_after_first_ms": round(
            sorted(latencies[1:])[min(len(latencies) - 2, int(0.95 * (len(latencies) - 1)))] * 1000, 1
        ),
    }


def report(result: dict[str, Any]) -> None:
    print("\n== Alert received -> diagnosis available (analyzer path, one at a time, local stack) ==")
    for key, value in result.items():
        print(f"{key:<32} {value}")


if __name__ == "__main__":
    report(run())
