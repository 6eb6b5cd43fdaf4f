"""SnsDeliveries: what Amazon SNS sends to an HTTP(S) subscription of /webhook/cloudwatch.

A Notification carries an alarm and goes through intake like any webhook. A SubscriptionConfirmation is
answered by visiting its SubscribeURL, so that subscribing the endpoint to a topic is all an operator
does; without that, SNS never delivers a single alarm. Signatures are checked first (when on): a forged
message is refused before anything is stored or fetched on its behalf.
"""

from __future__ import annotations

from typing import Any

from aisre.alerts.model.dead_letter import DeadLetter
from aisre.alerts.model.sns_messages import (
    NOTIFICATION,
    SUBSCRIPTION_CONFIRMATION,
    SnsMessage,
    read_sns_message,
)
from aisre.alerts.ports import SnsEndpoint
from aisre.alerts.service.intake import AlertIntake, IntakeResult
from aisre.core.errors import PayloadError, UpstreamError
from aisre.core.observability import logger

SOURCE = "cloudwatch"
# Dead-letter channel of a confirmation that failed: replaying the entry confirms again.
CONFIRMATION_CHANNEL = "sns-subscription"


class SnsDeliveries:
    def __init__(self, endpoint: SnsEndpoint, intake: AlertIntake, *, verify: bool, confirm: bool):
        self._endpoint = endpoint
        self._intake = intake
        self._verify = verify
        self._confirm = confirm

    def receive(self, workspace_id: str, body: bytes, content_type: str | None) -> dict[str, Any]:
        try:
            message = read_sns_message(body)
        except PayloadError as error:
            self._intake.dead_letter(workspace_id, SOURCE, body, content_type, error, status_code=400)
            raise
        if self._verify:
            self._endpoint.verify(message)
        if message.type == NOTIFICATION:
            return self._intake.accept(workspace_id, SOURCE, body, content_type).response()
        if message.type == SUBSCRIPTION_CONFIRMATION:
            return self._subscription_confirmation(workspace_id, message, body, content_type)
        logger.info("SNS ended workspace %s's subscription to topic %s", workspace_id, message.topic_arn)
        return _answer(message, subscription="unsubscribed")

    def replay_confirmation(self, entry: DeadLetter) -> dict[str, Any]:
        """A dead-lettered confirmation, confirmed again (SubscribeURL tokens stay valid for 3 days)."""
        message = read_sns_message(entry.body)
        return _answer(message, subscription="confirmed", subscription_arn=self._endpoint.confirm(message))

    def _subscription_confirmation(
        self, workspace_id: str, message: SnsMessage, body: bytes, content_type: str | None
    ) -> dict[str, Any]:
        if not self._confirm:
            logger.warning(
                "SNS subscription to %s awaits confirmation (SNS_CONFIRM_SUBSCRIPTIONS=false)", message.topic_arn
            )
            return _answer(message, subscription="pending", subscribe_url=message.text("SubscribeURL"))
        try:
            arn = self._endpoint.confirm(message)
        except (PayloadError, UpstreamError) as error:
            status = 400 if isinstance(error, PayloadError) else 502
            self._intake.dead_letter(
                workspace_id, SOURCE, body, content_type, error, status_code=status, channel=CONFIRMATION_CHANNEL
            )
            raise
        logger.info("SNS subscription confirmed: %s (topic %s)", arn, message.topic_arn)
        return _answer(message, subscription="confirmed", subscription_arn=arn)


def _answer(message: SnsMessage, **sns: Any) -> dict[str, Any]:
    """The webhook response (no alert, so no incident) with what happened to the subscription."""
    return IntakeResult(alerts=[], outcomes=[]).response() | {
        "sns": {"type": message.type, "topic_arn": message.topic_arn, **sns}
    }
