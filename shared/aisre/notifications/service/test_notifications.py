"""POST /notifications/test: a test event through the real routing, sent now to every channel it reaches (side by
side, each bounded by its sender's timeout), answering where it went and what each receiver said."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from aisre.core.clock import utc_now
from aisre.notifications.model.channels import Channel
from aisre.notifications.model.delivery import SendResult
from aisre.notifications.model.events import EventType, NotificationEvent
from aisre.notifications.ports import ChannelLookup, OnCall, RouteResolver, Senders


@dataclass(frozen=True)
class TestSent:
    channel: Channel
    result: SendResult


@dataclass(frozen=True)
class TestReport:
    event: NotificationEvent
    sent: list[TestSent]
    oncall: list[str]


class NotificationTester:
    def __init__(
        self,
        routes: RouteResolver,
        channels: ChannelLookup,
        senders: Senders,
        oncall: OnCall | None = None,
        clock: Callable[[], datetime] = utc_now,
    ):
        self._routes = routes
        self._channels = channels
        self._senders = senders
        self._oncall = oncall
        self._clock = clock

    def send_test(
        self, workspace_id: str, severity: str, service: str | None, message: str, principal: str
    ) -> TestReport:
        event = NotificationEvent(
            event_id=f"notification.test:{workspace_id}:{uuid.uuid4().hex[:12]}",
            event_type=EventType.TEST,
            workspace_id=workspace_id,
            occurred_at=self._clock(),
            severity=severity,
            title=f"Test notification: {message}",
            service=service,
            summary=f"Sent by {principal} to check the routing of {severity} notifications"
            + (f" for {service}" if service else ""),
        )
        routed = [channel for channel in self._routes.channels_for(event) if channel.enabled]
        # Routing may answer channels without their secrets: read each whole, as the delivery worker does.
        whole = [self._channels.get_channel(workspace_id, channel.id) for channel in routed]
        sent: list[TestSent] = []
        if whole:
            with ThreadPoolExecutor(max_workers=min(8, len(whole))) as pool:
                results = pool.map(lambda channel: self._senders.for_channel(channel).send(channel, event), whole)
                sent = [TestSent(channel, result) for channel, result in zip(whole, results, strict=True)]
        people = list(self._oncall.responders(workspace_id, service)) if self._oncall is not None else []
        return TestReport(event, sent, people)
