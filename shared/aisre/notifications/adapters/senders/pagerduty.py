"""PagerDuty Events API v2: trigger, acknowledge and resolve under one dedup_key per incident conversation,
POSTed to the channel's events_url (PagerDuty's own by default), which answers 202."""

from __future__ import annotations

from aisre.notifications.adapters.senders.base import TIMEOUT_SECONDS, base_url, post_json, result_of
from aisre.notifications.model.channels import Channel
from aisre.notifications.model.delivery import SendResult
from aisre.notifications.model.events import NotificationEvent
from aisre.notifications.model.messages.pagerduty import pagerduty_dedup_key, pagerduty_event
from aisre.notifications.ports import OutboundHttp

DEFAULT_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"


class PagerDutySender:
    def __init__(self, http: OutboundHttp, timeout: float = TIMEOUT_SECONDS) -> None:
        self._http = http
        self._timeout = timeout

    def send(self, channel: Channel, event: NotificationEvent, thread: str | None = None) -> SendResult:
        routing_key = channel.config.get("routing_key")
        if not routing_key:
            return SendResult.refused("the pagerduty channel has no routing_key")
        dedup_key = thread or pagerduty_dedup_key(event)
        url = base_url(channel.config, "events_url", DEFAULT_EVENTS_URL)
        posted = post_json(self._http, url, pagerduty_event(event, str(routing_key), dedup_key), timeout=self._timeout)
        return posted if isinstance(posted, SendResult) else result_of(posted, external_ref=dedup_key)
