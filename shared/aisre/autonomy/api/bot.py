"""The bot (seed 001 POST /bot/interact): answers about an incident and proposes actions; applies them only when
asked and the policy allows it unapproved. Served by the actions function, the only one that writes to a cluster."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from aisre.autonomy.api.schemas import BotInteract, BotInteraction
from aisre.autonomy.providers import bot_service
from aisre.core.http.deps import CallerDep, WriteWorkspace, provide
from aisre.core.http.routing import ApiRouter
from aisre.core.http.schemas import READ_ERRORS, error_responses

if TYPE_CHECKING:
    from aisre.autonomy.service.bot import BotService

# Named as a string: the engine, the policy and the cluster client load with the first request, not the router.
BotDep = Annotated["BotService", provide(bot_service)]

router = ApiRouter(tags=["bot"])


@router.post(
    "/bot/interact",
    response_model=BotInteraction,
    responses=error_responses(
        400,
        413,
        *READ_ERRORS,
        _404="The incident_id is not in the workspace",
        _422="A blank or too long `message`, a malformed `incident_id` (named in `error.field`)",
    ),
)
def bot_interact(body: BotInteract, bot: BotDep, workspace: WriteWorkspace, who: CallerDep) -> dict[str, Any]:
    """Ask about an incident: the answer from its diagnosis and the investigation engine, and the diagnosis'
    suggested actions as proposals with the policy's verdicts. With `auto_apply`, those the policy allows without
    approval are carried out as the caller (not a dry run); the others say why they wait for a person."""
    reply = bot.interact(workspace, body.message, body.incident_id, body.auto_apply, who.principal)
    return reply.model_dump(mode="json", exclude={"proposals": {"__all__": {"executable"}}})
