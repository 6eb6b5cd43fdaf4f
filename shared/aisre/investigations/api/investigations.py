"""Investigations: start one on demand, follow it, and read an incident's diagnosis."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Query
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from aisre.core.http.deps import CallerDep, ReadWorkspace, current_scope, provide
from aisre.core.http.routing import ApiRouter
from aisre.core.http.schemas import READ_ERRORS, ErrorResponse, error_responses
from aisre.core.scope import Scope
from aisre.incidents.providers import incident_service
from aisre.investigations.api.schemas import (
    DiagnosisNotInvestigated,
    DiagnosisPending,
    DiagnosisPublic,
    InvestigationPublic,
    InvestigationStarted,
    SimilarIncidentsResponse,
)
from aisre.investigations.model.investigation import Diagnosis, Investigation
from aisre.investigations.model.start_requests import QueuedInvestigation
from aisre.investigations.providers import diagnosis_reader, investigation_service, similar_incidents

if TYPE_CHECKING:
    from aisre.incidents.service.lifecycle import IncidentService
    from aisre.investigations.service.diagnoses import DiagnosisReader
    from aisre.investigations.service.investigations import InvestigationService
    from aisre.investigations.service.similar import SimilarIncidents

# The services are named as strings: their modules (the analyzer's rules, the agent, the policy) load when
# the first request builds them, not with this router, so the Lambda's cold start does not pay for them.
InvestigationsDep = Annotated["InvestigationService", provide(investigation_service)]
DiagnosesDep = Annotated["DiagnosisReader", provide(diagnosis_reader)]
SimilarDep = Annotated["SimilarIncidents", provide(similar_incidents)]
IncidentsDep = Annotated["IncidentService", provide(incident_service)]

router = ApiRouter(tags=["investigations"])


def investigation_public(investigation: Investigation) -> dict[str, Any]:
    body = investigation.model_dump(mode="json", exclude={"diagnosis"})
    body["result"] = investigation.diagnosis.model_dump(mode="json") if investigation.diagnosis else None
    body["duration_ms"] = (
        round((investigation.finished_at - investigation.started_at).total_seconds() * 1000, 1)
        if investigation.finished_at
        else None
    )
    for step, record in zip(body["steps"], investigation.steps, strict=True):
        step["duration_ms"] = record.duration_ms
    return body


@router.post(
    "/incidents/{incident_id}/investigate",
    status_code=202,
    response_model=InvestigationStarted,
    responses=error_responses(404, *READ_ERRORS, 502),
)
def investigate_incident(
    incident_id: str, investigations: InvestigationsDep, workspace: ReadWorkspace, who: CallerDep
) -> dict[str, Any]:
    """Start an investigation now; follow it at /investigations/{investigation_id}."""
    investigation = investigations.start(workspace, incident_id, trigger=f"api-key:{who.key_id}")
    return {"investigation_id": investigation.id, "status": investigation.status.value, "incident_id": incident_id}


@router.get(
    "/investigations/{investigation_id}",
    response_model=InvestigationPublic,
    responses=error_responses(404, *READ_ERRORS),
)
def get_investigation(
    investigation_id: str, investigations: InvestigationsDep, workspace: ReadWorkspace
) -> dict[str, Any]:
    """Status, steps with timings, result, tool calls, token usage and cost."""
    return investigation_public(investigations.get(workspace, investigation_id))


@router.get(
    "/incidents/{incident_id}/diagnosis",
    response_model=DiagnosisPublic,
    responses={
        **error_responses(*READ_ERRORS),
        202: {"model": DiagnosisPending, "description": "An investigation is queued or still running: ask again"},
        404: {
            "model": DiagnosisNotInvestigated | ErrorResponse,
            "description": "The incident was never investigated (POST /incidents/{id}/investigate), or does not exist",
        },
    },
)
async def get_diagnosis(
    incident_id: str,
    diagnoses: DiagnosesDep,
    scope: Annotated[Scope, Depends(current_scope)],
    workspace: ReadWorkspace,
    log_limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Any:
    """The latest finished diagnosis; waits a bounded time for a running investigation, else 202. Each suggested
    action shows the approval asked for it (`approval_id`, `approval_status`) once one is: approve it there."""
    settings = scope.settings
    queued = settings.auto_investigate and bool(settings.investigation_queue_url)
    found = await run_in_threadpool(
        partial(diagnoses.diagnosis, queued=queued), workspace, incident_id, settings.diagnosis_wait_seconds
    )
    if isinstance(found, Diagnosis):
        body = found.model_dump(mode="json")
        # A grouped child shares its root's diagnosis; it still answers as itself, and says whose it is.
        body["incident_id"], body["investigated_incident_id"] = incident_id, found.incident_id
        body["log_excerpt"] = "\n".join(found.log_excerpt.splitlines()[-log_limit:])
        return body
    if isinstance(found, Investigation):
        return JSONResponse(
            {"incident_id": incident_id, "investigation_id": found.id, "status": found.status.value}, status_code=202
        )
    if isinstance(found, QueuedInvestigation):
        return JSONResponse({"incident_id": incident_id, "investigation_id": None, "status": "queued"}, status_code=202)
    return JSONResponse(
        {"incident_id": incident_id, "status": "not_investigated",
         "detail": "no investigation yet: POST /incidents/{id}/investigate starts one"},
        status_code=404,
    )  # fmt: skip


@router.get(
    "/incidents/{incident_id}/similar",
    response_model=SimilarIncidentsResponse,
    responses=error_responses(404, *READ_ERRORS, 502),
)
def list_similar_incidents(
    incident_id: str,
    incidents: IncidentsDep,
    similar: SimilarDep,
    workspace: ReadWorkspace,
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
    min_score: Annotated[float, Query(ge=0, le=1)] = 0.3,
) -> dict[str, Any]:
    """Past incidents most like this one, by embedding similarity; resolved ones carry their resolution."""
    incident = incidents.get(workspace, incident_id)
    return similar.similar_response(incident, k=limit, min_score=min_score)
