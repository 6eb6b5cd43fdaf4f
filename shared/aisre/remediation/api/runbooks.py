"""Runbooks (seed 001 "Automation"): the catalog and a workspace's saved runbooks, those an incident calls for, a
runbook drafted from history and saved once approved, YAML import, and runbook runs on an incident.

Served by the actions function: a run's write steps are actions, which only that function may carry out, and an
approval that a run waits on is decided there too. The catalog's reads come along (one router, no client loaded
until a request needs it) rather than costing the incidents function the YAML catalog and the remediation model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from aisre.core.errors import PayloadError, ValidationError
from aisre.core.http.deps import CallerDep, ReadWorkspace, WriteWorkspace, provide
from aisre.core.http.routing import ApiRouter
from aisre.core.http.schemas import READ_ERRORS, error_responses
from aisre.remediation.api.runbook_schemas import (
    IncidentRunbooks,
    RunbookApprove,
    RunbookGenerate,
    RunbookGenerated,
    RunbookList,
    RunbookPublic,
    RunbookRunList,
    RunbookRunPublic,
    RunbookSaved,
)
from aisre.remediation.providers import runbook_run_service, runbook_service

if TYPE_CHECKING:
    from aisre.remediation.model.runbook_documents import StoredRunbook
    from aisre.remediation.model.runbook_runs import RunbookRun
    from aisre.remediation.service.runbook_runs import RunbookRunService
    from aisre.remediation.service.runbooks import RunbookService

# Named as strings: the services, the catalog's YAML and the model load with the first request, not the router.
RunbooksDep = Annotated["RunbookService", provide(runbook_service)]
RunsDep = Annotated["RunbookRunService", provide(runbook_run_service)]

router = ApiRouter(tags=["runbooks"])

_ONE = error_responses(*READ_ERRORS, _404="No such runbook in the catalog or the workspace")
_ON_INCIDENT = error_responses(*READ_ERRORS, _404="The incident (or run) is not in the workspace")
_SAVE = error_responses(
    400,
    409,
    413,
    *READ_ERRORS,
    _409="The id is a built-in runbook's",
    _422="A field of the runbook (named in `error.field`: `runbook.steps[2].action`...) is not valid",
)
_YAML_BODY = {
    "required": True,
    "content": {
        media: {"schema": {"type": "string", "description": "A runbook in the built-in files' YAML format"}}
        for media in ("application/yaml", "text/yaml", "text/plain")
    },
}


def runbook_public(stored: StoredRunbook) -> dict[str, Any]:
    body = stored.runbook.to_dict() | {"source": stored.source.value}
    if stored.saved_at is not None:
        body |= {"saved_by": stored.saved_by, "saved_at": stored.saved_at, "version": stored.version}
    return body


def run_public(run: RunbookRun) -> dict[str, Any]:
    body = run.model_dump(exclude={"cursor", "version", "idempotency_key", "steps"})
    body["steps"] = [step.model_dump(exclude={"skip_reason", "lease_until"}, exclude_none=False) for step in run.steps]
    current = run.current
    body["current_step"] = None if run.finished or current is None else current.index
    body["waiting_for"] = current.approval_id if current is not None and run.status == "waiting_approval" else None
    return body


def _saved(runbooks: RunbookService, stored: StoredRunbook, note: str = "") -> dict[str, Any]:
    return {
        "ok": True,
        "runbook_id": stored.runbook.id,
        "saved_path": runbooks.saved_path(stored),
        "message": f"Runbook '{stored.runbook.id}' saved successfully (version {stored.version}).{note}",
        "source": stored.source.value,
        "version": stored.version,
    }


# -- the catalog ------------------------------------------------------------------------------------------------


@router.get("/runbooks", response_model=RunbookList, responses=error_responses(401, 422, 503))
def list_runbooks(runbooks: RunbooksDep, _caller: CallerDep) -> dict[str, Any]:
    """The built-in catalog."""
    items = [runbook_public(item) for item in runbooks.builtin()]
    return {"runbooks": items, "count": len(items)}


@router.get("/runbooks/all", response_model=RunbookList, responses=error_responses(*READ_ERRORS))
def list_all_runbooks(runbooks: RunbooksDep, workspace: WriteWorkspace) -> dict[str, Any]:
    """Built-in and the workspace's saved runbooks (generated and approved, or imported)."""
    items = [runbook_public(item) for item in runbooks.all(workspace)]
    return {"runbooks": items, "count": len(items)}


