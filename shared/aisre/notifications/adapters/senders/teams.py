"""Microsoft Teams: the Adaptive Card POSTed to the channel's Workflows or incoming webhook URL (202 or 200)."""

from __future__ import annotations

from aisre.notifications.adapters.senders.base import TIMEOUT_SECONDS, post_json, result_of
from aisre.notifications.model.channels import Channel
from aisre.notifications.model.delivery import SendResult
from aisre.notifications.model.events import NotificationEvent
from aisre.notifications.model.messages.teams import teams_message
from aisre.notifications.ports import OutboundHttp


class TeamsSender:
    def __init__(self, http: OutboundHttp, timeout: float = TIMEOUT_SECONDS) -> None:
        self._http = http
        self._timeout = timeout

    def send(self, channel: Channel, event: NotificationEvent, thread: str | None = None) -> SendResult:
        url = channel.config.get("webhook_url")
        if not url:
            return SendResult.refused("the teams channel has no webhook_url")
        posted = post_json(self._http, str(url), teams_message(event), timeout=self._timeout)
        return posted if isinstance(posted, SendResult) else result_of(posted)
