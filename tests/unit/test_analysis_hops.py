"""The rules that join hops (a pending pod and the nodes, a claim and the storage classes, a Service and the pods)
and the wider log families (cloud permissions, slow dependencies, DNS): each on its failure, with a line from each
hop, and quiet on a near miss."""

# kubectl's lines are as wide as kubectl prints them.
# ruff: noqa: E501

from __future__ import annotations

from typing import Any

from aisre.investigations.model.analysis import analyze
from aisre.investigations.model.analysis.rules import (
    containers,
    dependencies,
    logs,
    performance,
    permissions,
    placement,
    services,
    storage,
)
from aisre.investigations.model.evidence import Evidence, Issue, Subject, ToolResult
from tests.support.kubectl_samples import (
    NODE_LISTING,
    NS,
    POD_HEADER,
    STORAGE_CLASSES,
    claim,
    job,
    listing,
    node,
    pod,
    pod_row,
    service,
)

POD = "checkout-7d9f8b6c5d-x2x9z"
SCHEDULING = "Warning  FailedScheduling  2m (x5 over 10m)  default-scheduler  0/2 nodes are available: "


def ok(tool: str, text: str, **params: Any) -> ToolResult:
    return ToolResult(tool, params, "success", text)


def described(kind: str, name: str, text: str, namespace: str | None = NS) -> ToolResult:
    params = {"kind": kind, "name": name, **({"namespace": namespace} if namespace else {})}
    return ok("kubectl_describe", text, **params)


def evidence(*results: ToolResult, kind: str = "pod", name: str = POD, title: str = "KubePodNotReady") -> Evidence:
    subject = Subject(kind=kind, name=name, namespace=NS)
    return Evidence(Issue(title=title, subject=subject), results, frozenset(r.tool for r in results))


def pending(events: str, **kwargs: Any) -> ToolResult:
    return described("pod", POD, pod(POD, status="Pending", scheduled=False, events=events, **kwargs))


def logs_of(text: str, tool: str = "kubectl_logs") -> ToolResult:
    return ok(tool, text, pod_name=POD, namespace=NS)


# -- placement -------------------------------------------------------------------------------------------------


def test_insufficient_memory_states_the_request_against_each_nodes_free_memory() -> None:
    found = evidence(
        pending(SCHEDULING + "2 Insufficient memory.", requests="cpu: 500m;memory: 2Gi"),
        described("node", "worker-1", node("worker-1"), None),
        described("node", "worker-2", node("worker-2", memory_requested="4Gi (52%)"), None),
    )
    finding = placement.insufficient_resources(found)
    assert finding is not None
    assert "requests 2Gi memory" in finding.root_cause
    assert "node `worker-1` has 7.65Gi allocatable, 7Gi already requested, 669Mi free" in finding.root_cause
    assert "more than any node has free" not in finding.root_cause  # worker-2 has 3.65Gi free: say what is known
    lines = finding.evidence_lines
    assert lines[0].startswith("Warning  FailedScheduling")
    assert f"Pod {NS}/{POD}: Requests: memory: 2Gi" in lines
    assert "Node worker-1: Allocatable: memory: 8025424Ki" in lines
    assert "Node worker-1: Allocated resources: memory requests 7Gi (91%), limits 8Gi (104%)" in lines
    small = evidence(
        pending(SCHEDULING + "2 Insufficient memory.", requests="memory: 1Gi"),
        described("node", "worker-1", node("worker-1"), None),
    )
    tight = placement.insufficient_resources(small)
    assert tight is not None and "more than any node has free" in tight.root_cause


def test_insufficient_resources_needs_the_scheduler_to_say_so_and_the_nodes_read() -> None:
    node_read = described("node", "worker-1", node("worker-1"), None)
    assert placement.insufficient_resources(evidence(pending(SCHEDULING + "2 Insufficient memory."))) is None
    untainted = pending(SCHEDULING + "2 node(s) didn't match Pod's node affinity/selector.")
    assert placement.insufficient_resources(evidence(untainted, node_read)) is None
    assert placement.insufficient_resources(evidence(described("pod", POD, pod(POD)), node_read)) is None


def test_a_gpu_no_node_offers_is_said_so() -> None:
    found = evidence(
        pending(SCHEDULING + "2 Insufficient nvidia.com/gpu.", requests="nvidia.com/gpu: 1"),
        described("node", "worker-1", node("worker-1"), None),
    )
    finding = placement.insufficient_resources(found)
    assert finding is not None and "offers no nvidia.com/gpu at all" in finding.root_cause
    assert finding.suggestions[0].startswith("Add GPU nodes")


