"""Throughput: 10,000 alerts (70% duplicates) from 8 concurrent senders over HTTP against `aisre serve`."""

from __future__ import annotations

import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
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
EPHEMERAL = os.environ.get("BENCH_EPHEMERAL", "") not in ("", "0")


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


def _status_field(pid: int, field: str) -> int:
    """A number from /proc/<pid>/status (VmRSS in kB, Threads), 0 when the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/<pid>/stat, fields 14 and 15)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class PeakSampler:
    """Samples the server's and the emulator's threads and memory every 0.2 s; keeps the peaks and the last."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.peaks: dict[str, int] = {}
        self.last: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> dict[str, int]:
        emulators = _children(self.server_pid)
        return {
            "server_threads": _status_field(self.server_pid, "Threads"),
            "server_rss_mb": _status_field(self.server_pid, "VmRSS") // 1024,
            "emulator_threads": sum(_status_field(child, "Threads") for child in emulators),
            "emulator_rss_mb": sum(_status_field(child, "VmRSS") for child in emulators) // 1024,
        }

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.last = self.sample()
            for key, value in self.last.items():
                self.peaks[key] = max(self.peaks.get(key, 0), value)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


def _incident_ids(base_url: str) -> list[str]:
    ids, cursor = [], None
    with httpx.Client(base_url=base_url, timeout=60, headers={"X-Workspace-Id": WORKSPACE}) as http:
        while True:
            params: dict[str, Any] = {"limit": 100}
            if cursor:
                params["cursor"] = cursor
            page = http.get("/incidents", params=params).json()
            ids += [incident["id"] for incident in page["incidents"]]
            cursor = page.get("next_cursor")
            if not cursor:
                return ids


def _wait_until_investigated(base_url: str, incident_ids: list[str], timeout: float) -> tuple[int, int, float]:
    """Ask each incident's diagnosis until every one has it (200) or none is still pending (202).
    Returns (diagnosed, not investigated (404: failed or never requested), seconds)."""
    started = time.perf_counter()
    pending, missing = list(incident_ids), 0
    with httpx.Client(base_url=base_url, timeout=60, headers={"X-Workspace-Id": WORKSPACE}) as http:
        while pending and time.perf_counter() - started < timeout:
            still: list[str] = []
            for incident_id in pending:
                status = http.get(f"/incidents/{incident_id}/diagnosis").status_code
                if status == 202:
                    still.append(incident_id)
                elif status != 200:
                    missing += 1
            pending = still
            if pending:
                time.sleep(1.0)
    return len(incident_ids) - len(pending) - missing, missing + len(pending), time.perf_counter() - started


@contextmanager
def serve(*, auto_investigate: bool, **environment: str) -> Iterator[tuple[str, int]]:
    """`aisre serve` (what `make run` starts) in a child process; yields (base URL, pid), stops it after.

    Its data is kept, as `make run` keeps it, in a temporary directory (never the project's .aisre/);
    BENCH_EPHEMERAL=1 keeps it in memory instead, to measure what keeping it costs."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, LOG_LEVEL="WARNING", **environment)
    env.pop("AISRE_DATA_DIR", None)
    data_dir = tempfile.TemporaryDirectory(prefix="aisre-bench-")
    command = [sys.executable, "-m", "aisre.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--parameter", f"AutoInvestigate={str(auto_investigate).lower()}"]
    command += ["--ephemeral"] if EPHEMERAL else ["--data-dir", data_dir.name]
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
        data_dir.cleanup()


def run() -> list[dict[str, object]]:
    """The same storm twice: investigations off (the alert path alone), then with the default settings
    (every new incident's investigation queued, a bounded number running while the storm goes on)."""
    return [_storm(auto_investigate=False), _storm(auto_investigate=True)]


def _storm(*, auto_investigate: bool) -> dict[str, object]:
    # The diagnosis is polled after the storm: answer at once rather than wait on each pending one.
    with serve(auto_investigate=auto_investigate, DIAGNOSIS_WAIT_SECONDS="0") as (base_url, server_pid):
        stream, distinct = _payloads()
        emulators = _children(server_pid)
        with PeakSampler(server_pid) as sampler:
            cpu_before = _cpu_seconds(server_pid), sum(_cpu_seconds(pid) for pid in emulators)
            latencies, failures, elapsed = _send_all(base_url, stream)
            cpu_after = _cpu_seconds(server_pid), sum(_cpu_seconds(pid) for pid in emulators)
            incident_ids = _incident_ids(base_url)
            investigated: dict[str, object] = {}
            if auto_investigate:
                diagnosed, not_investigated, seconds = _wait_until_investigated(base_url, incident_ids, 900)
                investigated = {
                    "diagnosed_incidents": diagnosed,
                    "not_investigated": not_investigated,
                    "all_diagnosed_seconds_after_storm": round(seconds, 1),
                }
            time.sleep(1.0)
            after = sampler.sample()
        ordered = sorted(latencies)

        def percentile(share: float) -> float:
            return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

        return {
            "investigations": "on (default)" if auto_investigate else "off",
            "data": "memory" if EPHEMERAL else "kept",
            "alerts": len(stream),
            "distinct_fingerprints": distinct,
            "senders": SENDERS,
            "seconds": round(elapsed, 2),
            "alerts_per_second": round(len(stream) / elapsed, 1),
            "p50_ms": round(percentile(0.50), 1),
            "p95_ms": round(percentile(0.95), 1),
            "p99_ms": round(percentile(0.99), 1),
            "max_ms": round(ordered[-1] * 1000, 1),
            "mean_ms": round(statistics.mean(latencies) * 1000, 1),
            "failures": failures,
            "server_cpu_ms_per_alert": round((cpu_after[0] - cpu_before[0]) / len(stream) * 1000, 2),
            "emulator_cpu_ms_per_alert": round((cpu_after[1] - cpu_before[1]) / len(stream) * 1000, 2),
            "incidents": len(incident_ids),
            "lost": distinct - len(incident_ids),
            **investigated,
            **{f"peak_{key}": value for key, value in sampler.peaks.items()},
            **{f"after_{key}": value for key, value in after.items()},
        }


def report(results: list[dict[str, object]]) -> None:
    alerts = results[0]["alerts"]
    print(f"\n== Throughput: {alerts} alerts, 70% duplicates, {SENDERS} concurrent senders, over HTTP ==")
    for key in dict.fromkeys(key for result in results for key in result):
        print(f"{key:<36} " + "".join(f"{result.get(key, '')!s:>16}" for result in results))
    off, on = results
    share = float(on["alerts_per_second"]) / float(off["alerts_per_second"])  # type: ignore[arg-type]
    print(f"{'rate with investigations / without':<36} {share:>16.0%}")


if __name__ == "__main__":
    report(run())
