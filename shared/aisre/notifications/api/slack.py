"""Slack's interactivity endpoint (POST /integrations/slack/interactions): the buttons of our Slack messages,
acted on as the person who clicked. Authenticated by Slack's signature over the raw body (SLACK_SIGNING_SECRET),
not by an API key: Slack cannot send one, and the signing secret is the stronger proof."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from aisre.core.http.deps import provide
from aisre.core.http.routing import ApiRouter
from aisre.core.http.schemas import error_responses
from aisre.notifications.providers import slack_interactions

if TYPE_CHECKING:
    from aisre.notifications.service.slack_interactions import SlackInteractions

InteractionsDep = Annotated["SlackInteractions", provide(slack_interactions)]

router = ApiRouter(tags=["slack"])


class SlackInteractionReply(BaseModel):
    """Slack's message shape for what happened; empty when there is nothing to say (a link button)."""

    response_type: str | None = Field(None, description="in_channel when something happened, else ephemeral")
    replace_original: bool | None = None
    text: str | None = Field(None, description="What the person who clicked is told")


_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "properties": {"payload": {"type": "string", "description": "Slack's block_actions payload (JSON)"}},
                "required": ["payload"],
            }
        }
    },
}


@router.post(
    "/integrations/slack/interactions",
    response_model=SlackInteractionReply,
    responses=error_responses(
        400,
        401,
        413,
        422,
        503,
        _400="The body is not Slack's `payload` form, a button's value is not ours, or a signature header is malformed",
        _401="The Slack signature is missing, wrong or older than 5 minutes; or SLACK_SIGNING_SECRET is not set",
        _422="A button's value names a malformed workspace",
    ),
    openapi_extra={"requestBody": _BODY},
)
async def handle_slack_interaction(request: Request, interactions: InteractionsDep) -> Any:
    """Act on a Slack button (Acknowledge, Approve) as the person who clicked; a refusal is a 200 telling them."""
    body = await request.body()  # the raw bytes the signature covers, before anything parses them
    reply = await run_in_threadpool(interactions.handle, body, request.headers)
    return reply.body()
