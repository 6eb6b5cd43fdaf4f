"""Each executable catalog action against a cluster, in four steps: prepare (every read a dry run makes), apply
(the one write kubectl would send), done_before (did an earlier, abandoned attempt already write?) and check
(one look at whether the target is healthy again). The requests and rules are model/workloads.py's."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from aisre.remediation.errors import ClusterError
from aisre.remediation.model.workloads import (
    POD_TEMPLATE_HASH,
    controlled_by,
    controller_of,
    delete_options,
    label_selector,
    plan_rollback,
    pod_selector,
    replacement_status,
    rollout_status,
    scale_patch,
    skipped_message,
    uid_of,
)
from aisre.remediation.ports import WorkloadCluster

Obj = dict[str, Any]


@dataclass
class Prepared:
    """What the reads found: the dry run's message, facts for the response, what a takeover compares against,
    arguments only the cluster knows (scale's current replica count), and `no_op` when nothing needs writing."""

    message: str
    facts: dict[str, Any] = field(default_factory=dict)
    before: dict[str, Any] = field(default_factory=dict)
    learned_arguments: dict[str, Any] = field(default_factory=dict)
    no_op: str | None = None
    state: dict[str, Any] = field(default_factory=dict)  # what apply needs (not stored)


class Operation(Protocol):
    def prepare(self, cluster: WorkloadCluster, arguments: dict[str, Any]) -> Prepared: ...

    def apply(self, cluster: WorkloadCluster, arguments: dict[str, Any], prepared: Prepared) -> str: ...

    def done_before(self, cluster: WorkloadCluster, arguments: dict[str, Any], before: dict[str, Any]) -> bool: ...

    def check(self, cluster: WorkloadCluster, arguments: dict[str, Any], before: dict[str, Any]) -> tuple[bool, str]:
        """One look at the target after the write; `before` is what prepare read (kept on the execution record,
        so an attempt that takes over an abandoned one can verify too)."""


def _template_digest(template: Obj) -> str:
    return hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()[:16]


class RestartPod:
    def prepare(self, cluster: WorkloadCluster, arguments: dict[str, Any]) -> Prepared:
        namespace, name = arguments["namespace"], arguments["pod_name"]
        pod = cluster.read_pod(namespace, name)
        owner = controller_of(pod)
        known = {uid_of(pod)}
        if owner is not None:
            owner_uid = str(owner.get("uid") or "")
            known |= {uid_of(p) for p in cluster.list_pods(namespace, pod_selector(pod)) if controlled_by(p, owner_uid)}
            recreated = f"its {owner.get('kind')} {owner.get('name')} recreates it"
        else:
            recreated = "it has no controller: nothing will recreate it"
        before = {
            "uid": uid_of(pod),
            "owner": {key: owner.get(key) for key in ("kind", "name", "uid")} if owner else None,
            "selector": pod_selector(pod),
            "known_uids": sorted(known),
            # A pod with no controller stays gone: nothing can make it healthy again, so nothing is awaited.
            "verifiable": owner is not None,
        }
        return Prepared(
            message=f"Would delete pod {name} in namespace {namespace} ({recreated})",
            facts={"owner": f"{owner.get('kind')}/{owner.get('name')}" if owner else None},
            before=before,
        )

    def apply(self, cluster: WorkloadCluster, arguments: dict[str, Any], prepared: Prepared) -> str:
        namespace, name = arguments["namespace"], arguments["pod_name"]
        cluster.delete_pod(namespace, name, delete_options())
        return f"Pod {name} deleted in namespace {namespace}"

    def done_before(self, cluster: WorkloadCluster, arguments: dict[str, Any], before: dict[str, Any]) -> bool:
        try:
            pod = cluster.read_pod(arguments["namespace"], arguments["pod_name"])
        except ClusterError as error:
            if error.not_found:
                return True
            raise
        return uid_of(pod) != before.get("uid") or bool((pod.get("metadata") or {}).get("deletionTimestamp"))

    def check(self, cluster: WorkloadCluster, arguments: dict[str, Any], before: dict[str, Any]) -> tuple[bool, str]:
        owner = before.get("owner")
        old: Obj = {"metadata": {"name": arguments["pod_name"], "uid": before.get("uid")}}
        if owner:
            old["metadata"]["ownerReferences"] = [{**owner, "controller": True}]
        pods = cluster.list_pods(arguments["namespace"], str(before.get("selector") or "")) if owner else []
        return replacement_status(old, frozenset(before.get("known_uids") or ()), pods)


class ScaleDeployment:
    def prepare(self, cluster: WorkloadCluster, arguments: dict[str, Any]) -> Prepared:
        namespace, name, replicas = arguments["namespace"], arguments["deployment_name"], arguments["replicas"]
        scale = cluster.read_scale(namespace, name)
        current = int((scale.get("spec") or {}).get("replicas") or 0)
        return Prepared(
            message=f"Would scale deployment {name} in namespace {namespace} from {current} to {replicas} replicas",
            facts={"current_replicas": current},
            before={"replicas": current},
            learned_arguments={"current_replicas": current},
        )

    def apply(self, cluster: WorkloadCluster, arguments: dict[str, Any], prepared: Prepared) -> str:
        namespace, name, replicas = arguments["namespace"], arguments["deployment_name"], arguments["replicas"]
        cluster.patch_scale(namespace, name, scale_patch(replicas))
        current = prepared.facts.get("current_replicas")
        return f"Deployment {name} scaled from {current} to {replicas} replicas in namespace {namespace}"

    def done_before(self, cluster: WorkloadCluster, arguments: dict[str, Any], before: dict[str, Any]) -> bool:
        scale = cluster.read_scale(arguments["namespace"], arguments["deployment_name"])
        return (scale.get("spec") or {}).get("replicas") == arguments["replicas"]

    def check(self, cluster: WorkloadCluster, arguments: dict[str, Any], before: dict[str, Any]) -> tuple[bool, str]:
        deployment = cluster.read_deployment(arguments["namespace"], arguments["deployment_name"])
        wanted = arguments["replicas"]
        if (deployment.get("spec") or {}).get("replicas") != wanted:
            return False, f"spec.replicas is {(deployment.get('spec') or {}).get('replicas')}, not {wanted}"
        return rollout_status(deployment)


class RollbackDeployment:
    def prepare(self, cluster: WorkloadCluster, arguments: dict[str, Any]) -> Prepared:
        namespace, name = arguments["namespace"], arguments["deployment_name"]
        deployment = cluster.read_deployment(namespace, name)
        selector = label_selector((deployment.get("spec") or {}).get("selector"))
        plan = plan_rollback(deployment, cluster.list_replicasets(namespace, selector), arguments.get("revision"))
        if plan.error:
            raise ClusterError(plan.error, reason="RollbackImpossible")
        facts = {"to_revision": plan.revision, "from_images": plan.from_images, "to_images": plan.to_images}
        change = f"{', '.join(plan.from_images)} -> {', '.join(plan.to_images)}"
        rollback = f"roll back deployment {name} in namespace {namespace} to revision {plan.revision}"
        return Prepared(
            message=f"Would {rollback} ({change})",
            facts=facts,
            before={"template": _template_digest(plan.template)},
            no_op=skipped_message(plan.revision) if plan.skipped else None,
            state={"patch": plan.patch, "revision": plan.revision},
        )

    def apply(self, cluster: WorkloadCluster, arguments: dict[str, Any], prepared: Prepared) -> str:
        namespace, name = arguments["namespace"], arguments["deployment_name"]
        cluster.patch_deployment(namespace, name, prepared.state["patch"])
        return f"Deployment {name} rolled back to revision {prepared.state['revision']} in namespace {namespace}"

    def done_before(self, cluster: WorkloadCluster, arguments: dict[str, Any], before: dict[str, Any]) -> bool:
        deployment = cluster.read_deployment(arguments["namespace"], arguments["deployment_name"])
        template = json.loads(json.dumps((deployment.get("spec") or {}).get("template") or {}))
        ((template.get("metadata") or {}).get("labels") or {}).pop(POD_TEMPLATE_HASH, None)
        return _template_digest(template) == before.get("template")

    def check(self, cluster: WorkloadCluster, arguments: dict[str, Any], before: dict[str, Any]) -> tuple[bool, str]:
        return rollout_status(cluster.read_deployment(arguments["namespace"], arguments["deployment_name"]))


OPERATIONS: dict[str, Operation] = {
    "restart_pod": RestartPod(),
    "scale_deployment": ScaleDeployment(),
    "rollback_deployment": RollbackDeployment(),
}
