"""ports.TriggerActions over the rest of the platform: a delivery queued to a channel (the delivery queue), an
investigation requested (the investigations' queue, as a new incident's is), a workflow run started (the workflows'
RunService). Each part is asked for only when an action needs it, so the triggers' routes load none of them."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from aisre.core.errors import DependencyUnavailableError, NotFoundError, ValidationError
from aisre.notifications.model.delivery import DeliveryJob, TargetKind
from aisre.notifications.model.events import NotificationEvent
from aisre.notifications.ports import ChannelLookup, DeliveryQueue

if TYPE_CHECKING:
    from aisre.investigations.ports import InvestigationQueue
    from aisre.workflows.service.definitions import WorkflowService
    from aisre.workflows.service.runs import RunService


class PlatformTriggerActions:
    def __init__(
        self,
        *,
        channels: Callable[[], ChannelLookup | None],
        deliveries: Callable[[], DeliveryQueue | None],
        investigations: Callable[[], InvestigationQueue | None],
        workflows: Callable[[], WorkflowService],
        runs: Callable[[], RunService],
    ):
        self._channels = channels
        self._deliveries = deliveries
        self._investigations = investigations
        self._workflows = workflows
        self._runs = runs

    def check_channel(self, workspace_id: str, channel_id: str) -> None:
        self._channel_lookup().get_channel(workspace_id, channel_id)

    def check_workflow(self, workspace_id: str, workflow_id: str) -> None:
        self._workflows().get(workspace_id, workflow_id)

    def notify(self, workspace_id: str, channel_id: str, event: NotificationEvent) -> str:
        channel = self._channel_lookup().get_channel(workspace_id, channel_id)
        if not channel.enabled:
            raise ValidationError(f"channel {channel_id} is disabled", field="action.channel_id")
        queue = self._deliveries()
        if queue is None:
            raise DependencyUnavailableError("no delivery queue is configured (NOTIFICATION_QUEUE_URL)")
        job = DeliveryJob(f"dlv-{secrets.token_hex(8)}", workspace_id, TargetKind.CHANNEL, channel.id, event)
        queue.enqueue([job])
        return job.delivery_id

    def investigate(self, workspace_id: str, incident_id: str, reason: str) -> str:
        from aisre.investigations.model.start_requests import InvestigationRequest

        queue = self._investigations()
        if queue is None:
            raise DependencyUnavailableError("no investigation queue is configured (INVESTIGATION_QUEUE_URL)")
        queue.request([InvestigationRequest(workspace_id, incident_id, trigger=reason)])
        return incident_id

    def run_workflow(
        self,
        workspace_id: str,
        workflow_id: str,
        context: Mapping[str, Any],
        principal: str,
        *,
        dry_run: bool,
        incident_id: str | None,
    ) -> str:
        run = self._runs().execute(
            workspace_id, workflow_id, context, principal, dry_run=dry_run, incident_id=incident_id
        )
        return run.id

    def _channel_lookup(self) -> ChannelLookup:
        channels = self._channels()
        if channels is None:
            raise NotFoundError("no channel is known: channels are not wired into this build", field="channel_id")
        return channels
