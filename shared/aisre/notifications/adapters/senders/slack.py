"""Slack: an incoming webhook (POST the blocks; it cannot update or thread, so each event is a new message), or a
bot token: chat.postMessage for a conversation's first event, then for each later one a reply in the first
message's thread and chat.update of the first message (title, state, counts). The Web API answers 200 with
{"ok": false, "error": ...} when it refuses: a failed SendResult, retryable only for the errors that pass."""

from __future__ import annotations

from typing import Any

from aisre.notifications.adapters.senders.base import (
    TIMEOUT_SECONDS,
    base_url,
    json_object,
    post_json,
    result_of,
    retry_after_of,
)
from aisre.notifications.model.channels import Channel
from aisre.notifications.model.delivery import SendResult
from aisre.notifications.model.events import EventType, NotificationEvent
from aisre.notifications.model.incident_events import is_group_update
from aisre.notifications.model.messages.slack import slack_message, slack_reply
from aisre.notifications.ports import HttpAnswer, OutboundHttp

DEFAULT_API_URL = "https://slack.com/api"
# Web API errors a later attempt can get past; every other (invalid_auth, channel_not_found, not_in_channel,
# msg_too_long, ...) needs a person to change the channel or the app.
RETRYABLE_ERRORS = frozenset(
    {"ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


class SlackSender:
    def __init__(self, http: OutboundHttp, timeout: float = TIMEOUT_SECONDS) -> None:
        self._http = http
        self._timeout = timeout

    def send(self, channel: Channel, event: NotificationEvent, thread: str | None = None) -> SendResult:
        config = channel.config
        token = config.get("bot_token")
        if token:
            api = base_url(config, "api_url", DEFAULT_API_URL)
            conversation = _split_ref(thread)
            if conversation is None:
                return self._post_first(api, str(token), str(config.get("channel") or ""), event)
            return self._post_later(api, str(token), conversation, event, thread or "")
        webhook_url = config.get("webhook_url")
        if webhook_url:
            posted = post_json(self._http, str(webhook_url), slack_message(event), timeout=self._timeout)
            return posted if isinstance(posted, SendResult) else result_of(posted)
        return SendResult.refused("the slack channel has neither webhook_url nor bot_token")

    def _post_first(self, api: str, token: str, channel_id: str, event: NotificationEvent) -> SendResult:
        message = {"channel": channel_id, "unfurl_links": False, **slack_message(event)}
        called = self._call(api, "chat.postMessage", token, message)
        if isinstance(called, SendResult):
            return called
        answer, reply = called
        ref = f"{reply.get('channel') or channel_id}:{reply.get('ts')}" if reply.get("ts") else None
        return SendResult.from_http(answer.status_code, answer.body, external_ref=ref)

    def _post_later(
        self, api: str, token: str, conversation: tuple[str, str], event: NotificationEvent, thread: str
    ) -> SendResult:
        channel_id, ts = conversation
        # The reply first: if it fails, nothing was posted and a retry does it all again; if it passed, a failed
        # update leaves the first message a little stale, which is not worth a second reply on retry.
        reply_message = {"channel": channel_id, "thread_ts": ts, "unfurl_links": False, **slack_reply(event)}
        if event.event_type is EventType.INCIDENT_ESCALATED:
            reply_message["reply_broadcast"] = True  # an escalation is news for the whole channel
        called = self._call(api, "chat.postMessage", token, reply_message)
        if isinstance(called, SendResult):
            return called
        answer, _reply = called
        if is_group_update(event):
            # The card is the group's root's: a later incident of the storm is told in the thread, not over it.
            return SendResult(True, answer.status_code, f"replied in thread {thread}", external_ref=thread)
        card = {"channel": channel_id, "ts": ts, **slack_message(event, approve=False)}
        updated = self._call(api, "chat.update", token, card)
        detail = f"replied in thread {thread}"
        if isinstance(updated, SendResult):
            detail += f"; updating the first message failed: {updated.detail}"
        return SendResult(True, answer.status_code, detail[:500], external_ref=thread)

    def _call(
        self, api: str, method: str, token: str, payload: dict[str, Any]
    ) -> tuple[HttpAnswer, dict[str, Any]] | SendResult:
        """The answer and its JSON when Slack says ok; the failed SendResult otherwise."""
        posted = post_json(
            self._http, f"{api}/{method}", payload, {"Authorization": f"Bearer {token}"}, timeout=self._timeout
        )
        if isinstance(posted, SendResult):
            return posted
        if not 200 <= posted.status_code < 300:
            return result_of(posted)
        reply = json_object(posted)
        if reply is None:
            text = posted.body.decode("utf-8", "replace")
            return SendResult(False, posted.status_code, f"slack {method}: an answer that is not JSON: {text}"[:500])
        if reply.get("ok") is True:
            return posted, reply
        error = str(reply.get("error") or "unknown_error")
        return SendResult(
            False,
            posted.status_code,
            f"slack {method}: {error}"[:500],
            retry_after=retry_after_of(posted),
            retryable=error in RETRYABLE_ERRORS,
        )


def _split_ref(thread: str | None) -> tuple[str, str] | None:
    """("C123", "1700000000.0001") from "C123:1700000000.0001"; None for a first message (or a ref that is not
    a bot message's: an incoming webhook's conversation has none)."""
    if not thread:
        return None
    channel_id, _, ts = thread.partition(":")
    return (channel_id, ts) if channel_id and ts else None
