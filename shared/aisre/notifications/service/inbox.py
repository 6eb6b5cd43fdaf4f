"""In-app notifications (seed 002 /api/v1/notifications): the Inbox the dispatch adds to, per workspace and
principal, and what a principal reads of theirs (a page, the unread count, marking read). Items age out after
NOTIFICATION_RETENTION_DAYS."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from aisre.notifications.model.events import NotificationEvent
from aisre.notifications.model.inbox import InboxItem, inbox_item, read_boundary
from aisre.notifications.ports import InboxStore

# The count a badge shows is exact up to here; past it, "at least" (counting reads every unread item).
UNREAD_COUNT_CAP = 1000


@dataclass(frozen=True)
class InboxPage:
    items: list[InboxItem]
    has_more: bool
    # Items below it were read by a "read all" (InboxItem.read_by).
    boundary: str | None


class InboxService:
    def __init__(self, store: InboxStore, *, clock: Callable[[], datetime], retention: timedelta):
        self._store = store
        self._clock = clock
        self._retention = retention

    def add(self, workspace_id: str, principal: str, event: NotificationEvent) -> None:
        """Inbox: one item for the principal (an event delivered again adds nothing)."""
        now = self._clock()
        self._store.add(inbox_item(workspace_id, principal, event, now), now + self._retention)

    def page(self, workspace_id: str, principal: str, limit: int, offset: int) -> InboxPage:
        items, more = self._store.list_items(workspace_id, principal, limit, offset, self._clock())
        return InboxPage(items, more, self._store.read_boundary(workspace_id, principal))

    def unread_count(self, workspace_id: str, principal: str) -> int:
        boundary = self._store.read_boundary(workspace_id, principal)
        return self._store.count_unread(workspace_id, principal, boundary, self._clock(), UNREAD_COUNT_CAP)

    def mark_read(self, workspace_id: str, principal: str, item_id: str) -> InboxItem:
        return self._store.mark_read(workspace_id, principal, item_id, self._clock())

    def mark_all_read(self, workspace_id: str, principal: str) -> int:
        """Everything that arrived until now is read; how many were unread."""
        unread = self.unread_count(workspace_id, principal)
        self._store.mark_all_read(workspace_id, principal, read_boundary(self._clock()))
        return unread
