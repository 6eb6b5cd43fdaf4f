"""ProposalReads: what remediation knows of a diagnosis' suggested actions, read-only: the approval asked for each
(shown beside it in GET /incidents/{id}/diagnosis) and how much of each action's rate limit is spent (so that the
policy judges suggestions as execution would).

Built over the approval and execution stores alone, with no cluster and no ActionService: the investigation
functions (which show diagnoses and judge suggestions, and run the LLM) get these reads through their own port
(investigations/ports.py `ProposalState`) without the write path."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from aisre.core.clock import utc_now
from aisre.remediation.model.approvals import SuggestionApproval, approvals_by_suggestion
from aisre.remediation.model.policy import Policy, rate_limit_key
from aisre.remediation.model.rate_limits import busy_slots
from aisre.remediation.ports import ApprovalStore, ExecutionStore


class ProposalReads:
    def __init__(
        self,
        approvals: ApprovalStore,
        executions: ExecutionStore,
        policy: Policy,
        *,
        clock: Callable[[], datetime] = utc_now,
    ):
        self._approvals = approvals
        self._executions = executions
        self._policy = policy
        self._clock = clock

    def approvals_of(self, workspace_id: str, incident_id: str) -> dict[str, SuggestionApproval]:
        """suggestion_key -> the latest approval asked for an action of the incident (2 requests)."""
        return approvals_by_suggestion(self._approvals.approvals_of_incident(workspace_id, incident_id), self._clock())

    def spent_rate_limits(self, workspace_id: str, targets: Iterable[tuple[str, str]]) -> dict[str, int]:
        """rate_limit_key(action, namespace) -> executions within the window, for each (action, namespace) the
        policy limits: the slots execution takes (model/rate_limits.py), read as it reads them (1 request each)."""
        now = self._clock()
        spent: dict[str, int] = {}
        for action, namespace in targets:
            limit = self._policy.rate_limits.get(action)
            key = rate_limit_key(action, namespace)
            if limit is None or key in spent:
                continue
            taken = self._executions.taken_slots(workspace_id, key)
            spent[key] = len(busy_slots(taken, limit.max_executions, timedelta(minutes=limit.window_minutes), now))
        return spent
