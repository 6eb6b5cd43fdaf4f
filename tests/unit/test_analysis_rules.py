"""The analyzer's rules on small synthetic evidence: each fires on its failure and stays quiet on healthy pods."""

from __future__ import annotations

from typing import Any

from aisre.investigations.model.analysis import analyze, render_answer
from aisre.investigations.model.analysis.rules import (
    alerts,
    containers,
    jobs,
    logs,
    network,
    performance,
    permissions,
    scheduling,
    traces,
)
from aisre.investigations.model.evidence import Evidence, Issue, Subject, ToolResult
from aisre.investigations.model.kubectl.containers import parse_containers

SUBJECT = Subject(kind="pod", name="api-7d9f8b6c5d-x2x9z", namespace="shop")


def result(tool: str, text: str, status: str = "success", **params: Any) -> ToolResult:
    return ToolResult(tool, params or {"name": SUBJECT.name, "namespace": "shop"}, status, text)


def describe(state: str = "Running", last: str = "", exit_code: str = "", limits: str = "", events: str = "") -> str:
    lines = [
        f"Name:         {SUBJECT.name}",
        "Namespace:    shop",
        "Containers:",
        "  api:",
        "    Image:          registry.example/api:2.3",
        "    Command:",
        "      /app/server",
        f"    State:          {'Waiting' if state == 'CrashLoopBackOff' else state}",
    ]
    if state == "CrashLoopBackOff":
        lines.append("      Reason:       CrashLoopBackOff")
    if last:
        lines += ["    Last State:     Terminated", f"      Reason:       {last}", f"      Exit Code:    {exit_code}"]
    lines += ["    Ready:          False", "    Restart Count:  4"]
    if limits:
        lines += ["    Limits:", *(f"      {item}" for item in limits.split(";"))]
    lines += ["Conditions:", "  Type   Status", "Events:", *(f"  {e}" for e in events.split(";") if e)]
    return "\n".join(lines)


def pod_evidence(*results: ToolResult, title: str = "KubePodCrashLooping", **issue: Any) -> Evidence:
    tools = frozenset({"kubectl_describe", "fetch_pod_logs", "kubectl_events"})
    return Evidence(Issue(title=title, subject=SUBJECT, **issue), tuple(results), tools)


def pod_describe(**kwargs: Any) -> ToolResult:
    return ToolResult(
        "kubectl_describe", {"kind": "pod", "name": SUBJECT.name, "namespace": "shop"}, "success", describe(**kwargs)
    )


def pod_logs(text: str) -> ToolResult:
    return ToolResult("fetch_pod_logs", {"pod_name": SUBJECT.name, "namespace": "shop"}, "success", text)


HEALTHY = pod_evidence(pod_describe(), pod_logs("INFO listening on :8080\nINFO GET /health 200"))


def test_describe_parser_reads_state_limits_and_command() -> None:
    info = parse_containers(describe("CrashLoopBackOff", "OOMKilled", "137", "memory: 256Mi;cpu: 500m"))[0]
    assert (info.name, info.state_reason, info.last_reason, info.exit_code) == (
        "api",
        "CrashLoopBackOff",
        "OOMKilled",
        "137",
    )
    assert info.limits == {"memory": "256Mi", "cpu": "500m"}
    assert info.command == ["/app/server"]
    assert info.restart_count == 4


def test_healthy_pod_yields_no_finding() -> None:
    assert analyze(HEALTHY).findings == ()


def test_oom_killed_names_the_limit_and_the_crash_loop() -> None:
    finding = containers.oom_killed(
        pod_evidence(pod_describe(state="CrashLoopBackOff", last="OOMKilled", exit_code="137", limits="memory: 256Mi"))
    )
    assert finding is not None
    assert (
        "OOMKilled" in finding.root_cause and "256Mi" in finding.root_cause and "CrashLoopBackOff" in finding.root_cause
    )
    assert any("Exit Code: 137" in line for line in finding.evidence_lines)


def test_jvm_heap_exhaustion_counts_as_oom() -> None:
    finding = containers.oom_killed(
        pod_evidence(pod_logs('Exception in thread "main" java.lang.OutOfMemoryError: Java heap space'))
    )
    assert finding is not None and "JVM" in finding.root_cause


def test_crash_loop_with_clean_exit_points_at_the_output() -> None:
    finding = containers.crash_loop(
        pod_evidence(pod_describe(state="CrashLoopBackOff", last="Completed", exit_code="0"))
    )
    assert finding is not None and "exit code 0" in finding.root_cause
    assert containers.crash_loop(HEALTHY) is None


