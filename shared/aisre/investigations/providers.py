"""The investigations' parts, each built on first ask (core/scope.py): the store, the workflow, the read-only
tools over the configured cluster and observability backends, the model and agent, similar incidents, the
investigation service and the HolmesGPT-compatible engine. Heavy clients (kubernetes, openai, opensearch-py)
are imported only by the adapters that use them, when they are built."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from aisre.core.providers import secrets, table_connection
from aisre.core.scope import Scope
from aisre.incidents.providers import incident_service
from aisre.remediation.providers import action_policy, proposal_reads, runbook_catalog

# A diagnosis is ready (the Investigation, finished): notifications tell the people on the incident.
INVESTIGATION_COMPLETED = "investigation.completed"

if TYPE_CHECKING:
    from aisre.investigations.ports import ChatModel, InvestigationQueue, ToolRunner, Workflow
    from aisre.investigations.service.agent import InvestigationAgent
    from aisre.investigations.service.diagnoses import DiagnosisReader
    from aisre.investigations.service.holmes import HolmesService
    from aisre.investigations.service.investigations import InvestigationService
    from aisre.investigations.service.similar import SimilarIncidents
    from aisre.investigations.service.starter import InvestigationStarter
    from aisre.investigations.store.investigation_store import DynamoInvestigationStore


def investigation_store(scope: Scope) -> DynamoInvestigationStore:
    from aisre.investigations.store.investigation_store import DynamoInvestigationStore

    return DynamoInvestigationStore(scope.get(table_connection))


def workflow(scope: Scope) -> Workflow | None:
    """The investigation state machine (Step Functions; on the local stack, the emulator's)."""
    settings = scope.settings
    if not settings.investigation_state_machine_arn:
        return None
    from aisre.investigations.adapters.stepfunctions import StepFunctionsWorkflow

    return StepFunctionsWorkflow(
        settings.investigation_state_machine_arn, settings.aws_region, settings.aws_endpoint_url
    )


def investigation_queue(scope: Scope) -> InvestigationQueue | None:
    """Where new incidents ask for their investigation (SQS; on the local stack, the emulator's)."""
    settings = scope.settings
    if not settings.investigation_queue_url:
        return None
    from aisre.investigations.adapters.sqs_investigation_queue import SqsInvestigationQueue

    return SqsInvestigationQueue(settings.investigation_queue_url, settings.aws_region, settings.aws_endpoint_url)


def investigation_starter(scope: Scope) -> InvestigationStarter:
    # Light on purpose: the starter function loads the store, incidents and Step Functions, not the engine.
    from aisre.investigations.service.starter import InvestigationStarter

    return InvestigationStarter(scope.get(investigation_store), scope.get(incident_service), scope.get(workflow))


def tool_runner(scope: Scope) -> ToolRunner:
    """Read-only tools over the configured cluster and backends, and the clock; no cluster configured: every
    Kubernetes tool answers "unavailable". A configured log store (Loki, then CloudWatch Logs) comes first, so that
    it serves `fetch_pod_logs` rather than the Kubernetes API, as HolmesGPT prefers a configured logging toolset."""
    from aisre.investigations.adapters.kubernetes.connect import KubernetesTarget
    from aisre.investigations.adapters.kubernetes.tools import KubernetesToolRunner
    from aisre.investigations.adapters.tools.clock import ClockToolRunner
    from aisre.investigations.adapters.tools.composite import CompositeToolRunner
    from aisre.investigations.adapters.tools.no_cluster import NoClusterToolRunner

    settings = scope.settings
    kubeconfig = settings.kubeconfig.split(":")[0] if settings.kubeconfig else ""
    if not kubeconfig and settings.profile == "local" and (Path.home() / ".kube" / "config").is_file():
        kubeconfig = str(Path.home() / ".kube" / "config")
    target = KubernetesTarget(
        kubeconfig=kubeconfig or None,
        context=settings.kube_context or None,
        eks_cluster_name=settings.eks_cluster_name or None,
        eks_region=settings.aws_region,
        in_cluster=settings.kubernetes_in_cluster,
    )
    cluster: ToolRunner = KubernetesToolRunner(target) if target.configured else NoClusterToolRunner()
    log_stores: list[ToolRunner] = []
    if settings.loki_url:
        from aisre.investigations.adapters.tools.loki import LokiToolRunner

        log_stores.append(LokiToolRunner(settings.loki_url))
    if settings.cloudwatch_log_groups:
        from aisre.investigations.adapters.tools.cloudwatch_logs import CloudWatchLogsToolRunner

        groups = tuple(group.strip() for group in settings.cloudwatch_log_groups.split(",") if group.strip())
        log_stores.append(
            CloudWatchLogsToolRunner(
                settings.aws_region, endpoint_url=settings.aws_endpoint_url, default_log_groups=groups
            )
        )
    metrics: list[ToolRunner] = []
    if settings.prometheus_url:
        from aisre.investigations.adapters.tools.prometheus import PrometheusToolRunner

        metrics.append(PrometheusToolRunner(settings.prometheus_url))
    return CompositeToolRunner(*log_stores, cluster, *metrics, ClockToolRunner())


def chat_model(scope: Scope) -> ChatModel | None:
    settings = scope.settings
    if not settings.aisre_model:
        return None
    from aisre.investigations.adapters.llm_openai import OpenAIChatModel

    return OpenAIChatModel(
        model=settings.aisre_model,
        api_key=scope.get(secrets).openai_api_key or None,
        base_url=settings.openai_base_url,
        timeout=settings.llm_timeout_seconds,
    )


def agent(scope: Scope) -> InvestigationAgent | None:
    model = scope.get(chat_model)
    if model is None:
        return None
    from aisre.investigations.service.agent import InvestigationAgent
    from aisre.investigations.service.agent_tools import specs_for

    tools = scope.get(tool_runner)
    return InvestigationAgent(
        model, tools, specs_for(tools.available_tools()), max_steps=scope.settings.agent_max_steps
    )


def similar_incidents(scope: Scope) -> SimilarIncidents:
    from aisre.investigations.service.similar import SimilarIncidents

    settings = scope.settings
    if settings.embeddings_base_url:
        from aisre.investigations.adapters.embeddings_openai import OpenAIEmbedder

        embedder: Any = OpenAIEmbedder(
            model=settings.embeddings_model,
            api_key=scope.get(secrets).embeddings_api_key,
            base_url=settings.embeddings_base_url,
        )
    else:
        from aisre.investigations.adapters.embeddings_local import HashingEmbedder

        embedder = HashingEmbedder()
    if settings.opensearch_endpoint:
        from aisre.investigations.adapters.vector_opensearch import OpenSearchVectorIndex

        index: Any = OpenSearchVectorIndex(
            endpoint=settings.opensearch_endpoint,
            index_name=settings.opensearch_index,
            dimensions=embedder.dimensions,
            region=settings.aws_region,
        )
    else:
        from aisre.investigations.adapters.vector_memory import MemoryVectorIndex

        index = MemoryVectorIndex()
    return SimilarIncidents(embedder, index)


def investigation_service(scope: Scope) -> InvestigationService:
    from aisre.investigations.service.investigations import InvestigationService

    return InvestigationService(
        scope.get(investigation_store),
        scope.get(incident_service),
        scope.get(investigation_starter),
        scope.get(tool_runner),
        scope.get(action_policy),
        scope.get(runbook_catalog),
        agent=scope.get(agent),
        similar=scope.get(similar_incidents),
        proposals=scope.get(proposal_reads),
        on_completed=lambda investigation: scope.publish(INVESTIGATION_COMPLETED, investigation),
    )


def diagnosis_reader(scope: Scope) -> DiagnosisReader:
    """An incident's diagnosis with its suggestions' approvals: the store, incidents and remediation's read-only
    proposal reads (the approval and execution stores; no cluster, no action service)."""
    from aisre.investigations.service.diagnoses import DiagnosisReader

    return DiagnosisReader(scope.get(investigation_store), scope.get(incident_service), scope.get(proposal_reads))


def holmes_service(scope: Scope) -> HolmesService:
    # Imported on first use: the engine (analyzer rules, agent) stays off the Lambda's import path.
    from aisre.investigations.service.holmes import HolmesService

    return HolmesService(
        scope.get(tool_runner), scope.get(agent), scope.get(chat_model), runbooks=scope.get(runbook_catalog)
    )
