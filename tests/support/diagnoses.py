"""A finished diagnosis with chosen suggestions, made by the investigation's own last steps (evaluate_actions, which
judges the suggestions by the policy and the rate limits spent, then persist), as the state machine runs them after
`analyze`: what the approval link and autonomy tests act on, without a cluster that fails the way each needs."""

from __future__ import annotations

import secrets
from typing import Any

from aisre.core.clock import utc_now
from aisre.core.scope import Scope


def restart(namespace: str, pod: str) -> dict[str, Any]:
    return {"name": "restart_pod", "arguments": {"namespace": namespace, "pod_name": pod}, "rationale": "a fresh pod"}


def rollback(namespace: str, deployment: str) -> dict[str, Any]:
    return {
        "name": "rollback_deployment",
        "arguments": {"namespace": namespace, "deployment_name": deployment},
        "rationale": "the failure began with a change to the workload",
    }


def config_fix(component: str) -> dict[str, Any]:
    return {
        "name": "suggest_config_fix",
        "arguments": {"component": component, "issue": "memory limit too low", "current_spec": ""},
        "rationale": "raise the limit",
    }


def persist_diagnosis(scope: Scope, workspace: str, incident_id: str, suggested: list[dict[str, Any]]) -> str:
    """An investigation of the incident, finished with a diagnosis proposing `suggested`; its id."""
    from aisre.investigations.model.investigation import Diagnosis, Investigation
    from aisre.investigations.providers import investigation_service, investigation_store

    investigation = Investigation(
        id=f"inv-{secrets.token_hex(6)}",
        workspace_id=workspace,
        incident_id=incident_id,
        trigger="test",
        started_at=utc_now(),
    )
    scope.get(investigation_store).create(investigation)
    service = scope.get(investigation_service)
    run = {"workspace_id": workspace, "incident_id": incident_id, "investigation_id": investigation.id}
    diagnosis = Diagnosis(
        incident_id=incident_id, summary="The container ran out of memory.", root_cause="OOMKilled", confidence=0.9
    )
    now = utc_now().isoformat()
    analysis = {
        "step": {"name": "analyze", "status": "succeeded", "started_at": now, "finished_at": now},
        "diagnosis": diagnosis.model_dump(mode="json"),
        "suggested": suggested,
        "tool_calls": 0,
    }
    evaluated = service.run_step("evaluate_actions", {**run, "analysis": {"value": analysis}})
    service.run_step("persist", {**run, "analysis": {"value": analysis}, "evaluated": {"value": evaluated}})
    return investigation.id
