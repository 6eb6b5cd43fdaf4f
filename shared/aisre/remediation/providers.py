"""The remediation parts, each built on first ask (core/scope.py): the runbook catalog, the policy, the cluster
the actions write to (and the read-only one a workflow's read steps use), the stores, the action, approval and
runbook services, the task callbacks that resume a workflow run waiting on an approval, and the read-only proposal
reads that the investigations show beside a diagnosis (built without the cluster or the action service)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from aisre.core.providers import configured_table, table_connection
from aisre.core.scope import Scope
from aisre.incidents.providers import incident_service

if TYPE_CHECKING:
    from aisre.remediation.model.policy import Policy
    from aisre.remediation.model.runbooks import RunbookCatalog
    from aisre.remediation.ports import (
        ApprovalStore,
        ExecutionStore,
        RunbookStore,
        RunStore,
        TaskCallbacks,
        WorkloadCluster,
    )
    from aisre.remediation.service.actions import ActionService
    from aisre.remediation.service.approvals import ApprovalService
    from aisre.remediation.service.proposal_reads import ProposalReads
    from aisre.remediation.service.runbook_runs import RunbookRunService
    from aisre.remediation.service.runbooks import RunbookService


def runbook_catalog(scope: Scope) -> RunbookCatalog:
    from aisre.remediation.adapters.runbook_files import load_runbooks

    return load_runbooks()


def action_policy(scope: Scope) -> Policy:
    from aisre.remediation.model.policy import load_policy

    return load_policy(scope.settings.policy_document or None)


def actions_cluster(scope: Scope) -> WorkloadCluster:
    """The cluster the actions write to, under the actions function's own identity (ACTIONS_KUBECONFIG, an EKS
    cluster through its role, or in-cluster); locally ACTIONS_KUBECONFIG defaults to KUBECONFIG, then
    ~/.kube/config. Nothing configured: every action fails with a message saying so."""
    from aisre.remediation.adapters.kubernetes_cluster import ActionsTarget, KubernetesCluster

    settings = scope.settings
    kubeconfig = settings.actions_kubeconfig
    context = settings.actions_kube_context
    if not kubeconfig and settings.profile == "local":
        kubeconfig = settings.kubeconfig.split(":")[0] if settings.kubeconfig else ""
        context = context or settings.kube_context
        if not kubeconfig and (Path.home() / ".kube" / "config").is_file():
            kubeconfig = str(Path.home() / ".kube" / "config")
    target = ActionsTarget(
        kubeconfig=kubeconfig or None,
        context=context or None,
        eks_cluster_name=settings.actions_eks_cluster_name or None,
        eks_region=settings.aws_region,
        in_cluster=settings.kubernetes_in_cluster,
    )
    return KubernetesCluster(target)


def execution_store(scope: Scope) -> ExecutionStore:
    from aisre.remediation.store.execution_store import DynamoExecutionStore

    return DynamoExecutionStore(
        scope.get(table_connection), retention=timedelta(days=scope.settings.approval_retention_days)
    )


def approval_store(scope: Scope) -> ApprovalStore:
    from aisre.remediation.store.approval_store import DynamoApprovalStore

    return DynamoApprovalStore(
        scope.get(table_connection), retention=timedelta(days=scope.settings.approval_retention_days)
    )


def action_service(scope: Scope) -> ActionService:
    from aisre.remediation.service.actions import ActionService

    settings = scope.settings
    return ActionService(
        scope.get(execution_store),
        scope.get(approval_store),
        scope.get(incident_service),
        scope.get(actions_cluster),
        scope.get(action_policy),
        approval_expiry=timedelta(seconds=settings.approval_expiry_seconds),
        idempotency_window=timedelta(seconds=settings.action_idempotency_window_seconds),
        verify_seconds=settings.action_verify_seconds,
        verify_interval=settings.action_verify_interval_seconds,
        # The people who may approve hear of it (notifications, through aisre/subscriptions.py).
        on_approval_requested=lambda approval: scope.publish("approval.requested", approval),
    )


def task_callbacks(scope: Scope) -> TaskCallbacks:
    """Step Functions' SendTaskSuccess / SendTaskFailure: a decided approval resumes the workflow run waiting on it."""
    from aisre.remediation.adapters.task_callbacks import StepFunctionsCallbacks

    return StepFunctionsCallbacks(scope.settings.aws_region, scope.settings.aws_endpoint_url)


