"""RoutingService: the RouteResolver of the dispatch (which channels an event goes to) and the routing table as
GET /notifications/routes shows it. It runs for every notification event, so a workspace's channels and rules
are read once per few seconds (two requests), and at once again after a change made in this process
(RoutingChanges)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from aisre.notifications.model.channels import Channel
from aisre.notifications.model.events import NotificationEvent
from aisre.notifications.model.routing import DefaultRoutes, Route, RoutingRule, route_event
from aisre.notifications.ports import ChannelStore, RuleStore

CACHE_SECONDS = 5.0
_MAX_WORKSPACES = 1024


class RoutingChanges:
    """Changes to workspaces' channels and rules made in this process, counted: the channel and rule services
    report them, and routing reads a workspace again when its count moved (its cache is then stale), without
    either service building the routing (and reading the routes file) to tell it."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def changed(self, workspace_id: str) -> None:
        with self._lock:
            if len(self._counts) >= _MAX_WORKSPACES and workspace_id not in self._counts:
                self._counts.clear()
            self._counts[workspace_id] = self._counts.get(workspace_id, 0) + 1

    def count(self, workspace_id: str) -> int:
        return self._counts.get(workspace_id, 0)


@dataclass(frozen=True)
class RoutingTable:
    """A workspace's routing: its channels (secrets masked), its rules in order, and the defaults."""

    channels: tuple[Channel, ...]
    rules: tuple[RoutingRule, ...]
    defaults: DefaultRoutes


class RoutingService:
    def __init__(
        self,
        channels: ChannelStore,
        rules: RuleStore,
        defaults: DefaultRoutes,
        *,
        changes: RoutingChanges | None = None,
        cache_seconds: float = CACHE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self._channels = channels
        self._rules = rules
        self._defaults = defaults
        self._changes = changes or RoutingChanges()
        self._cache_seconds = cache_seconds
        self._monotonic = monotonic
        # workspace -> (valid until, the change count it was read at, the table)
        self._cache: dict[str, tuple[float, int, RoutingTable]] = {}
        self._lock = threading.Lock()

    @property
    def defaults(self) -> DefaultRoutes:
        return self._defaults

    def channels_for(self, event: NotificationEvent) -> Sequence[Channel]:
        """RouteResolver: the channels, secrets masked (the delivery worker reads each with its secrets through
        ChannelLookup.get_channel when it sends)."""
        return list(self.route(event).channels)

    def route(self, event: NotificationEvent) -> Route:
        """Where the event goes, and why (the rules matched, or the default types applied)."""
        table = self._cached(event.workspace_id)
        return route_event(event, table.rules, table.channels, self._defaults)

    def table(self, workspace_id: str) -> RoutingTable:
        """Read now, not from the cache (what GET /notifications/routes shows)."""
        count = self._changes.count(workspace_id)
        fresh = self._read(workspace_id)
        self._keep(workspace_id, count, fresh)
        return fresh

    def _cached(self, workspace_id: str) -> RoutingTable:
        with self._lock:
            cached = self._cache.get(workspace_id)
        if cached is not None and cached[0] > self._monotonic() and cached[1] == self._changes.count(workspace_id):
            return cached[2]
        return self.table(workspace_id)

    def _read(self, workspace_id: str) -> RoutingTable:
        channels = tuple(stored.channel for stored in self._channels.list_channels(workspace_id))
        rules = self._rules.get_rules(workspace_id).rules
        return RoutingTable(channels, rules, self._defaults)

    def _keep(self, workspace_id: str, count: int, table: RoutingTable) -> None:
        with self._lock:
            if len(self._cache) >= _MAX_WORKSPACES:
                self._cache.clear()
            self._cache[workspace_id] = (self._monotonic() + self._cache_seconds, count, table)
