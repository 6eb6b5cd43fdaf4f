"""One payload of 1,000 distinct alerts (Alertmanager and the generic webhook) against `aisre serve`: the
seconds the request takes and the storage requests per alert, with investigations started and without."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
ALERTS = int(os.environ.get("BENCH_PAYLOAD_ALERTS", "1000"))
SERVICES = 20  # alerts spread over a few services, so correlation groups children under roots
_EMULATOR_LINE = re.compile(r"aisre: emulated AWS at (\S+)")


def alertmanager_payload(count: int, run: str) -> dict[str, Any]:
    """An Alertmanager notification of `count` firing alerts, each its own fingerprint."""
    return {
        "version": "4",
        "status": "firing",
        "receiver": "aisre",
        "groupKey": f'{{}}:{{alertname="Bench{run}"}}',
        "alerts": [
            {
                "status": "firing",
                "labels": {
                    "alertname": f"Bench{run}",
                    "service": f"svc-{index % SERVICES}",
                    "namespace": "bench",
                    "pod": f"pod-{index}",
                    "severity": "warning",
                },
                "annotations": {"summary": f"alert {index} of a big notification"},
                "startsAt": "2026-01-01T00:00:00Z",
                "fingerprint": f"{run}-{index:05d}",
            }
            for index in range(count)
        ],
    }


def generic_payload(count: int, run: str) -> list[dict[str, Any]]:
    """The generic webhook's list form: `count` alerts with distinct titles (so distinct fingerprints)."""
    return [
        {
            "title": f"Bench {run} alert {index}",
            "severity": "warning",
            "source": "prometheus",
            "service": f"svc-{index % SERVICES}",
            "namespace": "bench",
            "pod": f"pod-{index}",
        }
        for index in range(count)
    ]


@contextmanager
def serve(*, auto_investigate: bool) -> Iterator[tuple[str, str]]:
    """`aisre serve` (what `make run` starts) in a child process; yields (its URL, the emulator's URL)."""
    from tests.support.servers import free_port

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, LOG_LEVEL="WARNING")
    command = [sys.executable, "-m", "aisre.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--parameter", f"AutoInvestigate={str(auto_investigate).lower()}"]
    with tempfile.TemporaryFile("w+") as output:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    if httpx.get(f"{base_url}/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    output.seek(0)
                    raise RuntimeError(f"aisre serve did not become healthy:\n{output.read()[-4000:]}")
                time.sleep(0.25)
            output.seek(0)
            found = _EMULATOR_LINE.search(output.read())
            if found is None:
                raise RuntimeError("aisre serve did not say where its emulator is")
            yield base_url, found.group(1)
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()


def _measure(http: httpx.Client, emulator: str, path: str, payload: Any) -> dict[str, Any]:
    body = json.dumps(payload).encode()
    httpx.post(f"{emulator}/_aisre/requests/reset", timeout=60)
    started = time.perf_counter()
    response = http.post(path, content=body, headers={"content-type": "application/json"})
    seconds = time.perf_counter() - started
    response.raise_for_status()
    counts = httpx.get(f"{emulator}/_aisre/requests", timeout=60).json()["by_operation"]
    dynamodb = {op.removeprefix("dynamodb:"): n for op, n in counts.items() if op.startswith("dynamodb:")}
    outcomes = response.json().get("alerts") or []
    return {
        "seconds": round(seconds, 2),
        "alerts": response.json()["alerts_received"],
        "created": sum(1 for outcome in outcomes if outcome["action"] == "created"),
        "body_kb": round(len(body) / 1024, 1),
        "dynamodb_requests": sum(dynamodb.values()),
        "requests_per_alert": round(sum(dynamodb.values()) / max(1, len(outcomes)), 3),
        "other_requests": sum(n for op, n in counts.items() if not op.startswith("dynamodb:")),
        "operations": dynamodb,
    }


def run() -> list[dict[str, Any]]:
    """Each case on a server of its own: the investigations a payload starts keep the emulator busy for
    minutes after its answer, and would slow the next case down."""
    rows: list[dict[str, Any]] = []
    for auto_investigate in (False, True):
        for name, path, build in (
            ("alertmanager", "/webhook/alertmanager", alertmanager_payload),
            ("generic", "/webhook", generic_payload),
        ):
            with (
                serve(auto_investigate=auto_investigate) as (base_url, emulator),
                httpx.Client(base_url=base_url, timeout=900, headers={"X-Workspace-Id": "bench-payload"}) as http,
            ):
                http.post("/webhook", json=generic_payload(1, "warm-up"))  # build the platform outside the timing
                row = _measure(http, emulator, path, build(ALERTS, uuid.uuid4().hex[:8]))
            rows.append({"case": f"{name}, AutoInvestigate={str(auto_investigate).lower()}", **row})
    return rows


def report(rows: list[dict[str, Any]]) -> None:
    print(f"\n== One payload of {ALERTS} distinct alerts, over HTTP against aisre serve ==")
    for row in rows:
        print(
            f"{row['case']:<38} {row['seconds']:>7.2f} s for {row['alerts']} alerts ({row['created']} created, "
            f"{row['body_kb']} KB)  {row['requests_per_alert']} DynamoDB requests per alert "
            f"({row['dynamodb_requests']}; {row['other_requests']} others)  {row['operations']}"
        )


if __name__ == "__main__":
    report(run())
