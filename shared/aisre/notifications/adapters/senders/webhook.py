"""Outgoing webhooks (ports.WebhookSender): the Standard Webhooks payload POSTed to the webhook's URL, signed with
its secret at the moment of each attempt, under the delivery's own message id (the same on every retry)."""

from __future__ import annotations

import time
from collections.abc import Callable

from aisre.notifications.adapters.senders.base import TIMEOUT_SECONDS, post, result_of
from aisre.notifications.errors import WebhookSecretError
from aisre.notifications.model.delivery import SendResult
from aisre.notifications.model.events import NotificationEvent
from aisre.notifications.model.messages.webhook import webhook_body
from aisre.notifications.model.webhook_signing import webhook_headers
from aisre.notifications.model.webhooks import OutgoingWebhook
from aisre.notifications.ports import OutboundHttp


class SignedWebhookSender:
    def __init__(
        self, http: OutboundHttp, timeout: float = TIMEOUT_SECONDS, clock: Callable[[], float] = time.time
    ) -> None:
        self._http = http
        self._timeout = timeout
        self._clock = clock

    def send(self, webhook: OutgoingWebhook, event: NotificationEvent, message_id: str) -> SendResult:
        body = webhook_body(event)
        try:
            headers = webhook_headers(webhook.secret, message_id, int(self._clock()), body)
        except WebhookSecretError as unusable:
            return SendResult.refused(unusable.message)
        posted = post(self._http, webhook.url, body, headers, timeout=self._timeout)
        return posted if isinstance(posted, SendResult) else result_of(posted, external_ref=message_id)
