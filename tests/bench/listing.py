"""Listing latency with 100,000 incidents in the table: GET /incidents (all states, by state, paged) and
/incidents/noisy, per workspace and across workspaces, over HTTP against the local stack, with the storage
requests each call makes (counted at the emulator).

`BENCH_INCIDENTS` changes the count; `AISRE_LOCAL_SPEEDUPS_OFF=index_book` shows the emulator without its
index book (moto's own O(table) index Query).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
TOTAL = int(os.environ.get("BENCH_INCIDENTS", "100000"))
CALLS = int(os.environ.get("BENCH_LISTING_CALLS", "200"))
PAGES = 50  # pages followed by the cursor-paging case, each timed
WORKSPACE = "bench-listing"
# The mix a long-lived install has: most incidents resolved, a few still open or acknowledged.
OPEN_SHARE, ACKNOWLEDGED_SHARE = 0.02, 0.01


def _incidents(now: datetime, seed: int = 11) -> Iterator[Any]:
    """TOTAL incidents over the last 30 days, oldest first, as the store would have written them."""
    from aisre.incidents.model.alert import Severity
    from aisre.incidents.model.incident import Incident, IncidentState

    rng = random.Random(seed)
    start = now - timedelta(days=30)
    step = timedelta(days=30) / TOTAL
    for number in range(TOTAL):
        created = start + step * number
        draw = rng.random()
        state = IncidentState.RESOLVED
        if draw < OPEN_SHARE:
            state = IncidentState.OPEN
        elif draw < OPEN_SHARE + ACKNOWLEDGED_SHARE:
            state = IncidentState.ACKNOWLEDGED
        # Resolved: a third by their alert within minutes (noisy candidates), the rest after someone acted.
        quick = state is IncidentState.RESOLVED and rng.random() < 0.33
        lasted = timedelta(seconds=rng.uniform(20, 900) if quick else rng.uniform(600, 20000))
        yield Incident(
            id=f"inc-{number:012x}",
            workspace_id=WORKSPACE,
            title=f"Synthetic incident {number}",
            description="CPU usage > 90% for 5 minutes",
            severity=rng.choice(list(Severity)),
            state=state,
            source="prometheus",
            provider="alertmanager",
            service=f"service-{number % 200}",
            namespace="production",
            fingerprint=f"fp-{number:012x}",
            labels={"team": f"team-{number % 7}", "alertname": "HighCPU"},
            created_at=created,
            acknowledged_at=created + lasted / 3 if state is not IncidentState.OPEN and not quick else None,
            resolved_at=created + lasted if state is IncidentState.RESOLVED else None,
            alert_count=rng.randint(1, 40),
            last_alert_at=created,
            actions_taken=0 if state is IncidentState.OPEN or quick else 2,
        )


def fill(now: datetime) -> dict[str, float]:
    """Write the incidents (with the fingerprint claims of open ones and the noisy entries of noisy ones)
    in BatchWriteItem requests of 25 items, as the store builds their records."""
    from aisre.core.providers import configured_table
    from aisre.core.scope import default_scope
    from aisre.incidents.store import keys
    from aisre.incidents.store.mapping import incident_to_record, noisy_entry_record
    from aisre.incidents.store.records import FingerprintRecord, IncidentRecord

    default_scope().get(configured_table)
    started = time.perf_counter()
    written = 0
    with IncidentRecord.batch_write() as batch:
        for incident in _incidents(now):
            records: list[Any] = [incident_to_record(incident)]
            if incident.is_open:
                records.append(
                    FingerprintRecord(
                        pk=keys.fingerprint_pk(WORKSPACE, incident.fingerprint),
                        sk=keys.FINGERPRINT_SK,
                        incident_id=incident.id,
                        alert_count=incident.alert_count + 3,
                        last_alert_at=incident.created_at + timedelta(minutes=5),
                        opened_at=incident.created_at,
                    )
                )
            entry = noisy_entry_record(incident)
            if entry is not None:
                records.append(entry)
            for record in records:
                batch.save(record)
            written += len(records)
    return {"items": written, "seconds": time.perf_counter() - started}


class _Http:
    """One keep-alive connection, the stdlib client: as little of the 2 cores as a client can take."""

    def __init__(self, base_url: str) -> None:
        host, port = base_url.removeprefix("http://").split(":")
        self._connection = http.client.HTTPConnection(host, int(port), timeout=60)

    def get(self, path: str, params: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        query = f"?{urlencode(params)}" if params else ""
        self._connection.request("GET", path + query, headers=headers)
        response = self._connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path}{query}: {response.status} {body[:300]!r}")
        answer: dict[str, Any] = json.loads(body)
        return answer


def _percentiles(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    return {"p50": statistics.median(ordered) * 1000, "p95": at(0.95), "p99": at(0.99)}


def run() -> list[dict[str, Any]]:
    from aisre.core.scope import reset_scope
    from aisre.local.server import create_local_app
    from aisre.local.stack import LocalStack
    from tests.support.servers import serve_app

    os.environ.setdefault("LOG_LEVEL", "WARNING")  # the access log of every call would be timed too
    rows: list[dict[str, Any]] = []
    now = datetime.now(UTC)
    with LocalStack(ROOT, parameters={"AutoInvestigate": "false"}) as stack:
        reset_scope()
        filled = fill(now)
        print(f"filled {TOTAL:,} incidents ({filled['items']:,} items) in {filled['seconds']:.1f} s", flush=True)
        with serve_app(create_local_app()) as base_url:
            client = _Http(base_url)
            for scope, headers in (("workspace", {"X-Workspace-Id": WORKSPACE}), ("every workspace", {})):
                for label, call in _cases(client, headers).items():
                    rows.append(_measure(stack, f"{label} ({scope})", call))
        reset_scope()
    return rows


def _cases(client: _Http, headers: dict[str, str]) -> dict[str, Callable[[], Any]]:
    def listing(**params: Any) -> Callable[[], Any]:
        return lambda: client.get("/incidents", params, headers)

    first_page = client.get("/incidents", {"limit": 20}, headers)
    cursors: list[str] = []
    cursor = first_page["next_cursor"]
    for _page in range(PAGES):
        cursors.append(cursor)
        cursor = client.get("/incidents", {"limit": 20, "cursor": cursor}, headers)["next_cursor"]
    pages = iter(cursors * (CALLS // PAGES + 2))

    return {
        "GET /incidents": listing(),
        "GET /incidents?state=open": listing(state="open"),
        "GET /incidents?state=acknowledged": listing(state="acknowledged"),
        "GET /incidents?state=resolved": listing(state="resolved"),
        "GET /incidents?limit=100": listing(limit=100),
        f"GET /incidents?cursor= (pages 2..{PAGES + 1})": lambda: client.get(
            "/incidents", {"limit": 20, "cursor": next(pages)}, headers
        ),
        "GET /incidents?state=resolved&cursor=": _state_pages(client, headers, "resolved"),
        "GET /incidents/noisy": lambda: client.get("/incidents/noisy", {}, headers),
        "GET /incidents/noisy?max_duration_minutes=7": lambda: client.get(
            "/incidents/noisy", {"max_duration_minutes": 7}, headers
        ),
    }


def _state_pages(client: _Http, headers: dict[str, str], state: str) -> Callable[[], Any]:
    """Each call the next page of one state's listing, from the first again at the end."""
    cursor: list[str | None] = [None]

    def call() -> Any:
        params: dict[str, Any] = {"state": state, "limit": 20}
        if cursor[0]:
            params["cursor"] = cursor[0]
        page = client.get("/incidents", params, headers)
        cursor[0] = page["next_cursor"]
        return page

    return call