def test_node_selector_mismatch_names_the_label_no_node_carries() -> None:
    nodes = ok("kubectl_get_by_kind_in_cluster", NODE_LISTING, kind="node")
    finding = placement.node_selector_mismatch(
        evidence(
            pending(SCHEDULING + "2 node(s) didn't match Pod's node affinity/selector.", selectors="disktype=ssd"),
            nodes,
        )
    )
    assert finding is not None
    assert "nodeSelector `disktype=ssd` matches no node" in finding.root_cause
    assert "node `worker-1` has `disktype=hdd`" in finding.root_cause
    assert f"Pod {NS}/{POD}: Node-Selectors: disktype=ssd" in finding.evidence_lines
    assert "Node worker-1: Labels: disktype=hdd" in finding.evidence_lines
    # A near miss: a node carries the label, so the selector is not why the pod waits.
    matched = NODE_LISTING.replace("disktype=hdd", "disktype=ssd")
    near = evidence(
        pending(SCHEDULING + "2 Insufficient cpu.", selectors="disktype=ssd"),
        ok("kubectl_get_by_kind_in_cluster", matched, kind="node"),
    )
    assert placement.node_selector_mismatch(near) is None


def test_required_node_affinity_is_checked_against_the_labels() -> None:
    spec = """apiVersion: v1
kind: Pod
spec:
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - {key: topology.kubernetes.io/zone, operator: In, values: [eu-west-1c]}
"""
    yaml_read = ok("kubectl_get_yaml", spec, kind="pod", name=POD, namespace=NS)
    nodes = described("node", "worker-1", node("worker-1", labels="topology.kubernetes.io/zone=eu-west-1a"), None)
    event = SCHEDULING + "2 node(s) didn't match Pod's node affinity/selector."
    finding = placement.node_selector_mismatch(evidence(pending(event), yaml_read, nodes))
    assert finding is not None and "topology.kubernetes.io/zone In [eu-west-1c]" in finding.root_cause
    assert "`topology.kubernetes.io/zone=eu-west-1a`" in finding.root_cause
    zone_c = described("node", "worker-1", node("worker-1", labels="topology.kubernetes.io/zone=eu-west-1c"), None)
    assert placement.node_selector_mismatch(evidence(pending(event), yaml_read, zone_c)) is None


def test_untolerated_taints_are_named_per_node_with_what_they_mean() -> None:
    event = (
        SCHEDULING
        + "1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 1 node(s) had untolerated taint {dedicated: infra}."
    )
    nodes = (
        described("node", "worker-1", node("worker-1", taints="node.kubernetes.io/not-ready:NoSchedule"), None),
        described("node", "worker-2", node("worker-2", taints="dedicated=infra:NoSchedule"), None),
    )
    finding = placement.untolerated_taint(evidence(pending(event), *nodes))
    assert finding is not None and "every node it could use" in finding.root_cause
    assert "`node.kubernetes.io/not-ready:NoSchedule` (the node is NotReady)" in finding.root_cause
    assert "Node worker-2: Taints: dedicated=infra:NoSchedule" in finding.evidence_lines
    tolerated = pending(
        event, tolerations="dedicated=infra:NoSchedule;node.kubernetes.io/not-ready:NoSchedule op=Exists"
    )
    assert placement.untolerated_taint(evidence(tolerated, *nodes)) is None


def test_a_tainted_control_plane_beside_a_full_worker_ranks_below_the_full_worker() -> None:
    event = (
        SCHEDULING + "1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 1 Insufficient memory."
    )
    found = evidence(
        pending(event, requests="memory: 2Gi"),
        described("node", "cp-1", node("cp-1", taints="node-role.kubernetes.io/control-plane:NoSchedule"), None),
        described("node", "worker-1", node("worker-1"), None),
    )
    findings = analyze(found).findings
    assert findings[0].rule == "insufficient_resources"
    taint = next(f for f in findings if f.rule == "untolerated_taint")
    assert taint.confidence == 0.7 and "(a control-plane node)" in taint.root_cause


# -- storage ---------------------------------------------------------------------------------------------------


