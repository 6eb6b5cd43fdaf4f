"""Outgoing webhooks (seed 002 /api/v1/webhooks): subscribe a URL to events; deliveries are signed following the
Standard Webhooks specification with the webhook's secret, shown once when it is created."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Path, Query

from aisre.core.http.deps import CallerDep, ReadWorkspace, WriteWorkspace, provide
from aisre.core.http.routing import ApiRouter
from aisre.core.http.schemas import READ_ERRORS, error_responses
from aisre.notifications.api.hooks_schemas import (
    DeliveryList,
    WebhookCreate,
    WebhookCreated,
    WebhookDeleted,
    WebhookList,
    WebhookPublic,
    WebhookTestResult,
    WebhookUpdate,
)
from aisre.notifications.providers import webhook_service

if TYPE_CHECKING:
    from aisre.notifications.model.delivery import Delivery
    from aisre.notifications.model.webhooks import OutgoingWebhook
    from aisre.notifications.service.webhooks import WebhookService

WebhooksDep = Annotated["WebhookService", provide(webhook_service)]
WebhookId = Annotated[str, Path(max_length=64, description="The id the create answered (whk-...)")]

router = ApiRouter(prefix="/api/v1", tags=["webhooks"])

_NOT_FOUND = "No such webhook in the workspaces the key sees"
_BAD_WEBHOOK = (
    "A field that cannot be used, named in `error.field`: url (not https, or its host resolves to a loopback, "
    "link-local, metadata or private address), events[i] (not an event name), secret (not `whsec_` + base64)"
)
_CHANGE_ERRORS = error_responses(
    400,
    409,
    413,
    *READ_ERRORS,
    _404=_NOT_FOUND,
    _409="Changed meanwhile, or too many webhooks in the workspace",
    _422=_BAD_WEBHOOK,
)


def webhook_public(webhook: OutgoingWebhook) -> dict[str, Any]:
    from aisre.notifications.model.webhooks import secret_hint

    return {
        "id": webhook.id,
        "workspace_id": webhook.workspace_id,
        "url": webhook.url,
        "events": list(webhook.events),
        "enabled": webhook.enabled,
        "description": webhook.description,
        "secret_hint": secret_hint(webhook.secret),
        "created_by": webhook.created_by,
        "created_at": webhook.created_at,
        "updated_at": webhook.updated_at,
        "version": webhook.version,
    }


def delivery_public(delivery: Delivery) -> dict[str, Any]:
    return {
        "id": delivery.delivery_id,
        "target_kind": delivery.target_kind.value,
        "target_id": delivery.target_id,
        "target_name": delivery.target_name,
        "target_type": delivery.target_type,
        "event_type": delivery.event_type,
        "event_id": delivery.event_id,
        "incident_id": delivery.incident_id,
        "status": delivery.status.value,
        "attempts": delivery.attempts,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "created_at": delivery.created_at,
        "updated_at": delivery.updated_at,
        "next_attempt_at": delivery.next_attempt_at,
    }


# The collection answers with a trailing slash too (undocumented): a redirect from behind API Gateway's stage
# prefix would point outside the API.
@router.get("/webhooks/", response_model=WebhookList, include_in_schema=False)
@router.get("/webhooks", response_model=WebhookList, responses=error_responses(*READ_ERRORS))
def list_webhooks(webhooks: WebhooksDep, workspace: ReadWorkspace) -> dict[str, Any]:
    """The workspace's outgoing webhooks, newest first (their secrets as hints)."""
    found = webhooks.list_webhooks(workspace)
    return {"webhooks": [webhook_public(webhook) for webhook in found], "count": len(found)}


@router.post("/webhooks/", status_code=201, response_model=WebhookCreated, include_in_schema=False)
@router.post("/webhooks", status_code=201, response_model=WebhookCreated, responses=_CHANGE_ERRORS)
def create_webhook(
    body: WebhookCreate, webhooks: WebhooksDep, workspace: WriteWorkspace, who: CallerDep
) -> dict[str, Any]:
    """Subscribe a URL to events. The answer carries the signing secret (yours, or a generated one): it is shown
    this once, and every delivery carries `webhook-id`, `webhook-timestamp` and `webhook-signature` made with it."""
    webhook = webhooks.create(
        workspace,
        who.principal,
        url=body.url,
        events=body.events,
        secret=body.secret,
        description=body.description,
        enabled=body.enabled,
    )
    return webhook_public(webhook) | {"secret": webhook.secret}


@router.get(
    "/webhooks/{webhook_id}", response_model=WebhookPublic, responses=error_responses(*READ_ERRORS, _404=_NOT_FOUND)
)
def get_webhook(webhook_id: WebhookId, webhooks: WebhooksDep, workspace: ReadWorkspace) -> dict[str, Any]:
    """The webhook, its secret as a hint."""
    return webhook_public(webhooks.get(workspace, webhook_id))


@router.put("/webhooks/{webhook_id}", response_model=WebhookPublic, responses=_CHANGE_ERRORS)
def update_webhook(
    webhook_id: WebhookId, body: WebhookUpdate, webhooks: WebhooksDep, workspace: ReadWorkspace
) -> dict[str, Any]:
    """Change the fields sent (url, events, secret, description, enabled); a new URL is checked as at creation."""
    from aisre.notifications.service.webhooks import WebhookChanges

    changes = WebhookChanges(
        url=body.url, events=body.events, secret=body.secret, description=body.description, enabled=body.enabled
    )
    return webhook_public(webhooks.update(workspace, webhook_id, changes))


@router.delete(
    "/webhooks/{webhook_id}", response_model=WebhookDeleted, responses=error_responses(*READ_ERRORS, _404=_NOT_FOUND)
)
def delete_webhook(webhook_id: WebhookId, webhooks: WebhooksDep, workspace: ReadWorkspace) -> dict[str, Any]:
    """Stop deliveries to it; the deliveries already made stay listed until they age out."""
    webhook = webhooks.delete(workspace, webhook_id)
    return {"id": webhook.id, "deleted": True}


@router.post(
    "/webhooks/{webhook_id}/test",
    response_model=WebhookTestResult,
    responses=error_responses(*READ_ERRORS, _404=_NOT_FOUND),
)
def test_webhook(webhook_id: WebhookId, webhooks: WebhooksDep, workspace: ReadWorkspace) -> dict[str, Any]:
    """Send a signed `notification.test` event now and answer what the receiver said (a receiver that is down or
    refuses is `ok: false` with its answer, never an error of this request); the attempt is among its deliveries."""
    sent = webhooks.send_test(workspace, webhook_id)
    return {
        "webhook_id": sent.delivery.target_id,
        "delivery_id": sent.delivery.delivery_id,
        "event_type": sent.delivery.event_type,
        "ok": sent.result.ok,
        "status": sent.delivery.status.value,
        "status_code": sent.result.status_code,
        "response": sent.result.detail,
    }


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response_model=DeliveryList,
    responses=error_responses(*READ_ERRORS, _404=_NOT_FOUND),
)
def list_webhook_deliveries(
    webhook_id: WebhookId,
    webhooks: WebhooksDep,
    workspace: ReadWorkspace,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """The webhook's deliveries, newest first: event, status, attempts, the receiver's last status and error."""
    webhook, deliveries = webhooks.deliveries(workspace, webhook_id, limit)
    return {
        "webhook_id": webhook.id,
        "deliveries": [delivery_public(delivery) for delivery in deliveries],
        "count": len(deliveries),
    }
