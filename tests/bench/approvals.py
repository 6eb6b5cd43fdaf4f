"""Approve-to-executed on the local stack: an action held for approval is approved, and the clock runs from the
approve request to the cluster's write (executed) and to the answer (executed and verified). Against the stand-in
Kubernetes API server (its replacement pods Ready after 50 ms), the emulator counting every AWS request each
approval makes, and each direct approved execution (`approved: true`) for comparison."""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
RUNS = int(os.environ.get("BENCH_APPROVALS", "40"))
NS = "bench"
POLICY = {"rate_limits": {"restart_pod": {"max_executions": 10_000, "window_minutes": 60}}}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run() -> dict[str, Any]:
    from aisre.core.http.deps import current_scope
    from aisre.core.scope import Scope, reset_scope
    from aisre.core.settings import get_settings
    from aisre.local.server import create_local_app
    from aisre.local.stack import LocalStack
    from aisre.subscriptions import SUBSCRIPTIONS
    from tests.support.kube_apiserver import kube_apiserver

    with LocalStack(ROOT, parameters={"AutoInvestigate": "false"}) as stack, kube_apiserver() as kube, \
            tempfile.TemporaryDirectory() as directory:  # fmt: skip
        reset_scope()
        state = kube.state
        state.ready_after = 0.05
        state.add_deployment(NS, "api", replicas=RUNS * 2 + 2)
        settings = get_settings().model_copy(
            update={
                "api_keys": "alice=alice-key,bob=bob-key",
                "actions_kubeconfig": kube.kubeconfig(Path(directory)),
                "action_verify_interval_seconds": 0.02,
                "policy_document": json.dumps(POLICY),
            }
        )
        scope = Scope(settings, SUBSCRIPTIONS)
        app = create_local_app()
        app.dependency_overrides[current_scope] = lambda: scope
        alice = TestClient(app, headers={"X-API-Key": "alice-key", "X-Workspace-Id": "bench-approvals"})
        bob = TestClient(app, headers={"X-API-Key": "bob-key", "X-Workspace-Id": "bench-approvals"})
        pods = [p["metadata"]["name"] for p in state.items("pods", NS)]
        alice.get("/approvals")  # build the platform outside the timed requests

        to_write: list[float] = []
        to_answer: list[float] = []
        requests_per_approval: list[int] = []
        operations: dict[str, int] = {}
        for pod in pods[:RUNS]:
            asked = alice.post(
                "/actions/execute", json={"action": "restart_pod", "namespace": NS, "pod_name": pod, "dry_run": False}
            )
            approval_id = asked.json()["approval_id"]
            writes_before = len(kube.writes())
            stack.reset_request_counts()
            started = time.perf_counter()
            answer = bob.post(f"/approvals/{approval_id}/approve")
            answered = time.perf_counter()
            counts = stack.request_counts()["by_operation"]
            assert answer.status_code == 200 and answer.json()["result"]["status"] == "success", answer.text
            write = kube.writes()[writes_before]
            to_write.append((write.at - started) * 1000)
            to_answer.append((answered - started) * 1000)
            requests_per_approval.append(sum(counts.values()))
            for operation, count in counts.items():
                operations[operation] = operations.get(operation, 0) + count

        direct: list[int] = []
        for pod in pods[RUNS : RUNS * 2]:
            stack.reset_request_counts()
            body = {"action": "restart_pod", "namespace": NS, "pod_name": pod, "dry_run": False, "approved": True}
            assert bob.post("/actions/execute", json=body).json()["status"] == "success"
            direct.append(sum(stack.request_counts()["by_operation"].values()))
        reset_scope()
    return {
        "runs": RUNS,
        "to_write_ms": to_write,
        "to_answer_ms": to_answer,
        "requests_per_approval": statistics.mean(requests_per_approval),
        "operations_per_approval": {op: round(n / RUNS, 2) for op, n in sorted(operations.items())},
        "requests_per_direct_execution": statistics.mean(direct),
    }


def report(result: dict[str, Any]) -> None:
    print(f"\n== Approve to executed ({result['runs']} approvals of restart_pod, local stack, stand-in cluster) ==")
    for label, key in (("approve -> cluster write", "to_write_ms"), ("approve -> answer (verified)", "to_answer_ms")):
        values = result[key]
        print(
            f"{label:<30} p50 {_percentile(values, 0.5):7.1f} ms   p95 {_percentile(values, 0.95):7.1f} ms"
            f"   max {max(values):7.1f} ms"
        )
    print(
        f"AWS requests per approved action: {result['requests_per_approval']:.1f}  {result['operations_per_approval']}"
    )
    print(f"AWS requests per direct execution (approved: true): {result['requests_per_direct_execution']:.1f}")


if __name__ == "__main__":
    report(run())
