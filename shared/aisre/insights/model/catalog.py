"""The registries' names the adapters' list shows: what the platform can work with, and what is configured."""

from __future__ import annotations

from dataclasses import dataclass

# The log stores investigations read pod logs from (investigations/adapters/tools): Loki and CloudWatch Logs when
# configured, else the Kubernetes API. Named here because investigations keeps no registry of them, only the tools.
LOG_BACKENDS: tuple[str, ...] = ("cloudwatch_logs", "kubernetes", "loki")
METRICS_BACKENDS: tuple[str, ...] = ("prometheus",)
# The one writer actions go through (remediation/adapters/kubernetes_cluster.py).
ACTION_PROVIDERS: tuple[str, ...] = ("kubernetes",)


@dataclass(frozen=True)
class AdapterCatalog:
    alert_sources: tuple[str, ...]
    action_names: tuple[str, ...]
    notification_channels: tuple[str, ...]
    log_backends: tuple[str, ...] = LOG_BACKENDS
    action_providers: tuple[str, ...] = ACTION_PROVIDERS
    metrics_backends: tuple[str, ...] = METRICS_BACKENDS
    # What this deployment has configured (its settings), a subset of the above.
    configured_log_backends: tuple[str, ...] = ()
    configured_metrics_backends: tuple[str, ...] = ()
    cluster_configured: bool = False
    llm_configured: bool = False


@dataclass(frozen=True)
class Integrations:
    """A workspace's integrations as configured: counts, and the channels' types."""

    workspace_id: str
    channels: int = 0
    channel_types: tuple[str, ...] = ()
    routing_rules: int = 0
    outgoing_webhooks: int = 0
    escalation_policies: int = 0
    oncall_schedules: int = 0
    truncated: bool = False
