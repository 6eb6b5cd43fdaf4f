"""The composition root: settings -> adapters -> services, once per process (per Lambda container).

Each part is built, and its modules imported, the first time something asks for it: a Lambda of one
endpoint group never loads the services only another group uses (cold start is a feature).
"""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

from aisre.adapters.dynamodb.records import configure_records
from aisre.observability import logger
from aisre.settings import Settings, get_settings

if TYPE_CHECKING:
    from pynamodb.connection import Connection

    from aisre.adapters.dynamodb.dead_letter_store import DynamoDeadLetterStore
    from aisre.adapters.dynamodb.deploy_store import DynamoDeployStore
    from aisre.adapters.dynamodb.incident_store import DynamoIncidentStore
    from aisre.adapters.dynamodb.investigation_store import DynamoInvestigationStore
    from aisre.adapters.dynamodb.receipt_store import DynamoReceiptStore
    from aisre.adapters.secrets import Secrets
    from aisre.domain.incident import Incident
    from aisre.domain.keyring import Keyring
    from aisre.ports import SnsEndpoint
    from aisre.services.agent import InvestigationAgent
    from aisre.services.dead_letters import DeadLetterService
    from aisre.services.deploys import DeployService
    from aisre.services.incidents import IncidentService
    from aisre.services.ingest import IngestService
    from aisre.services.intake import AlertIntake
    from aisre.services.investigations import InvestigationService
    from aisre.services.llm import ChatModel
    from aisre.services.pagerduty import PagerDutySync
    from aisre.services.similar import SimilarIncidents
    from aisre.services.sns_deliveries import SnsDeliveries
    from aisre.services.tools import ToolRunner