def test_a_claim_on_a_missing_storage_class_names_it_and_the_classes_there_are() -> None:
    provisioning = (
        "Warning  ProvisioningFailed  21s (x26 over 6m35s)  persistentvolume-controller  "
        'storageclass.storage.k8s.io "fast-ssd" not found'
    )
    found = evidence(
        pending(SCHEDULING + "pod has unbound immediate PersistentVolumeClaims.", claim="checkout-data"),
        described("persistentvolumeclaim", "checkout-data", claim("checkout-data", events=provisioning)),
        ok("kubectl_get_by_kind_in_cluster", STORAGE_CLASSES, kind="storageclass"),
    )
    finding = storage.unbound_claim(found)
    assert finding is not None
    assert "StorageClass `fast-ssd` does not exist (the cluster has: gp3 (default), standard)" in finding.root_cause
    assert f"pod `{POD}`" in finding.root_cause
    lines = finding.evidence_lines
    assert lines[0].startswith("Warning  FailedScheduling") and f"Pod {NS}/{POD}: ClaimName: checkout-data" in lines
    assert f"PersistentVolumeClaim {NS}/checkout-data: StorageClass: fast-ssd, Status: Pending" in lines
    assert "StorageClasses in the cluster: gp3 (default), standard" in lines
    top = analyze(found).top
    assert top is not None and top.rule == "unbound_claim"


def test_a_claim_waiting_for_its_first_consumer_or_bound_is_not_a_fault() -> None:
    waiting = "Normal  WaitForFirstConsumer  5s  persistentvolume-controller  waiting for first consumer to be created before binding"
    classes = ok("kubectl_get_by_kind_in_cluster", STORAGE_CLASSES, kind="storageclass")
    first_consumer = described("persistentvolumeclaim", "data", claim("data", storage_class="gp3", events=waiting))
    assert storage.unbound_claim(evidence(first_consumer, classes)) is None
    bound = described(
        "persistentvolumeclaim", "data", claim("data", storage_class="gp3", status="Bound", volume="pvc-1")
    )
    assert storage.unbound_claim(evidence(bound, classes)) is None


def test_a_claim_without_a_class_and_no_volume_to_bind() -> None:
    event = "Normal  FailedBinding  5s  persistentvolume-controller  no persistent volumes available for this claim and no storage class is set"
    volumes = ok(
        "kubectl_get_by_kind_in_cluster",
        "NAME    CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS      CLAIM   STORAGECLASS   AGE\n"
        "pv-a    1Gi        RWO            Retain           Available           manual         3d",
        kind="persistentvolume",
    )
    found = evidence(described("persistentvolumeclaim", "data", claim("data", storage_class="", events=event)), volumes)
    finding = storage.unbound_claim(found)
    assert finding is not None and "names no StorageClass" in finding.root_cause
    assert "pv-a (1Gi, RWO, class manual)" in finding.root_cause


def test_a_failing_provisioner_is_quoted() -> None:
    event = (
        "Warning  ProvisioningFailed  5s  ebs.csi.aws.com_ebs-csi-controller-7d9f  failed to provision volume with "
        'StorageClass "gp3": rpc error: code = Internal desc = UnauthorizedOperation: You are not authorized'
    )
    found = evidence(described("persistentvolumeclaim", "data", claim("data", storage_class="gp3", events=event)))
    finding = storage.unbound_claim(found)
    assert finding is not None and "provisioner fails to create the volume" in finding.root_cause
    assert "UnauthorizedOperation" in finding.root_cause


def test_multi_attach_is_a_volume_failure_but_a_missing_configmap_volume_is_not() -> None:
    attach = 'Warning  FailedAttachVolume  1m  attachdetach-controller  Multi-Attach error for volume "pvc-9f1" Volume is already exclusively attached to one node'
    finding = storage.volume_attach_failure(evidence(described("pod", POD, pod(POD, state="Waiting", events=attach))))
    assert finding is not None and "`pvc-9f1`" in finding.root_cause and "another node" in finding.root_cause
    config = 'Warning  FailedMount  1m  kubelet  MountVolume.SetUp failed for volume "settings" : configmap "settings" not found'
    assert storage.volume_attach_failure(evidence(described("pod", POD, pod(POD, events=config)))) is None


# -- services --------------------------------------------------------------------------------------------------


def test_a_service_whose_selector_matches_no_pod_says_which_labels_the_pods_carry() -> None:
    pods = ok(
        "kubectl_get_by_kind_in_namespace",
        listing(POD_HEADER, pod_row(POD, labels="app=checkout-v2"), pod_row("web-abcde", labels="app=web")),
        kind="pod",
        namespace=NS,
    )
    found = evidence(described("service", "checkout", service("checkout")), pods, kind="service", name="checkout")
    finding = services.service_without_endpoints(found)
    assert finding is not None and "selector `app=checkout` matches no pod" in finding.root_cause
    assert "`app=checkout-v2`" in finding.root_cause
    assert f"Service {NS}/checkout: Endpoints: <none>" in finding.evidence_lines
    assert f"Pod {NS}/{POD}: Labels: app=checkout-v2" in finding.evidence_lines
    served = described("service", "checkout", service("checkout", endpoints="10.244.1.7:8080"))
    assert services.service_without_endpoints(evidence(served, pods, kind="service", name="checkout")) is None