def test_image_pull_not_found_and_unauthorized() -> None:
    missing = 'Warning  Failed  1m  kubelet  Failed to pull image "acme/web:v9": rpc error: manifest unknown'
    finding = containers.image_pull(pod_evidence(pod_describe(state="Waiting", events=missing)))
    assert finding is not None and "acme/web:v9" in finding.root_cause and "does not exist" in finding.root_cause
    denied = 'Warning  Failed  1m  kubelet  Failed to pull image "acme/private:1": 401 Unauthorized'
    finding = containers.image_pull(pod_evidence(pod_describe(state="Waiting", events=denied)))
    assert finding is not None and "unauthorized" in finding.root_cause


def test_image_pull_ignores_other_pods_in_a_namespace_listing() -> None:
    listing = result(
        "kubectl_get_by_kind_in_namespace",
        "other-6b7c8d9f5-abcde   0/1   ImagePullBackOff   0   1h",
        kind="pod",
        namespace="shop",
    )
    assert containers.image_pull(pod_evidence(pod_describe(), listing)) is None


def test_missing_secret_is_a_config_error() -> None:
    event = 'Warning  Failed  10s  kubelet  Error: secret "db-credentials" not found'
    finding = containers.container_config_error(pod_evidence(pod_describe(state="Waiting", events=event)))
    assert finding is not None and "db-credentials" in finding.root_cause


def test_failing_readiness_probe() -> None:
    event = "Warning  Unhealthy  5s  kubelet  Readiness probe failed: HTTP probe failed with statuscode: 503"
    finding = containers.failing_probe(pod_evidence(pod_describe(events=event)))
    assert finding is not None and "readiness" in finding.root_cause and "503" in finding.root_cause


def test_command_not_found_suggests_the_close_binary() -> None:
    finding = logs.command_not_found(pod_evidence(pod_logs("/bin/sh: curll: not found")))
    assert finding is not None and "`curll`" in finding.root_cause and "`curl`" in finding.root_cause
    assert logs.command_not_found(HEALTHY) is None


def test_exec_format_error_means_wrong_architecture() -> None:
    finding = logs.exec_format_error(pod_evidence(pod_logs("exec /app/server: exec format error")))
    assert finding is not None and "architecture" in finding.root_cause


def test_missing_environment_variable_variants() -> None:
    for line in (
        "ERROR: environment variable REDIS_URL is not set",
        "KeyError: 'REDIS_URL'",
        "fatal: missing required environment variable REDIS_URL",
    ):
        finding = logs.missing_env_var(pod_evidence(pod_logs(line)))
        assert finding is not None and "REDIS_URL" in finding.root_cause, line


def test_config_parse_error() -> None:
    finding = logs.config_parse_error(pod_evidence(pod_logs("error: yaml: line 12: mapping values are not allowed")))
    assert finding is not None and "does not parse" in finding.root_cause


def test_shell_syntax_error() -> None:
    finding = logs.shell_syntax_error(
        pod_evidence(pod_logs("sh: 3: Syntax error: end of file unexpected (expecting done)"))
    )
    assert finding is not None
    assert logs.shell_syntax_error(HEALTHY) is None
    finding = logs.shell_syntax_error(
        pod_evidence(pod_logs("bash: -c: line 1: syntax error near unexpected token `done'"))
    )
    assert finding is not None and "syntax error" in finding.root_cause


def test_certificates_expired_and_untrusted() -> None:
    expired = logs.certificate_problem(pod_evidence(pod_logs("x509: certificate has expired or is not yet valid")))
    assert expired is not None and expired.rule == "certificate_expired"
    untrusted = logs.certificate_problem(pod_evidence(pod_logs("x509: certificate signed by unknown authority")))
    assert untrusted is not None and untrusted.rule == "certificate_invalid"


def test_dns_failure_names_the_host() -> None:
    finding = logs.dns_failure(
        pod_evidence(pod_logs("dial tcp: lookup payments.internal on 10.96.0.10:53: no such host"))
    )
    assert finding is not None and "payments.internal" in finding.root_cause


def test_image_registry_resolution_is_not_application_dns() -> None:
    line = 'Failed to pull image "a/b:1": failed to resolve reference "docker.io/a/b:1": not found'
    assert logs.dns_failure(pod_evidence(pod_describe(events=f"Warning  Failed  1m  kubelet  {line}"))) is None


def test_connection_refused_names_the_target() -> None:
    finding = logs.connection_failure(pod_evidence(pod_logs("could not connect to orders-db:5432: Connection refused")))
    assert finding is not None and "orders-db:5432" in finding.root_cause


def test_tool_errors_are_not_workload_evidence() -> None:
    failed = ToolResult(
        "fetch_pod_logs", {"pod_name": "x"}, "error", "", "dial tcp 127.0.0.1:6443: connect: connection refused"
    )
    assert logs.connection_failure(pod_evidence(failed)) is None


