"""Finding what a question names in kubectl's listings, and the closest names when it is not there."""

from __future__ import annotations

from aisre.investigations.model.evidence import ToolResult
from aisre.investigations.model.questions.health import assess
from aisre.investigations.model.questions.targets import close_names, find_named, parse_rows

FIND = """stdout:
default        api-gateway-5d8f7c9b6d-k2x8p     1/1   Running            0              3d    10.0.0.4   node-a   <none>  <none>  app=api-gateway
shop           checkout-7f9c8d6b5c-2xk9q       0/1   CrashLoopBackOff   12 (2m ago)    40m   10.0.1.9   node-b   <none>  <none>  app=checkout
shop           checkout-7f9c8d6b5c-9vbnm       1/1   Running            0              40m   10.0.1.7   node-a   <none>  <none>  app=checkout
staging        checkout-66b7d9c4f8-qq7wz       1/1   Running            0              2d    10.0.2.3   node-c   <none>  <none>  app=checkout
"""  # noqa: E501


def test_rows_are_read_with_namespace_name_ready_and_status() -> None:
    rows = parse_rows(FIND, "pod")
    assert [(r.namespace, r.name, r.ready, r.status) for r in rows][:2] == [
        ("default", "api-gateway-5d8f7c9b6d-k2x8p", "1/1", "Running"),
        ("shop", "checkout-7f9c8d6b5c-2xk9q", "0/1", "CrashLoopBackOff"),
    ]
    assert rows[1].workload == "checkout" and not rows[1].healthy and rows[2].healthy


def test_a_workload_is_found_by_its_pods_the_namespace_asked_first_the_unhealthy_first() -> None:
    rows = parse_rows(FIND, "pod")
    match = find_named(rows, "checkout", "shop")
    assert match is not None and not match.exact
    assert [r.name for r in match.rows][:2] == ["checkout-7f9c8d6b5c-2xk9q", "checkout-7f9c8d6b5c-9vbnm"]
    elsewhere = find_named(rows, "checkout", "prod")
    assert elsewhere is not None and {r.namespace for r in elsewhere.rows} == {"shop", "staging"}
    assert find_named(rows, "check", None) is None  # a prefix of a name is not the name


def test_close_names_offer_what_the_cluster_has() -> None:
    names = ["db-certs-authenticator-7d9f8b6c5d-x2x9q", "api-gateway-5d8f7c9b6d-k2x8p", "redis-0"]
    assert close_names("personal-certs-validator", names)[0].startswith("db-certs-authenticator")
    assert close_names("api-gatway", names) == ["api-gateway"]
    assert close_names("zzz", names) == []


DESCRIBE_HEALTHY = """Name:             web-598445cb54-xd5s8
Namespace:        prod
Status:           Running
Containers:
  web:
    State:          Running
      Started:      Fri, 11 Jul 2025 16:22:20 +0300
    Ready:          True
    Restart Count:  0
Events:
  Type    Reason     Age   From               Message
  ----    ------     ----  ----               -------
  Normal  Started    4s    kubelet            Started container web
"""
DESCRIBE_WAITING = (
    DESCRIBE_HEALTHY.replace(
        "State:          Running\n      Started:      Fri, 11 Jul 2025 16:22:20 +0300",
        "State:          Waiting\n      Reason:       CrashLoopBackOff",
    )
    .replace("Ready:          True", "Ready:          False")
    .replace("Restart Count:  0", "Restart Count:  7")
)


def _describe(text: str) -> ToolResult:
    return ToolResult("kubectl_describe", {"kind": "pod", "name": "web-598445cb54-xd5s8"}, "success", text)


def test_health_is_a_conclusion_with_its_evidence() -> None:
    healthy = assess([_describe(DESCRIBE_HEALTHY)], ["web"])
    assert healthy.healthy is True and "Running, 1/1 containers ready, 0 restarts" in healthy.good[0]
    failing = assess([_describe(DESCRIBE_WAITING)], ["web"])
    assert failing.healthy is False and any("CrashLoopBackOff" in p for p in failing.problems)
    assert "restarted 7 time(s)" in failing.notes[0]
    assert assess([], ["web"]).healthy is None  # nothing read is not healthy


def test_a_young_rollout_is_not_a_failure() -> None:
    rollout = ToolResult(
        "kubectl_get_by_name",
        {"kind": "deployment", "name": "web", "namespace": "prod"},
        "success",
        "NAME   READY   UP-TO-DATE   AVAILABLE   AGE   CONTAINERS\nweb    0/2     2            0           14s   web\n",
    )
    health = assess([rollout, _describe(DESCRIBE_HEALTHY)], ["web"])
    assert health.healthy is True and any("rolling out" in note for note in health.notes)
    old = ToolResult(rollout.tool, rollout.params, "success", rollout.text.replace("14s", "3d"))
    assert assess([old], ["web"]).healthy is False
