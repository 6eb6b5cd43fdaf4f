"""The gatherer as a loop: what each answer leads it to read next, each read made once, tools not offered
skipped, and its bounds (tool calls, time) reached and said in the evidence."""

from __future__ import annotations

from pathlib import Path

from aisre.investigations.adapters.tools.replay import ReplayToolRunner
from aisre.investigations.model.analysis import analyze, render_answer
from aisre.investigations.model.evidence import GATHERING_NOTE, Issue, Subject
from aisre.investigations.service.gather import GatherLimits, gather
from tests.support.kubectl_samples import (
    NODE_LISTING,
    NS,
    POD_HEADER,
    STORAGE_CLASSES,
    TableRunner,
    claim,
    deployment,
    job,
    key,
    listing,
    node,
    pod,
    pod_row,
    replicaset,
    service,
)

POD = "checkout-7d9f8b6c5d-x2x9z"
CASES = Path(__file__).resolve().parents[1] / "evals" / "cases" / "holmesgpt" / "test_ask_holmes"


def issue(kind: str, name: str, namespace: str | None = NS) -> Issue:
    return Issue(title="KubePodNotReady", subject=Subject(kind=kind, name=name, namespace=namespace))


def describe(kind: str, name: str, namespace: str | None = NS) -> tuple[str, frozenset[tuple[str, str]]]:
    return (
        key("kubectl_describe", kind=kind, name=name, namespace=namespace)
        if namespace
        else key("kubectl_describe", kind=kind, name=name)
    )


def test_a_pods_owners_are_read_upward_and_its_siblings_are_not() -> None:
    runner = TableRunner(
        {
            describe("pod", POD): pod(POD, owner="ReplicaSet/checkout-7d9f8b6c5d"),
            describe("replicaset", "checkout-7d9f8b6c5d"): replicaset("checkout-7d9f8b6c5d", "checkout"),
            describe("deployment", "checkout"): deployment("checkout", "checkout-7d9f8b6c5d"),
        }
    )
    gather(issue("pod", POD), runner)
    assert runner.called("kubectl_describe", kind="replicaset", name="checkout-7d9f8b6c5d", namespace=NS)
    assert runner.called("kubectl_describe", kind="deployment", name="checkout", namespace=NS)
    assert not any(tool == "kubectl_get_by_kind_in_namespace" for tool, _ in runner.calls)  # no way back down


def test_previous_logs_are_read_only_for_containers_that_ran_before() -> None:
    crashing = TableRunner({describe("pod", POD): pod(POD, state="Waiting", reason="CrashLoopBackOff", restarts=5)})
    gather(issue("pod", POD), crashing)
    assert crashing.called("kubectl_previous_logs", pod_name=POD, namespace=NS)
    running = TableRunner({describe("pod", POD): pod(POD)})
    gather(issue("pod", POD), running)
    assert running.called("kubectl_logs", pod_name=POD, namespace=NS)
    assert not running.called("kubectl_previous_logs", pod_name=POD, namespace=NS)


def test_a_pending_pod_leads_to_the_nodes_and_not_to_its_logs() -> None:
    runner = TableRunner(
        {
            describe("pod", POD): pod(POD, status="Pending", scheduled=False, selectors="disktype=ssd"),
            key("kubectl_get_by_kind_in_cluster", kind="node"): NODE_LISTING,
            describe("node", "worker-1", None): node("worker-1"),
        }
    )
    gather(issue("pod", POD), runner)
    assert runner.called("kubectl_describe", kind="node", name="cp-1")
    assert runner.called("kubectl_describe", kind="node", name="worker-1")
    assert not any(tool.endswith("logs") for tool, _ in runner.calls)


def test_a_claim_leads_to_the_storage_classes_and_without_a_class_to_the_volumes() -> None:
    runner = TableRunner(
        {
            describe("pod", POD): pod(
                POD,
                status="Pending",
                scheduled=False,
                claim="checkout-data",
                events="Warning  FailedScheduling  1m  default-scheduler  0/2 nodes are available: pod has unbound "
                "immediate PersistentVolumeClaims. preemption: 0/2 nodes are available: 2 Preemption is not helpful.",
            ),
            describe("persistentvolumeclaim", "checkout-data"): claim("checkout-data"),
            key("kubectl_get_by_kind_in_cluster", kind="storageclass"): STORAGE_CLASSES,
        }
    )
    gather(issue("pod", POD), runner)
    assert runner.called("kubectl_get_by_kind_in_cluster", kind="storageclass")
    assert not runner.called("kubectl_get_by_kind_in_cluster", kind="persistentvolume")
    # The scheduler's reason is the claim, not the nodes: they are not read.
    assert not runner.called("kubectl_get_by_kind_in_cluster", kind="node")
    runner.answers[describe("persistentvolumeclaim", "checkout-data")] = claim("checkout-data", storage_class="")
    runner.calls.clear()
    gather(issue("pod", POD), runner)
    assert runner.called("kubectl_get_by_kind_in_cluster", kind="persistentvolume")