def test_connection_pool_exhaustion() -> None:
    finding = logs.connection_exhaustion(pod_evidence(pod_logs("FATAL: sorry, too many clients already")))
    assert finding is not None and "exhausted" in finding.root_cause


def test_rbac_forbidden_and_permission_denied() -> None:
    line = 'pods is forbidden: User "system:serviceaccount:shop:api" cannot list resource "pods" in API group ""'
    finding = permissions.rbac_forbidden(pod_evidence(pod_logs(line)))
    assert finding is not None and "cannot list" in finding.root_cause
    assert permissions.permission_denied(pod_evidence(pod_logs(line))) is None
    denied = permissions.permission_denied(pod_evidence(pod_logs("open /data/cache: permission denied")))
    assert denied is not None


def test_failed_scheduling_reasons() -> None:
    event = (
        "Warning  FailedScheduling  1m  default-scheduler  0/3 nodes are available: 2 Insufficient memory, "
        "1 node(s) had untolerated taint {dedicated: infra}."
    )
    finding = scheduling.failed_scheduling(pod_evidence(pod_describe(state="Pending", events=event)))
    assert finding is not None
    assert "insufficient memory" in finding.root_cause and "taint" in finding.root_cause
    gpu = "Warning  FailedScheduling  1m  default-scheduler  0/1 nodes are available: 1 Insufficient amd.com/gpu."
    finding = scheduling.failed_scheduling(pod_evidence(pod_describe(state="Pending", events=gpu)))
    assert finding is not None and "GPU" in finding.root_cause


def node_describe(pods: int, capacity: int, pressure: str = "False") -> ToolResult:
    text = "\n".join(
        [
            "Name: worker-1",
            "Conditions:",
            f"  MemoryPressure   {pressure}   now   then   Reason   message",
            "Capacity:",
            f"  pods:               {capacity}",
            "Allocatable:",
            f"  pods:               {capacity}",
            f"Non-terminated Pods:          ({pods} in total)",
        ]
    )
    return ToolResult("kubectl_describe", {"kind": "node", "name": "worker-1"}, "success", text)


def test_node_pod_capacity_only_when_full() -> None:
    full = scheduling.node_pod_capacity(pod_evidence(node_describe(110, 110)))
    assert full is not None and "too many pods" in full.root_cause
    assert scheduling.node_pod_capacity(pod_evidence(node_describe(40, 110))) is None


def test_node_pressure() -> None:
    finding = scheduling.node_pressure(pod_evidence(node_describe(10, 110, pressure="True")))
    assert finding is not None and "MemoryPressure" in finding.root_cause
    assert scheduling.node_pressure(pod_evidence(node_describe(10, 110))) is None


def test_job_backoff_limit() -> None:
    text = "Name: nightly-report\nBackoff Limit:    2\nPods Statuses:    0 Active (0 Ready) / 0 Succeeded / 3 Failed\n"
    job = ToolResult(
        "kubectl_describe", {"kind": "job", "name": "nightly-report", "namespace": "shop"}, "success", text
    )
    finding = jobs.job_failed(pod_evidence(job))
    assert finding is not None and "nightly-report" in finding.root_cause and "backoff limit" in finding.root_cause
    ok = text.replace("0 Succeeded / 3 Failed", "1 Succeeded / 0 Failed")
    healthy = ToolResult("kubectl_describe", {"kind": "job", "name": "nightly-report"}, "success", ok)
    assert jobs.job_failed(pod_evidence(healthy)) is None


def test_cpu_throttling_needs_the_alert_and_names_the_limit() -> None:
    described = pod_describe(limits="cpu: 200m")
    finding = performance.cpu_throttling(pod_evidence(described, title="CPUThrottlingHigh"))
    assert finding is not None and "200m" in finding.root_cause and "throttled" in finding.root_cause
    assert performance.cpu_throttling(pod_evidence(described)) is None


def test_slow_database_call_in_logs() -> None:
    text = "handling GET /orders\nquery orders_by_user took 4.2 s\nrendered in 4.3 s"
    finding = performance.slow_operations(pod_evidence(pod_logs(text), title="HighLatency"))
    assert finding is not None and "database" in finding.root_cause and "4.2" in finding.root_cause
    assert performance.slow_operations(pod_evidence(pod_logs("GET / took 20 ms"))) is None


TRACE = """├─ /api/pay (gateway) - 5000.00ms (span_id=1)
│  Attributes:
│    http.url: /api/pay
  ├─ authorize (ledger) - 4800.00ms (span_id=2)
    ├─ mysql.query (ledger) - 4500.00ms (span_id=3)
    │  Attributes:
    │    db.system: mysql
    │    db.statement: SELECT * FROM entries
"""


