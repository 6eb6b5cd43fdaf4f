"""Notification channels (seed 002 /api/v1/notifications/channels): list, create (201 with its id), read, update,
delete. Secret values are kept in the secrets store and masked in every answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Path

from aisre.core.http.deps import CallerDep, WriteWorkspace, provide
from aisre.core.http.routing import ApiRouter
from aisre.core.http.schemas import READ_ERRORS, error_responses
from aisre.notifications.api.routing_schemas import (
    ChannelCreate,
    ChannelDeleted,
    ChannelList,
    ChannelPublic,
    ChannelUpdate,
)
from aisre.notifications.providers import channel_service

if TYPE_CHECKING:
    from aisre.notifications.model.channels import Channel
    from aisre.notifications.service.channels import ChannelService

ChannelsDep = Annotated["ChannelService", provide(channel_service)]
ChannelId = Annotated[str, Path(max_length=64, description="A channel's id (ch-...)")]

router = ApiRouter(prefix="/api/v1/notifications", tags=["notifications"])

_NOT_FOUND = "No such channel in the workspace"
_CHANGE_ERRORS = error_responses(
    400,
    409,
    413,
    *READ_ERRORS,
    _404=_NOT_FOUND,
    _409="The workspace has a channel of that name, or 100 channels; or it changed meanwhile (read it again)",
    _422="An unknown type, a config key the type does not take, a required one missing, a URL that is not https "
    "(`error.field` names it: `type`, `config.webhook_url`...)",
)


def channel_public(channel: Channel) -> dict[str, Any]:
    from aisre.notifications.model.channels import secret_keys

    return {
        "id": channel.id,
        "name": channel.name,
        "type": channel.type.value,
        "config": channel.masked_config(),
        "secret_keys": sorted(secret_keys(channel.type)),
        "enabled": channel.enabled,
        "created_at": channel.created_at,
        "updated_at": channel.updated_at,
        "created_by": channel.created_by,
        "version": channel.version,
    }


@router.get("/channels", response_model=ChannelList, responses=error_responses(*READ_ERRORS))
def list_notification_channels(channels: ChannelsDep, workspace: WriteWorkspace) -> dict[str, Any]:
    """The workspace's channels by name, secrets masked."""
    found = channels.list(workspace)
    return {"channels": [channel_public(channel) for channel in found], "count": len(found)}


@router.post("/channels", status_code=201, response_model=ChannelPublic, responses=_CHANGE_ERRORS)
def create_notification_channel(
    body: ChannelCreate, channels: ChannelsDep, workspace: WriteWorkspace, who: CallerDep
) -> dict[str, Any]:
    """A channel: its config checked for its type; secret values stored in the secrets store, never answered."""
    channel = channels.create(
        workspace, who.principal, name=body.name, type=body.type, config=body.config, enabled=body.enabled
    )
    return channel_public(channel)


@router.get(
    "/channels/{channel_id}", response_model=ChannelPublic, responses=error_responses(*READ_ERRORS, _404=_NOT_FOUND)
)
def get_notification_channel(channel_id: ChannelId, channels: ChannelsDep, workspace: WriteWorkspace) -> dict[str, Any]:
    return channel_public(channels.get(workspace, channel_id))


@router.put("/channels/{channel_id}", response_model=ChannelPublic, responses=_CHANGE_ERRORS)
def update_notification_channel(
    channel_id: ChannelId, body: ChannelUpdate, channels: ChannelsDep, workspace: WriteWorkspace
) -> dict[str, Any]:
    """Change what the body names. A secret sent back masked, as a read shows it, keeps its stored value."""
    channel = channels.update(
        workspace, channel_id, name=body.name, type=body.type, config=body.config, enabled=body.enabled
    )
    return channel_public(channel)


@router.delete(
    "/channels/{channel_id}",
    response_model=ChannelDeleted,
    responses=error_responses(
        409, *READ_ERRORS, _404=_NOT_FOUND, _409="Rules name the channel (`error.details.rules`): change them first"
    ),
)
def delete_notification_channel(
    channel_id: ChannelId, channels: ChannelsDep, workspace: WriteWorkspace
) -> dict[str, Any]:
    """Delete the channel and its secret. A channel that rules name is refused (409 naming them)."""
    channel = channels.delete(workspace, channel_id)
    return {"id": channel.id, "deleted": True}
