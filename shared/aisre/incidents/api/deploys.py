"""Deploy events from CI/CD, and the recent-deploys list deploy correlation draws on."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from starlette.concurrency import run_in_threadpool

from aisre.core.http.deps import ReadWorkspace, WriteWorkspace, provide
from aisre.core.http.routing import ApiRouter
from aisre.core.http.schemas import READ_ERRORS, error_responses
from aisre.incidents.api.schemas import DeployCreate, DeployList, DeployRecorded
from aisre.incidents.model.deploy import Deploy
from aisre.incidents.providers import deploy_service
from aisre.incidents.service.deploys import DeployService

DeploysDep = Annotated[DeployService, provide(deploy_service)]

router = ApiRouter(tags=["deploys"])


def deploy_public(deploy: Deploy) -> dict[str, Any]:
    return deploy.model_dump(mode="json")


@router.post("/webhook/deploy", response_model=DeployRecorded, responses=error_responses(400, *READ_ERRORS, 413))
async def ingest_deploy(body: DeployCreate, deploys: DeploysDep, workspace: WriteWorkspace) -> dict[str, Any]:
    """Record a deploy; incidents of the service opened soon after are correlated with it."""
    deploy = await run_in_threadpool(deploys.record, workspace, body.model_dump(exclude_none=True))
    return {"ok": True, "deploy_id": deploy.deploy_id, "stored": deploy_public(deploy)}


@router.get("/webhook/deploy/recent", response_model=DeployList, responses=error_responses(*READ_ERRORS))
def list_recent_deploys(
    deploys: DeploysDep,
    workspace: ReadWorkspace,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    service: str | None = None,
) -> dict[str, Any]:
    recent = deploys.recent(workspace, limit, service)
    return {"deploys": [deploy_public(deploy) for deploy in recent], "count": len(recent)}
