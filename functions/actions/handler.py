"""Lambda: actions and approvals, the only function that writes to a cluster (its own role, its own Kubernetes
identity). HTTP from API Gateway (/actions/*, /approvals*). Invoked directly (a workflow's Task state), an event
`{"execute": {"workspace_id", "principal", "action", "fields", "incident_id", "dry_run", "approved",
"idempotency_key"}}` runs one action through ActionService.execute, as the HTTP route does, and returns its
outcome; a refusal raises its error class (PolicyRefusedError, ActionRateLimitedError) for Retry/Catch. A workflow's
Task sends `{"workflow": {"task": "approval" | "action" | "undo", "run", "context", "step", ...}}`: its write's
approval request (the run then waits on the task token), the step's action, or a compensation
(workflows/service/action_steps.py)."""

from typing import Any

from aisre.lambda_http import http_handler

_http = http_handler(["actions"])


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
    return _http(event, context)
