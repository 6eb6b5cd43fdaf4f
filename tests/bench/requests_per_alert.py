"""Storage requests per alert, counted at the emulator: a new incident, a duplicate, a child, a resolution."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]


def _alert(title: str, service: str = "payments-api", status: str = "firing") -> dict[str, Any]:
    return {
        "title": title,
        "severity": "critical",
        "source": "prometheus",
        "service": service,
        "namespace": "production",
        "status": status,
    }


def run() -> list[dict[str, object]]:
    """Each case twice: the alert path alone, then with automatic investigation on, where a new incident
    also queues its investigation request (one SQS call; the starter's work happens off the alert path)."""
    return _run(auto_investigate=False) + _run(auto_investigate=True)


def _run(*, auto_investigate: bool) -> list[dict[str, object]]:
    from aisre.core.scope import reset_scope
    from aisre.local.server import create_local_app
    from aisre.local.stack import LocalStack

    rows: list[dict[str, object]] = []
    suffix = " + investigation" if auto_investigate else ""
    with LocalStack(ROOT, parameters={"AutoInvestigate": str(auto_investigate).lower()}) as stack:
        reset_scope()
        http = TestClient(create_local_app(), headers={"X-Workspace-Id": "bench-requests"})
        http.get("/health")  # build the platform outside the counted requests

        def measure(label: str, payload: dict[str, Any], budget: int) -> None:
            stack.reset_request_counts()
            response = http.post("/webhook", json=payload)
            response.raise_for_status()
            # Every AWS call the request made (the table, the investigation queue, anything else).
            operations = stack.request_counts()["by_operation"]
            total = sum(operations.values())
            rows.append({"case": label + suffix, "requests": total, "budget": budget, "operations": operations})

        measure("new incident (root)", _alert("Disk full"), 4)
        measure("duplicate", _alert("Disk full"), 2)
        measure("new incident (child of the root)", _alert("Inode exhaustion"), 4)
        measure("new incident (no service)", _alert("Cluster-wide DNS failure", service=""), 4)
        measure("resolution", _alert("Disk full", status="resolved"), 4)
        reset_scope()
    return rows


def report(rows: list[dict[str, object]]) -> None:
    print("\n== AWS requests per alert (counted at the emulator) ==")
    for row in rows:
        verdict = "ok" if int(row["requests"]) <= int(row["budget"]) else "OVER BUDGET"  # type: ignore[call-overload]
        print(
            f"{row['case']:<52} {row['requests']:>2} requests (budget {row['budget']}, {verdict})  {row['operations']}"
        )


if __name__ == "__main__":
    report(run())
