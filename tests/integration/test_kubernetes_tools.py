"""KubernetesToolRunner over real HTTP against a scripted Kubernetes API server on loopback, through a kubeconfig."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from botocore.credentials import Credentials

from aisre.core.eks_auth import EksTokenSource, eks_token
from aisre.investigations.adapters.kubernetes.connect import KubernetesTarget
from aisre.investigations.adapters.kubernetes.tools import KubernetesToolRunner, truncate
from aisre.investigations.model.evidence import Issue, Subject
from aisre.investigations.service.gather import gather
from tests.support.kubernetes_api import TOKEN, Seen, query_bool, serve_kubernetes_api, status, write_kubeconfig
from tests.support.servers import free_port

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
NS = "shop"
POD = "checkout-7d9f8b6c5d-x2x4z"


def ago(**delta: float) -> str:
    return (NOW - timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


def meta(name: str, uid: str, namespace: str | None = NS, owner: tuple[str, str, str] | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"name": name, "uid": uid, "creationTimestamp": ago(hours=3), "labels": {"app": "checkout"}}
    if namespace:
        found["namespace"] = namespace
    if owner:
        found["ownerReferences"] = [{"kind": owner[0], "name": owner[1], "uid": owner[2], "controller": True}]
    return found


CRASHING_POD = {
    "metadata": meta(POD, "uid-pod", owner=("ReplicaSet", "checkout-7d9f8b6c5d", "uid-rs")),
    "spec": {
        "nodeName": "node-1",
        "containers": [
            {
                "name": "app",
                "image": "shop/checkout:1.4.2",
                "resources": {"limits": {"memory": "128Mi", "cpu": "500m"}, "requests": {"memory": "64Mi"}},
                "env": [{"name": "DB_PASSWORD", "value": "hunter2"}],
            }
        ],
    },
    "status": {
        "phase": "Running",
        "podIP": "10.0.3.7",
        "hostIP": "192.168.1.10",
        "startTime": ago(hours=3),
        "conditions": [{"type": "Ready", "status": "False", "reason": "ContainersNotReady"}],
        "containerStatuses": [
            {
                "name": "app",
                "ready": False,
                "restartCount": 6,
                "image": "shop/checkout:1.4.2",
                "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed"}},
                "lastState": {
                    "terminated": {
                        "reason": "OOMKilled",
                        "exitCode": 137,
                        "startedAt": ago(minutes=6),
                        "finishedAt": ago(minutes=5),
                    }
                },
            }
        ],
    },
}
HEALTHY_POD = {
    "metadata": meta("checkout-7d9f8b6c5d-abcde", "uid-pod-2", owner=("ReplicaSet", "checkout-7d9f8b6c5d", "uid-rs")),
    "spec": {"nodeName": "node-2", "containers": [{"name": "app", "image": "shop/checkout:1.4.2"}]},
    "status": {
        "phase": "Running",
        "podIP": "10.0.3.8",
        "containerStatuses": [
            {"name": "app", "ready": True, "restartCount": 0, "state": {"running": {"startedAt": ago(hours=3)}}}
        ],
    },
}
CHATTY_POD = {
    "metadata": meta("chatty", "uid-chatty"),
    "spec": {"containers": [{"name": "main", "image": "busybox"}, {"name": "sidecar", "image": "envoy"}]},
    "status": {"phase": "Running"},
}
DEPLOYMENT = {
    "metadata": {**meta("checkout", "uid-deploy"), "generation": 4},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "checkout"}},
        "template": {"spec": {"containers": [{"name": "app", "image": "shop/checkout:1.4.2"}]}},
    },
    "status": {
        "replicas": 2,
        "readyReplicas": 1,
        "updatedReplicas": 2,
        "availableReplicas": 1,
        "observedGeneration": 4,
    },
}
REPLICASET = {
    "metadata": meta("checkout-7d9f8b6c5d", "uid-rs", owner=("Deployment", "checkout", "uid-deploy")),
    "spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "app", "image": "shop/checkout:1.4.2"}]}}},
    "status": {"replicas": 2, "readyReplicas": 1},
}
JOB = {
    "metadata": meta("nightly-report", "uid-job"),
    "spec": {
        "backoffLimit": 2,
        "completions": 1,
        "template": {"spec": {"containers": [{"name": "r", "image": "r:1"}]}},
    },
    "status": {
        "failed": 3,
        "startTime": ago(minutes=30),
        "conditions": [
            {
                "type": "Failed",
                "status": "True",
                "reason": "BackoffLimitExceeded",
                "message": "Job has reached the limit",
            }
        ],
    },
}
NODE = {
    "metadata": meta("node-1", "uid-node", namespace=None),
    "spec": {"taints": [{"key": "node.kubernetes.io/memory-pressure", "effect": "NoSchedule"}]},
    "status": {
        "conditions": [
            {"type": "MemoryPressure", "status": "True", "reason": "KubeletHasInsufficientMemory"},
            {"type": "Ready", "status": "True", "reason": "KubeletReady"},
        ],
        "allocatable": {"cpu": "2", "memory": "8Gi"},
        "nodeInfo": {"kubeletVersion": "v1.29.3"},
    },
}
SERVICE = {
    "metadata": meta("checkout", "uid-svc"),
    "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.10", "selector": {"app": "checkout"}, "ports": [{"port": 80}]},
}
EVENTS: list[dict[str, Any]] = [
    {
        "metadata": {"name": "e1", "namespace": NS, "creationTimestamp": ago(minutes=40)},
        "involvedObject": {"kind": "Pod", "name": POD, "namespace": NS},
        "type": "Warning",
        "reason": "BackOff",
        "message": "Back-off restarting failed container app in pod " + POD,
        "count": 12,
        "firstTimestamp": ago(minutes=40),
        "lastTimestamp": ago(minutes=1),
        "source": {"component": "kubelet"},
    },
    {
        "metadata": {"name": "e2", "namespace": NS, "creationTimestamp": ago(minutes=50)},
        "involvedObject": {"kind": "Deployment", "name": "checkout", "namespace": NS},
        "type": "Normal",
        "reason": "ScalingReplicaSet",
        "message": "Scaled up replica set checkout-7d9f8b6c5d to 2",
        "lastTimestamp": ago(minutes=50),
        "source": {"component": "deployment-controller"},
    },
]
PREVIOUS_LOG = "starting checkout\nloading catalog\njava.lang.OutOfMemoryError: Java heap space\n"
CURRENT_LOG = "starting checkout\n"
CHATTY_LOG = "".join(f"line {i:05d} request served in {i % 97} ms\n" for i in range(5000))

# (api prefix, plural) -> objects
STORE: dict[tuple[str, str], list[dict[str, Any]]] = {
    ("api/v1", "pods"): [CRASHING_POD, HEALTHY_POD, CHATTY_POD],
    ("apis/apps/v1", "deployments"): [DEPLOYMENT],
    ("apis/apps/v1", "replicasets"): [REPLICASET],
    ("apis/batch/v1", "jobs"): [JOB],
    ("api/v1", "nodes"): [NODE],
    ("api/v1", "services"): [SERVICE],
    ("api/v1", "events"): EVENTS,
}


def _log(name: str, query: dict[str, list[str]]) -> tuple[int, Any]:
    previous = query_bool(query, "previous")
    container = (query.get("container") or [""])[0]
    if name == "chatty":
        text = CHATTY_LOG if container == "main" else ""
    elif previous:
        text = PREVIOUS_LOG
    else:
        text = CURRENT_LOG
    if name != POD and previous:
        message = f'previous terminated container "{container}" in pod "{name}" not found'
        return 400, status(400, "BadRequest", message)
    tail = int((query.get("tailLines") or ["0"])[0])
    lines = text.splitlines(keepends=True)
    return 200, "".join(lines[-tail:] if tail else lines)


@pytest.fixture(scope="module")
def api_server() -> Iterator[tuple[str, Seen]]:
    with serve_kubernetes_api(STORE, lambda name, namespace, query: _log(name, query)) as served:
        yield served


@pytest.fixture
def runner(api_server: tuple[str, Seen], tmp_path: Path) -> KubernetesToolRunner:
    target = KubernetesTarget(kubeconfig=write_kubeconfig(tmp_path, api_server[0]), context="fake")
    return KubernetesToolRunner(target, clock=lambda: NOW)


def test_describe_crashlooping_oomkilled_pod(runner: KubernetesToolRunner, api_server: tuple[str, Seen]) -> None:
    result = runner.run("kubectl_describe", {"kind": "pod", "name": POD, "namespace": NS})
    assert result.status == "success", result.error
    text = result.text
    assert f"Name:           {POD}" in text
    assert "Status:         CrashLoopBackOff" in text
    assert re.search(r"State:\s+Waiting\n\s+Reason:\s+CrashLoopBackOff", text)
    assert re.search(r"Last State:\s+Terminated\n\s+Reason:\s+OOMKilled\n\s+Exit Code:\s+137", text)
    assert re.search(r"Restart Count:\s+6", text)
    assert re.search(r"Limits:\n\s+memory: 128Mi\n\s+cpu: 500m", text)
    assert "Controlled By:  ReplicaSet/checkout-7d9f8b6c5d" in text
    # The pod's own event, from the events API by involvedObject, and not the deployment's.
    assert re.search(r"Warning\s+BackOff\s+60s \(x12 over 40m\)\s+kubelet", text)
    assert "ScalingReplicaSet" not in text
    assert "hunter2" not in text  # env values never reach a prompt
    assert api_server[1].auth[-1] == f"Bearer {TOKEN}"


def test_describe_deployment_job_and_node(runner: KubernetesToolRunner) -> None:
    deployment = runner.run("kubectl_describe", {"kind": "deployment", "name": "checkout", "namespace": NS})
    assert deployment.status == "success", deployment.error
    assert "2 desired | 2 updated | 2 total | 1 available" in deployment.text
    assert "ScalingReplicaSet" in deployment.text
    job = runner.run("kubectl_describe", {"kind": "job", "name": "nightly-report", "namespace": NS})
    assert "Status:         Failed" in job.text and "BackoffLimitExceeded" in job.text
    node = runner.run("kubectl_describe", {"kind": "node", "name": "node-1"})
    assert node.status == "success", node.error
    assert "MemoryPressure" in node.text and "KubeletHasInsufficientMemory" in node.text


def test_previous_and_current_logs(runner: KubernetesToolRunner, api_server: tuple[str, Seen]) -> None:
    previous = runner.run("kubectl_previous_logs", {"pod_name": POD, "namespace": NS})
    assert previous.status == "success", previous.error
    assert "java.lang.OutOfMemoryError" in previous.text
    _, path, query = api_server[1].requests[-1]
    assert path == f"/api/v1/namespaces/{NS}/pods/{POD}/log"
    assert query_bool(query, "previous") and query["container"] == ["app"] and query["tailLines"] == ["500"]
    current = runner.run("kubectl_logs", {"pod_name": POD, "namespace": NS, "container_name": "app"})
    assert current.text == CURRENT_LOG


def test_logs_of_every_container_say_which_have_none(runner: KubernetesToolRunner) -> None:
    result = runner.run("kubectl_previous_logs_all_containers", {"pod_name": "chatty", "namespace": NS})
    assert result.status == "success"
    assert "==> chatty/main (previous) <==" in result.text and "==> chatty/sidecar (previous) <==" in result.text
    assert 'previous terminated container "sidecar" in pod "chatty" not found' in result.text


def test_missing_pod_is_an_error_result_not_an_exception(runner: KubernetesToolRunner) -> None:
    for tool, params in (
        ("kubectl_describe", {"kind": "pod", "name": "ghost", "namespace": NS}),
        ("kubectl_logs", {"pod_name": "ghost", "namespace": NS}),
        ("kubectl_lineage_children", {"kind": "pod", "name": "ghost", "namespace": NS}),
    ):
        result = runner.run(tool, params)
        assert result.status == "error"
        assert result.error == 'Error from server (NotFound): pods "ghost" not found'
    unknown = runner.run("kubectl_describe", {"kind": "widget", "name": "w", "namespace": NS})
    assert unknown.status == "error" and "widget" in (unknown.error or "")
    missing = runner.run("kubectl_describe", {"kind": "pod"})
    assert missing.status == "error" and "name" in (missing.error or "")


def test_output_is_truncated_to_the_budget_keeping_the_latest_log_lines(
    api_server: tuple[str, Seen], tmp_path: Path
) -> None:
    target = KubernetesTarget(kubeconfig=write_kubeconfig(tmp_path, api_server[0]))
    runner = KubernetesToolRunner(target, budget=2_000, log_lines=5_000, clock=lambda: NOW)
    result = runner.run("kubectl_logs", {"pod_name": "chatty", "namespace": NS})
    assert result.status == "success"
    first, *rest = result.text.splitlines()
    assert re.fullmatch(r"\[truncated: the first [\d,]+ of [\d,]+ characters cut\]", first)
    assert rest[-1] == "line 04999 request served in 52 ms"
    assert len("\n".join(rest)) <= 2_000
    head = truncate("a\n" * 100, 20)
    assert head.startswith("a\na\n") and head.endswith("characters cut]") and "the last 181 of 200" in head


def test_listing_events_lineage_and_missing_metrics(runner: KubernetesToolRunner) -> None:
    listing = runner.run("kubectl_get_by_kind_in_namespace", {"kind": "pod", "namespace": NS})
    lines = listing.text.splitlines()
    # kubectl get -o wide --show-labels, as HolmesGPT runs it.
    assert lines[0].split() == [
        *("NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE"),
        *("NOMINATED", "NODE", "READINESS", "GATES", "LABELS"),
    ]
    row = (
        rf"^{POD}\s+0/1\s+CrashLoopBackOff\s+6 \(5m ago\)\s+3h\s+10\.0\.3\.7\s+node-1\s+<none>\s+<none>\s+app=checkout$"
    )
    assert re.search(row, listing.text, re.M)
    assert re.search(r"^checkout-7d9f8b6c5d-abcde\s+1/1\s+Running\s", listing.text, re.M)
    found = runner.run("kubectl_find_resource", {"kind": "deployment", "keyword": "checkout"})
    assert found.status == "success" and found.text.splitlines()[1].split()[:3] == [NS, "checkout", "1/2"]
    events = runner.run("kubectl_events", {"resource_type": "deployment", "pod_name": "checkout", "namespace": NS})
    assert "ScalingReplicaSet" in events.text and "BackOff" not in events.text
    lineage = runner.run("kubectl_lineage_children", {"kind": "deployment", "name": "checkout", "namespace": NS})
    assert lineage.text.splitlines()[:2] == ["Deployment/checkout", "└── ReplicaSet/checkout-7d9f8b6c5d"]
    assert f"    └── Pod/{POD}   0/1 CrashLoopBackOff" in lineage.text
    selected = runner.run("kubectl_lineage_children", {"kind": "pod", "name": POD, "namespace": NS})
    assert "Service/checkout (selects this pod)" in selected.text
    for tool in ("kubectl_top_pods", "kubectl_top_nodes"):
        top = runner.run(tool, {})
        assert top.status == "unavailable" and "metrics-server not installed" in (top.error or "")


def test_gatherer_drives_the_runner_with_its_own_parameters(
    runner: KubernetesToolRunner, api_server: tuple[str, Seen]
) -> None:
    issue = Issue(title="KubePodCrashLooping", subject=Subject(kind="deployment", name="checkout", namespace=NS))
    evidence = gather(issue, runner)
    by_tool = {(r.tool, r.params.get("pod_name") or r.params.get("name")): r for r in evidence.results}
    assert by_tool[("kubectl_previous_logs", POD)].status == "success"
    assert "OOMKilled" in by_tool[("kubectl_describe", POD)].text
    # Only reads went to the API server.
    assert {method for method, _, _ in api_server[1].requests} == {"GET"}


def test_no_cluster_configured_and_unreachable_cluster_are_unavailable(tmp_path: Path) -> None:
    unconfigured = KubernetesToolRunner(KubernetesTarget())
    for tool in sorted(unconfigured.available_tools()):
        result = unconfigured.run(tool, {"kind": "pod", "name": "x", "pod_name": "x", "namespace": "default"})
        assert (result.status, result.error) == ("unavailable", "no Kubernetes cluster configured")
    missing_file = KubernetesToolRunner(KubernetesTarget(kubeconfig=str(tmp_path / "absent")))
    result = missing_file.run("kubectl_describe", {"kind": "pod", "name": "x", "namespace": "default"})
    assert result.status == "unavailable" and "cannot configure Kubernetes access" in (result.error or "")
    closed = KubernetesToolRunner(
        KubernetesTarget(kubeconfig=write_kubeconfig(tmp_path, f"http://127.0.0.1:{free_port()}"))
    )
    result = closed.run("kubectl_describe", {"kind": "pod", "name": "x", "namespace": "default"})
    assert result.status == "unavailable" and "cannot reach the Kubernetes API" in (result.error or "")
    assert closed.run("kubectl_top_nodes", {}).status == "unavailable"
    assert unconfigured.run("kubectl_delete", {}).status == "unavailable"


def test_available_tools_match_the_gatherer_and_agent_names() -> None:
    from aisre.investigations.adapters.tools.no_cluster import NoClusterToolRunner
    from aisre.investigations.service.agent_tools import READ_ONLY_TOOL_NAMES
    from aisre.investigations.service.gather import LOG_TOOLS

    served = KubernetesToolRunner(KubernetesTarget()).available_tools()
    assert served <= READ_ONLY_TOOL_NAMES
    assert {"kubectl_describe", "kubectl_events", "kubectl_lineage_children", "kubectl_top_pods"} <= served
    assert set(LOG_TOOLS) <= served
    # Without a cluster, the same names answer "unavailable" (never "not available"): the agent sees one tool set.
    assert NoClusterToolRunner().available_tools() <= served


# --- EKS tokens -----------------------------------------------------------------------------------------------

ACCESS_KEY, SECRET_KEY, SESSION_TOKEN = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "session/token+1"


def _sign(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def expected_signature(query: dict[str, str], host: str, cluster: str, region: str) -> str:
    """SigV4 for a presigned GET, computed here from the spec rather than by botocore."""
    unsigned = {k: v for k, v in query.items() if k != "X-Amz-Signature"}
    canonical_query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(unsigned.items()))
    canonical = "\n".join(
        [
            *("GET", "/", canonical_query, f"host:{host}", f"x-k8s-aws-id:{cluster}", ""),
            "host;x-k8s-aws-id",
            hashlib.sha256(b"").hexdigest(),  # an empty body: STS presigning signs its hash, not UNSIGNED-PAYLOAD
        ]
    )
    day = query["X-Amz-Date"][:8]
    scope = f"{day}/{region}/sts/aws4_request"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", query["X-Amz-Date"], scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = _sign(_sign(_sign(_sign(f"AWS4{SECRET_KEY}".encode(), day), region), "sts"), "aws4_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def test_eks_token_is_a_presigned_get_caller_identity_url() -> None:
    credentials = Credentials(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN)
    token = eks_token("prod-cluster", "eu-west-1", credentials, NOW)
    assert token.startswith("k8s-aws-v1.") and "=" not in token
    encoded = token.removeprefix("k8s-aws-v1.")
    url = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "sts.eu-west-1.amazonaws.com", "/")
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["Action"] == "GetCallerIdentity" and query["Version"] == "2011-06-15"
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert query["X-Amz-Credential"] == f"{ACCESS_KEY}/20240501/eu-west-1/sts/aws4_request"
    assert query["X-Amz-Date"] == "20240501T120000Z" and query["X-Amz-Expires"] == "60"
    assert query["X-Amz-SignedHeaders"] == "host;x-k8s-aws-id"
    assert query["X-Amz-Security-Token"] == SESSION_TOKEN
    assert query["X-Amz-Signature"] == expected_signature(query, parts.netloc, "prod-cluster", "eu-west-1")
    # The signature covers the cluster name: the same URL for another cluster does not verify.
    assert query["X-Amz-Signature"] != expected_signature(query, parts.netloc, "other-cluster", "eu-west-1")
    assert eks_token("prod-cluster", "eu-west-1", credentials, NOW) == token


def test_eks_token_source_reuses_a_token_until_fourteen_minutes() -> None:
    now = [NOW]
    minted: list[int] = []

    def credentials() -> Credentials:
        minted.append(1)
        return Credentials(ACCESS_KEY, SECRET_KEY)

    source = EksTokenSource("prod-cluster", "eu-west-1", credentials_provider=credentials, clock=lambda: now[0])
    first = source.token()
    now[0] = NOW + timedelta(minutes=13, seconds=59)
    assert source.token() == first and len(minted) == 1
    now[0] = NOW + timedelta(minutes=14)
    assert source.token() != first and len(minted) == 2
