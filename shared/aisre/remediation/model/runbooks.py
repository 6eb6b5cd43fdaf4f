"""The built-in runbook catalog, matching runbooks to an incident and rendering their steps for it.

Pure Python data, no files, so it works the same inside the Lambda layer. Each runbook covers some of the
analyzer's finding rules (a strong match) and some alert names and words (a weaker one). Its steps read
first and act after; an acting step names the remediation catalog action it maps to (domain/actions.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aisre.incidents.model.incident import Incident
from aisre.remediation.model.conclusions import Conclusion


@dataclass(frozen=True)
class RunbookStep:
    """One step: what to do, the command that does it, and the catalog action when the step acts."""

    title: str
    command: str | None = None
    # A name in aisre.remediation.model.actions.CATALOG; None for a step that only reads.
    action: str | None = None


@dataclass(frozen=True)
class Runbook:
    id: str
    name: str
    description: str
    # Analyzer finding rules this runbook covers (a strong match).
    rules: tuple[str, ...]
    # Alert names, matched as whole tokens of the title or alert labels, case-insensitively (a weaker match).
    alertnames: tuple[str, ...]
    # Plain words, matched where a word starts ("crashloop" matches "CrashLoopBackOff").
    keywords: tuple[str, ...]
    steps: tuple[RunbookStep, ...]

    @property
    def actions(self) -> tuple[str, ...]:
        """The catalog actions its steps map to, in step order, without repeats."""
        return tuple(dict.fromkeys(step.action for step in self.steps if step.action))

    def to_dict(self, incident: Incident | None = None) -> dict[str, Any]:
        """The API shape: {"id", "name", "description", "steps": [...]}, steps filled in for `incident` if given."""
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "steps": render_steps(self, incident),
            "actions": list(self.actions),
        }


@dataclass(frozen=True)
class RunbookMatch:
    runbook_id: str
    name: str
    score: float
    reason: str


def _read(title: str, command: str) -> RunbookStep:
    return RunbookStep(title, command)


def _act(title: str, command: str, action: str) -> RunbookStep:
    return RunbookStep(title, command, action)


_DESCRIBE_POD = _read(
    "Describe the pod: state, last termination and events", "kubectl describe pod {pod} -n {namespace}"
)
_PREVIOUS_LOGS = _read(
    "Read the logs of the previous (crashed) container", "kubectl logs {pod} -n {namespace} --previous --tail=200"
)
_LOGS = _read("Read the pod's recent logs", "kubectl logs {pod} -n {namespace} --tail=200")
_EVENTS = _read(
    "List the namespace's recent events", "kubectl get events -n {namespace} --sort-by=.lastTimestamp | tail -n 30"
)
_ROLLOUT_HISTORY = _read(
    "Check whether a rollout just happened", "kubectl rollout history deployment/{deployment} -n {namespace}"
)
_ROLLBACK = _act(
    "If the failure started with the latest rollout, roll the deployment back",
    "kubectl rollout undo deployment/{deployment} -n {namespace}",
    "rollback_deployment",
)
_RESTART = _act(
    "Once the cause is fixed, restart the pod so its controller recreates it",
    "kubectl delete pod {pod} -n {namespace}",
    "restart_pod",
)

RUNBOOKS: dict[str, Runbook] = {
    runbook.id: runbook
    for runbook in (
        Runbook(
            id="oom-recovery",
            name="OOMKilled container recovery",
            description="A container exceeded its memory limit and was killed by the kernel (exit code 137).",
            rules=("oom_killed",),
            alertnames=("KubePodOOMKilled", "ContainerOOMKilled", "KubernetesContainerOomKiller", "KubeMemoryLimit"),
            keywords=("oomkilled", "oom kill", "out of memory", "exit code 137"),
            steps=(
                _read(
                    "Confirm the last termination reason is OOMKilled",
                    "kubectl get pod {pod} -n {namespace} -o jsonpath='{.status.containerStatuses[*].lastState}'",
                ),
                _read("Compare memory use with the limits", "kubectl top pod {pod} -n {namespace} --containers"),
                _read(
                    "Read the deployment's memory requests and limits",
                    "kubectl get deployment {deployment} -n {namespace} "
                    "-o jsonpath='{.spec.template.spec.containers[*].resources}'",
                ),
                _PREVIOUS_LOGS,
                _ROLLOUT_HISTORY,
                _act(
                    "If usage is steady and simply above the limit, raise the memory limit (or fix the leak)",
                    "kubectl set resources deployment/{deployment} -n {namespace} --limits=memory=<new-limit>",
                    "suggest_config_fix",
                ),
                _ROLLBACK,
            ),
        ),
        Runbook(
            id="crashloop-triage",
            name="CrashLoopBackOff triage",
            description="A container keeps exiting and Kubernetes restarts it with growing back-off.",
            rules=("crash_loop", "command_not_found", "exec_format_error", "shell_syntax_error", "permission_denied"),
            alertnames=("KubePodCrashLooping", "KubernetesPodCrashLooping", "PodCrashLooping"),
            keywords=("crashloop", "crash loop", "back-off restarting", "backoff restarting"),
            steps=(
                _DESCRIBE_POD,
                _PREVIOUS_LOGS,
                _read(
                    "Read the exit code of the last termination",
                    "kubectl get pod {pod} -n {namespace} "
                    "-o jsonpath='{.status.containerStatuses[*].lastState.terminated.exitCode}'",
                ),
                _ROLLOUT_HISTORY,
                _act(
                    "If the command, image architecture, script or file permissions are wrong, fix the pod spec",
                    "kubectl get deployment {deployment} -n {namespace} -o yaml",
                    "suggest_config_fix",
                ),
                _ROLLBACK,
                _RESTART,
            ),
        ),
        Runbook(
            id="image-pull-failure",
            name="Image pull failure",
            description="The kubelet cannot pull the container image (wrong name or tag, missing credentials).",
            rules=("image_pull",),
            alertnames=("KubeContainerWaiting", "KubePodNotReady", "KubernetesPodNotHealthy"),
            keywords=("imagepullbackoff", "errimagepull", "image pull", "invalidimagename", "manifest unknown"),
            steps=(
                _DESCRIBE_POD,
                _read(
                    "Read the image the pod asks for",
                    "kubectl get pod {pod} -n {namespace} -o jsonpath='{.spec.containers[*].image}'",
                ),
                _read(
                    "Check the pull secrets the pod uses",
                    "kubectl get pod {pod} -n {namespace} -o jsonpath='{.spec.imagePullSecrets}'",
                ),
                _ROLLOUT_HISTORY,
                _act(
                    "Fix the image reference or the pull secret",
                    "kubectl set image deployment/{deployment} -n {namespace} <container>=<registry>/<image>:<tag>",
                    "suggest_config_fix",
                ),
                _ROLLBACK,
            ),
        ),
        Runbook(
            id="missing-config",
            name="Missing or invalid configuration",
            description="A container cannot start or exits at once: a ConfigMap, Secret, key or variable is "
            "missing or malformed.",
            rules=("container_config_error", "missing_env_var", "config_parse_error"),
            alertnames=("KubeContainerWaiting",),
            keywords=("createcontainerconfigerror", "configmap", "secret not found", "environment variable"),
            steps=(
                _DESCRIBE_POD,
                _read(
                    "List the ConfigMaps and Secrets in the namespace", "kubectl get configmap,secret -n {namespace}"
                ),
                _read(
                    "Read which ConfigMaps, Secrets and variables the deployment expects",
                    "kubectl get deployment {deployment} -n {namespace} "
                    "-o jsonpath='{.spec.template.spec.containers[*].env}'",
                ),
                _PREVIOUS_LOGS,
                _act(
                    "Create the missing key or fix the malformed value",
                    "kubectl edit configmap <configmap> -n {namespace}",
                    "suggest_config_fix",
                ),
                _RESTART,
            ),
        ),
        Runbook(
            id="probe-failure",
            name="Failing liveness or readiness probe",
            description="A probe fails, so the pod is not ready (no traffic) or is restarted by the kubelet.",
            rules=("failing_probe",),
            alertnames=("KubePodNotReady", "KubernetesPodNotHealthy", "KubeDeploymentReplicasMismatch"),
            keywords=("readiness probe failed", "liveness probe failed", "probe failed", "unhealthy"),
            steps=(
                _DESCRIBE_POD,
                _read(
                    "Read the probe definitions",
                    "kubectl get pod {pod} -n {namespace} "
                    "-o jsonpath='{.spec.containers[*].readinessProbe}{.spec.containers[*].livenessProbe}'",
                ),
                _read("Check the Service's ready endpoints", "kubectl get endpoints {service} -n {namespace}"),
                _LOGS,
                _act(
                    "If the probe path, port or timeouts are wrong (or start-up is slow), fix the probe",
                    "kubectl edit deployment {deployment} -n {namespace}",
                    "suggest_config_fix",
                ),
                _RESTART,
            ),
        ),
        Runbook(
            id="pending-pod",
            name="Pod stuck in Pending",
            description="The scheduler cannot place the pod: not enough CPU or memory, taints, affinity or volumes.",
            rules=("failed_scheduling",),
            alertnames=("KubePodNotScheduled", "KubePodNotReady", "KubeDeploymentReplicasMismatch"),
            keywords=("failedscheduling", "unschedulable", "pending", "insufficient cpu", "insufficient memory"),
            steps=(
                _DESCRIBE_POD,
                _read("Compare the nodes' allocated resources", "kubectl describe nodes | grep -A 8 'Allocated'"),
                _read(
                    "Check node taints", "kubectl get nodes -o custom-columns=NAME:.metadata.name,TAINTS:.spec.taints"
                ),
                _read("Check unbound volume claims", "kubectl get pvc -n {namespace}"),
                _act(
                    "Lower over-sized requests, or relax affinity and tolerations",
                    "kubectl edit deployment {deployment} -n {namespace}",
                    "suggest_config_fix",
                ),
                _act(
                    "If the cluster is full and the workload can run smaller, scale it down",
                    "kubectl scale deployment/{deployment} -n {namespace} --replicas=<replicas>",
                    "scale_deployment",
                ),
            ),
        ),
        Runbook(
            id="failed-job",
            name="Failed Job",
            description="A Job reached its backoff limit or deadline without completing.",
            rules=("job_failed",),
            alertnames=("KubeJobFailed", "KubeJobNotCompleted", "KubeJobCompletion", "KubernetesJobFailed"),
            keywords=("backofflimitexceeded", "deadlineexceeded", "job failed", "cronjob"),
            steps=(
                _read("Describe the Job: conditions and events", "kubectl describe job {job} -n {namespace}"),
                _read("List the Job's pods", "kubectl get pods -n {namespace} -l job-name={job}"),
                _read("Read the failed pods' logs", "kubectl logs -n {namespace} -l job-name={job} --tail=200"),
                _act(
                    "Fix the cause (command, config, deadline or backoffLimit) in the Job template",
                    "kubectl get job {job} -n {namespace} -o yaml",
                    "suggest_config_fix",
                ),
            ),
        ),
        Runbook(
            id="dns-resolution",
            name="DNS resolution failure",
            description="The workload cannot resolve host names (CoreDNS, a wrong name or a blocking policy).",
            rules=("dns_failure",),
            alertnames=("CoreDNSDown", "CoreDNSErrorsHigh", "CoreDNSLatencyHigh"),
            keywords=("nxdomain", "no such host", "name resolution", "dns", "servfail"),
            steps=(
                _LOGS,
                _read(
                    "Resolve the name from inside the pod",
                    "kubectl exec {pod} -n {namespace} -- nslookup kubernetes.default",
                ),
                _read("Check CoreDNS is running", "kubectl get pods -n kube-system -l k8s-app=kube-dns"),
                _read("Read CoreDNS logs", "kubectl logs -n kube-system -l k8s-app=kube-dns --tail=100"),
                _read("Check NetworkPolicies that may block port 53", "kubectl get networkpolicy -n {namespace}"),
                _act(
                    "Fix the host name in the configuration, or allow egress to kube-dns on port 53",
                    "kubectl edit networkpolicy <policy> -n {namespace}",
                    "suggest_config_fix",
                ),
            ),
        ),
        Runbook(
            id="network-connectivity",
            name="Dependency unreachable",
            description="Connections to a dependency are refused or time out (down, no endpoints, or blocked).",
            rules=("connection_failure", "network_policy_blocks"),
            alertnames=("KubeServiceEndpointsDown", "TargetDown", "BlackboxProbeFailed"),
            keywords=("connection refused", "connection timed out", "econnrefused", "networkpolicy"),
            steps=(
                _LOGS,
                _read("Check the Service has ready endpoints", "kubectl get endpoints {service} -n {namespace}"),
                _read("Check NetworkPolicies in the namespace", "kubectl get networkpolicy -n {namespace} -o yaml"),
                _EVENTS,
                _act(
                    "Fix the host or port in the configuration, or allow the traffic in the NetworkPolicy",
                    "kubectl edit networkpolicy <policy> -n {namespace}",
                    "suggest_config_fix",
                ),
            ),
        ),
        Runbook(
            id="db-connection-exhaustion",
            name="Database connection pool exhaustion",
            description="The application or the database ran out of connections.",
            rules=("connection_exhaustion",),
            alertnames=("PostgresqlTooManyConnections", "MysqlTooManyConnections", "PgbouncerMaxClientConn"),
            keywords=("too many connections", "too many clients", "pool exhausted", "connection pool"),
            steps=(
                _LOGS,
                _read("Count the replicas that each hold a pool", "kubectl get deployment {deployment} -n {namespace}"),
                _read(
                    "Read the pool size settings",
                    "kubectl get deployment {deployment} -n {namespace} "
                    "-o jsonpath='{.spec.template.spec.containers[*].env}'",
                ),
                _act(
                    "If replicas times pool size exceeds the database's max_connections, scale down",
                    "kubectl scale deployment/{deployment} -n {namespace} --replicas=<replicas>",
                    "scale_deployment",
                ),
                _act(
                    "Lower the pool size, add a connection pooler, or raise max_connections",
                    "kubectl edit deployment {deployment} -n {namespace}",
                    "suggest_config_fix",
                ),
            ),
        ),
        Runbook(
            id="cpu-throttling",
            name="CPU throttling",
            description="Containers hit their CPU limit and are throttled, which slows requests and probes.",
            rules=("cpu_throttling",),
            alertnames=("CPUThrottlingHigh", "KubeCPUOvercommit", "KubeCPUQuotaOvercommit"),
            keywords=("throttling", "throttled", "cpu limit"),
            steps=(
                _read("Compare CPU use with the limits", "kubectl top pod {pod} -n {namespace} --containers"),
                _read(
                    "Read the deployment's CPU requests and limits",
                    "kubectl get deployment {deployment} -n {namespace} "
                    "-o jsonpath='{.spec.template.spec.containers[*].resources}'",
                ),
                _act(
                    "Raise (or remove) the CPU limit",
                    "kubectl set resources deployment/{deployment} -n {namespace} --limits=cpu=<new-limit>",
                    "suggest_config_fix",
                ),
                _act(
                    "Or spread the load over more replicas",
                    "kubectl scale deployment/{deployment} -n {namespace} --replicas=<replicas>",
                    "scale_deployment",
                ),
            ),
        ),
        Runbook(
            id="certificate-expiry",
            name="Expired or invalid TLS certificate",
            description="A TLS handshake fails: a certificate expired, or its name or chain is not trusted.",
            rules=("certificate_expired", "certificate_invalid"),
            alertnames=("KubeClientCertificateExpiration", "CertManagerCertExpirySoon", "SSLCertExpiringSoon"),
            keywords=("certificate has expired", "x509", "certificate", "tls handshake"),
            steps=(
                _LOGS,
                _read("List certificates and their readiness", "kubectl get certificate -n {namespace}"),
                _read("List TLS secrets", "kubectl get secret -n {namespace} --field-selector type=kubernetes.io/tls"),
                _act(
                    "Renew the certificate or fix its names or CA bundle",
                    "kubectl describe certificate <certificate> -n {namespace}",
                    "suggest_config_fix",
                ),
                _RESTART,
            ),
        ),
        Runbook(
            id="rbac-forbidden",
            name="Kubernetes API access forbidden",
            description="The workload's service account lacks an RBAC permission it uses.",
            rules=("rbac_forbidden",),
            alertnames=("KubeAPIErrorsHigh",),
            keywords=("forbidden", "rbac", "cannot list", "cannot get", "serviceaccount"),
            steps=(
                _LOGS,
                _read(
                    "Read the pod's service account",
                    "kubectl get pod {pod} -n {namespace} -o jsonpath='{.spec.serviceAccountName}'",
                ),
                _read(
                    "Check what the service account may do",
                    "kubectl auth can-i --list --as=system:serviceaccount:{namespace}:<serviceaccount>",
                ),
                _read("List the namespace's Roles and RoleBindings", "kubectl get role,rolebinding -n {namespace}"),
                _act(
                    "Grant the missing verb and resource in a Role bound to the service account",
                    "kubectl create role <role> -n {namespace} --verb=<verb> --resource=<resource>",
                    "suggest_config_fix",
                ),
            ),
        ),
        Runbook(
            id="bad-deploy-rollback",
            name="Bad deploy rollback",
            description="The failure started with a recent deploy or configuration change.",
            rules=("recent_change",),
            alertnames=(
                "KubeDeploymentRolloutStuck",
                "KubeDeploymentGenerationMismatch",
                "KubeDeploymentReplicasMismatch",
            ),
            keywords=("deploy", "rollout", "regression", "release"),
            steps=(
                _ROLLOUT_HISTORY,
                _read("Check the rollout's progress", "kubectl rollout status deployment/{deployment} -n {namespace}"),
                _read(
                    "Compare the current and previous revisions",
                    "kubectl rollout history deployment/{deployment} -n {namespace} --revision=<revision>",
                ),
                _EVENTS,
                _ROLLBACK,
            ),
        ),
        Runbook(
            id="node-pressure",
            name="Node pressure or cluster capacity",
            description="Nodes are short of memory, disk, PIDs or pod slots, or requests are overcommitted.",
            rules=("node_pressure", "node_pod_capacity", "resource_overcommit"),
            alertnames=(
                "KubeNodeNotReady",
                "KubeNodeUnreachable",
                "KubeletTooManyPods",
                "KubeMemoryOvercommit",
                "KubeCPUOvercommit",
                "NodeFilesystemSpaceFillingUp",
                "KubernetesMemoryPressure",
                "KubernetesDiskPressure",
            ),
            keywords=("memorypressure", "diskpressure", "pidpressure", "evicted", "overcommit", "node pressure"),
            steps=(
                _read("List nodes and their conditions", "kubectl get nodes -o wide"),
                _read("Describe the node: conditions and allocated resources", "kubectl describe node {node}"),
                _read("Compare the nodes' usage", "kubectl top nodes"),
                _read("Find evicted pods", "kubectl get pods -A --field-selector=status.phase=Failed"),
                _act(
                    "Right-size over-sized requests, or add capacity",
                    "kubectl edit deployment {deployment} -n {namespace}",
                    "suggest_config_fix",
                ),
                _act(
                    "Shed load from a non-critical workload by scaling it down",
                    "kubectl scale deployment/{deployment} -n {namespace} --replicas=<replicas>",
                    "scale_deployment",
                ),
            ),
        ),
    )
}

_RULE_TO_RUNBOOKS: dict[str, tuple[str, ...]] = {}
for _runbook in RUNBOOKS.values():
    for _rule in _runbook.rules:
        _RULE_TO_RUNBOOKS[_rule] = (*_RULE_TO_RUNBOOKS.get(_rule, ()), _runbook.id)
del _runbook, _rule


def get_runbook(runbook_id: str) -> Runbook | None:
    return RUNBOOKS.get(runbook_id)


def runbooks_for_rule(rule: str) -> tuple[str, ...]:
    """The ids of the runbooks covering an analyzer finding rule (empty if none)."""
    return _RULE_TO_RUNBOOKS.get(rule, ())


# Scores: any finding match (0.5..1.0) outranks any keyword-only match (below 0.5).
_ALERTNAME_SCORE = 0.35
_KEYWORD_SCORE = 0.25
_EXTRA_HIT = 0.05
_KEYWORD_CAP = 0.45
_BOTH_BONUS = 0.05

# Alert labels whose values name the failure (not the workload, whose names would match words by accident).
_ALERT_LABELS = ("alertname", "alert", "alert_name", "reason", "condition", "check", "monitor", "rule")


def _word_pattern(word: str) -> re.Pattern[str]:
    # Whole token for alert names; start of a word for plain words ("crashloop" in "crashloopbackoff").
    return re.compile(r"(?<![a-z0-9])" + re.escape(word.lower()))


def _token_pattern(name: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z0-9])" + re.escape(name.lower()) + r"(?![a-z0-9])")


_PATTERNS: dict[str, tuple[tuple[tuple[str, re.Pattern[str]], ...], tuple[tuple[str, re.Pattern[str]], ...]]] = {
    runbook.id: (
        tuple((name, _token_pattern(name)) for name in runbook.alertnames),
        tuple((word, _word_pattern(word)) for word in runbook.keywords),
    )
    for runbook in RUNBOOKS.values()
}


def _alert_text(incident_title: str, labels: Mapping[str, str] | None) -> str:
    values = [incident_title, *((labels or {}).get(key, "") for key in _ALERT_LABELS)]
    return "\n".join(v for v in values if isinstance(v, str) and v).lower()


def match_runbooks(
    findings: Iterable[Conclusion],
    incident_title: str = "",
    labels: Mapping[str, str] | None = None,
) -> list[RunbookMatch]:
    """Runbooks for an incident, best first: finding rules match strongly, alert names and words weakly.

    A runbook matched by a finding scores 0.5 + 0.5 x the finding's confidence (plus a little when the alert
    also matches); one matched only by the alert's title or failure labels scores below 0.5. Ties go by id.
    """
    best: dict[str, Conclusion] = {}
    for finding in findings:
        for runbook_id in runbooks_for_rule(finding.rule):
            if runbook_id not in best or finding.confidence > best[runbook_id].confidence:
                best[runbook_id] = finding
    text = _alert_text(incident_title, labels)
    matches: list[RunbookMatch] = []
    for runbook in RUNBOOKS.values():
        alertnames, words = _PATTERNS[runbook.id]
        hit_names = [name for name, pattern in alertnames if pattern.search(text)] if text else []
        hit_words = [word for word, pattern in words if pattern.search(text)] if text else []
        hits = hit_names + hit_words
        top = best.get(runbook.id)
        if top is None and not hits:
            continue
        alert_reason = f"alert matches {', '.join(repr(h) for h in hits)}" if hits else ""
        if top is not None:
            score = 0.5 + 0.5 * top.confidence + (_BOTH_BONUS if hits else 0.0)
            reason = f"finding {top.rule} (confidence {top.confidence:.2f})"
            reason += f"; {alert_reason}" if alert_reason else ""
        else:
            score = (_ALERTNAME_SCORE if hit_names else _KEYWORD_SCORE) + _EXTRA_HIT * (len(hits) - 1)
            score = min(score, _KEYWORD_CAP)
            reason = alert_reason
        matches.append(RunbookMatch(runbook.id, runbook.name, round(min(score, 1.0), 3), reason))
    matches.sort(key=lambda m: (-m.score, m.runbook_id))
    return matches


_PLACEHOLDER = re.compile(r"\{(namespace|pod|deployment|service|node|job|container)\}")
# Only plain Kubernetes-style names are filled in: label values are untrusted, and the steps are
# commands a person may paste into a shell.
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$")


def _placeholder_values(incident: Incident) -> dict[str, str]:
    labels = incident.labels
    candidates = {
        "namespace": incident.namespace or labels.get("namespace"),
        "pod": incident.pod or labels.get("pod"),
        "deployment": incident.deployment or labels.get("deployment"),
        "service": incident.service or labels.get("service") or incident.deployment or labels.get("deployment"),
        "node": labels.get("node"),
        "job": labels.get("job_name"),
        "container": labels.get("container"),
    }
    return {key: value for key, value in candidates.items() if value and _SAFE_VALUE.match(value)}


def render_step(step: RunbookStep, values: Mapping[str, str] | None = None) -> str:
    """One step as text; placeholders without a (safe) value become <name> for the reader to fill in."""
    values = values or {}
    text = step.title
    if step.command:
        command = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), f"<{m.group(1)}>"), step.command)
        text += f": {command}"
    if step.action:
        text += f" [action: {step.action}]"
    return text


def render_steps(runbook: Runbook, incident: Incident | None = None) -> list[str]:
    """The runbook's steps as text, with {namespace} {pod} {deployment} {service} {node} {job} {container}
    filled in from the incident (its fields first, then its labels)."""
    values = _placeholder_values(incident) if incident is not None else {}
    return [render_step(step, values) for step in runbook.steps]