@router.get("/runbooks/{runbook_id}", response_model=RunbookPublic, responses=_ONE)
def get_runbook(runbook_id: str, runbooks: RunbooksDep, workspace: WriteWorkspace) -> dict[str, Any]:
    return runbook_public(runbooks.get(workspace, runbook_id))


@router.get("/incidents/{incident_id}/runbooks", response_model=IncidentRunbooks, responses=_ON_INCIDENT)
def match_runbooks(incident_id: str, runbooks: RunbooksDep, workspace: ReadWorkspace) -> dict[str, Any]:
    """The runbooks this incident calls for, best first, each with why it matched and its steps filled in."""
    incident, matched = runbooks.match(workspace, incident_id)
    items = [
        {
            "runbook_id": item.match.runbook_id,
            "name": item.match.name,
            "source": item.stored.source.value,
            "score": item.match.score,
            "reason": item.match.reason,
            "steps": item.stored.runbook.to_dict(incident)["steps"],
            "actions": list(item.stored.runbook.actions),
        }
        for item in matched
    ]
    return {"incident_id": incident.id, "runbooks": items, "count": len(items)}


# -- drafting, saving, importing ----------------------------------------------------------------------------


@router.post(
    "/runbooks/generate",
    response_model=RunbookGenerated,
    responses=error_responses(
        400, 413, *READ_ERRORS, _422="Too little history (`error.details.occurrences`: how many incidents were found)"
    ),
)
def generate_runbook(body: RunbookGenerate, runbooks: RunbooksDep, workspace: WriteWorkspace) -> dict[str, Any]:
    """A runbook drafted from the workspace's own incidents of `service` showing `pattern`: their diagnoses, the
    catalog actions that resolved them, their resolution notes. Nothing is saved until it is approved."""
    from aisre.remediation.model.runbook_documents import RunbookSource, StoredRunbook

    draft = runbooks.generate(workspace, body.service, body.pattern, body.min_incidents)
    name = draft.runbook.name.removesuffix(f" Recovery for {body.service}")
    return {
        "pattern": body.pattern,
        "occurrences": draft.occurrences,
        "runbook": runbook_public(StoredRunbook(draft.runbook, RunbookSource.GENERATED)),
        "source": "generated",
        "message": f"Generated runbook for '{name}' pattern (seen {draft.occurrences}x). Review and approve to save.",
        "service": draft.service,
        "first_seen": draft.first_seen,
        "last_seen": draft.last_seen,
        "resolved_by": draft.resolved_by,
    }


@router.post("/runbooks/generate/approve", response_model=RunbookSaved, responses=_SAVE)
def approve_generated_runbook(
    body: RunbookApprove, runbooks: RunbooksDep, workspace: WriteWorkspace, who: CallerDep
) -> dict[str, Any]:
    """Save a drafted runbook (as generated, or edited) in the workspace. Its `step_specs` are its steps; without
    them, `steps` given as text are kept as instructions that run nothing."""
    from aisre.remediation.model.runbook_documents import RunbookSource

    document = body.runbook.model_dump(exclude={"step_specs"})
    key = "steps"
    if body.runbook.step_specs is not None:
        document["steps"], key = body.runbook.step_specs, "step_specs"
    stored = runbooks.save_document(
        workspace, document, RunbookSource.GENERATED, who.principal, field_prefix="runbook.", steps_field=key
    )
    text = sum(1 for step in stored.runbook.steps if step.read is None and step.action is None)
    note = f" {text} of its steps are instructions for a person: they run nothing." if text else ""
    return _saved(runbooks, stored, note)


