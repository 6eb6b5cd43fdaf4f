"""RoutingService runs for every notification event: a workspace's channels and rules are read once per few
seconds, and at once again after a change made in this process (RoutingChanges)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime

from aisre.notifications.model.channels import Channel, ChannelType
from aisre.notifications.model.events import EventType, NotificationEvent
from aisre.notifications.model.routing import DefaultRoutes, RoutingRule
from aisre.notifications.ports import RuleSet, StoredChannel
from aisre.notifications.service.routing import RoutingChanges, RoutingService


class Stores:
    """The channels and rules of one workspace in memory, counting reads."""

    def __init__(self) -> None:
        self.channels: list[StoredChannel] = []
        self.reads = 0

    def list_channels(self, workspace_id: str) -> Sequence[StoredChannel]:
        self.reads += 1
        return list(self.channels)

    def get_rules(self, workspace_id: str) -> RuleSet:
        return RuleSet()

    def save_rules(
        self, workspace_id: str, rules: Sequence[RoutingRule], expected_version: int, channel_ids: Collection[str]
    ) -> RuleSet:
        raise NotImplementedError


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def slack(channel_id: str) -> StoredChannel:
    return StoredChannel(Channel(channel_id, "ws", channel_id, ChannelType.SLACK, {"webhook_url": "https://h/x"}))


EVENT = NotificationEvent("ev", EventType.INCIDENT_OPENED, "ws", datetime(2026, 1, 1, tzinfo=UTC), "warning", "t")


def test_routing_reads_a_workspace_once_per_few_seconds_and_again_after_a_change() -> None:
    stores, clock, changes = Stores(), Clock(), RoutingChanges()
    stores.channels = [slack("ch-1")]
    routing = RoutingService(
        stores, stores, DefaultRoutes({"warning": ("slack",)}), changes=changes, cache_seconds=5, monotonic=clock
    )
    assert [c.id for c in routing.channels_for(EVENT)] == ["ch-1"]
    stores.channels.append(slack("ch-2"))
    for _ in range(50):
        assert [c.id for c in routing.channels_for(EVENT)] == ["ch-1"]
    assert stores.reads == 1

    changes.changed("ws")  # a channel created in this process
    assert [c.id for c in routing.channels_for(EVENT)] == ["ch-1", "ch-2"]
    assert stores.reads == 2

    stores.channels.pop(0)  # changed in another process: seen once the cache runs out
    clock.now += 4.9
    assert len(routing.channels_for(EVENT)) == 2
    clock.now += 0.2
    assert [c.id for c in routing.channels_for(EVENT)] == ["ch-2"]
    assert stores.reads == 3

    changes.changed("another-workspace")
    routing.channels_for(EVENT)
    assert stores.reads == 3
