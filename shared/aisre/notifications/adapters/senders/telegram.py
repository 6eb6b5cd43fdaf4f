"""Telegram's Bot API: sendMessage (HTML) at {api_url}/bot<token>/sendMessage, a later event replying to the
conversation's first message. Telegram puts its refusals in the body ({"ok": false, "error_code", "description",
"parameters": {"retry_after"}}): the wait it asks for is honoured like a Retry-After header."""

from __future__ import annotations

from dataclasses import replace

from aisre.notifications.adapters.senders.base import TIMEOUT_SECONDS, base_url, json_object, post_json, result_of
from aisre.notifications.model.channels import Channel
from aisre.notifications.model.delivery import SendResult
from aisre.notifications.model.events import NotificationEvent
from aisre.notifications.model.messages.telegram import telegram_message
from aisre.notifications.ports import OutboundHttp

DEFAULT_API_URL = "https://api.telegram.org"


class TelegramSender:
    def __init__(self, http: OutboundHttp, timeout: float = TIMEOUT_SECONDS) -> None:
        self._http = http
        self._timeout = timeout

    def send(self, channel: Channel, event: NotificationEvent, thread: str | None = None) -> SendResult:
        token, chat_id = channel.config.get("bot_token"), channel.config.get("chat_id")
        if not token or not chat_id:
            return SendResult.refused("the telegram channel needs bot_token and chat_id")
        reply_to = int(thread) if thread and thread.isdigit() else None
        url = f"{base_url(channel.config, 'api_url', DEFAULT_API_URL)}/bot{token}/sendMessage"
        posted = post_json(self._http, url, telegram_message(event, str(chat_id), reply_to), timeout=self._timeout)
        if isinstance(posted, SendResult):
            return posted
        answer = json_object(posted) or {}
        if 200 <= posted.status_code < 300 and answer.get("ok") is False:
            return SendResult(False, posted.status_code, str(answer.get("description") or "not ok")[:500])
        result = answer.get("result")
        message_id = result.get("message_id") if isinstance(result, dict) else None
        ref = thread or (str(message_id) if isinstance(message_id, int) else None)
        sent = result_of(posted, external_ref=ref)
        parameters = answer.get("parameters")
        wait = parameters.get("retry_after") if isinstance(parameters, dict) else None
        if sent.retry_after is None and isinstance(wait, (int, float)) and not isinstance(wait, bool) and wait >= 0:
            sent = replace(sent, retry_after=float(min(wait, 86_400)))
        return sent