def test_trace_bottleneck_is_the_span_with_most_self_time() -> None:
    spans = traces.parse_spans(TRACE)
    assert [s.name for s in spans] == ["/api/pay", "authorize", "mysql.query"]
    evidence = pod_evidence(ToolResult("fetch_tempo_trace_by_id", {"trace_id": "abc"}, "success", TRACE))
    finding = traces.slow_trace(evidence)
    assert finding is not None and "ledger" in finding.root_cause and "database query" in finding.root_cause


def test_network_policy_with_dns_failures() -> None:
    lineage = result("kubectl_lineage_children", "Pod/api  1/1  Running\n└── NetworkPolicy/deny-all-egress  -  3d")
    failing = pod_logs("getaddrinfo ENOTFOUND billing.shop")
    finding = network.network_policy_blocks(pod_evidence(lineage, failing))
    assert finding is not None and "deny-all-egress" in finding.root_cause
    assert network.network_policy_blocks(pod_evidence(lineage, pod_logs("all good"))) is None


def test_heartbeat_alerts_are_not_incidents() -> None:
    finding = alerts.heartbeat_alert(Evidence(Issue(title="InfoInhibitor", labels={"alertname": "InfoInhibitor"})))
    assert finding is not None and "not an issue" in finding.root_cause
    assert alerts.heartbeat_alert(Evidence(Issue(title="KubePodCrashLooping"))) is None


def test_no_tools_available_asks_to_enable_toolsets() -> None:
    finding = alerts.no_tools_available(Evidence(Issue(title="AppDown")))
    assert finding is not None and "enable" in " ".join(finding.suggestions).lower()
    assert alerts.no_tools_available(HEALTHY) is None


def test_answer_states_cause_evidence_and_start_time() -> None:
    evidence = pod_evidence(
        pod_describe(state="CrashLoopBackOff", last="Error", exit_code="1"),
        pod_logs("ERROR: environment variable REDIS_URL is not set"),
        starts_at="2030-01-02T03:04:05Z",
    )
    analysis = analyze(evidence)
    assert analysis.top is not None and analysis.top.rule == "missing_env_var"
    answer = render_answer(analysis)
    assert "REDIS_URL" in answer and "2030-01-02T03:04:05Z" in answer and "CrashLoopBackOff" in answer


# -- the alert's own words, when no tool reads the cluster -----------------------------------------------

NO_CLUSTER = ToolResult(
    "kubectl_describe", {"kind": "pod"}, "unavailable", error="no Kubernetes cluster configured (set KUBECONFIG)"
)
KUBERNETES = frozenset({"kubectl_describe", "kubectl_logs", "kubectl_events"})


def test_the_alert_title_alone_names_the_oom_when_no_cluster_answers() -> None:
    # What an investigation without a cluster has: the Kubernetes tools listed, none answering (or not called).
    for results in ((), (NO_CLUSTER,)):
        analysis = analyze(Evidence(Issue(title="OOMKilled on checkout-api"), results, KUBERNETES))
        top = analysis.top
        assert top is not None and top.rule == "alert_reports_oom", analysis.findings
        assert top.evidence_lines == ("alert title: OOMKilled on checkout-api",)
        assert top.confidence == 0.6 and "no tool could read the cluster" in top.root_cause
        assert "alert title: OOMKilled on checkout-api" in render_answer(analysis)


def test_the_alert_text_is_read_field_by_field_and_cited_by_name() -> None:
    def cited(**issue: Any) -> tuple[str, ...]:
        top = analyze(Evidence(Issue(title="Pod restarting", **issue), (), KUBERNETES)).top
        assert top is not None
        return top.evidence_lines

    assert cited(description="The container ran out of memory") == (
        "alert description: The container ran out of memory",
    )
    assert cited(labels={"reason": "OOMKilled"}) == ("alert label reason: OOMKilled",)
    assert cited(annotations={"summary": "checkout\nImagePullBackOff for v2"}) == (
        "alert annotation summary: ImagePullBackOff for v2",
    )


def test_cluster_evidence_outranks_what_the_alert_says() -> None:
    evidence = pod_evidence(
        pod_describe(state="CrashLoopBackOff", last="OOMKilled", exit_code="137", limits="memory: 256Mi"),
        title="OOMKilled on checkout-api",
    )
    findings = analyze(evidence).findings
    assert findings[0].rule == "oom_killed" and findings[0].confidence > 0.6
    assert "alert_reports_oom" not in [finding.rule for finding in findings]  # a tool answered: the alert is moot