class Platform:
    def __init__(self, settings: Settings):
        self.settings = settings
        configure_records(
            table_name=settings.table_name, region=settings.aws_region, endpoint_url=settings.dynamodb_endpoint
        )
        self._loopback = _loopback_transport(settings)
        if self._loopback is not None or not settings.dynamodb_signing:
            from aisre.adapters.dynamodb.records import record_clients

            for client in record_clients():
                self._tune_dynamodb_client(client)

    # -- secrets ------------------------------------------------------------------------------------

    @cached_property
    def secrets(self) -> Secrets:
        from aisre.adapters.secrets import load_secrets

        return load_secrets(self.settings)

    @cached_property
    def keyring(self) -> Keyring:
        from aisre.domain.keyring import Keyring

        return Keyring(self.secrets.api_keys)

    @cached_property
    def pagerduty_secrets(self) -> list[str]:
        from aisre.domain.signatures import split_secrets

        return split_secrets(self.secrets.pagerduty_webhook_secret)

    @cached_property
    def grafana_secrets(self) -> list[str]:
        from aisre.domain.signatures import split_secrets

        return split_secrets(self.secrets.grafana_webhook_secret)

    # -- stores -------------------------------------------------------------------------------------

    @cached_property
    def connection(self) -> Connection:
        from pynamodb.connection import Connection

        connection = Connection(
            region=self.settings.aws_region, host=self.settings.dynamodb_endpoint, max_pool_connections=64
        )
        self._tune_dynamodb_client(connection.client)
        return connection

    def _tune_dynamodb_client(self, client: Any) -> None:
        """Local shortcuts, each off unless configured: the loopback transport, and no request signing
        (the embedded emulator ignores signatures; signing is a seventh of a new incident's CPU)."""
        if self._loopback is not None:
            self._loopback.attach(client)
        if not self.settings.dynamodb_signing:
            from botocore import UNSIGNED

            client.meta.events.register("choose-signer", lambda **_: UNSIGNED)

    @cached_property
    def incident_store(self) -> DynamoIncidentStore:
        from aisre.adapters.dynamodb.incident_store import DynamoIncidentStore

        return DynamoIncidentStore(self.connection)

    @cached_property
    def deploy_store(self) -> DynamoDeployStore:
        from aisre.adapters.dynamodb.deploy_store import DynamoDeployStore

        return DynamoDeployStore()

    @cached_property
    def dead_letter_store(self) -> DynamoDeadLetterStore:
        from aisre.adapters.dynamodb.dead_letter_store import DynamoDeadLetterStore

        return DynamoDeadLetterStore()

    @cached_property
    def receipts(self) -> DynamoReceiptStore:
        from aisre.adapters.dynamodb.receipt_store import DynamoReceiptStore

        return DynamoReceiptStore()

    # -- services -----------------------------------------------------------------------------------

    @cached_property
    def ingest(self) -> IngestService:
        from aisre.services.ingest import IngestService

        auto = self.settings.auto_investigate and bool(self.settings.investigation_state_machine_arn)
        return IngestService(
            self.incident_store,
            correlation_window=timedelta(minutes=self.settings.correlation_window_minutes),
            deploy_lookback=timedelta(minutes=self.settings.deploy_lookback_minutes),
            on_incident_opened=self._investigate_new_incident if auto else None,
        )

    def _investigate_new_incident(self, incident: Incident) -> None:
        self.investigations.start_for(incident, trigger="incident_created")

    @cached_property
    def intake(self) -> AlertIntake:
        from aisre.services.intake import AlertIntake

        return AlertIntake(
            self.ingest, self.dead_letter_store, dead_letter_retention_days=self.settings.dead_letter_retention_days
        )

    @cached_property
    def incidents(self) -> IncidentService:
        from aisre.services.incidents import IncidentService

        return IncidentService(self.incident_store, self.deploy_store, on_resolved=self._remember_resolution)

    def _remember_resolution(self, incident: Incident, note: str | None) -> None:
        """A resolved incident, with how it was resolved, becomes knowledge for the next similar one."""
        try:
            self.similar.index_incident(incident, resolution=note)
        except Exception:  # knowledge is best effort: the resolution itself already succeeded
            logger.exception("could not index resolved incident %s", incident.id)

    @cached_property
    def dead_letters(self) -> DeadLetterService:
        from aisre.services.dead_letters import DeadLetterService
        from aisre.services.sns_deliveries import CONFIRMATION_CHANNEL

        return DeadLetterService(
            self.dead_letter_store,
            self.intake,
            channel_replayers={CONFIRMATION_CHANNEL: lambda entry: self.sns_deliveries.replay_confirmation(entry)},
        )

    @cached_property
    def sns_endpoint(self) -> SnsEndpoint:
        from aisre.adapters.sns_https import SnsHttpsClient

        return SnsHttpsClient()

    @cached_property
    def sns_deliveries(self) -> SnsDeliveries:
        from aisre.services.sns_deliveries import SnsDeliveries

        return SnsDeliveries(
            self.sns_endpoint,
            self.intake,
            verify=self.settings.sns_verify_signatures,
            confirm=self.settings.sns_confirm_subscriptions,
        )

    @cached_property
    def deploys(self) -> DeployService:
        from aisre.services.deploys import DeployService

        return DeployService(self.deploy_store, retention_days=self.settings.deploy_retention_days)

    @cached_property
    def investigation_store(self) -> DynamoInvestigationStore:
        from aisre.adapters.dynamodb.investigation_store import DynamoInvestigationStore

        return DynamoInvestigationStore(self.connection)

    @cached_property
    def investigations(self) -> InvestigationService:
        from aisre.adapters.stepfunctions import StepFunctionsWorkflow
        from aisre.domain.policy import load_policy
        from aisre.services.investigations import InvestigationService

        arn = self.settings.investigation_state_machine_arn
        workflow = StepFunctionsWorkflow(arn, self.settings.aws_region, self.settings.aws_endpoint_url) if arn else None
        return InvestigationService(
            self.investigation_store,
            self.incidents,
            self.incident_store,
            workflow,
            self.tool_runner,
            load_policy(self.settings.policy_document or None),
            agent=self.agent,
            similar=self.similar,
        )

    @cached_property
    def tool_runner(self) -> ToolRunner:
        """Read-only tools over the configured cluster; none configured: every tool answers "unavailable"."""
        from pathlib import Path

        from aisre.adapters.kubernetes_connect import KubernetesTarget
        from aisre.adapters.kubernetes_tools import KubernetesToolRunner
        from aisre.adapters.no_cluster import NoClusterToolRunner

        settings = self.settings
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
        extra: list[ToolRunner] = []
        if settings.prometheus_url:
            from aisre.adapters.prometheus_tools import PrometheusToolRunner

            extra.append(PrometheusToolRunner(settings.prometheus_url))
        if settings.loki_url:
            from aisre.adapters.loki_tools import LokiToolRunner

            extra.append(LokiToolRunner(settings.loki_url))
        if settings.cloudwatch_log_groups:
            from aisre.adapters.cloudwatch_logs_tools import CloudWatchLogsToolRunner

            groups = tuple(group.strip() for group in settings.cloudwatch_log_groups.split(",") if group.strip())
            extra.append(
                CloudWatchLogsToolRunner(
                    settings.aws_region, endpoint_url=settings.aws_endpoint_url, default_log_groups=groups
                )
            )
        if not extra:
            return cluster
        from aisre.adapters.composite_tools import CompositeToolRunner

        return CompositeToolRunner(cluster, *extra)

    @cached_property
    def chat_model(self) -> ChatModel | None:
        if not self.settings.aisre_model:
            return None
        from aisre.adapters.llm_openai import OpenAIChatModel

        return OpenAIChatModel(
            model=self.settings.aisre_model,
            api_key=self.secrets.openai_api_key or None,
            base_url=self.settings.openai_base_url,
            timeout=self.settings.llm_timeout_seconds,
        )

    @cached_property
    def agent(self) -> InvestigationAgent | None:
        if self.chat_model is None:
            return None
        from aisre.services.agent import InvestigationAgent
        from aisre.services.agent_tools import specs_for

        return InvestigationAgent(
            self.chat_model,
            self.tool_runner,
            specs_for(self.tool_runner.available_tools()),
            max_steps=self.settings.agent_max_steps,
        )

    @cached_property
    def similar(self) -> SimilarIncidents:
        from aisre.services.similar import SimilarIncidents

        if self.settings.embeddings_base_url:
            from aisre.adapters.embeddings_openai import OpenAIEmbedder

            embedder: Any = OpenAIEmbedder(
                model=self.settings.embeddings_model,
                api_key=self.secrets.embeddings_api_key,
                base_url=self.settings.embeddings_base_url,
            )
        else:
            from aisre.adapters.embeddings_local import HashingEmbedder

            embedder = HashingEmbedder()
        if self.settings.opensearch_endpoint:
            from aisre.adapters.vector_opensearch import OpenSearchVectorIndex

            index: Any = OpenSearchVectorIndex(
                endpoint=self.settings.opensearch_endpoint,
                index_name=self.settings.opensearch_index,
                dimensions=embedder.dimensions,
                region=self.settings.aws_region,
            )
        else:
            from aisre.adapters.vector_memory import MemoryVectorIndex

            index = MemoryVectorIndex()
        return SimilarIncidents(embedder, index)

    @cached_property
    def pagerduty(self) -> PagerDutySync:
        from aisre.services.pagerduty import PagerDutySync

        return PagerDutySync(self.intake, self.incidents, self.incident_store)


def _loopback_transport(settings: Settings) -> Any:
    """Locally, DynamoDB calls to an emulator on loopback skip urllib3 (aisre/local/loopback.py)."""
    from urllib.parse import urlsplit

    endpoint = settings.dynamodb_endpoint
    if settings.profile != "local" or not endpoint:
        return None
    parts = urlsplit(endpoint)
    if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        return None
    from aisre.local.loopback import LoopbackTransport

    return LoopbackTransport(endpoint)


def build_platform(settings: Settings) -> Platform:
    return Platform(settings)


@lru_cache(maxsize=1)
def get_platform() -> Platform:
    return build_platform(get_settings())


def reset_platform() -> None:
    get_platform.cache_clear()
