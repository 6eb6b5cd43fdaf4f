"""The rule set: each rule reads the evidence and returns a Finding or None; order breaks confidence ties."""

from __future__ import annotations

from collections.abc import Callable

from aisre.investigations.model.analysis.alert_text import alert_reported_cause
from aisre.investigations.model.analysis.finding import Finding
from aisre.investigations.model.analysis.rules import (
    alerts,
    changes,
    containers,
    dependencies,
    jobs,
    logs,
    network,
    performance,
    permissions,
    placement,
    reached,
    scheduling,
    services,
    storage,
    traces,
)
from aisre.investigations.model.evidence import Evidence

Rule = Callable[[Evidence], Finding | None]

RULES: tuple[Rule, ...] = (
    alerts.heartbeat_alert,
    alerts.no_tools_available,
    containers.oom_killed,
    containers.image_pull,
    containers.container_config_error,
    containers.probe_port_mismatch,
    logs.command_not_found,
    logs.exec_format_error,
    logs.missing_env_var,
    logs.shell_syntax_error,
    logs.config_parse_error,
    logs.certificate_problem,
    network.network_policy_blocks,
    # What the logs' dependencies turned out to be rank above the log line alone.
    reached.cluster_dns_failing,
    reached.missing_service,
    logs.dns_failure,
    permissions.rbac_forbidden,
    permissions.cloud_permission_denied,
    logs.connection_exhaustion,
    reached.dependency_without_endpoints,
    logs.connection_failure,
    dependencies.dependency_timeouts,
    permissions.permission_denied,
    # A pending pod: the rules joining it with its claims and the nodes rank above the scheduler's event alone.
    storage.unbound_claim,
    storage.volume_zone_conflict,
    placement.insufficient_resources,
    placement.node_selector_mismatch,
    placement.untolerated_taint,
    scheduling.failed_scheduling,
    storage.volume_attach_failure,
    services.service_without_endpoints,
    scheduling.node_pod_capacity,
    scheduling.node_pressure,
    performance.cpu_throttling,
    traces.slow_trace,
    performance.slow_operations,
    jobs.job_failed,
    alerts.resource_overcommit,
    containers.failing_probe,
    containers.crash_loop,
    changes.recent_change,
    logs.application_errors,
    # Last: the alert's own words speak only when no tool returned anything (an investigation with no
    # cluster, or none that answers), below any finding the cluster's evidence would give.
    alert_reported_cause,
)