def test_a_service_whose_pods_are_not_ready() -> None:
    pods = ok(
        "kubectl_get_by_kind_in_namespace",
        listing(POD_HEADER, pod_row(POD, "0/1", "Running")),
        kind="pod",
        namespace=NS,
    )
    found = evidence(described("service", "checkout", service("checkout")), pods, kind="service", name="checkout")
    finding = services.service_without_endpoints(found)
    assert finding is not None and "are not ready" in finding.root_cause
    assert f"Pod {NS}/{POD}: READY 0/1, STATUS Running" in finding.evidence_lines


# -- permissions, dependencies, DNS ----------------------------------------------------------------------------


def test_cloud_permission_denials_name_the_action_and_resource() -> None:
    aws = (
        "botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the GetObject operation: "
        "User: arn:aws:sts::123456789012:assumed-role/checkout-role/botocore-session is not authorized to perform: "
        "s3:GetObject on resource: arn:aws:s3:::invoices/2024.csv"
    )
    finding = permissions.cloud_permission_denied(evidence(logs_of(aws)))
    assert finding is not None and "AWS IAM" in finding.root_cause
    assert "`s3:GetObject`" in finding.root_cause and "`arn:aws:s3:::invoices/2024.csv`" in finding.root_cause
    gcp = "google.api_core.exceptions.Forbidden: 403 Permission 'storage.objects.get' denied on resource (or it may not exist)."
    finding = permissions.cloud_permission_denied(evidence(logs_of(gcp)))
    assert finding is not None and "GCP" in finding.root_cause and "storage.objects.get" in finding.root_cause
    azure = (
        "(AuthorizationFailed) The client 'a1b2' with object id 'a1b2' does not have authorization to perform action "
        "'Microsoft.Storage/storageAccounts/read' over scope '/subscriptions/x/resourceGroups/rg'"
    )
    finding = permissions.cloud_permission_denied(evidence(logs_of(azure)))
    assert (
        finding is not None
        and "Azure" in finding.root_cause
        and "Microsoft.Storage/storageAccounts/read" in finding.root_cause
    )
    creds = permissions.cloud_permission_denied(
        evidence(logs_of("botocore.exceptions.NoCredentialsError: Unable to locate credentials"))
    )
    assert creds is not None and "no valid cloud credentials" in creds.root_cause


def test_an_image_pulls_access_denied_prose_is_not_a_cloud_iam_denial() -> None:
    pull = (
        'Warning  Failed  1m  kubelet  Failed to pull image "a/b:1": pull access denied, repository does not exist '
        "or may require authorization: server message: insufficient_scope: authorization failed"
    )
    assert permissions.cloud_permission_denied(evidence(described("pod", POD, pod(POD, events=pull)))) is None
    assert permissions.permission_denied(evidence(logs_of("open /data/cache: permission denied"))) is not None


def test_rbac_names_the_service_account_and_namespace() -> None:
    line = (
        'secrets is forbidden: User "system:serviceaccount:shop:checkout" cannot list resource "secrets" '
        'in API group "" in the namespace "payments"'
    )
    finding = permissions.rbac_forbidden(evidence(logs_of(line)))
    assert finding is not None
    assert (
        "service account `checkout` (namespace `shop`) cannot list `secrets` in namespace `payments`"
        in finding.root_cause
    )
    assert "a Role and RoleBinding" in finding.suggestions[0]
    anonymous = r'{"message":"forbidden: User \"system:anonymous\" cannot get path \"/api/v1/pods\"","code":403}'
    finding = permissions.rbac_forbidden(evidence(logs_of(anonymous)))
    assert finding is not None and "no service account token" in finding.root_cause


