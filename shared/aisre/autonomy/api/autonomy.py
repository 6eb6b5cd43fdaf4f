"""Autonomy (seed 001): its status, and one cycle on demand. Served by the actions function, the only one that
writes to a cluster; the schedule runs the same cycle there (functions/actions/handler.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from aisre.autonomy.api.schemas import AutonomyCycle, AutonomyStatus
from aisre.autonomy.providers import autonomy_config, autonomy_service
from aisre.core.http.deps import CallerDep, ReadWorkspace, provide
from aisre.core.http.routing import ApiRouter
from aisre.core.http.schemas import READ_ERRORS, error_responses

if TYPE_CHECKING:
    from aisre.autonomy.model.config import AutonomyConfig
    from aisre.autonomy.service.cycle import AutonomyService

ConfigDep = Annotated["AutonomyConfig", provide(autonomy_config)]
AutonomyDep = Annotated["AutonomyService", provide(autonomy_service)]

router = ApiRouter(tags=["autonomy"])

# A cycle answers within API Gateway's 30 s: it starts no action it could not finish within this.
REQUEST_BUDGET_SECONDS = 20.0


def status_public(config: AutonomyConfig) -> dict[str, Any]:
    from aisre.core.auth import AUTONOMY_PRINCIPAL

    body = config.model_dump(mode="json")
    return body | {"principal": AUTONOMY_PRINCIPAL, "mode": config.mode.value}


@router.get("/autonomy/status", response_model=AutonomyStatus, responses=error_responses(401, 422, 503))
def get_autonomy_status(config: ConfigDep, who: CallerDep) -> dict[str, Any]:  # who: a key is required, as anywhere
    """Whether autonomy is on and its limits, as the settings say (off by default; AUTONOMY_* settings, template
    parameters Autonomy*, turn it on)."""
    return status_public(config)


@router.post(
    "/autonomy/run",
    response_model=AutonomyCycle,
    responses=error_responses(
        409,
        *READ_ERRORS,
        _409="Autonomy is disabled (AUTONOMY_ENABLED=false): no cycle ran, nothing was done",
        _422="A parameter has an unusable value, or an AUTONOMY_* setting does (named in `error.field`)",
    ),
)
def run_autonomy_cycle(autonomy: AutonomyDep, workspace: ReadWorkspace, who: CallerDep) -> dict[str, Any]:
    """Run one autonomous remediation cycle now, over the open incidents the key sees (X-Workspace-Id: one
    workspace): their finished diagnoses' suggested actions that AUTONOMY_ACTIONS lists, within the policy, a dry
    run unless AUTONOMY_DRY_RUN is false; at most AUTONOMY_MAX_INCIDENTS_PER_CYCLE incidents."""
    report = autonomy.run_cycle(workspace, f"api:{who.principal}", REQUEST_BUDGET_SECONDS)
    return report.model_dump(mode="json")
