"""IntegrationReads over the notifications' services: channels, routing rules, outgoing webhooks, on-call."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aisre.insights.model.catalog import Integrations

if TYPE_CHECKING:
    from aisre.core.paging import Page
    from aisre.notifications.service.channels import ChannelService
    from aisre.notifications.service.escalation_policies import EscalationPolicyService
    from aisre.notifications.service.oncall import OnCallService
    from aisre.notifications.service.rules import RuleService
    from aisre.notifications.service.webhooks import WebhookService

PAGE = 100
MAX_PAGES = 10  # at most 1,000 policies and schedules counted: then `truncated`


class NotificationIntegrations:
    def __init__(
        self,
        channels: ChannelService,
        rules: RuleService,
        webhooks: WebhookService,
        policies: EscalationPolicyService,
        schedules: OnCallService,
    ):
        self._channels = channels
        self._rules = rules
        self._webhooks = webhooks
        self._policies = policies
        self._schedules = schedules

    def channel_types(self, workspace_id: str) -> tuple[str, ...]:
        return tuple(sorted({channel.type.value for channel in self._channels.list(workspace_id)}))

    def integrations(self, workspace_id: str) -> Integrations:
        channels = self._channels.list(workspace_id)
        policies, more_policies = _count(lambda cursor: self._policies.list_policies(workspace_id, PAGE, cursor))
        schedules, more_schedules = _count(lambda cursor: self._schedules.list_schedules(workspace_id, PAGE, cursor))
        return Integrations(
            workspace_id=workspace_id,
            channels=len(channels),
            channel_types=tuple(sorted({channel.type.value for channel in channels})),
            routing_rules=len(self._rules.list(workspace_id)),
            outgoing_webhooks=len(self._webhooks.list_webhooks(workspace_id)),
            escalation_policies=policies,
            oncall_schedules=schedules,
            truncated=more_policies or more_schedules,
        )


def _count(read: Callable[[str | None], Page[Any]]) -> tuple[int, bool]:
    total, cursor = 0, None
    for _ in range(MAX_PAGES):
        page = read(cursor)
        total += len(page.items)
        cursor = page.cursor
        if cursor is None:
            return total, False
    return total, True
