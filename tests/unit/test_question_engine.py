# ruff: noqa: E501  (kubectl rows are kept whole, as kubectl prints them)
"""The question engine over a replayed cluster: what it calls for a question, and that its first line answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aisre.investigations.adapters.tools.replay import Recording, ReplayToolRunner
from aisre.investigations.service.ask import QuestionEngine

HEADER = "NAMESPACE   NAME   READY   STATUS   RESTARTS   AGE   IP   NODE   NOMINATED NODE   READINESS GATES   LABELS\n"
CHECKOUT_PODS = (
    "shop   checkout-7f9c8d6b5c-2xk9q   0/1   CrashLoopBackOff   12 (2m ago)   40m   10.0.1.9   node-b   <none>   <none>"
    "   app=checkout,pod-template-hash=7f9c8d6b5c\n"
)
CRDS = """NAME                                  CREATED AT
certificates.cert-manager.io          2025-01-10T09:00:00Z
issuers.cert-manager.io               2025-01-10T09:00:00Z
prometheuses.monitoring.coreos.com    2025-01-11T09:00:00Z
"""
CURRENT_TIME = """The current UTC date and time are 2025-06-19 08:12:45.811389+00:00.
The current UTC timestamp in seconds is 1750320765.
Today is Thursday.
"""
LOGS = """2025-06-11 09:00:00,000 ERROR    Old failure before the window
2025-06-12 10:00:00,000 ERROR    dial tcp 10.0.0.12:5432: connect: connection refused
2025-06-13 10:00:00,000 INFO     Request served in 12ms
2025-06-14 10:00:00,000 ERROR    dial tcp 10.0.0.13:5432: connect: connection refused
2025-06-15 10:00:00,000 ERROR    permission denied for table orders
"""


def _rec(tool: str, params: Mapping[str, Any] | None, text: str, status: str = "success") -> Recording:
    return Recording(tool=tool, match_params=params, status=status, error=None, text=text)


def _engine(*recordings: Recording) -> tuple[QuestionEngine, ReplayToolRunner]:
    runner = ReplayToolRunner(recordings)
    return QuestionEngine(runner), runner


class _Spy:
    def __init__(self, runner: ReplayToolRunner) -> None:
        self.runner = runner
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def available_tools(self) -> frozenset[str]:
        return self.runner.available_tools()

    def run(self, tool: str, params: Mapping[str, Any]) -> Any:
        self.calls.append((tool, dict(params)))
        return self.runner.run(tool, params)


def test_a_workload_asked_in_the_wrong_namespace_is_found_where_it_is_and_said_so() -> None:
    _, runner = _engine(
        _rec("kubectl_get_by_name", {"kind": "deployment", "name": "checkout", "namespace": "shop"},
             "NAME       READY   UP-TO-DATE   AVAILABLE   AGE\ncheckout   0/1     1            0           40m\n"),
        _rec("kubectl_find_resource", {"kind": "deployment", "keyword": "checkout"},
             "shop   checkout   0/1   1   0   40m   checkout   shop/checkout:1.4   app=checkout   <none>\n"),
        _rec("kubectl_find_resource", {"kind": "pod", "keyword": "checkout"}, HEADER + CHECKOUT_PODS),
    )  # fmt: skip
    answer = QuestionEngine(runner).answer("why is deployment checkout in namespace prod failing?")
    assert answer.subject is not None and answer.subject.namespace == "shop"
    assert "`checkout` is not in namespace `prod`; it was found in namespace `shop`" in answer.text


def test_a_name_that_does_not_exist_is_said_not_found_with_the_closest_names() -> None:
    _, runner = _engine(
        _rec("kubectl_find_resource", {"kind": "*", "keyword": "*"}, "Command `kubectl get ...` failed with return code 1"),
        _rec("kubectl_get_by_kind_in_cluster", {"kind": "deployment"},
             "NAMESPACE   NAME                     READY   UP-TO-DATE   AVAILABLE   AGE\n"
             "certs       db-certs-authenticator   0/1     1            0           1h\n"),
        _rec("kubectl_get_by_kind_in_cluster", {"kind": "pod"}, HEADER + CHECKOUT_PODS),
    )  # fmt: skip
    answer = QuestionEngine(runner).answer("Why is personal-certs-validator in a crashloopbackoff?")
    first = answer.text.splitlines()[0]
    assert first.startswith("I could not find `personal-certs-validator`")
    assert "Did you mean `db-certs-authenticator`" in answer.text


def test_logs_since_a_weekday_ask_the_tool_for_that_window_by_the_tools_clock() -> None:
    _, runner = _engine(
        _rec("get_current_time", {}, CURRENT_TIME),
        _rec("kubectl_find_resource", {"kind": "pod", "keyword": "orders"},
             "prod   orders-6c9d8f7b5d-k2k2k   1/1   Running   0   9d   10.0.0.2   node-a   <none>   <none>   app=orders\n"),
        _rec("fetch_pod_logs", {"pod_name": "orders-6c9d8f7b5d-k2k2k", "namespace": "prod"}, LOGS),
    )  # fmt: skip
    spy = _Spy(runner)
    answer = QuestionEngine(spy).answer("Show me the logs of orders since last Thursday")
    logs = [params for tool, params in spy.calls if tool == "fetch_pod_logs"]
    assert logs[0] == {"pod_name": "orders-6c9d8f7b5d-k2k2k", "namespace": "prod", "start_time": "2025-06-12T00:00:00Z"}
    assert "Old failure" not in answer.text and "permission denied" in answer.text
    assert answer.text.startswith("Here are 4 log lines of pod `orders-6c9d8f7b5d-k2k2k` in namespace `prod`")


def test_errors_are_grouped_by_kind_with_counts_and_times() -> None:
    _, runner = _engine(
        _rec("kubectl_find_resource", {"kind": "pod", "keyword": "orders"},
             "prod   orders-6c9d8f7b5d-k2k2k   1/1   Running   0   9d   10.0.0.2   node-a   <none>   <none>   app=orders\n"),
        _rec("fetch_pod_logs", {"pod_name": "orders-6c9d8f7b5d-k2k2k", "namespace": "prod"}, LOGS),
    )  # fmt: skip
    answer = QuestionEngine(runner).answer("what errors did orders log?")
    first = answer.text.splitlines()[0]
    assert first.startswith("Pod `orders-6c9d8f7b5d-k2k2k` in namespace `prod` logged 4 ERROR lines of 3 kinds")
    assert "- 2 x `dial tcp 10.0.0.12:5432: connect: connection refused`" in answer.text


def test_a_search_with_nothing_found_says_so_and_how_much_was_read() -> None:
    _, runner = _engine(
        _rec("kubectl_find_resource", {"kind": "pod", "keyword": "orders"},
             "prod   orders-6c9d8f7b5d-k2k2k   1/1   Running   0   9d   10.0.0.2   node-a   <none>   <none>   app=orders\n"),
        _rec("fetch_pod_logs", {"pod_name": "orders-6c9d8f7b5d-k2k2k", "namespace": "prod"}, LOGS),
    )  # fmt: skip
    answer = QuestionEngine(runner).answer("find 'Peer down' in the logs of orders")
    assert answer.text.startswith('No lines containing "Peer down" in the logs of pod `orders-6c9d8f7b5d-k2k2k`')
    assert "(5 lines looked through)" in answer.text.splitlines()[0]


def test_installed_or_not_from_workloads_and_crds() -> None:
    recordings = (
        _rec("kubectl_find_resource", {"kind": "deployment", "keyword": "cert-manager"},
             "cert-manager   cert-manager   1/1   1   1   90d   cert-manager   quay.io/jetstack/cert-manager:v1.14\n"),
        _rec("kubectl_find_resource", {"kind": "*", "keyword": "*"}, "", status="success"),
        _rec("kubectl_get_by_kind_in_cluster", {"kind": "customresourcedefinition"}, CRDS),
    )  # fmt: skip
    _, runner = _engine(*recordings)
    yes = QuestionEngine(runner).answer("Is cert-manager installed?")
    assert yes.text.startswith("Yes, cert-manager is installed in namespace `cert-manager`, version v1.14.")
    assert "`certificates.cert-manager.io`" in yes.text and "deployment `cert-manager`" in yes.text
    no = QuestionEngine(runner).answer("Is argocd installed in the cluster?")
    assert no.text.startswith("No, argocd is not installed")


def test_a_listing_answers_which_pods_are_not_running() -> None:
    listing = (
        HEADER
        + CHECKOUT_PODS
        + (
            "shop   cart-5d8f7c9b6d-k2x8p   1/1   Running   0   3d   10.0.0.4   node-a   <none>   <none>   app=cart\n"
            "shop   mailer-5d8f7c9b6d-zzzzz   0/1   Pending   0   5m   <none>   <none>   <none>   <none>   app=mailer\n"
        )
    )
    _, runner = _engine(_rec("kubectl_get_by_kind_in_namespace", {"kind": "pod", "namespace": "shop"}, listing))
    answer = QuestionEngine(runner).answer("Which pods are not running in namespace shop?")
    lines = answer.text.splitlines()
    assert lines[0] == "2 of 3 pods in namespace `shop` are not running:"
    assert any("checkout-7f9c8d6b5c-2xk9q" in line for line in lines) and not any("cart-" in line for line in lines)


def test_no_cluster_says_it_could_not_look_and_still_reads_the_question() -> None:
    class NoCluster:
        def available_tools(self) -> frozenset[str]:
            return frozenset({"kubectl_find_resource"})

        def run(self, tool: str, params: Mapping[str, Any]) -> Any:
            from aisre.investigations.model.evidence import ToolResult

            return ToolResult(tool, dict(params), "unavailable", error="no Kubernetes cluster configured")

    answer = QuestionEngine(NoCluster()).answer("why is checkout-api crashing?")
    assert answer.text.startswith(
        "I could not look for `checkout-api` in the cluster (no Kubernetes cluster configured)"
    )


def test_what_is_wrong_without_a_name_lists_the_unhealthy_pods_and_investigates_the_first() -> None:
    listing = (
        HEADER
        + CHECKOUT_PODS
        + ("shop   cart-5d8f7c9b6d-k2x8p   1/1   Running   0   3d   10.0.0.4   node-a   <none>   <none>   app=cart\n")
    )
    describe = """Name:             checkout-7f9c8d6b5c-2xk9q
Namespace:        shop
Status:           Running
Containers:
  checkout:
    State:          Waiting
      Reason:       CrashLoopBackOff
    Ready:          False
    Restart Count:  12
"""
    _, runner = _engine(
        _rec("kubectl_get_by_kind_in_cluster", {"kind": "pod"}, listing),
        _rec("kubectl_describe", {"kind": "pod", "name": "checkout-7f9c8d6b5c-2xk9q", "namespace": "shop"}, describe),
    )
    answer = QuestionEngine(runner).answer("What is wrong in my cluster?")
    lines = answer.text.splitlines()
    assert lines[0] == "1 of 2 pods in the cluster are not healthy:"
    assert "The first of them, investigated:" in lines
    assert answer.subject is not None and answer.subject.name == "checkout-7f9c8d6b5c-2xk9q"