def test_a_slow_dependency_is_named_and_connect_failures_are_left_to_the_connection_rule() -> None:
    text = "\n".join(
        [
            "ERROR GET http://inventory.shop.svc:8080/items failed: context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
            "ERROR GET http://inventory.shop.svc:8080/items failed: context deadline exceeded",
            "WARN retrying payments: Read timed out. (read timeout=5)",
        ]
    )
    finding = dependencies.dependency_timeouts(evidence(logs_of(text)))
    assert (
        finding is not None
        and "`inventory.shop.svc:8080`" in finding.root_cause
        and "3 log line(s)" in finding.root_cause
    )
    connect = "dial tcp 10.0.0.5:5432: connect: connection timed out"
    assert dependencies.dependency_timeouts(evidence(logs_of(connect))) is None
    assert logs.connection_failure(evidence(logs_of(connect))) is not None


def test_structured_durations_count_as_slow_operations_and_name_the_call() -> None:
    text = 'level=info msg="request done" url=http://pricing:8080/quote duration_ms=4200'
    finding = performance.slow_operations(evidence(logs_of(text)))
    assert finding is not None and "4.2 seconds" in finding.root_cause and "`pricing:8080`" in finding.root_cause


def test_dns_failures_in_more_resolvers_words() -> None:
    for line, host in (
        (
            "dial tcp: lookup payments.shop.svc on 10.96.0.10:53: read udp 10.244.1.7:43512->10.96.0.10:53: i/o timeout",
            "payments.shop.svc",
        ),
        ('psql: error: could not translate host name "orders-db" to address: Name or service not known', "orders-db"),
        ("wget: bad address 'billing.shop'", "billing.shop"),
        ("getaddrinfo EAI_AGAIN ledger.internal", "ledger.internal"),
    ):
        finding = logs.dns_failure(evidence(logs_of(line)))
        assert finding is not None and f"`{host}`" in finding.root_cause, line
        assert logs.connection_failure(evidence(logs_of(line))) is None


# -- joins with the symptom, and context kept apart ------------------------------------------------------------


def test_a_log_cause_cites_the_failed_job_it_led_to() -> None:
    job_read = described("job", "nightly", job("nightly", ("nightly-abcde",)))
    pod_logs = ok(
        "kubectl_logs",
        'psycopg2.OperationalError: could not connect to server: Connection refused\n\tIs the server running on host "orders-db" (10.0.0.9) and accepting TCP/IP connections on port 5432?',
        pod_name="nightly-abcde",
        namespace=NS,
    )
    found = evidence(job_read, pod_logs, kind="job", name="nightly", title="KubeJobFailed")
    top = analyze(found).top
    assert top is not None and top.rule == "connection_failure"
    assert "As a result job `nightly` failed" in top.root_cause and "backoff limit" in top.root_cause
    assert (
        "Warning  BackoffLimitExceeded  13m   job-controller  Job has reached the specified backoff limit"
        in top.evidence_lines
    )


def test_a_missing_configmap_key_is_confirmed_by_reading_the_configmap() -> None:
    event = "Warning  Failed  1m  kubelet  Error: couldn't find key LOG_LEVEL in ConfigMap shop/checkout-settings"
    configmap = (
        "Name:         checkout-settings\nNamespace:    shop\n\nData\n====\nlog_level:\n----\ninfo\n\nEvents:  <none>"
    )
    found = evidence(
        described("pod", POD, pod(POD, state="Waiting", reason="CreateContainerConfigError", events=event)),
        described("configmap", "checkout-settings", configmap),
    )
    finding = containers.container_config_error(found)
    assert finding is not None and "its keys are: log_level" in finding.root_cause
    assert "Configmap checkout-settings: Data keys: log_level" in finding.evidence_lines
    missing = ToolResult(
        "kubectl_describe",
        {"kind": "configmap", "name": "checkout-settings", "namespace": NS},
        "error",
        error='Error from server (NotFound): configmaps "checkout-settings" not found',
    )
    gone = 'Warning  Failed  1m  kubelet  Error: configmap "checkout-settings" not found'
    finding = containers.container_config_error(
        evidence(
            described("pod", POD, pod(POD, state="Waiting", reason="CreateContainerConfigError", events=gone)), missing
        )
    )
    assert finding is not None and "Reading it confirms: it is not found." in finding.root_cause


def test_a_nodes_own_events_are_not_the_pods_evidence() -> None:
    oom_on_node = "Warning  OOMKilling  5m  kernel-monitor  Memory cgroup out of memory: Killed process 4242 (java)"
    found = evidence(
        pending(SCHEDULING + "2 Insufficient memory.", requests="memory: 2Gi"),
        described("node", "worker-1", node("worker-1", events=oom_on_node), None),
    )
    rules = [finding.rule for finding in analyze(found).findings]
    assert "oom_killed" not in rules and rules[0] == "insufficient_resources"