def test_a_deployment_leads_to_its_new_replicaset_and_its_pods_by_label_unhealthy_first() -> None:
    rows = [
        pod_row("checkout-7d9f8b6c5d-aaaaa"),
        pod_row("checkout-7d9f8b6c5d-bbbbb", "0/1", "CrashLoopBackOff"),
        pod_row("checkout-7d9f8b6c5d-ccccc"),
        pod_row("checkout-7d9f8b6c5d-ddddd"),
        pod_row("checkout-v2-6c9d8f7b5-eeeee", labels="app=checkout-v2"),
    ]
    runner = TableRunner(
        {
            describe("deployment", "checkout"): deployment("checkout", "checkout-7d9f8b6c5d"),
            describe("replicaset", "checkout-7d9f8b6c5d"): replicaset("checkout-7d9f8b6c5d", "checkout"),
            key("kubectl_get_by_kind_in_namespace", kind="pod", namespace=NS): listing(POD_HEADER, *rows),
        }
    )
    gather(issue("deployment", "checkout"), runner)
    described = [p["name"] for tool, p in runner.calls if tool == "kubectl_describe" and p["kind"] == "pod"]
    assert described[0] == "checkout-7d9f8b6c5d-bbbbb" and len(described) == 3
    assert "checkout-v2-6c9d8f7b5-eeeee" not in described
    # The ReplicaSet was reached going down: its owner (the Deployment) is not read again from it.
    assert sum(1 for tool, p in runner.calls if p.get("name") == "checkout" and tool == "kubectl_describe") == 1


def test_a_job_leads_to_the_pods_its_events_name_and_a_cronjob_to_its_failed_job() -> None:
    cronjob = "\n".join(
        [
            "Name:          nightly",
            f"Namespace:     {NS}",
            "Events:",
            "  Type    Reason            Age   From                Message",
            "  ----    ------            ----  ----                -------",
            "  Normal  SawCompletedJob   1d    cronjob-controller  Saw completed job: nightly-28401440, status: Failed",
        ]
    )
    runner = TableRunner(
        {
            describe("cronjob", "nightly"): cronjob,
            describe("job", "nightly-28401440"): job("nightly-28401440", ("nightly-28401440-abcde",)),
        },
        tools={"kubectl_describe", "kubectl_logs", "kubectl_events"},
    )
    gather(issue("cronjob", "nightly"), runner)
    assert runner.called("kubectl_describe", kind="job", name="nightly-28401440", namespace=NS)
    assert runner.called("kubectl_describe", kind="pod", name="nightly-28401440-abcde", namespace=NS)
    # The pod's describe failed: its logs, previous ones too, are read all the same.
    assert runner.called("kubectl_logs", pod_name="nightly-28401440-abcde", namespace=NS)


def test_a_jobs_lineage_is_read_when_the_pod_listing_has_none_of_its_pods() -> None:
    lineage = "Job/report\n├── Pod/report-q2w3e   0/1   Error\n└── Pod/report-r4t5y   0/1   Error"
    runner = TableRunner(
        {
            describe("job", "report"): job("report", ()),
            key("kubectl_get_by_kind_in_namespace", kind="pod", namespace=NS): listing(
                POD_HEADER, pod_row("web-abcde")
            ),
            key("kubectl_lineage_children", kind="job", name="report", namespace=NS): lineage,
        }
    )
    gather(issue("job", "report"), runner)
    assert runner.called("kubectl_describe", kind="pod", name="report-q2w3e", namespace=NS)
    assert runner.called("kubectl_describe", kind="pod", name="report-r4t5y", namespace=NS)


def test_a_statefulset_leads_to_its_pods_and_their_claims() -> None:
    statefulset = "\n".join(
        [
            "Name:               db",
            f"Namespace:          {NS}",
            "Selector:           app=db",
            "Volume Claims:",
            "  Name:          data",
            "  StorageClass:  fast-ssd",
            "Events:            <none>",
        ]
    )
    runner = TableRunner(
        {
            describe("statefulset", "db"): statefulset,
            key("kubectl_get_by_kind_in_namespace", kind="pod", namespace=NS): listing(
                POD_HEADER, pod_row("db-0", "0/1", "Pending", labels="app=db")
            ),
        }
    )
    gather(issue("statefulset", "db"), runner)
    assert runner.called("kubectl_describe", kind="persistentvolumeclaim", name="data-db-0", namespace=NS)
    assert runner.called("kubectl_describe", kind="pod", name="db-0", namespace=NS)


def test_a_service_leads_to_its_endpoints_and_the_pods_its_selector_picks() -> None:
    no_endpoints_line = "\n".join(line for line in service("checkout").splitlines() if not line.startswith("Endpoints"))
    runner = TableRunner(
        {
            describe("service", "checkout"): no_endpoints_line,
            key("kubectl_get_by_kind_in_namespace", kind="pod", namespace=NS): listing(
                POD_HEADER, pod_row(POD, "0/1", "Running"), pod_row("web-abcde", labels="app=web")
            ),
        }
    )
    gather(issue("service", "checkout"), runner)
    assert runner.called("kubectl_get_by_name", kind="endpoints", name="checkout", namespace=NS)
    assert runner.called("kubectl_describe", kind="pod", name=POD, namespace=NS)
    assert not runner.called("kubectl_describe", kind="pod", name="web-abcde", namespace=NS)