@router.post(
    "/runbooks/import",
    status_code=201,
    response_model=RunbookSaved,
    responses={**_SAVE, **error_responses(400, _400="The body is not UTF-8 text")},  # this body is YAML, not JSON
    openapi_extra={"requestBody": _YAML_BODY},
)
async def import_runbook(request: Request, runbooks: RunbooksDep, workspace: WriteWorkspace, who: CallerDep) -> Any:
    """A runbook as YAML, in the built-in files' format (id, name, description, rules, alertnames, keywords,
    services, steps of title, command, and `read` or `action` with `arguments`), validated as they are."""
    try:
        text = (await request.body()).decode("utf-8")
    except UnicodeDecodeError as error:
        raise PayloadError("the body is not UTF-8 text", field="body") from error
    if not text.strip():
        raise ValidationError("the body is empty: send the runbook as YAML", field="body")
    stored = await run_in_threadpool(runbooks.import_yaml, workspace, text, who.principal)
    return _saved(runbooks, stored)


# -- runs -----------------------------------------------------------------------------------------------------


@router.post(
    "/incidents/{incident_id}/runbooks/{runbook_id}/execute",
    response_model=RunbookRunPublic,
    responses={
        **error_responses(409, 413, *READ_ERRORS, _404="The incident or the runbook is not in the workspace"),
        202: {"model": RunbookRunPublic, "description": "The run waits for an approval, or goes on with `resume`"},
    },
)
def execute_runbook(
    incident_id: str,
    runbook_id: str,
    runs: RunsDep,
    workspace: ReadWorkspace,
    who: CallerDep,
    auto_approve: Annotated[
        bool, Query(description="Write steps the policy lets run unapproved run at once (use carefully)")
    ] = False,
    dry_run: Annotated[bool, Query(description="Write steps run as dry runs: every check and read, no write")] = False,
    idempotency_key: Annotated[
        str | None,
        Header(alias="Idempotency-Key", max_length=255, description="The same key again answers the same run"),
    ] = None,
) -> Any:
    """Run a runbook on the incident: read steps run, write steps wait for an approval each (unless `auto_approve`
    and the policy allow them), text steps are noted; every step goes on the incident's timeline. 200 once the
    run has finished, 202 while it waits for an approval or has steps left (`resume`)."""
    run = runs.start(
        workspace,
        incident_id,
        runbook_id,
        who.principal,
        auto_approve=auto_approve,
        dry_run=dry_run,
        idempotency_key=idempotency_key or None,
    )
    return JSONResponse(RunbookRunPublic.model_validate(run_public(run)).model_dump(mode="json"), _status(run))


@router.get("/incidents/{incident_id}/runbooks/runs", response_model=RunbookRunList, responses=_ON_INCIDENT)
def list_runbook_runs(incident_id: str, runs: RunsDep, workspace: ReadWorkspace) -> dict[str, Any]:
    found = runs.runs_of(workspace, incident_id)
    return {"incident_id": incident_id, "runs": [run_public(run) for run in found], "count": len(found)}


@router.get("/incidents/{incident_id}/runbooks/runs/{run_id}", response_model=RunbookRunPublic, responses=_ON_INCIDENT)
def get_runbook_run(incident_id: str, run_id: str, runs: RunsDep, workspace: ReadWorkspace) -> dict[str, Any]:
    """The run's state as of now: each step's status and what came of it; a waiting step's approval status."""
    return run_public(runs.get(workspace, incident_id, run_id))


@router.post(
    "/incidents/{incident_id}/runbooks/runs/{run_id}/resume",
    response_model=RunbookRunPublic,
    responses={
        **error_responses(409, *READ_ERRORS, _404="The incident or the run is not in the workspace"),
        202: {"model": RunbookRunPublic, "description": "It waits for an approval, or has steps left"},
    },
)
def resume_runbook_run(incident_id: str, run_id: str, runs: RunsDep, workspace: ReadWorkspace) -> Any:
    """Carry the run on as far as it goes now (idempotent): after its request's time ran out, or an approval that
    was decided or expired while nobody carried it on."""
    run = runs.resume(workspace, incident_id, run_id)
    return JSONResponse(RunbookRunPublic.model_validate(run_public(run)).model_dump(mode="json"), _status(run))


def _status(run: RunbookRun) -> int:
    return 200 if run.finished else 202
