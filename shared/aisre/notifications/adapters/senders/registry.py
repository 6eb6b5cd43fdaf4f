"""ports.Senders: the sender for a channel's type, all sharing the one guarded HTTP client."""

from __future__ import annotations

from aisre.notifications.adapters.senders.base import TIMEOUT_SECONDS
from aisre.notifications.adapters.senders.opsgenie import OpsgenieSender
from aisre.notifications.adapters.senders.pagerduty import PagerDutySender
from aisre.notifications.adapters.senders.slack import SlackSender
from aisre.notifications.adapters.senders.teams import TeamsSender
from aisre.notifications.adapters.senders.telegram import TelegramSender
from aisre.notifications.model.channels import Channel, ChannelType
from aisre.notifications.ports import OutboundHttp, Sender


class SenderRegistry:
    """`email` is the configured transport's sender (SMTP or SES): it is the one that does not speak HTTP."""

    def __init__(self, http: OutboundHttp, email: Sender, timeout: float = TIMEOUT_SECONDS) -> None:
        self._senders: dict[ChannelType, Sender] = {
            ChannelType.SLACK: SlackSender(http, timeout),
            ChannelType.TEAMS: TeamsSender(http, timeout),
            ChannelType.EMAIL: email,
            ChannelType.PAGERDUTY: PagerDutySender(http, timeout),
            ChannelType.OPSGENIE: OpsgenieSender(http, timeout),
            ChannelType.TELEGRAM: TelegramSender(http, timeout),
        }

    def for_channel(self, channel: Channel) -> Sender:
        return self._senders[channel.type]
