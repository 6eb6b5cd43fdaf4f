"""Throughput: 10,000 alerts (70% duplicates) from 8 concurrent senders over HTTP against `aisre serve`."""

from __future__ import annotations

import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
TOTAL = int(os.environ.get("BENCH_ALERTS", "10000"))
DUPLICATE_SHARE = 0.7
SENDERS = 8
WORKSPACE = "bench-throughput"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _payloads(seed: int = 7) -> tuple[list[dict[str, Any]], int]:
    rng = random.Random(seed)
    distinct = int(TOTAL * (1 - DUPLICATE_SHARE))
    alerts = [
        {
            "title": f"Synthetic alert {index}",
            "severity": rng.choice(["critical", "high", "warning", "info"]),
            "source": "prometheus",
            "service": f"service-{index % 200}",
            "namespace": "production",
            "pod": f"pod-{index}",
            "labels": {"team": f"team-{index % 7}"},
        }
        for index in range(distinct)
    ]
    stream = alerts + [rng.choice(alerts) for _ in range(TOTAL - distinct)]
    rng.shuffle(stream)
    return stream, distinct


def _send_all(base_url: str, stream: list[dict[str, Any]]) -> tuple[list[float], int, float]:
    """8 senders, each a keep-alive connection sending its share in turn. The stdlib client, with the
    bodies encoded up front, so that the load generator takes as little as possible of the 2 cores."""
    host, port = base_url.removeprefix("http://").split(":")
    bodies = [json.dumps(payload).encode() for payload in stream]
    headers = {"Content-Type": "application/json", "X-Workspace-Id": WORKSPACE}
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()

    def sender(share: list[bytes]) -> None:
        nonlocal failures
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        mine: list[float] = []
        failed = 0
        for body in share:
            started = time.perf_counter()
            connection.request("POST", "/webhook", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            failed += response.status != 200
        connection.close()
        with lock:
            latencies.extend(mine)
            failures += failed

    threads = [threading.Thread(target=sender, args=(bodies[index::SENDERS],)) for index in range(SENDERS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, failures, time.perf_counter() - started


def _count_incidents(base_url: str) -> int:
    total, cursor = 0, None
    with httpx.Client(base_url=base_url, timeout=60, headers={"X-Workspace-Id": WORKSPACE}) as http:
        while True:
            params: dict[str, Any] = {"limit": 100, "workspace_id": WORKSPACE}
            if cursor:
                params["cursor"] = cursor
            page = http.get("/incidents", params=params).json()
            total += page["count"]
            cursor = page.get("next_cursor")
            if not cursor:
                return total


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@contextmanager
def serve(*, auto_investigate: bool) -> Iterator[tuple[str, int]]:
    """`aisre serve` (what `make run` starts) in a child process; yields (base URL, pid), stops it after."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, LOG_LEVEL="WARNING")
    command = [sys.executable, "-m", "aisre.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--parameter", f"AutoInvestigate={str(auto_investigate).lower()}"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base_url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("aisre serve did not become healthy")
            time.sleep(0.25)
        yield base_url, server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def run() -> dict[str, object]:
    # The ingest path is what is measured here; investigations are asynchronous work of their own.
    with serve(auto_investigate=False) as (base_url, server_pid):
        stream, distinct = _payloads()
        latencies, failures, elapsed = _send_all(base_url, stream)
        incidents = _count_incidents(base_url)
        ordered = sorted(latencies)

        def percentile(share: float) -> float:
            return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

        return {
            "alerts": len(stream),
            "distinct_fingerprints": distinct,
            "senders": SENDERS,
            "seconds": round(elapsed, 2),
            "alerts_per_second": round(len(stream) / elapsed, 1),
            "p50_ms": round(percentile(0.50), 1),
            "p95_ms": round(percentile(0.95), 1),
            "p99_ms": round(percentile(0.99), 1),
            "mean_ms": round(statistics.mean(latencies) * 1000, 1),
            "failures": failures,
            "incidents": incidents,
            "lost": distinct - incidents,
            "server_rss_mb": round(_rss_mb(server_pid), 1),
            "emulator_rss_mb": round(sum(_rss_mb(child) for child in _children(server_pid)), 1),
        }


def report(result: dict[str, object]) -> None:
    alerts = result["alerts"]
    print(f"\n== Throughput: {alerts} alerts, 70% duplicates, {SENDERS} concurrent senders, over HTTP ==")
    for key, value in result.items():
        print(f"{key:<24} {value}")


if __name__ == "__main__":
    report(run())
