"""Deliveries as an operator reads them: an incident's notifications (channel, event, status, attempts, last
error), the workspace's failed deliveries and their replay, and seed 001's test notification through the routing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import Path, Query

from aisre.core.http.deps import CallerDep, ReadWorkspace, WriteWorkspace, provide
from aisre.core.http.routing import ApiRouter
from aisre.core.http.schemas import READ_ERRORS, error_responses
from aisre.incidents.providers import incident_service
from aisre.notifications.api.delivery_schemas import (
    DeliveryList,
    DeliveryPublic,
    IncidentNotifications,
    TestNotificationResult,
)
from aisre.notifications.providers import delivery_records, delivery_worker, notification_tester

if TYPE_CHECKING:
    from aisre.incidents.service.lifecycle import IncidentService
    from aisre.notifications.model.delivery import Delivery
    from aisre.notifications.service.delivery import DeliveryWorker
    from aisre.notifications.service.test_notifications import NotificationTester
    from aisre.notifications.store.delivery_store import DynamoDeliveryStore

RecordsDep = Annotated["DynamoDeliveryStore", provide(delivery_records)]
WorkerDep = Annotated["DeliveryWorker", provide(delivery_worker)]
TesterDep = Annotated["NotificationTester", provide(notification_tester)]
IncidentsDep = Annotated["IncidentService", provide(incident_service)]
IncidentId = Annotated[str, Path(max_length=64, description="The incident's id (inc-...)")]
DeliveryId = Annotated[str, Path(max_length=64, description="A delivery's id (dlv-...)")]

router = ApiRouter(tags=["notifications"])


def delivery_public(delivery: Delivery) -> dict[str, Any]:
    return {
        "id": delivery.delivery_id,
        "incident_id": delivery.incident_id,
        "event": delivery.event_type,
        "event_id": delivery.event_id,
        "target_kind": delivery.target_kind.value,
        "target_id": delivery.target_id,
        "channel": delivery.target_name,
        "channel_type": delivery.target_type,
        "status": delivery.status.value,
        "attempts": delivery.attempts,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "next_attempt_at": delivery.next_attempt_at,
        "created_at": delivery.created_at,
        "updated_at": delivery.updated_at,
    }


@router.get(
    "/incidents/{incident_id}/notifications",
    response_model=IncidentNotifications,
    responses=error_responses(*READ_ERRORS, _404="No such incident in the workspaces the key sees"),
)
def list_incident_notifications(
    incident_id: IncidentId, incidents: IncidentsDep, records: RecordsDep, workspace: ReadWorkspace
) -> dict[str, Any]:
    """What was sent about the incident, oldest first: each channel or webhook, the event, its status, attempts and
    last error. A storm's later incidents are told in their group's conversation: read the group's root."""
    incident = incidents.get(workspace, incident_id)
    found = records.list_for_incident(incident.workspace_id, incident.id)
    return {
        "incident_id": incident.id,
        "group_id": incident.group_id,
        "notifications": [delivery_public(item) for item in found],
        "count": len(found),
    }


@router.get("/api/v1/notifications/deliveries", response_model=DeliveryList, responses=error_responses(*READ_ERRORS))
def list_failed_deliveries(
    records: RecordsDep,
    workspace: WriteWorkspace,
    status: Annotated[Literal["failed"], Query(description="Only `failed` is listed here")] = "failed",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """The workspace's deliveries that gave up, newest first, with the receiver's last answer: to fix and replay."""
    found = records.list_failed(workspace, limit)
    return {"deliveries": [delivery_public(item) for item in found], "count": len(found)}


@router.post(
    "/api/v1/notifications/deliveries/{delivery_id}/replay",
    response_model=DeliveryPublic,
    responses=error_responses(*READ_ERRORS, _404="No such delivery in the workspaces the key sees"),
)
def replay_delivery(delivery_id: DeliveryId, worker: WorkerDep, workspace: ReadWorkspace) -> dict[str, Any]:
    """Queue a failed delivery again, from its first attempt (a delivered one is answered as it is)."""
    return delivery_public(worker.replay(workspace, delivery_id))


@router.post(
    "/notifications/test",
    response_model=TestNotificationResult,
    responses=error_responses(*READ_ERRORS),
)
def send_test_notification(
    tester: TesterDep,
    workspace: WriteWorkspace,
    who: CallerDep,
    severity: Annotated[Literal["critical", "high", "warning", "info"], Query()] = "critical",
    service: Annotated[str | None, Query(max_length=128)] = None,
    message: Annotated[str, Query(max_length=500)] = "Test notification",
) -> dict[str, Any]:
    """Send a test through the real routing now: which channels it reached and what each receiver answered, and who
    is on call for the service."""
    report = tester.send_test(workspace, severity, service, message, who.principal)
    return {
        "sent": any(item.result.ok for item in report.sent),
        "severity": severity,
        "service": service,
        "message": message,
        "channels": [
            {
                "channel_id": item.channel.id,
                "name": item.channel.name,
                "type": item.channel.type.value,
                "delivered": item.result.ok,
                "status_code": item.result.status_code,
                "error": None if item.result.ok else item.result.detail,
            }
            for item in report.sent
        ],
        "oncall": report.oncall,
    }
