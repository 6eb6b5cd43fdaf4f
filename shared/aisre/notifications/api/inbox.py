"""In-app notifications of the calling principal (seed 002 /api/v1/notifications): a page of them newest first,
the unread count, marking one or all read. Each principal (an API key's name) sees only their own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Path, Query

from aisre.core.http.deps import CallerDep, WriteWorkspace, provide
from aisre.core.http.routing import ApiRouter
from aisre.core.http.schemas import READ_ERRORS, error_responses
from aisre.notifications.api.routing_schemas import AllRead, NotificationList, NotificationPublic, UnreadCount
from aisre.notifications.providers import inbox_service

if TYPE_CHECKING:
    from aisre.notifications.model.inbox import InboxItem
    from aisre.notifications.service.inbox import InboxService

InboxDep = Annotated["InboxService", provide(inbox_service)]
NotificationId = Annotated[str, Path(max_length=64, description="A notification's id (ntf-...)")]

router = ApiRouter(prefix="/api/v1/notifications", tags=["notifications"])


def notification_public(item: InboxItem, boundary: str | None) -> dict[str, Any]:
    return {
        "id": item.id,
        "event_type": item.event_type,
        "title": item.title,
        "message": item.message,
        "severity": item.severity,
        "service": item.service,
        "incident_id": item.incident_id,
        "link": item.link,
        "read": item.read_by(boundary),
        "read_at": item.read_at,
        "created_at": item.created_at,
    }


# The collection answers with and without a trailing slash: a redirect from behind API Gateway's stage prefix would
# point outside the API.
@router.get("/", response_model=NotificationList, include_in_schema=False)
@router.get("", response_model=NotificationList, responses=error_responses(*READ_ERRORS))
def list_notifications(
    inbox: InboxDep,
    workspace: WriteWorkspace,
    who: CallerDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=1000)] = 0,
) -> dict[str, Any]:
    """The caller's notifications, newest first."""
    page = inbox.page(workspace, who.principal, limit, offset)
    return {
        "notifications": [notification_public(item, page.boundary) for item in page.items],
        "count": len(page.items),
        "limit": limit,
        "offset": offset,
        "has_more": page.has_more,
    }


@router.get("/unread-count", response_model=UnreadCount, responses=error_responses(*READ_ERRORS))
def count_unread_notifications(inbox: InboxDep, workspace: WriteWorkspace, who: CallerDep) -> dict[str, Any]:
    return {"unread_count": inbox.unread_count(workspace, who.principal)}


@router.put("/read-all", response_model=AllRead, responses=error_responses(*READ_ERRORS))
def mark_all_notifications_read(inbox: InboxDep, workspace: WriteWorkspace, who: CallerDep) -> dict[str, Any]:
    """Every notification of the caller's that arrived until now is read."""
    return {"marked_read": inbox.mark_all_read(workspace, who.principal), "unread_count": 0}


@router.put(
    "/{notification_id}/read",
    response_model=NotificationPublic,
    responses=error_responses(*READ_ERRORS, _404="No such notification of the caller's"),
)
def mark_notification_read(
    notification_id: NotificationId, inbox: InboxDep, workspace: WriteWorkspace, who: CallerDep
) -> dict[str, Any]:
    item = inbox.mark_read(workspace, who.principal, notification_id)
    return notification_public(item, None)