def approval_service(scope: Scope) -> ApprovalService:
    from aisre.remediation.service.approvals import ApprovalService

    return ApprovalService(
        scope.get(approval_store),
        scope.get(action_service),
        require_distinct=scope.settings.approval_require_distinct,
        # Who waits on a decision (a runbook run) hears of it through the scope (aisre/subscriptions.py).
        on_decided=lambda approval: scope.publish("approval.decided", approval),
        callbacks=scope.get(task_callbacks),
    )


def runbook_store(scope: Scope) -> RunbookStore:
    from aisre.remediation.store.runbook_store import DynamoRunbookStore

    scope.get(configured_table)
    return DynamoRunbookStore()


def run_store(scope: Scope) -> RunStore:
    from aisre.remediation.store.runbook_store import DynamoRunStore

    scope.get(configured_table)
    return DynamoRunStore()


def runbook_service(scope: Scope) -> RunbookService:
    from aisre.remediation.adapters.runbook_files import load_shared_steps, read_yaml_document
    from aisre.remediation.service.runbooks import RunbookService

    return RunbookService(
        scope.get(runbook_catalog),
        scope.get(runbook_store),
        scope.get(incident_service),
        read_yaml=read_yaml_document,
        shared_steps=load_shared_steps(),
        table_name=scope.settings.table_name,
    )


def runbook_run_service(scope: Scope) -> RunbookRunService:
    from aisre.remediation.service.runbook_runs import RunbookRunService
    from aisre.remediation.service.runbook_steps import StepRunner

    settings = scope.settings
    steps = StepRunner(scope.get(actions_cluster), scope.get(action_service), scope.get(approval_store))
    return RunbookRunService(
        scope.get(run_store),
        scope.get(runbook_service),
        steps,
        scope.get(incident_service),
        # A claimed step is held as long as its action may take (the write and its verification), and a minute.
        lease=timedelta(seconds=settings.action_verify_seconds + 60),
        budget_seconds=settings.runbook_advance_seconds,
    )


def proposal_reads(scope: Scope) -> ProposalReads:
    """Read-only, over the stores alone: what the investigation functions may build (no cluster, no ActionService)."""
    from aisre.remediation.service.proposal_reads import ProposalReads

    return ProposalReads(scope.get(approval_store), scope.get(execution_store), scope.get(action_policy))


def reader_cluster(scope: Scope) -> WorkloadCluster:
    """The cluster under the investigations' read-only identity (KUBECONFIG, EKS_CLUSTER_NAME, in-cluster), for
    reads outside the write path (a workflow's read steps); infra/kubernetes/rbac.yaml lets it only get and list."""
    from aisre.remediation.adapters.kubernetes_cluster import ActionsTarget, KubernetesCluster

    settings = scope.settings
    kubeconfig = settings.kubeconfig.split(":")[0] if settings.kubeconfig else ""
    if not kubeconfig and settings.profile == "local" and (Path.home() / ".kube" / "config").is_file():
        kubeconfig = str(Path.home() / ".kube" / "config")
    target = ActionsTarget(
        kubeconfig=kubeconfig or None,
        context=settings.kube_context or None,
        eks_cluster_name=settings.eks_cluster_name or None,
        eks_region=settings.aws_region,
        in_cluster=settings.kubernetes_in_cluster,
        unconfigured="no cluster is configured to read (KUBECONFIG, EKS_CLUSTER_NAME or KUBERNETES_IN_CLUSTER)",
    )
    return KubernetesCluster(target)
