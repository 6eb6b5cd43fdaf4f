"""What to propose for a diagnosis: actions from the catalog, argued from the incident, judged by policy later."""

from __future__ import annotations

from collections.abc import Sequence

from aisre.incidents.model.incident import Incident
from aisre.remediation.model.actions import SuggestedAction
from aisre.remediation.model.conclusions import Conclusion

# Findings a restart can relieve (a fresh pod), those a rollback can (a bad release), and those that
# need a change of configuration whatever else is done.
_RESTART_HELPS = {"oom_killed", "crash_loop", "failing_probe", "connection_exhaustion", "dns_failure"}
_ROLLBACK_HELPS = {"recent_change", "command_not_found", "config_parse_error", "missing_env_var", "exec_format_error"}
_CONFIG_FIX = {"oom_killed", "cpu_throttling", "container_config_error", "missing_env_var", "config_parse_error"}


def suggest_actions(incident: Incident, findings: Sequence[Conclusion]) -> list[SuggestedAction]:
    """`findings` most confident first, as an analysis ranks them."""
    rules = {finding.rule for finding in findings}
    top = findings[0] if findings else None
    suggestions: list[SuggestedAction] = []
    namespace = incident.namespace or ""
    if rules & _CONFIG_FIX and top is not None:
        suggestions.append(
            SuggestedAction(
                name="suggest_config_fix",
                arguments={
                    "component": incident.deployment or incident.pod or incident.service or incident.title,
                    "issue": top.root_cause,
                    "current_spec": "",
                },
                rationale="; ".join(top.suggestions),
            )
        )
    if rules & _ROLLBACK_HELPS and incident.deployment and namespace:
        suggestions.append(
            SuggestedAction(
                name="rollback_deployment",
                arguments={"namespace": namespace, "deployment_name": incident.deployment},
                rationale="the failure began with a change to the workload",
            )
        )
    if rules & _RESTART_HELPS and incident.pod and namespace:
        suggestions.append(
            SuggestedAction(
                name="restart_pod",
                arguments={"namespace": namespace, "pod_name": incident.pod},
                rationale="a fresh pod clears the failing instance while the cause is fixed",
            )
        )
    return suggestions
