"""The insights' parts, each built on first ask (core/scope.py): the service over the others' services."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from aisre.core.providers import configured_table
from aisre.core.scope import Scope
from aisre.incidents.providers import incident_service
from aisre.notifications.providers import (
    channel_service,
    escalation_policy_service,
    oncall_service,
    rule_service,
    webhook_service,
)
from aisre.remediation.providers import approval_store

if TYPE_CHECKING:
    from aisre.insights.model.catalog import AdapterCatalog
    from aisre.insights.service.insights import InsightsService


def adapter_catalog(scope: Scope) -> AdapterCatalog:
    """The registries (alert normalizers, action catalog, channel types) and what this deployment's settings
    configure (log and metrics stores, a cluster, a chat model)."""
    from aisre.alerts.model.normalizers import SOURCES
    from aisre.insights.model.catalog import AdapterCatalog
    from aisre.notifications.model.routing import REGISTERED_ADAPTERS
    from aisre.remediation.model.actions import CATALOG

    settings = scope.settings
    logs = []
    if settings.cloudwatch_log_groups:
        logs.append("cloudwatch_logs")
    cluster = bool(
        settings.kubeconfig
        or settings.kubernetes_in_cluster
        or settings.eks_cluster_name
        or (Path.home() / ".kube" / "config").is_file()
    )
    if cluster:
        logs.append("kubernetes")  # pod logs through the API when no log store serves them
    if settings.loki_url:
        logs.append("loki")
    return AdapterCatalog(
        alert_sources=SOURCES,
        action_names=tuple(sorted(CATALOG)),
        notification_channels=REGISTERED_ADAPTERS,
        configured_log_backends=tuple(logs),
        configured_metrics_backends=("prometheus",) if settings.prometheus_url else (),
        cluster_configured=cluster,
        llm_configured=bool(settings.openai_api_key or settings.openai_base_url),
    )


def insights_service(scope: Scope) -> InsightsService:
    from aisre.insights.adapters.approvals import RemediationApprovals
    from aisre.insights.adapters.health import CoreHealth
    from aisre.insights.adapters.integrations import NotificationIntegrations
    from aisre.insights.service.insights import InsightsService

    scope.get(configured_table)  # points the records the health check describes at the configured table
    integrations = NotificationIntegrations(
        scope.get(channel_service),
        scope.get(rule_service),
        scope.get(webhook_service),
        scope.get(escalation_policy_service),
        scope.get(oncall_service),
    )
    return InsightsService(
        scope.get(incident_service),
        RemediationApprovals(scope.get(approval_store)),
        integrations,
        CoreHealth(scope.settings),
        scope.get(adapter_catalog),
    )
