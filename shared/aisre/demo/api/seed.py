"""POST /demo/seed (seed 001 "Seed Demo Data"): the workspace filled with one coherent outage, once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Response

from aisre.core.http.deps import CallerDep, WriteWorkspace, provide
from aisre.core.http.routing import ApiRouter
from aisre.core.http.schemas import READ_ERRORS, error_responses
from aisre.demo.api.schemas import DemoSeedPublic
from aisre.demo.providers import demo_seeder

if TYPE_CHECKING:
    from aisre.demo.service.seeding import DemoSeeder

SeederDep = Annotated["DemoSeeder", provide(demo_seeder)]

router = ApiRouter(tags=["demo"])


@router.post(
    "/demo/seed",
    status_code=201,
    response_model=DemoSeedPublic,
    responses={
        200: {"model": DemoSeedPublic, "description": "Seeded before: the same ids, `created` false, nothing new"},
        **error_responses(
            403,
            409,
            *READ_ERRORS,
            _403="API keys are configured and the key is scoped to one workspace: only a key that sees every "
            "workspace (an admin) may seed, or dev mode",
            _409="Another request is seeding this workspace now: ask again in a few seconds",
        ),
    },
)
def seed_demo(seeder: SeederDep, workspace: WriteWorkspace, who: CallerDep, response: Response) -> Any:
    """Fill the workspace (X-Workspace-Id) with a story: a deploy of checkout, the alert storm after it compressed
    into a few incidents, their finished diagnoses, an approval waiting, an earlier incident resolved with how, a
    dead letter, checkout's on-call. Refused to a scoped key unless in dev mode; idempotent (200 the second time)."""
    from aisre.demo.errors import DemoRefusedError

    if who.workspace_id is not None:
        raise DemoRefusedError(
            f"seeding demo data is refused to a key scoped to workspace {who.workspace_id}: it fills a workspace "
            "with made-up incidents, so only dev mode (no API keys) or a key that sees every workspace may ask",
            field="X-API-Key",
        )
    result = seeder.seed(workspace)
    if not result.created:
        response.status_code = 200
    return result.model_dump(mode="json")
