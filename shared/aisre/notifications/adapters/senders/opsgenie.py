"""Opsgenie's Alert API: create the conversation's alert (alias = its key), acknowledge and close it by alias,
a note for the events between; `Authorization: GenieKey <api_key>`, at the channel's api_url (Opsgenie's own by
default; https://api.eu.opsgenie.com for an EU account). Every call answers 202."""

from __future__ import annotations

from aisre.notifications.adapters.senders.base import TIMEOUT_SECONDS, base_url, post_json, result_of
from aisre.notifications.model.channels import Channel
from aisre.notifications.model.delivery import SendResult
from aisre.notifications.model.events import NotificationEvent
from aisre.notifications.model.messages.opsgenie import opsgenie_alias, opsgenie_request
from aisre.notifications.ports import OutboundHttp

DEFAULT_API_URL = "https://api.opsgenie.com"


class OpsgenieSender:
    def __init__(self, http: OutboundHttp, timeout: float = TIMEOUT_SECONDS) -> None:
        self._http = http
        self._timeout = timeout

    def send(self, channel: Channel, event: NotificationEvent, thread: str | None = None) -> SendResult:
        api_key = channel.config.get("api_key")
        if not api_key:
            return SendResult.refused("the opsgenie channel has no api_key")
        alias = thread or opsgenie_alias(event)
        request = opsgenie_request(event, alias, existing=thread is not None)
        url = base_url(channel.config, "api_url", DEFAULT_API_URL) + request.path
        posted = post_json(
            self._http, url, request.body, {"Authorization": f"GenieKey {api_key}"}, timeout=self._timeout
        )
        return posted if isinstance(posted, SendResult) else result_of(posted, external_ref=alias)
