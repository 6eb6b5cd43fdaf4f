"""PendingApprovals over remediation's approval reads (its ApprovalStore port, read-only): pages of pending ones."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from aisre.remediation.model.approvals import ApprovalStatus

if TYPE_CHECKING:
    from aisre.remediation.ports import ApprovalStore

PAGE = 100


class RemediationApprovals:
    def __init__(self, approvals: ApprovalStore):
        self._approvals = approvals

    def count_pending(self, workspace_id: str | None, at_most: int, now: datetime) -> tuple[int, bool]:
        total, cursor = 0, None
        while total < at_most:
            page = self._approvals.list_approvals(workspace_id, ApprovalStatus.PENDING, PAGE, cursor, now)
            total += len(page.items)
            cursor = page.cursor
            if cursor is None:
                return min(total, at_most), total > at_most
        return at_most, True
