"""The investigation tools as HolmesGPT makes them, served live by KubernetesToolRunner over real HTTP against a
scripted Kubernetes API server on loopback: fetch_pod_logs (every container, previous instances first, filters, time
range, limit), kubectl_find_resource (one kind, or `all`), listings of cluster-scoped kinds (CRDs, storage classes,
volumes, nodes with labels) and describe of storage, nodes, services, endpoints, stateful sets, cron jobs and config
maps (keys only). Secrets stay unreadable."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from aisre.investigations.adapters.kubernetes.connect import KubernetesTarget
from aisre.investigations.adapters.kubernetes.tools import KubernetesToolRunner
from aisre.investigations.model.evidence import ToolResult
from tests.support.kubernetes_api import Seen, StampedLogs, serve_kubernetes_api, write_kubeconfig

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
NS = "shop"
WEB = "web-5c8d7f9b6-abcde"


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


def stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def meta(name: str, namespace: str | None = NS, **labels: str) -> dict[str, Any]:
    found: dict[str, Any] = {"name": name, "uid": f"uid-{name}", "creationTimestamp": stamp(ago(hours=3))}
    if namespace:
        found["namespace"] = namespace
    if labels:
        found["labels"] = dict(labels)
    return found


def owned(obj_meta: dict[str, Any], kind: str, name: str) -> dict[str, Any]:
    return {**obj_meta, "ownerReferences": [{"kind": kind, "name": name, "uid": f"uid-{name}", "controller": True}]}


def container(name: str, image: str, cpu: str = "", memory: str = "", cpu_limit: str = "") -> dict[str, Any]:
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v}
    limits = {"cpu": cpu_limit} if cpu_limit else {}
    return {"name": name, "image": image, "resources": {"requests": requests, "limits": limits}}


WEB_POD = {
    "metadata": owned(meta(WEB, app="web", tier="frontend"), "ReplicaSet", "web-5c8d7f9b6"),
    "spec": {
        "nodeName": "node-1",
        "initContainers": [container("migrate", "web-migrate:1.4.1", cpu="500m")],
        "containers": [
            container("app", "web:1.4.1", cpu="250m", memory="256Mi", cpu_limit="500m"),
            container("proxy", "envoy:1.29", cpu="100m", memory="64Mi"),
        ],
    },
    "status": {
        "phase": "Running",
        "podIP": "10.0.3.20",
        "initContainerStatuses": [{"name": "migrate", "ready": True, "restartCount": 0}],
        "containerStatuses": [
            {
                "name": "app",
                "ready": True,
                "restartCount": 2,
                "state": {"running": {"startedAt": stamp(ago(minutes=9))}},
                "lastState": {"terminated": {"reason": "Error", "exitCode": 1, "finishedAt": stamp(ago(minutes=10))}},
            },
            {"name": "proxy", "ready": True, "restartCount": 0, "state": {"running": {}}},
        ],
    },
}
API_POD = {
    "metadata": meta("api-0", app="api"),
    "spec": {"nodeName": "node-2", "containers": [container("api", "api:2")]},
    "status": {"phase": "Running", "containerStatuses": [{"name": "api", "ready": True, "restartCount": 0}]},
}
DB_PODS = [
    {
        "metadata": owned(meta("db-0", app="db"), "StatefulSet", "db"),
        "spec": {
            "nodeName": "node-1",
            "containers": [container("postgres", "postgres:16", cpu="1", memory="2Gi")],
            "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data-db-0"}}],
        },
        "status": {"phase": "Running", "containerStatuses": [{"name": "postgres", "ready": True, "restartCount": 0}]},
    },
    {
        "metadata": owned(meta("db-1", app="db"), "StatefulSet", "db"),
        "spec": {
            "containers": [container("postgres", "postgres:16", cpu="1", memory="2Gi")],
            "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data-db-1"}}],
        },
        "status": {"phase": "Pending"},
    },
]
FINISHED_POD = {
    "metadata": meta("report-28571234-x1x2y", app="report"),
    "spec": {"nodeName": "node-1", "containers": [container("report", "report:1", cpu="1")]},
    "status": {"phase": "Succeeded"},
}
STATEFULSET = {
    "metadata": meta("db", app="db"),
    "spec": {
        "replicas": 2,
        "serviceName": "db",
        "selector": {"matchLabels": {"app": "db"}},
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
        "template": {"spec": {"containers": [{"name": "postgres", "image": "postgres:16"}]}},
        "volumeClaimTemplates": [
            {
                "metadata": {"name": "data"},
                "spec": {
                    "storageClassName": "standard",
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": "1Gi"}},
                },
            }
        ],
    },
    "status": {"replicas": 2, "readyReplicas": 1, "currentRevision": "db-7f", "updateRevision": "db-7f"},
}
DEPLOYMENT = {
    "metadata": meta("web", app="web"),
    "spec": {
        "replicas": 1,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {"spec": {"containers": [{"name": "app", "image": "web:1.4.1"}]}},
    },
    "status": {"replicas": 1, "readyReplicas": 1, "updatedReplicas": 1, "availableReplicas": 1},
}
REPLICASET = {
    "metadata": owned(meta("web-5c8d7f9b6", app="web"), "Deployment", "web"),
    "spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "app", "image": "web:1.4.1"}]}}},
    "status": {"replicas": 1, "readyReplicas": 1},
}
CRONJOB = {
    "metadata": meta("nightly-report"),
    "spec": {
        "schedule": "0 2 * * *",
        "concurrencyPolicy": "Forbid",
        "jobTemplate": {
            "spec": {"backoffLimit": 2, "template": {"spec": {"containers": [{"name": "r", "image": "r:1"}]}}}
        },
    },
    "status": {"lastScheduleTime": stamp(ago(hours=10))},
}
PVCS = [
    {
        "metadata": meta("data-db-0", app="db"),
        "spec": {
            "storageClassName": "standard",
            "volumeName": "pvc-123",
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "1Gi"}},
        },
        "status": {"phase": "Bound", "capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"]},
    },
    {
        "metadata": meta("data-db-1", app="db"),
        "spec": {
            "storageClassName": "fast",
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "1Gi"}},
        },
        "status": {"phase": "Pending"},
    },
]
PV = {
    "metadata": {**meta("pvc-123", namespace=None), "finalizers": ["kubernetes.io/pv-protection"]},
    "spec": {
        "capacity": {"storage": "1Gi"},
        "accessModes": ["ReadWriteOnce"],
        "persistentVolumeReclaimPolicy": "Delete",
        "storageClassName": "standard",
        "claimRef": {"namespace": NS, "name": "data-db-0"},
        "csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-0abc"},
        "nodeAffinity": {
            "required": {
                "nodeSelectorTerms": [
                    {
                        "matchExpressions": [
                            {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["eu-west-1a"]}
                        ]
                    }
                ]
            }
        },
    },
    "status": {"phase": "Bound"},
}
STORAGE_CLASSES = [
    {
        "metadata": {
            **meta("standard", namespace=None),
            "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
        },
        "provisioner": "ebs.csi.aws.com",
        "parameters": {"type": "gp3"},
        "reclaimPolicy": "Delete",
        "volumeBindingMode": "WaitForFirstConsumer",
        "allowVolumeExpansion": True,
    },
    {"metadata": meta("fast", namespace=None), "provisioner": "kubernetes.io/no-provisioner"},
]
CRD = {
    "metadata": {**meta("certificates.cert-manager.io", namespace=None), "creationTimestamp": "2024-05-01T09:00:00Z"},
    "spec": {
        "group": "cert-manager.io",
        "names": {"kind": "Certificate", "plural": "certificates", "shortNames": ["cert", "certs"]},
        "scope": "Namespaced",
        "versions": [{"name": "v1", "served": True, "storage": True}],
    },
    "status": {"conditions": [{"type": "Established", "status": "True", "reason": "InitialNamesAccepted"}]},
}
NODE = {
    "metadata": meta(
        "node-1",
        namespace=None,
        **{
            "kubernetes.io/hostname": "node-1",
            "node-role.kubernetes.io/worker": "",
            "topology.kubernetes.io/zone": "eu-west-1a",
        },
    ),
    "spec": {"taints": [{"key": "node.kubernetes.io/memory-pressure", "effect": "NoSchedule"}]},
    "status": {
        "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}],
        "capacity": {"cpu": "2", "memory": "8Gi", "pods": "110"},
        "allocatable": {"cpu": "2", "memory": "8Gi", "pods": "110"},
        "addresses": [{"type": "InternalIP", "address": "10.0.1.10"}],
        "nodeInfo": {"kubeletVersion": "v1.29.3", "osImage": "Bottlerocket OS 1.19"},
    },
}
SERVICES = [
    {
        "metadata": meta("web", app="web"),
        "spec": {
            "type": "ClusterIP",
            "clusterIP": "10.96.0.20",
            "selector": {"app": "web"},
            "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}],
        },
    },
    {
        "metadata": meta("db", app="db"),
        "spec": {"type": "ClusterIP", "clusterIP": "None", "selector": {"app": "db"}, "ports": [{"port": 5432}]},
    },
]
ENDPOINTS = {
    "metadata": meta("web", app="web"),
    "subsets": [
        {
            "addresses": [{"ip": "10.0.3.20"}],
            "notReadyAddresses": [{"ip": "10.0.3.21"}],
            "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
        }
    ],
}
CONFIGMAP = {
    "metadata": meta("web-config"),
    "data": {"app.yaml": "db_password: hunter2\nlevel: debug\n", "FEATURE_X": "on"},
}

STORE: dict[tuple[str, str], list[dict[str, Any]]] = {
    ("api/v1", "pods"): [WEB_POD, API_POD, *DB_PODS, FINISHED_POD],
    ("api/v1", "services"): SERVICES,
    ("api/v1", "endpoints"): [ENDPOINTS],
    ("api/v1", "configmaps"): [CONFIGMAP],
    ("api/v1", "nodes"): [NODE],
    ("api/v1", "persistentvolumeclaims"): PVCS,
    ("api/v1", "persistentvolumes"): [PV],
    ("api/v1", "events"): [],
    ("apis/apps/v1", "deployments"): [DEPLOYMENT],
    ("apis/apps/v1", "replicasets"): [REPLICASET],
    ("apis/apps/v1", "statefulsets"): [STATEFULSET],
    ("apis/batch/v1", "cronjobs"): [CRONJOB],
    ("apis/storage.k8s.io/v1", "storageclasses"): STORAGE_CLASSES,
    ("apis/apiextensions.k8s.io/v1", "customresourcedefinitions"): [CRD],
}
LOGS = StampedLogs(
    NOW,
    {
        (WEB, "migrate", False): [(ago(hours=2), "applied 12 migrations")],
        (WEB, "app", True): [
            (ago(minutes=30), "INFO starting web 1.4.1"),
            (ago(minutes=29), "ERROR connection refused: db:5432"),
            (ago(minutes=28), "FATAL giving up after 3 attempts"),
        ],
        (WEB, "app", False): [
            (ago(minutes=9), "INFO starting web 1.4.1"),
            (ago(minutes=8), "INFO GET /health 200"),
            (ago(minutes=7), "WARN slow query (2300ms) on orders"),
            (ago(minutes=6), "ERROR payment timeout order=17"),
            (ago(minutes=5), "INFO GET /health 200"),
            (ago(minutes=1), "  at com.shop.Payment.charge(Payment.java:42)"),
        ],
        (WEB, "proxy", False): [
            (ago(minutes=8, seconds=30), "GET /api/orders 200"),
            (ago(minutes=6), "GET /api/orders 503 upstream timeout"),
        ],
        ("api-0", "api", False): [(ago(minutes=3), "listening on :8080"), (ago(minutes=2), "  indented detail")],
    },
)
ALL_WEB_LINES = [
    "migrate: applied 12 migrations",
    "app: INFO starting web 1.4.1",
    "app: ERROR connection refused: db:5432",
    "app: FATAL giving up after 3 attempts",
    "app: INFO starting web 1.4.1",
    "proxy: GET /api/orders 200",
    "app: INFO GET /health 200",
    "app: WARN slow query (2300ms) on orders",
    "app: ERROR payment timeout order=17",
    "proxy: GET /api/orders 503 upstream timeout",
    "app: INFO GET /health 200",
    "app:   at com.shop.Payment.charge(Payment.java:42)",
]


@pytest.fixture(scope="module")
def api_server() -> Iterator[tuple[str, Seen]]:
    with serve_kubernetes_api(STORE, LOGS) as served:
        yield served


@pytest.fixture
def runner(api_server: tuple[str, Seen], tmp_path: Path) -> KubernetesToolRunner:
    target = KubernetesTarget(kubeconfig=write_kubeconfig(tmp_path, api_server[0]), context="fake")
    return KubernetesToolRunner(target, clock=lambda: NOW)


def logs(runner: KubernetesToolRunner, **params: Any) -> ToolResult:
    return runner.run("fetch_pod_logs", {"pod_name": WEB, "namespace": NS, **params})


def log_requests(seen: Seen, since: int) -> list[dict[str, list[str]]]:
    return [query for _, path, query in seen.requests[since:] if path.endswith("/log")]


# --- fetch_pod_logs --------------------------------------------------------------------------------------------


def test_fetch_pod_logs_reads_every_container_previous_first_as_holmesgpt_prints_them(
    runner: KubernetesToolRunner, api_server: tuple[str, Seen]
) -> None:
    seen = api_server[1]
    before = len(seen.requests)
    result = logs(runner)
    assert result.status == "success", result.error
    assert result.text.splitlines() == ALL_WEB_LINES
    requests = log_requests(seen, before)
    # The restarted container's previous instance, then every container's current one, stamped; no more lines
    # than the default limit of 100 asked for, as nothing else will cut them.
    assert [(q["container"][0], q["previous"][0].lower()) for q in requests] == [
        ("app", "true"),
        ("migrate", "false"),
        ("app", "false"),
        ("proxy", "false"),
    ]
    assert all(q["timestamps"][0].lower() == "true" and q["tailLines"] == ["100"] for q in requests)
    assert {method for method, _, _ in seen.requests} == {"GET"}


def test_filter_is_a_case_insensitive_regex_or_else_a_substring(runner: KubernetesToolRunner) -> None:
    errors = logs(runner, filter="error|fatal")
    assert errors.status == "success"
    assert errors.text.splitlines() == [
        "app: ERROR connection refused: db:5432",
        "app: FATAL giving up after 3 attempts",
        "app: ERROR payment timeout order=17",
    ]
    # Not a valid regex (an unclosed parenthesis): the text itself, in any case.
    slow = logs(runner, filter="QUERY (2300")
    assert slow.text.splitlines() == ["app: WARN slow query (2300ms) on orders"]


def test_exclude_filter_and_limit_keep_the_latest_lines_and_say_what_was_left_out(
    runner: KubernetesToolRunner, api_server: tuple[str, Seen]
) -> None:
    before = len(api_server[1].requests)
    result = logs(runner, exclude_filter="health|migrations", limit=3)
    assert result.status == "success"
    assert result.text.splitlines() == [
        "app: ERROR payment timeout order=17",
        "proxy: GET /api/orders 503 upstream timeout",
        "app:   at com.shop.Payment.charge(Payment.java:42)",
        "[limit 3 applied: returned the latest 3 of 9 matching lines (6 omitted)]",
    ]
    # A filter cuts lines after reading: the API is asked for all of them.
    assert not any("tailLines" in q for q in log_requests(api_server[1], before))


def test_time_range_rfc3339_and_relative_seconds(runner: KubernetesToolRunner, api_server: tuple[str, Seen]) -> None:
    seen = api_server[1]
    before = len(seen.requests)
    # -420: seven minutes before end_time, itself five minutes ago; both bounds are in the range.
    window = logs(runner, start_time="-420", end_time=stamp(ago(minutes=5)))
    assert window.status == "success", window.error
    assert window.text.splitlines() == ALL_WEB_LINES[4:11]
    # The API is asked from the start on (whole seconds back from now, one more for rounding), and for all lines:
    # the end cuts the latest ones afterwards.
    requests = log_requests(seen, before)
    assert {q["sinceSeconds"][0] for q in requests} == {str(12 * 60 + 1)}
    assert not any("tailLines" in q for q in requests)
    since = logs(runner, start_time=stamp(ago(minutes=8)), filter="GET")
    assert since.text.splitlines() == [
        "app: INFO GET /health 200",
        "proxy: GET /api/orders 503 upstream timeout",
        "app: INFO GET /health 200",
    ]


def test_relative_start_counts_back_from_end_time(runner: KubernetesToolRunner, api_server: tuple[str, Seen]) -> None:
    before = len(api_server[1].requests)
    result = logs(runner, start_time=-120, end_time=stamp(ago(minutes=5)))
    assert result.text.splitlines() == ALL_WEB_LINES[7:11]
    assert {q["sinceSeconds"][0] for q in log_requests(api_server[1], before)} == {str(7 * 60 + 1)}
    # A negative end_time counts back from now: from six minutes ago to five.
    ended = logs(runner, start_time="-60", end_time="-300")
    assert ended.text.splitlines() == ALL_WEB_LINES[8:11]


def test_nothing_matching_is_no_data_saying_what_was_looked_for(runner: KubernetesToolRunner) -> None:
    result = logs(runner, filter="disk full")
    assert (result.status, result.error) == ("no_data", None)
    assert result.text == (
        f"No logs found for pod {WEB} in namespace {NS} matching 'disk full'. "
        "12 lines were read before filtering: try a broader filter, or drop it."
    )
    windowed = logs(runner, filter="error", start_time="2024-05-01T11:00:00Z", end_time="2024-05-01T11:10:00Z")
    assert windowed.status == "no_data"
    assert windowed.text.startswith(
        f"No logs found for pod {WEB} in namespace {NS} matching 'error' "
        "between 2024-05-01T11:00:00Z and 2024-05-01T11:10:00Z."
    )
    future = logs(runner, start_time="2024-05-02T00:00:00Z")
    assert future.status == "no_data" and "since 2024-05-02T00:00:00Z" in future.text


def test_bad_parameters_are_errors_naming_them_without_a_request(
    runner: KubernetesToolRunner, api_server: tuple[str, Seen]
) -> None:
    before = len(api_server[1].requests)
    for params, named in (
        ({"start_time": "last thursday"}, "start_time"),
        ({"end_time": "soon"}, "end_time"),
        ({"limit": "lots"}, "limit"),
        ({"limit": 0}, "limit"),
        ({"limit": -5}, "limit"),
        ({"start_time": stamp(ago(minutes=1)), "end_time": stamp(ago(minutes=5))}, "start_time"),
        ({"namespace": ""}, "namespace"),
        ({"pod_name": None}, "pod_name"),
    ):
        result = logs(runner, **params)
        assert result.status == "error", params
        assert named in (result.error or ""), (params, result.error)
    assert len(api_server[1].requests) == before


def test_missing_pod_and_single_container_pod(runner: KubernetesToolRunner) -> None:
    ghost = runner.run("fetch_pod_logs", {"pod_name": "ghost", "namespace": NS})
    assert (ghost.status, ghost.error) == ("error", 'Error from server (NotFound): pods "ghost" not found')
    # One container: its lines as it wrote them, without a prefix and with their own indentation.
    single = runner.run("fetch_pod_logs", {"pod_name": "api-0", "namespace": NS})
    assert single.text.splitlines() == ["listening on :8080", "  indented detail"]


# --- kubectl_find_resource --------------------------------------------------------------------------------------


def test_find_resource_greps_rows_of_every_namespace_with_labels(runner: KubernetesToolRunner) -> None:
    found = runner.run("kubectl_find_resource", {"kind": "pod", "keyword": "web"})
    assert found.status == "success", found.error
    header, *rows = found.text.splitlines()
    assert header.split()[:3] == ["NAMESPACE", "NAME", "READY"] and header.endswith("LABELS")
    assert len(rows) == 1
    assert re.match(rf"^{NS}\s+{WEB}\s+2/2\s+Running\s+2 \(10m ago\)\s+3h\s+10\.0\.3\.20\s+node-1\s", rows[0])
    assert rows[0].endswith("app=web,tier=frontend")
    # A label, in another case: the line holds it.
    by_label = runner.run("kubectl_find_resource", {"kind": "pods", "keyword": "TIER=frontend"})
    assert by_label.text.splitlines()[1:] == rows
    missing = runner.run("kubectl_find_resource", {"kind": "pod", "keyword": "zzz"})
    assert (missing.status, missing.text) == ("no_data", 'No pod matching "zzz" found.')


def test_find_resource_of_all_kinds_says_each_rows_kind(runner: KubernetesToolRunner) -> None:
    for kind in ("all", "*"):
        found = runner.run("kubectl_find_resource", {"kind": kind, "keyword": "web"})
        assert found.status == "success", found.error
        names = [line.split()[1] for line in found.text.splitlines() if line.startswith(NS)]
        assert names == [f"pod/{WEB}", "service/web", "deployment.apps/web", "replicaset.apps/web-5c8d7f9b6"]
        tables = found.text.split("\n\n")
        assert len(tables) == 4 and all(t.startswith("NAMESPACE") for t in tables)
    db = runner.run("kubectl_find_resource", {"kind": "all", "keyword": "app=db"})
    names = [line.split()[1] for line in db.text.splitlines() if line.startswith(NS)]
    assert names == ["pod/db-0", "pod/db-1", "service/db", "statefulset.apps/db"]


# HolmesGPT's recording of `kubectl get -A --show-labels -o wide pod | grep robusta-holmes` (the eval case
# test_ask_holmes/48_logs_since_thursday): a live row has the same columns, restarts written the same way.
RECORDED_ROW = (
    "default                             robusta-holmes-7bfb7f85b7-2w9ck                          1/1     Running"
    "                 6 (37m ago)        9d      10.244.1.63   kind-double-node-worker          <none>           "
    "<none>            app=holmes,pod-template-hash=7bfb7f85b7"
)
POD_ROW = re.compile(
    r"^(?P<namespace>\S+)\s+(?P<name>\S+)\s+(?P<ready>\d+/\d+)\s+(?P<status>\S+)\s+"
    r"(?P<restarts>\d+(?: \(\w+ ago\))?)\s+(?P<age>\w+)\s+(?P<ip>\S+)\s+(?P<node>\S+)\s+"
    r"(?P<nominated>\S+)\s+(?P<gates>\S+)\s+(?P<labels>\S+)$"
)


def test_live_rows_read_like_holmesgpts_recorded_ones(runner: KubernetesToolRunner) -> None:
    recorded = POD_ROW.match(RECORDED_ROW)
    live = POD_ROW.match(runner.run("kubectl_find_resource", {"kind": "pod", "keyword": "web"}).text.splitlines()[1])
    assert recorded is not None and live is not None
    assert recorded["restarts"] == "6 (37m ago)" and live["restarts"] == "2 (10m ago)"
    assert (live["nominated"], live["gates"], live["labels"]) == ("<none>", "<none>", "app=web,tier=frontend")


# --- listings of cluster-scoped kinds -----------------------------------------------------------------------------


def test_cluster_listings_of_crds_storage_classes_volumes_and_nodes(
    runner: KubernetesToolRunner, api_server: tuple[str, Seen]
) -> None:
    for kind in ("customresourcedefinition", "crd", "customresourcedefinitions.apiextensions.k8s.io"):
        crds = runner.run("kubectl_get_by_kind_in_cluster", {"kind": kind})
        assert crds.status == "success", crds.error
        assert crds.text.splitlines()[0].split() == ["NAME", "CREATED", "AT", "LABELS"]
        assert re.match(r"^certificates\.cert-manager\.io\s+2024-05-01T09:00:00Z\s+<none>$", crds.text.splitlines()[1])
    assert api_server[1].requests[-1][1] == "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    classes = runner.run("kubectl_get_by_kind_in_cluster", {"kind": "storageclass"}).text.splitlines()
    assert classes[0].split()[:5] == [
        "NAME",
        "PROVISIONER",
        "RECLAIMPOLICY",
        "VOLUMEBINDINGMODE",
        "ALLOWVOLUMEEXPANSION",
    ]
    assert re.match(
        r"^standard \(default\)\s+ebs\.csi\.aws\.com\s+Delete\s+WaitForFirstConsumer\s+true\s+3h", classes[1]
    )
    assert re.match(r"^fast\s+kubernetes\.io/no-provisioner\s+Delete\s+Immediate\s+false", classes[2])
    volumes = runner.run("kubectl_get_by_kind_in_cluster", {"kind": "pv"}).text.splitlines()
    assert re.match(
        r"^pvc-123\s+1Gi\s+RWO\s+Delete\s+Bound\s+shop/data-db-0\s+standard\s+<none>\s+3h\s+Filesystem", volumes[1]
    )
    nodes = runner.run("kubectl_get_by_kind_in_cluster", {"kind": "nodes"}).text.splitlines()
    assert nodes[0].split()[0] == "NAME" and nodes[0].endswith("LABELS")  # nodes have no namespace
    assert re.match(r"^node-1\s+Ready\s+worker\s+3h\s+v1\.29\.3\s+10\.0\.1\.10\s", nodes[1])
    assert nodes[1].endswith(
        "kubernetes.io/hostname=node-1,node-role.kubernetes.io/worker=,topology.kubernetes.io/zone=eu-west-1a"
    )
    claims = runner.run("kubectl_get_by_kind_in_cluster", {"kind": "pvc"}).text.splitlines()
    assert re.match(
        r"^shop\s+data-db-0\s+Bound\s+pvc-123\s+1Gi\s+RWO\s+standard\s+3h\s+Filesystem\s+app=db$", claims[1]
    )
    everything = runner.run("kubectl_get_by_kind_in_namespace", {"kind": "all", "namespace": NS})
    assert f"pod/{WEB}" in everything.text and "statefulset.apps/db" in everything.text
    assert everything.text.split("\n\n")[0].startswith("NAME ")  # one namespace: no NAMESPACE column


# --- describe ---------------------------------------------------------------------------------------------------


def describe(runner: KubernetesToolRunner, kind: str, name: str, namespace: str | None = NS) -> str:
    result = runner.run("kubectl_describe", {"kind": kind, "name": name, "namespace": namespace})
    assert result.status == "success", result.error
    return result.text


def test_describe_node_shows_allocatable_what_its_pods_request_taints_and_labels(
    runner: KubernetesToolRunner, api_server: tuple[str, Seen]
) -> None:
    text = describe(runner, "node", "node-1", None)
    assert "Taints:         node.kubernetes.io/memory-pressure:NoSchedule" in text
    assert "Labels:         kubernetes.io/hostname=node-1," in text
    assert re.search(r"Allocatable:\n  cpu: 2\n  memory: 8Gi\n  pods: 110", text)
    # The finished pod is not counted, as the field selector kubectl uses says.
    query = api_server[1].last("/api/v1/pods")
    assert query["fieldSelector"] == ["spec.nodeName=node-1,status.phase!=Succeeded,status.phase!=Failed"]
    assert "Non-terminated Pods:  (2 in total)" in text
    # web: the init container's 500m outweighs its containers' 350m.
    assert re.search(rf"{NS}\s+{WEB}\s+500m \(25%\)\s+500m \(25%\)\s+320Mi \(3%\)\s+0 \(0%\)", text)
    assert re.search(r"cpu\s+1500m \(75%\)\s+500m \(25%\)", text)
    assert re.search(r"memory\s+2368Mi \(28%\)\s+0 \(0%\)", text)


def test_describe_storage_claim_volume_and_class(runner: KubernetesToolRunner) -> None:
    claim = describe(runner, "pvc", "data-db-0")
    assert "Status:         Bound" in claim and "Volume:         pvc-123" in claim
    assert "Access Modes:   RWO" in claim and "Used By:        db-0" in claim
    pending = describe(runner, "persistentvolumeclaim", "data-db-1")
    assert "StorageClass:   fast" in pending and "Used By:        db-1" in pending
    volume = describe(runner, "persistentvolume", "pvc-123", None)
    assert "Claim:           shop/data-db-0" in volume and "Reclaim Policy:  Delete" in volume
    assert "Term 0:        topology.kubernetes.io/zone in [eu-west-1a]" in volume
    assert "Type:  CSI (a Container Storage Interface (CSI) volume source)" in volume and "vol-0abc" in volume
    standard = describe(runner, "storageclass", "standard", None)
    assert "IsDefaultClass:        Yes" in standard and "VolumeBindingMode:     WaitForFirstConsumer" in standard
    assert "Parameters:            type=gp3" in standard


def test_describe_service_and_endpoints(runner: KubernetesToolRunner) -> None:
    web = describe(runner, "service", "web")
    assert "Port:              http  80/TCP" in web and "TargetPort:        8080/TCP" in web
    assert "Endpoints:         10.0.3.20:8080" in web and "(not ready:      10.0.3.21:8080)" in web
    db = describe(runner, "svc", "db")  # no Endpoints object: nothing serves it
    assert "Endpoints:         <none>" in db
    endpoints = describe(runner, "endpoints", "web")
    assert "Addresses:          10.0.3.20" in endpoints and "NotReadyAddresses:  10.0.3.21" in endpoints
    assert re.search(r"http\s+8080\s+TCP", endpoints)


def test_describe_statefulset_cronjob_configmap_and_crd(
    runner: KubernetesToolRunner, api_server: tuple[str, Seen]
) -> None:
    sts = describe(runner, "statefulset", "db")
    assert "Replicas:       2 desired | 2 total" in sts
    assert "Pods Status:    1 Running / 1 Waiting / 0 Succeeded / 0 Failed" in sts
    assert api_server[1].last("/api/v1/namespaces/shop/pods")["labelSelector"] == ["app=db"]
    assert "Capacity:      1Gi" in sts and "Access Modes:  RWO" in sts
    cron = describe(runner, "cronjob", "nightly-report")
    assert "Schedule:                      0 2 * * *" in cron and "Concurrency Policy:            Forbid" in cron
    assert f"Last Schedule Time:  {stamp(ago(hours=10))}" in cron and "Backoff Limit:  2" in cron
    config = describe(runner, "configmap", "web-config")
    assert "app.yaml: 34 bytes" in config and "FEATURE_X: 2 bytes" in config
    assert "hunter2" not in config and "debug" not in config
    crd = describe(runner, "crd", "certificates.cert-manager.io", None)
    assert "Group:          cert-manager.io" in crd and "Kind:           Certificate" in crd
    assert "Scope:          Namespaced" in crd and "Established" in crd


def test_secrets_stay_unreadable(runner: KubernetesToolRunner, api_server: tuple[str, Seen]) -> None:
    before = len(api_server[1].requests)
    for tool, params in (
        ("kubectl_describe", {"kind": "secret", "name": "db-password", "namespace": NS}),
        ("kubectl_get_by_name", {"kind": "secrets", "name": "db-password", "namespace": NS}),
        ("kubectl_get_by_kind_in_cluster", {"kind": "Secret"}),
        ("kubectl_find_resource", {"kind": "secret", "keyword": "db"}),
    ):
        result = runner.run(tool, params)
        assert result.status == "error" and "secrets are not readable" in (result.error or ""), tool
    assert len(api_server[1].requests) == before
    listed = runner.run("kubectl_get_by_kind_in_cluster", {"kind": "all"}).text
    assert "secret" not in listed.lower()
