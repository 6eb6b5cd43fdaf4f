"""Lambda: actions, approvals and autonomy, the only function that writes to a cluster (its own role, its own
Kubernetes identity). HTTP from API Gateway (/actions/*, /approvals*, /autonomy/*). Invoked directly (a workflow's
Task state), an event `{"execute": {"workspace_id", "principal", "action", "fields", "incident_id", "dry_run",
"approved", "idempotency_key"}}` runs one action through ActionService.execute, as the HTTP route does, and returns
its outcome; a refusal raises its error class (PolicyRefusedError, ActionRateLimitedError) for Retry/Catch. A
workflow's Task sends `{"workflow": {"task": "approval" | "action" | "undo", "run", "context", "step", ...}}`: its
write's approval request (the run then waits on the task token), the step's action, or a compensation
(workflows/service/action_steps.py). The autonomy schedule (EventBridge, template.yaml) sends
`{"autonomy": "run_cycle"}`: one cycle over every workspace when autonomy is enabled, nothing otherwise."""

from typing import Any

from aisre.lambda_http import http_handler

_http = http_handler(["actions", "autonomy", "slack"])

# A scheduled cycle leaves this much of the invocation's time unused, to record its last decision and answer.
_CYCLE_MARGIN_SECONDS = 5.0


def _execute(spec: dict[str, Any]) -> dict[str, Any]:
    from aisre.core.scope import default_scope
    from aisre.remediation.model.requests import action_request
    from aisre.remediation.providers import action_service

    request = action_request(
        str(spec["action"]),
        spec.get("fields") or {},
        incident_id=spec.get("incident_id"),
        dry_run=bool(spec.get("dry_run", True)),
        approved=bool(spec.get("approved", False)),
    )
    service = default_scope().get(action_service)
    outcome = service.execute(
        str(spec["workspace_id"]), request, str(spec["principal"]), idempotency_key=spec.get("idempotency_key")
    )
    return outcome.public()


def _autonomy_cycle(context: Any) -> dict[str, Any]:
    from aisre.autonomy.providers import autonomy_config, autonomy_service
    from aisre.core.scope import default_scope

    scope = default_scope()
    if not scope.get(autonomy_config).enabled:
        # The schedule runs only when autonomy is enabled; a rule left on answers here, and nothing is done.
        return {"ran": False, "reason": "autonomy is disabled (AUTONOMY_ENABLED=false)"}
    budget = context.get_remaining_time_in_millis() / 1000 - _CYCLE_MARGIN_SECONDS
    report = scope.get(autonomy_service).run_cycle(None, "schedule", max(0.0, budget))
    return {"ran": True, **report.model_dump(mode="json")}


def _workflow(task: dict[str, Any]) -> dict[str, Any]:
    from aisre.core.scope import default_scope
    from aisre.workflows.providers import workflow_action_steps

    return default_scope().get(workflow_action_steps).run(task)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if "requestContext" not in event:
        if "execute" in event:
            return _execute(event["execute"])
        if "workflow" in event:
            return _workflow(event["workflow"])
        if event.get("autonomy") == "run_cycle":
            return _autonomy_cycle(context)
    return _http(event, context)