def test_a_claim_subject_leads_to_the_pods_using_it() -> None:
    runner = TableRunner({describe("persistentvolumeclaim", "checkout-data"): claim("checkout-data")})
    gather(issue("persistentvolumeclaim", "checkout-data"), runner)
    assert runner.called("kubectl_describe", kind="pod", name="checkout-7d9f8b6c5d-x2x9z", namespace=NS)


def test_a_config_error_leads_to_the_configmap_it_names() -> None:
    event = 'Warning  Failed  1m  kubelet  Error: configmap "checkout-settings" not found'
    described = pod(
        POD, state="Waiting", reason="CreateContainerConfigError", config_map="checkout-settings", events=event
    )
    runner = TableRunner({describe("pod", POD): described})
    gather(issue("pod", POD), runner)
    assert runner.called("kubectl_describe", kind="configmap", name="checkout-settings", namespace=NS)


def test_an_object_whose_describe_fails_is_read_through_its_events() -> None:
    runner = TableRunner({})
    gather(issue("persistentvolumeclaim", "checkout-data"), runner)
    assert runner.called(
        "kubectl_events", resource_type="persistentvolumeclaim", pod_name="checkout-data", namespace=NS
    )


def test_tools_not_offered_are_skipped_and_each_read_is_made_once() -> None:
    runner = TableRunner({}, tools={"kubectl_logs"})
    evidence = gather(issue("pod", POD), runner)
    # No describe to say whether the container restarted: the offered log tool is still read, once.
    assert runner.calls == [("kubectl_logs", {"pod_name": POD, "namespace": NS})]
    assert [r.tool for r in evidence.results] == ["kubectl_logs"]
    everything = TableRunner({describe("pod", POD): pod(POD, owner="ReplicaSet/checkout-7d9f8b6c5d")})
    gather(issue("pod", POD), everything)
    keys = [(tool, tuple(sorted(params.items()))) for tool, params in everything.calls]
    assert len(keys) == len(set(keys))


def _deployment_with_pods() -> TableRunner:
    rows = [pod_row(f"checkout-7d9f8b6c5d-{c * 5}", "0/1", "CrashLoopBackOff") for c in "abcde"]
    return TableRunner(
        {
            describe("deployment", "checkout"): deployment("checkout", "checkout-7d9f8b6c5d"),
            key("kubectl_get_by_kind_in_namespace", kind="pod", namespace=NS): listing(POD_HEADER, *rows),
        }
    )


def test_the_call_bound_stops_the_loop_and_the_evidence_says_so() -> None:
    runner = _deployment_with_pods()
    evidence = gather(issue("deployment", "checkout"), runner, limits=GatherLimits(max_calls=6))
    assert len(runner.calls) == 6
    assert evidence.results[-1].tool == GATHERING_NOTE and len(evidence.results) == 7
    (note,) = evidence.notes
    assert "bound of 6 tool calls" in note and "further reads were not made" in note and "kubectl_" in note
    answer = render_answer(analyze(evidence))
    assert "## Tools called (6)" in answer and f"Note: {note}" in answer
    unbounded = gather(issue("deployment", "checkout"), _deployment_with_pods())
    assert not unbounded.notes and len(unbounded.results) > 6


def test_the_time_budget_stops_the_loop_and_the_evidence_says_so() -> None:
    ticks = iter(range(0, 1000, 4))  # every look at the clock: 4 s later
    runner = _deployment_with_pods()
    evidence = gather(
        issue("deployment", "checkout"), runner, limits=GatherLimits(max_seconds=10), clock=lambda: next(ticks)
    )
    assert len(runner.calls) == 2  # looked at 4 s and 8 s: called; at 12 s: stopped
    (note,) = evidence.notes
    assert "time budget of 10 s" in note


def test_recorded_cases_followed_hop_by_hop_name_the_cause() -> None:
    # HolmesGPT's recordings of a pending pod (its describe, the nodes) and of a pod on a misconfigured claim.
    selector_case = ReplayToolRunner.from_dir(CASES / "13a_pending_node_selector_basic")
    top = analyze(gather(issue("pod", "user-profile-import", "app-13a"), selector_case)).top
    assert top is not None and top.rule == "node_selector_mismatch" and "label=someLabel" in top.root_cause
    assert any(line.startswith("Node kind-double-node-worker: Labels:") for line in top.evidence_lines)
    claim_case = ReplayToolRunner.from_dir(CASES / "24a_misconfigured_pvc_basic")
    top = analyze(gather(issue("pod", "redis-747ffc844f-f9ghd", "app-24a"), claim_case)).top
    assert top is not None and top.rule == "unbound_claim" and "`standard-v2` does not exist" in top.root_cause
    assert "PersistentVolumeClaim app-24a/redis-standard-pvc: StorageClass: standard-v2, Status: Pending" in (
        top.evidence_lines
    )
