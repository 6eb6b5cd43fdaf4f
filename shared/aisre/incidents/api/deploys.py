"""Deploy events from CI/CD, and the recent-deploys list deploy correlation draws on."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from aisre.core.http.deps import ReadWorkspace, WriteWorkspace, provide
from aisre.incidents.model.deploy import Deploy
from aisre.incidents.providers import deploy_service
from aisre.incidents.service.deploys import DeployService

DeploysDep = Annotated[DeployService, provide(deploy_service)]

router = APIRouter(tags=["deploys"])


class DeployCreate(BaseModel):
    service: str = Field(min_length=1, max_length=200)
    namespace: str | None = Field(None, max_length=200)
    environment: str | None = Field(None, max_length=100)
    image: str | None = Field(None, max_length=500)
    version: str | None = Field(None, max_length=200)
    actor: str | None = Field(None, max_length=200)
    commit_sha: str | None = Field(None, max_length=100)
    description: str | None = Field(None, max_length=2000)
    timestamp: datetime | None = Field(None, description="When the deploy finished; now if omitted")
    deploy_id: str | None = Field(None, pattern=r"^[A-Za-z0-9._:-]{1,100}$")


def deploy_public(deploy: Deploy) -> dict[str, Any]:
    return deploy.model_dump(mode="json")


@router.post("/webhook/deploy")
async def ingest_deploy(body: DeployCreate, deploys: DeploysDep, workspace: WriteWorkspace) -> dict[str, Any]:
    """Record a deploy; incidents of the service opened soon after are correlated with it."""
    deploy = await run_in_threadpool(deploys.record, workspace, body.model_dump(exclude_none=True))
    return {"ok": True, "deploy_id": deploy.deploy_id, "stored": deploy_public(deploy)}


@router.get("/webhook/deploy/recent")
def list_recent_deploys(
    deploys: DeploysDep,
    workspace: ReadWorkspace,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    service: str | None = None,
) -> dict[str, Any]:
    recent = deploys.recent(workspace, limit, service)
    return {"deploys": [deploy_public(deploy) for deploy in recent], "count": len(recent)}