def _cpu_seconds(pid: int) -> float:
    """User and system CPU of a process, all its threads (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _emulator_pid() -> int:
    """The emulator: the child process of this one that runs aisre.local.emulator."""
    me = os.getpid()
    for child in Path(f"/proc/{me}/task/{me}/children").read_text().split():
        if b"aisre.local.emulator" in Path(f"/proc/{child}/cmdline").read_bytes():
            return int(child)
    raise RuntimeError("no emulator process under this one")


def _measure(stack: Any, label: str, call: Callable[[], Any]) -> dict[str, Any]:
    for _warm in range(5):
        call()
    stack.reset_request_counts()
    call()
    counts = stack.request_counts()["by_operation"]
    operations = {op.removeprefix("dynamodb:"): n for op, n in counts.items() if op.startswith("dynamodb:")}
    emulator = _emulator_pid()
    timings = []
    server_before, emulator_before = time.process_time(), _cpu_seconds(emulator)
    for _call in range(CALLS):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    # CPU per call, of this process (the server, and the client's small share) and of the emulator: on a
    # machine that other work keeps busy, wall time waits for the CPU; this is what a call costs.
    server = (time.process_time() - server_before) / CALLS * 1000
    emulated = (_cpu_seconds(emulator) - emulator_before) / CALLS * 1000
    return {
        "case": label,
        **_percentiles(timings),
        "cpu": server + emulated,
        "requests": sum(operations.values()),
        "operations": operations,
    }


def report(rows: list[dict[str, Any]]) -> None:
    load = os.getloadavg()[0]
    print(f"\n== Listing with {TOTAL:,} incidents ({CALLS} calls each, over HTTP, ms; load average {load:.1f}) ==")
    print(f"{'case':<62} {'p50':>7} {'p95':>7} {'p99':>7} {'CPU':>6}  requests per call")
    for row in rows:
        operations = ", ".join(f"{op} {n}" for op, n in sorted(row["operations"].items()))
        print(
            f"{row['case']:<62} {row['p50']:7.1f} {row['p95']:7.1f} {row['p99']:7.1f} {row['cpu']:6.1f}  "
            f"{row['requests']} ({operations})"
        )
    print("CPU: the server's and the emulator's CPU per call, what the call costs when it need not wait for a core")


if __name__ == "__main__":
    report(run())
